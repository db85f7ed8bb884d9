#include "odscan/gui/window_command.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;
using scanner::testing::TempFolder;
using scanner::testing::writeFile;

class SilentScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pattern = scanner::testing::writeTestPattern(temp_ / "publisher");
    writeFile(temp_ / "tree" / "eicar.com", scanner::testing::eicarText());
    options_.home = temp_ / "HCEXEC";
    options_.patternPath = pattern.pattern;
    options_.publicKeyPath = pattern.publicKey;
    options_.roots = {temp_ / "tree"};
  }

  // Returns the only session folder, or an empty path.
  fs::path sessionFolder() const {
    std::vector<fs::path> sessions;
    for (const auto& entry : fs::directory_iterator(temp_ / "HCEXEC" / "sessions")) {
      sessions.push_back(entry.path());
    }
    return sessions.size() == 1 ? sessions[0] : fs::path();
  }

  TempFolder temp_;
  scanner::ScanCommandOptions options_;
};

TEST_F(SilentScanTest, ThreatExitsOne) {
  std::atomic<bool> interrupt{false};
  EXPECT_EQ(runSilentScan(options_, &interrupt), 1);
}

TEST_F(SilentScanTest, ReportGoesToSessionFolder) {
  std::atomic<bool> interrupt{false};
  ASSERT_EQ(runSilentScan(options_, &interrupt), 1);
  const fs::path session = sessionFolder();
  ASSERT_FALSE(session.empty());
  EXPECT_TRUE(fs::exists(session / "report.json"));
  EXPECT_TRUE(fs::exists(session / "scan.log"));
}

TEST_F(SilentScanTest, InterruptCancelsScan) {
  std::atomic<bool> interrupt{true};
  EXPECT_EQ(runSilentScan(options_, &interrupt), 2);
  const fs::path session = sessionFolder();
  ASSERT_FALSE(session.empty());
  EXPECT_NE(scanner::testing::readFile(session / "report.json").find("\"cancelled\""),
            std::string::npos);
}

TEST(FixedDrivesTest, ListsDriveRoots) {
  const std::vector<fs::path> drives = fixedDrives();
  ASSERT_FALSE(drives.empty());
  for (const fs::path& drive : drives) {
    const std::wstring text = drive.wstring();
    ASSERT_EQ(text.size(), 3u);
    EXPECT_EQ(text.substr(1), L":\\");
  }
}

// ---- error paths ----

TEST_F(SilentScanTest, MissingPatternExitsTwo) {
  options_.patternPath = temp_ / "missing.ptn";
  std::atomic<bool> interrupt{false};
  EXPECT_EQ(runSilentScan(options_, &interrupt), 2);
}

}  // namespace
}  // namespace odscan::gui
