#include "odscan/scanner/session.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::readLines;
using testing::TempFolder;

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(home_.createLayout().ok()); }

  std::unique_ptr<Session> createSession() {
    Result<std::unique_ptr<Session>> session = Session::create(home_, "scan");
    EXPECT_TRUE(session.ok()) << session.status().toString();
    return session.ok() ? std::move(*session) : nullptr;
  }

  TempFolder temp_;
  HomeFolder home_{temp_ / "HCEXEC"};
};

TEST_F(SessionTest, FolderIsNamedByUtcTimeAndId) {
  auto session = createSession();
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->folder().parent_path(), home_.sessions());
  const std::string name = session->folder().filename().string();
  EXPECT_TRUE(std::regex_match(name, std::regex("[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}"))) << name;
  EXPECT_EQ(name.substr(17), session->id());
}

TEST_F(SessionTest, TwoSessionsGetDifferentFolders) {
  auto first = createSession();
  auto second = createSession();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->id(), second->id());
  EXPECT_NE(first->folder(), second->folder());
}

TEST_F(SessionTest, EveryLogLineCarriesSessionId) {
  auto session = createSession();
  ASSERT_NE(session, nullptr);
  session->logger().info("first");
  session->logger().warn("second");
  session->logger().flush();

  const auto lines = readLines(session->logPath());
  ASSERT_EQ(lines.size(), 3u);  // the start line plus two
  for (const auto& line : lines) {
    EXPECT_NE(line.find("session=" + session->id()), std::string::npos) << line;
  }
  EXPECT_NE(lines[2].find("second"), std::string::npos);
}

// POSIX only: on Windows the session folder inherits the owner-only access list
// of HCEXEC, which home_folder_windows_test.cc checks.
#ifndef _WIN32
TEST_F(SessionTest, FolderAndLogsArePrivateWhateverTheUmask) {
  testing::ScopedUmask umask(0);
  auto session = createSession();
  ASSERT_NE(session, nullptr);
  session->events().write("session_finish");
  EXPECT_EQ(testing::modeOf(session->folder()), 0700u);
  EXPECT_EQ(testing::modeOf(session->logPath()), 0600u);
  EXPECT_EQ(testing::modeOf(session->eventsPath()), 0600u);
}
#endif

TEST_F(SessionTest, EventsAreJsonLinesWithSessionId) {
  auto session = createSession();
  ASSERT_NE(session, nullptr);
  session->events().write("result", {{"path", "/tmp/a"}, {"verdict", "infected"}});
  session->events().write("session_finish");

  const auto lines = readLines(session->eventsPath());
  ASSERT_EQ(lines.size(), 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["session"], session->id());
  EXPECT_EQ(first["event"], "result");
  EXPECT_EQ(first["path"], "/tmp/a");
  EXPECT_TRUE(first["time"].is_string());
  EXPECT_EQ(nlohmann::json::parse(lines[1])["event"], "session_finish");
}

TEST_F(SessionTest, EventFieldsCannotReplaceCommonFields) {
  auto session = createSession();
  ASSERT_NE(session, nullptr);
  session->events().write("result", {{"session", "forged"}, {"event", "other"}});
  const auto line = nlohmann::json::parse(readLines(session->eventsPath()).at(0));
  EXPECT_EQ(line["session"], session->id());
  EXPECT_EQ(line["event"], "result");
}

TEST_F(SessionTest, InvalidUtf8InEventIsReplacedNotThrown) {
  auto session = createSession();
  ASSERT_NE(session, nullptr);
  session->events().write("result", {{"path", std::string("/tmp/\xff\xfe.exe")}});
  EXPECT_TRUE(session->events().status().ok());
  EXPECT_TRUE(nlohmann::json::accept(readLines(session->eventsPath()).at(0)));
}

// Error paths

TEST_F(SessionTest, MissingSessionsFolderIsReported) {
  std::filesystem::remove_all(home_.sessions());
  Result<std::unique_ptr<Session>> session = Session::create(home_, "scan");
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.status().message().find(home_.sessions().string()), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
