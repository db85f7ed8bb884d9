#include "odscan/console/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

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

// A database written before the agents (schema version 1) keeps its events when
// migration 2 copies the events table.
TEST(DatabaseTest, VersionOneEventsSurviveMigrationTwo) {
  TempFolder folder;
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((folder / "console.db").string().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw,
                   "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at "
                   "INTEGER NOT NULL); INSERT INTO schema_migrations VALUES (1, 0); "
                   "CREATE TABLE endpoints (id INTEGER PRIMARY KEY); CREATE TABLE "
                   "scan_sessions (id INTEGER PRIMARY KEY); INSERT INTO scan_sessions "
                   "VALUES (7); "
                   "CREATE TABLE events (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL, "
                   "line INTEGER NOT NULL, time TEXT NOT NULL, event TEXT NOT NULL, category "
                   "TEXT NOT NULL, path TEXT NOT NULL DEFAULT '', threat TEXT NOT NULL DEFAULT "
                   "'', detail TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, UNIQUE "
                   "(session_id, line)); INSERT INTO events (session_id, line, time, event, "
                   "category, body) VALUES (7, 0, '2026-12-05T08:00:00Z', 'detection', "
                   "'detection', '{}');",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);

  auto database = Database::open(folder / "console.db");
  ASSERT_TRUE(database.ok()) << database.status().message();
  EXPECT_EQ((*database)->schemaVersion(), 2);
  auto guard = (*database)->lock();
  auto events = (*database)->prepare("SELECT session_id, endpoint_id IS NULL, event FROM events");
  ASSERT_TRUE(events.ok());
  ASSERT_TRUE(*events->step());
  EXPECT_EQ(events->integer(0), 7);
  EXPECT_EQ(events->integer(1), 1);
  EXPECT_EQ(events->text(2), "detection");
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
