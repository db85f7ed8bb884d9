#include "odscan/scanner/session_cleanup.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::TempFolder;

class SessionCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"20261204T100000Z-0000000a", "20261203T100000Z-0000000b",
                             "20261205T100000Z-0000000c", "20261201T100000Z-0000000d"}) {
      fs::create_directories(sessions() / name);
      testing::writeFile(sessions() / name / "scan.log", "log");
    }
  }

  fs::path sessions() const { return temp_ / "sessions"; }

  TempFolder temp_;
};

TEST_F(SessionCleanupTest, KeepsNewestSessions) {
  Result<CleanupOutcome> outcome = removeOldSessions(sessions(), 2);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(fs::exists(sessions() / "20261205T100000Z-0000000c"));
  EXPECT_TRUE(fs::exists(sessions() / "20261204T100000Z-0000000a"));
  EXPECT_FALSE(fs::exists(sessions() / "20261203T100000Z-0000000b"));
  EXPECT_FALSE(fs::exists(sessions() / "20261201T100000Z-0000000d"));
}

TEST_F(SessionCleanupTest, ListsRemovedOldestFirst) {
  Result<CleanupOutcome> outcome = removeOldSessions(sessions(), 2);
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome->removed.size(), 2u);
  EXPECT_EQ(outcome->removed[0].filename(), "20261201T100000Z-0000000d");
  EXPECT_EQ(outcome->removed[1].filename(), "20261203T100000Z-0000000b");
  EXPECT_EQ(outcome->kept.size(), 2u);
}

TEST_F(SessionCleanupTest, KeepZeroRemovesAll) {
  Result<CleanupOutcome> outcome = removeOldSessions(sessions(), 0);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->removed.size(), 4u);
  EXPECT_TRUE(fs::is_empty(sessions()));
}

TEST_F(SessionCleanupTest, KeepMoreThanPresentRemovesNothing) {
  Result<CleanupOutcome> outcome = removeOldSessions(sessions(), 10);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->removed.empty());
  EXPECT_EQ(outcome->kept.size(), 4u);
}

TEST_F(SessionCleanupTest, OtherEntriesAreLeftAlone) {
  fs::create_directories(sessions() / "notes");
  testing::writeFile(sessions() / "20261101T100000Z-0000000e", "a file, not a folder");
  Result<CleanupOutcome> outcome = removeOldSessions(sessions(), 0);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(fs::exists(sessions() / "notes"));
  EXPECT_TRUE(fs::exists(sessions() / "20261101T100000Z-0000000e"));
}

TEST(SessionFolderNameTest, RecognizesOnlySessionNames) {
  EXPECT_TRUE(isSessionFolderName("20261204T211500Z-3f9c2a1b"));
  EXPECT_FALSE(isSessionFolderName("20261204T211500Z-"));
  EXPECT_FALSE(isSessionFolderName("20261204T211500Z-3F9C2A1B"));
  EXPECT_FALSE(isSessionFolderName("2026120XT211500Z-3f9c2a1b"));
  EXPECT_FALSE(isSessionFolderName("20261204-211500Z-3f9c2a1b"));
  EXPECT_FALSE(isSessionFolderName("quarantine"));
}

// Error paths

TEST(SessionCleanupErrorTest, MissingFolderIsReported) {
  TempFolder temp;
  Result<CleanupOutcome> outcome = removeOldSessions(temp / "missing", 1);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("missing"), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
