// The scan command on Windows. A file that another program keeps open without
// sharing comes out "locked", and the scan still completes. Names in Cyrillic,
// Chinese and with emoji and paths longer than MAX_PATH are scanned, and the
// session's log, events and report name them in UTF-8.
#include <gtest/gtest.h>
#include <windows.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "odscan/platform/utf8_path.h"
#include "odscan/platform/windows_files.h"
#include "odscan/scanner/scan_command.h"
#include "test_support.h"
#include "windows_test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::readFile;
using testing::TempFolder;
using testing::writeFile;

std::string utf8(const char8_t* text) { return reinterpret_cast<const char*>(text); }

const std::string kCyrillicName = utf8(u8"Счёт-фактура.com");
const std::string kChineseName = utf8(u8"病毒样本.com");
const std::string kEmojiName = utf8(u8"prize-🎁.com");

class ScanCommandWindowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pattern_ = testing::writeTestPattern(temp_ / "publisher");
    writeFile(tree() / "clean.txt", "nothing to see here\n");
    options_.home = temp_ / "HCEXEC";
    options_.patternPath = pattern_.pattern;
    options_.publicKeyPath = pattern_.publicKey;
    options_.roots = {tree()};
    options_.engine.threads = 2;
  }

  fs::path tree() const { return temp_ / "tree"; }

  int run() {
    CommandIo io{out_, err_, false, nullptr};
    return runScanCommand(options_, io);
  }

  fs::path sessionFolder() const {
    std::vector<fs::path> sessions;
    for (const auto& item : fs::directory_iterator(temp_ / "HCEXEC" / "sessions")) {
      sessions.push_back(item.path());
    }
    return sessions.size() == 1 ? sessions[0] : fs::path();
  }

  nlohmann::json sessionReport() const {
    return nlohmann::json::parse(readFile(sessionFolder() / "report.json"));
  }

  // Returns the report's result whose path ends with `name`, or null.
  static nlohmann::json resultFor(const nlohmann::json& report, const std::string& name) {
    for (const auto& result : report["results"]) {
      const std::string path = result["path"];
      if (path.size() >= name.size() &&
          path.compare(path.size() - name.size(), name.size(), name) == 0) {
        return result;
      }
    }
    return nullptr;
  }

  // Removes what TempFolder cannot: paths longer than MAX_PATH.
  void TearDown() override { testing::removeTree(temp_.path()); }

  TempFolder temp_;
  testing::TestPattern pattern_;
  ScanCommandOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ScanCommandWindowsTest, FileHeldWithoutSharingIsLocked) {
  writeFile(tree() / "report.docx", "a document open in a word processor");
  writeFile(tree() / "eicar.com", testing::eicarText());
  testing::UniqueHandle holder = testing::holdWithoutSharing(tree() / "report.docx");
  ASSERT_NE(holder.get(), INVALID_HANDLE_VALUE);

  const int exitCode = run();
  holder.reset();

  EXPECT_EQ(exitCode, 1) << err_.str();
  const nlohmann::json report = sessionReport();
  const nlohmann::json locked = resultFor(report, "report.docx");
  ASSERT_FALSE(locked.is_null()) << report.dump(2);
  EXPECT_EQ(locked["verdict"], "not_scanned");
  EXPECT_EQ(locked["reason"], "locked");
  EXPECT_EQ(report["outcome"], "completed");
  EXPECT_TRUE(report["errors"].empty()) << report["errors"].dump(2);
  EXPECT_EQ(resultFor(report, "eicar.com")["verdict"], "infected");
}

TEST_F(ScanCommandWindowsTest, LockedFileAloneExitsWithIncompleteScan) {
  writeFile(tree() / "pagefile.sys", "held by the system");
  testing::UniqueHandle holder = testing::holdWithoutSharing(tree() / "pagefile.sys");
  ASSERT_NE(holder.get(), INVALID_HANDLE_VALUE);

  const int exitCode = run();
  holder.reset();

  EXPECT_EQ(exitCode, 2) << "a locked file was not checked, so the scan is not all clean";
  EXPECT_EQ(sessionReport()["counts"]["not_scanned"], 1);
}

TEST_F(ScanCommandWindowsTest, NonAsciiNamesAreReportedInUtf8) {
  const fs::path folder = tree() / fs::path(std::u8string(u8"Загрузки"));
  for (const std::string& name : {kCyrillicName, kChineseName, kEmojiName}) {
    writeFile(folder / platform::fromUtf8(name), testing::eicarText());
  }

  ASSERT_EQ(run(), 1) << err_.str();

  const nlohmann::json report = sessionReport();
  const std::string log = readFile(sessionFolder() / "scan.log");
  const std::string events = readFile(sessionFolder() / "events.jsonl");
  for (const std::string& name : {kCyrillicName, kChineseName, kEmojiName}) {
    const nlohmann::json result = resultFor(report, name);
    ASSERT_FALSE(result.is_null()) << name << " missing in " << report["results"].dump(2);
    EXPECT_EQ(result["verdict"], "infected") << name;
    EXPECT_NE(log.find(name), std::string::npos) << name << " missing in scan.log:\n" << log;
    EXPECT_NE(events.find(name), std::string::npos) << name << " missing in events.jsonl";
    EXPECT_NE(out_.str().find(name), std::string::npos) << name << " missing in the output";
  }
}

TEST_F(ScanCommandWindowsTest, NonAsciiHomeKeepsTheSessionLog) {
  // A Windows user named in Cyrillic has a %TEMP%, and so an HCEXEC, with that name.
  options_.home = temp_ / fs::path(std::u8string(u8"Пользователь")) / "HCEXEC";
  writeFile(tree() / "eicar.com", testing::eicarText());

  ASSERT_EQ(run(), 1) << err_.str();

  std::vector<fs::path> sessions;
  for (const auto& item : fs::directory_iterator(*options_.home / "sessions")) {
    sessions.push_back(item.path());
  }
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_NE(readFile(sessions[0] / "scan.log").find("eicar.com"), std::string::npos);
  EXPECT_TRUE(fs::exists(sessions[0] / "report.json"));
}

TEST_F(ScanCommandWindowsTest, PathLongerThanMaxPathIsScanned) {
  fs::path folder = tree();
  fs::create_directories(folder);
  while (folder.native().size() < 300) {
    folder /= std::wstring(45, L'x');
    ASSERT_TRUE(::CreateDirectoryW(platform::extendedLengthPath(folder).c_str(), nullptr));
  }
  const fs::path file = folder / platform::fromUtf8(kEmojiName);
  {
    testing::UniqueHandle output(::CreateFileW(platform::extendedLengthPath(file).c_str(),
                                               GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                               FILE_ATTRIBUTE_NORMAL, nullptr));
    ASSERT_NE(output.get(), INVALID_HANDLE_VALUE);
    const std::string eicar = testing::eicarText();
    DWORD written = 0;
    ASSERT_TRUE(::WriteFile(output.get(), eicar.data(), static_cast<DWORD>(eicar.size()), &written,
                            nullptr));
  }

  ASSERT_EQ(run(), 1) << err_.str();

  const nlohmann::json result = resultFor(sessionReport(), kEmojiName);
  ASSERT_FALSE(result.is_null());
  EXPECT_EQ(result["verdict"], "infected");
  EXPECT_GT(result["path"].get<std::string>().size(), static_cast<std::size_t>(MAX_PATH));
}

TEST_F(ScanCommandWindowsTest, QuarantineActionMovesNonAsciiFile) {
  const fs::path infected = tree() / platform::fromUtf8(kChineseName);
  writeFile(infected, testing::eicarText());
  options_.action = ScanAction::kQuarantine;

  ASSERT_EQ(run(), 1) << err_.str();

  EXPECT_FALSE(fs::exists(infected));
  EXPECT_TRUE(fs::exists(tree() / "clean.txt"));
  const nlohmann::json report = sessionReport();
  ASSERT_EQ(report["actions"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["actions"][0]["file"], platform::toUtf8(infected));
}

}  // namespace
}  // namespace odscan::scanner
