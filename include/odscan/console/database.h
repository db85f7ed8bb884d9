// Database: the console's SQLite database, one file in its data folder, opened in
// WAL mode so that page reads never wait for an upload that is being written.
//
// The schema is versioned: open() applies, in one transaction each, every
// migration in kMigrations (database.cc) that the file has not seen yet and
// records it in schema_migrations. A file written by a newer console (with a
// migration this build does not know) is rejected rather than misread.
//
// Statements bind every value as a parameter; no SQL text is ever built from data
// that arrives over the network.
//
// Ownership: owns the connection; Statement objects borrow it and must not
// outlive the Database.
// Thread safety: one connection serves every HTTP worker, so callers take lock()
// for the whole of a read or a transaction. SQLite itself runs in serialized
// mode, which guards against a caller that forgets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace odscan::console {

class Database;

// One prepared statement. Bind values with bind(), step through rows with
// step(), read columns of the current row with the column accessors.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bindNull(int index);
  Statement& bind(int index, const std::optional<std::string>& text);

  // Returns true when a row is ready, false when the statement is done. Errors
  // (including a failed bind) come back as kIoError naming the SQL.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();
  // Makes the statement ready to run again with new values.
  void reset();

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* statement, std::string sql);

  sqlite3* db_;
  sqlite3_stmt* statement_;
  std::string sql_;
  Status bindError_;
};

class Database {
 public:
  // Opens (creating when missing, with mode 0600) `file`, sets WAL mode, a busy
  // timeout and foreign keys, then applies the pending migrations. SQLite gives
  // the WAL files the database file's mode. Errors name the file.
  static Result<std::unique_ptr<Database>> open(const std::filesystem::path& file);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Serializes users of the connection; hold it across a read or a transaction.
  std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mutex_); }

  Result<Statement> prepare(std::string_view sql);
  // Runs SQL without parameters (schema changes, BEGIN, COMMIT).
  Status execute(std::string_view sql);

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it fails.
  // The caller holds lock().
  template <typename Work>
  Status transaction(Work&& work) {
    if (Status begun = execute("BEGIN IMMEDIATE"); !begun.ok()) return begun;
    Status result = work();
    if (!result.ok()) {
      (void)execute("ROLLBACK");
      return result;
    }
    if (Status committed = execute("COMMIT"); !committed.ok()) {
      (void)execute("ROLLBACK");
      return committed;
    }
    return Status::success();
  }

  std::int64_t lastInsertId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const;
  // The schema version: the number of migrations applied.
  int schemaVersion() const { return schemaVersion_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  Database(sqlite3* db, std::filesystem::path file);
  Status migrate();

  sqlite3* db_;
  std::filesystem::path file_;
  int schemaVersion_ = 0;
  std::mutex mutex_;
};

// The number of migrations this build knows.
int latestSchemaVersion();

// Creates `folder` when missing and makes it accessible to its owner only, because
// the data folder holds password hashes and every uploaded log. Errors name it.
Status createPrivateFolder(const std::filesystem::path& folder);

}  // namespace odscan::console
