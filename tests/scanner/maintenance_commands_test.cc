#include "odscan/scanner/maintenance_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

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
  EXPECT_NE(out_.str().find("Removed 1 session(s), kept 1"), std::string::npos) << out_.str();
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

// Error paths

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
