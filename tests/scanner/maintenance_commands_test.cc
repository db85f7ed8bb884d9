#include "odscan/scanner/maintenance_commands.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/quarantine_store.h"
#include "test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::readFile;
using testing::readLines;
using testing::TempFolder;
using testing::writeFile;

class MaintenanceCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(home_.createLayout().ok()); }

  std::string quarantineFile(const fs::path& file) {
    QuarantineStore store(home_.quarantine());
    Result<QuarantineEntry> entry =
        store.quarantine({file, "Eicar-Test-Signature", file.string(), "0000abcd", std::nullopt});
    EXPECT_TRUE(entry.ok()) << entry.status().toString();
    return entry.ok() ? entry->id : "";
  }

  // The events of the one session folder that a restore created.
  std::vector<nlohmann::json> restoreEvents() const {
    std::vector<nlohmann::json> events;
    for (const auto& item : fs::directory_iterator(home_.sessions())) {
      for (const auto& line : readLines(item.path() / "events.jsonl")) {
        events.push_back(nlohmann::json::parse(line));
      }
    }
    return events;
  }

  CommandIo io() { return CommandIo{out_, err_, false, nullptr}; }

  TempFolder temp_;
  HomeFolder home_{temp_ / "HCEXEC"};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(MaintenanceCommandsTest, CleanupPrintsRemovedSessions) {
  for (const char* name : {"20261201T100000Z-0000000a", "20261202T100000Z-0000000b"}) {
    fs::create_directories(home_.sessions() / name);
  }
  CommandIo commandIo = io();
  EXPECT_EQ(runCleanupCommand({home_.root(), 1}, commandIo), 0);
  EXPECT_NE(out_.str().find("removed " + (home_.sessions() / "20261201T100000Z-0000000a").string()),
            std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("Removed 1 session folder, kept 1"), std::string::npos) << out_.str();
  EXPECT_TRUE(fs::exists(home_.sessions() / "20261202T100000Z-0000000b"));
}

TEST_F(MaintenanceCommandsTest, CleanupKeepsQuarantine) {
  writeFile(temp_ / "eicar.com", testing::eicarText());
  quarantineFile(temp_ / "eicar.com");
  CommandIo commandIo = io();
  ASSERT_EQ(runCleanupCommand({home_.root(), 0}, commandIo), 0);
  EXPECT_FALSE(fs::is_empty(home_.quarantine()));
}

TEST_F(MaintenanceCommandsTest, CleanupOfMissingHomeRemovesNothing) {
  CommandIo commandIo = io();
  EXPECT_EQ(runCleanupCommand({temp_ / "nowhere", 1}, commandIo), 0);
  EXPECT_NE(out_.str().find("nothing to remove"), std::string::npos);
}

TEST_F(MaintenanceCommandsTest, ListShowsIdThreatAndPath) {
  writeFile(temp_ / "eicar.com", testing::eicarText());
  const std::string id = quarantineFile(temp_ / "eicar.com");
  CommandIo commandIo = io();
  ASSERT_EQ(runQuarantineListCommand({home_.root()}, commandIo), 0);
  const std::string out = out_.str();
  EXPECT_NE(out.find(id), std::string::npos) << out;
  EXPECT_NE(out.find("Eicar-Test-Signature"), std::string::npos) << out;
  EXPECT_NE(out.find((temp_ / "eicar.com").string()), std::string::npos) << out;
}

TEST_F(MaintenanceCommandsTest, ListOfEmptyQuarantineSaysSo) {
  CommandIo commandIo = io();
  ASSERT_EQ(runQuarantineListCommand({home_.root()}, commandIo), 0);
  EXPECT_NE(out_.str().find("No quarantined files"), std::string::npos);
}

TEST_F(MaintenanceCommandsTest, RestorePutsFileBackAndLogsIt) {
  writeFile(temp_ / "eicar.com", testing::eicarText());
  const std::string id = quarantineFile(temp_ / "eicar.com");
  CommandIo commandIo = io();
  ASSERT_EQ(runQuarantineRestoreCommand({home_.root(), id, std::nullopt, false}, commandIo), 0)
      << err_.str();
  EXPECT_EQ(readFile(temp_ / "eicar.com"), testing::eicarText());

  const auto events = restoreEvents();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["event"], "session_start");
  EXPECT_EQ(events[1]["event"], "quarantine_restored");
  EXPECT_EQ(events[1]["quarantine_id"], id);
  EXPECT_EQ(events[2]["event"], "session_finish");
}

TEST_F(MaintenanceCommandsTest, RestoreIntoNewFolderEndingInSeparator) {
  writeFile(temp_ / "eicar.com", testing::eicarText());
  const std::string id = quarantineFile(temp_ / "eicar.com");
  const fs::path folder = temp_.path().string() + "/rv/evidence/";
  CommandIo commandIo = io();
  ASSERT_EQ(runQuarantineRestoreCommand({home_.root(), id, folder, false}, commandIo), 0)
      << err_.str();
  EXPECT_EQ(readFile(temp_ / "rv" / "evidence" / "eicar.com"), testing::eicarText());
  EXPECT_NE(out_.str().find((temp_ / "rv" / "evidence" / "eicar.com").string()), std::string::npos)
      << out_.str();
}

TEST_F(MaintenanceCommandsTest, ComponentsInstallMakesPatternDefault) {
  const testing::TestPattern pattern = testing::writeTestPattern(temp_ / "publisher");
  const HomeFolder fresh(temp_ / "fresh" / "HCEXEC");
  CommandIo commandIo = io();
  ASSERT_EQ(
      runComponentsInstallCommand({fresh.root(), pattern.pattern, pattern.publicKey}, commandIo), 0)
      << err_.str();

  EXPECT_EQ(readFile(fresh.defaultPatternPath()), readFile(pattern.pattern));
  EXPECT_EQ(readFile(fresh.defaultPublicKeyPath()), readFile(pattern.publicKey));
#ifndef _WIN32
  // Windows keeps no mode bits. home_folder_windows_test.cc checks the access list.
  EXPECT_EQ(testing::modeOf(fresh.root()), 0700u);
  EXPECT_EQ(testing::modeOf(fresh.defaultPatternPath()), 0600u);
#endif
  EXPECT_NE(out_.str().find("version " + std::to_string(pattern.version)), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("2 exact signatures"), std::string::npos) << out_.str();
}

// Error paths

TEST_F(MaintenanceCommandsTest, CleanupWithFileAsHomeFails) {
  writeFile(temp_ / "not-a-folder", "x");
  CommandIo commandIo = io();
  EXPECT_EQ(runCleanupCommand({temp_ / "not-a-folder", 1}, commandIo), 2);
  EXPECT_NE(err_.str().find("is a file, not a folder"), std::string::npos) << err_.str();
  EXPECT_EQ(out_.str(), "");
}

TEST_F(MaintenanceCommandsTest, ListWithFileAsHomeFails) {
  writeFile(temp_ / "not-a-folder", "x");
  CommandIo commandIo = io();
  EXPECT_EQ(runQuarantineListCommand({temp_ / "not-a-folder"}, commandIo), 2);
  EXPECT_NE(err_.str().find("is a file, not a folder"), std::string::npos) << err_.str();
  EXPECT_EQ(out_.str(), "");
}

TEST_F(MaintenanceCommandsTest, EmptyHomeIsRejected) {
  CommandIo commandIo = io();
  EXPECT_EQ(runCleanupCommand({fs::path(), 1}, commandIo), 2);
  EXPECT_EQ(runQuarantineListCommand({fs::path()}, commandIo), 2);
  EXPECT_EQ(runQuarantineRestoreCommand({fs::path(), "12345678", std::nullopt, false}, commandIo),
            2);
  EXPECT_NE(err_.str().find("HCEXEC folder path is empty"), std::string::npos) << err_.str();
  EXPECT_EQ(out_.str(), "");
}

TEST_F(MaintenanceCommandsTest, ListShowsDamagedEntryWithReason) {
  writeFile(home_.quarantine() / "0badf00d.odq", std::string(64, 'x'));
  CommandIo commandIo = io();
  EXPECT_EQ(runQuarantineListCommand({home_.root()}, commandIo), 2);
  const std::string out = out_.str();
  EXPECT_EQ(out.find("No quarantined files"), std::string::npos) << out;
  EXPECT_NE(out.find("Damaged entries"), std::string::npos) << out;
  EXPECT_NE(out.find("0badf00d  quarantine entry '"), std::string::npos) << out;
  EXPECT_NE(out.find("magic bytes"), std::string::npos) << out;
  EXPECT_NE(err_.str().find("1 quarantine entry is damaged"), std::string::npos) << err_.str();
}

TEST_F(MaintenanceCommandsTest, ListShowsGoodEntriesBesideDamagedOnes) {
  writeFile(temp_ / "eicar.com", testing::eicarText());
  const std::string id = quarantineFile(temp_ / "eicar.com");
  writeFile(home_.quarantine() / "0badf00d.odq", std::string(64, 'x'));
  CommandIo commandIo = io();
  EXPECT_EQ(runQuarantineListCommand({home_.root()}, commandIo), 2);
  EXPECT_NE(out_.str().find(id), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("0badf00d"), std::string::npos) << out_.str();
}

TEST_F(MaintenanceCommandsTest, ComponentsInstallRejectsPatternOfOtherKey) {
  const testing::TestPattern pattern = testing::writeTestPattern(temp_ / "publisher");
  const testing::TestPattern other = testing::writeTestPattern(temp_ / "other");
  CommandIo commandIo = io();
  EXPECT_EQ(
      runComponentsInstallCommand({home_.root(), pattern.pattern, other.publicKey}, commandIo), 2);
  EXPECT_NE(err_.str().find(pattern.pattern.string()), std::string::npos) << err_.str();
  EXPECT_FALSE(fs::exists(home_.defaultPatternPath()));
  EXPECT_FALSE(fs::exists(home_.defaultPublicKeyPath()));
}

TEST_F(MaintenanceCommandsTest, UnknownIdRestoreFailsAndIsLogged) {
  CommandIo commandIo = io();
  EXPECT_EQ(runQuarantineRestoreCommand({home_.root(), "12345678", std::nullopt, false}, commandIo),
            2);
  EXPECT_NE(err_.str().find("no quarantine entry 12345678"), std::string::npos) << err_.str();
  const auto events = restoreEvents();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1]["event"], "restore_failed");
}

TEST_F(MaintenanceCommandsTest, RestoreOverExistingFileNeedsForce) {
  writeFile(temp_ / "eicar.com", testing::eicarText());
  const std::string id = quarantineFile(temp_ / "eicar.com");
  writeFile(temp_ / "eicar.com", "new file");
  CommandIo commandIo = io();
  EXPECT_EQ(runQuarantineRestoreCommand({home_.root(), id, std::nullopt, false}, commandIo), 2);
  EXPECT_EQ(readFile(temp_ / "eicar.com"), "new file");
  EXPECT_EQ(runQuarantineRestoreCommand({home_.root(), id, std::nullopt, true}, commandIo), 0);
  EXPECT_EQ(readFile(temp_ / "eicar.com"), testing::eicarText());
}

}  // namespace
}  // namespace odscan::scanner
