#include "odscan/console/database.h"

#include <gtest/gtest.h>

#include "../http/http_test_support.h"

namespace odscan::console {
namespace {

using http::testing::TempFolder;

TEST(DatabaseTest, NewFileGetsTheLatestSchemaInWalMode) {
  TempFolder folder;
  auto database = Database::open(folder / "console.db");
  ASSERT_TRUE(database.ok()) << database.status().message();
  EXPECT_EQ((*database)->schemaVersion(), latestSchemaVersion());
  auto guard = (*database)->lock();
  auto mode = (*database)->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->text(0), "wal");
}

TEST(DatabaseTest, FilesAreForTheOwnerOnly) {
  TempFolder folder;
  ASSERT_TRUE(createPrivateFolder(folder / "data").ok());
  ASSERT_TRUE(Database::open(folder / "data" / "console.db").ok());
  using std::filesystem::perms;
  EXPECT_EQ(std::filesystem::status(folder / "data").permissions() & perms::all, perms::owner_all);
  EXPECT_EQ(std::filesystem::status(folder / "data" / "console.db").permissions() & perms::all,
            perms::owner_read | perms::owner_write);
}

TEST(DatabaseTest, ReopeningAppliesNoMigrationTwice) {
  TempFolder folder;
  { ASSERT_TRUE(Database::open(folder / "console.db").ok()); }
  auto database = Database::open(folder / "console.db");
  ASSERT_TRUE(database.ok()) << database.status().message();
  auto guard = (*database)->lock();
  auto count = (*database)->prepare("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->step());
  EXPECT_EQ(count->integer(0), latestSchemaVersion());
}

TEST(DatabaseTest, NewerSchemaIsRejected) {
  TempFolder folder;
  {
    auto database = Database::open(folder / "console.db");
    ASSERT_TRUE(database.ok());
    auto guard = (*database)->lock();
    ASSERT_TRUE((*database)->execute("INSERT INTO schema_migrations VALUES (99, 0)").ok());
  }
  auto database = Database::open(folder / "console.db");
  ASSERT_FALSE(database.ok());
  EXPECT_EQ(database.status().code(), StatusCode::kUnsupportedVersion);
  EXPECT_NE(database.status().message().find("99"), std::string::npos);
}

TEST(DatabaseTest, FailedTransactionLeavesNothing) {
  TempFolder folder;
  auto database = Database::open(folder / "console.db");
  ASSERT_TRUE(database.ok());
  Database& db = **database;
  auto guard = db.lock();
  Status result = db.transaction([&]() -> Status {
    if (Status status = db.execute("INSERT INTO settings VALUES ('a', '{}', 0, 'test')");
        !status.ok()) {
      return status;
    }
    return Status(StatusCode::kInvalidArgument, "stop");
  });
  EXPECT_FALSE(result.ok());
  auto count = db.prepare("SELECT COUNT(*) FROM settings");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->step());
  EXPECT_EQ(count->integer(0), 0);
}

TEST(DatabaseTest, UnwritableFolderNamesTheFile) {
  auto database = Database::open("/nonexistent-folder/console.db");
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.status().message().find("/nonexistent-folder/console.db"), std::string::npos);
}

}  // namespace
}  // namespace odscan::console
