#include "odscan/console/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <utility>

namespace odscan::console {
namespace {

// Each entry is one migration, applied in order and never changed once released:
// a change to the schema is a new entry at the end.
constexpr std::array<std::string_view, 2> kMigrations = {
    R"sql(
CREATE TABLE admins (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  failed_logons INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_logon INTEGER
);
CREATE TABLE web_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_id INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE endpoints (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL UNIQUE COLLATE NOCASE,
  ip_addresses TEXT NOT NULL DEFAULT '',
  os_version TEXT NOT NULL DEFAULT '',
  last_user TEXT NOT NULL DEFAULT '',
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  last_session_id INTEGER
);
CREATE TABLE scan_sessions (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  client_key TEXT NOT NULL UNIQUE,
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
  scanner_session TEXT NOT NULL,
  user TEXT NOT NULL,
  ip_addresses TEXT NOT NULL,
  os_version TEXT NOT NULL,
  scanner_version TEXT NOT NULL,
  pattern_version INTEGER,
  started_at TEXT NOT NULL,
  registered_at INTEGER NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_expires_at INTEGER NOT NULL,
  events_received INTEGER NOT NULL DEFAULT 0,
  report TEXT,
  log TEXT,
  finished_at TEXT,
  outcome TEXT,
  exit_code INTEGER,
  files_scanned INTEGER NOT NULL DEFAULT 0,
  infected INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  bypassed INTEGER NOT NULL DEFAULT 0,
  not_scanned INTEGER NOT NULL DEFAULT 0,
  unresolved INTEGER NOT NULL DEFAULT 0,
  problems INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scan_sessions_endpoint ON scan_sessions(endpoint_id, id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES scan_sessions(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  time TEXT NOT NULL,
  event TEXT NOT NULL,
  category TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  threat TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  UNIQUE (session_id, line)
);
CREATE INDEX events_time ON events(time);
CREATE INDEX events_category_time ON events(category, time);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql",
    // 2: Threat Management Agents, their commands, endpoint data and cases. Events
    // may now belong to an endpoint without a scan session (an agent's report),
    // which SQLite can only express by copying the table.
    R"sql(
CREATE TABLE enrollment_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  uses_left INTEGER NOT NULL
);
CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
  version TEXT NOT NULL DEFAULT '',
  run_as TEXT NOT NULL DEFAULT '',
  enrolled_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  next_sequence INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX agents_endpoint ON agents(endpoint_id);
CREATE TABLE agent_commands (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  agent_id INTEGER NOT NULL REFERENCES agents(id),
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  exit_code INTEGER,
  scan_session TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (agent_id, sequence)
);
CREATE TABLE endpoint_data (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
  command_id INTEGER REFERENCES agent_commands(id),
  reason TEXT NOT NULL,
  file TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
  file TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  submitted_to TEXT NOT NULL DEFAULT '',
  submit_result TEXT NOT NULL DEFAULT ''
);
CREATE TABLE events_v2 (
  id INTEGER PRIMARY KEY,
  session_id INTEGER REFERENCES scan_sessions(id) ON DELETE CASCADE,
  endpoint_id INTEGER REFERENCES endpoints(id),
  line INTEGER NOT NULL,
  time TEXT NOT NULL,
  event TEXT NOT NULL,
  category TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  threat TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  UNIQUE (session_id, line)
);
INSERT INTO events_v2 (id, session_id, line, time, event, category, path, threat, detail, body)
  SELECT id, session_id, line, time, event, category, path, threat, detail, body FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_time ON events(time);
CREATE INDEX events_category_time ON events(category, time);
)sql",
};

// How long a statement waits for a lock held by another process (a backup tool,
// or a second console started by mistake) before it fails.
constexpr int kBusyTimeoutMs = 5000;

Status sqliteError(sqlite3* db, std::string_view what) {
  return Status(StatusCode::kIoError,
                std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

int latestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Statement::Statement(sqlite3* db, sqlite3_stmt* statement, std::string sql)
    : db_(db), statement_(statement), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      statement_(std::exchange(other.statement_, nullptr)),
      sql_(std::move(other.sql_)),
      bindError_(std::move(other.bindError_)) {}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK && bindError_.ok()) {
    bindError_ =
        sqliteError(db_, "binding parameter " + std::to_string(index) + " of '" + sql_ + "'");
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK &&
      bindError_.ok()) {
    bindError_ =
        sqliteError(db_, "binding parameter " + std::to_string(index) + " of '" + sql_ + "'");
  }
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bindNull(index);
}

Result<bool> Statement::step() {
  if (!bindError_.ok()) return bindError_;
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  return sqliteError(db_, "running '" + sql_ + "'");
}

Status Statement::run() {
  Result<bool> row = step();
  return row.status();
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bindError_ = Status::success();
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Database::Database(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}

Database::~Database() { sqlite3_close_v2(db_); }

Status createPrivateFolder(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (!error) {
    std::filesystem::permissions(folder, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }
  if (error) {
    return Status(StatusCode::kIoError, "cannot create the data folder '" + folder.string() +
                                            "': " + error.message() +
                                            "; check the parent folder's permissions");
  }
  return Status::success();
}

Result<std::unique_ptr<Database>> Database::open(const std::filesystem::path& file) {
  // Created here rather than by SQLite, whose files follow the umask.
  if (const int created = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); created >= 0) {
    ::close(created);
  }
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(file.c_str(), &handle, flags, nullptr) != SQLITE_OK) {
    Status error = sqliteError(handle, "cannot open the database '" + file.string() + "'");
    sqlite3_close_v2(handle);
    return Status(error.code(),
                  error.message() + "; check that the data folder exists and is writable");
  }
  std::unique_ptr<Database> database(new Database(handle, file));
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  for (std::string_view pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"}) {
    if (Status status = database->execute(pragma); !status.ok()) {
      return status.withContext("cannot prepare the database '" + file.string() + "'");
    }
  }
  if (Status migrated = database->migrate(); !migrated.ok()) {
    return migrated.withContext("cannot update the schema of '" + file.string() + "'");
  }
  return database;
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
      SQLITE_OK) {
    return Status(StatusCode::kInternal,
                  "preparing '" + std::string(sql) + "' failed: " + sqlite3_errmsg(db_));
  }
  return Statement(db_, statement, std::string(sql));
}

Status Database::execute(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Status error(StatusCode::kIoError,
                 "running '" + text.substr(0, 60) + "' failed: " + (message ? message : "unknown"));
    sqlite3_free(message);
    return error;
  }
  return Status::success();
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

Status Database::migrate() {
  auto guard = lock();
  if (Status created =
          execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                  "applied_at INTEGER NOT NULL)");
      !created.ok()) {
    return created;
  }
  auto current = prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!current.ok()) return current.status();
  if (auto row = current->step(); !row.ok()) return row.status();
  schemaVersion_ = static_cast<int>(current->integer(0));
  // A statement left running keeps a read lock, under which a migration cannot
  // drop a table.
  current->reset();
  if (schemaVersion_ > latestSchemaVersion()) {
    return Status(StatusCode::kUnsupportedVersion,
                  "the database has schema version " + std::to_string(schemaVersion_) +
                      " but this threat-mitigator knows only up to " +
                      std::to_string(latestSchemaVersion()) +
                      "; run the newer threat-mitigator that wrote it, or restore a backup");
  }
  for (int version = schemaVersion_ + 1; version <= latestSchemaVersion(); ++version) {
    Status applied = transaction([&]() -> Status {
      if (Status status = execute(kMigrations[static_cast<std::size_t>(version - 1)]);
          !status.ok()) {
        return status;
      }
      auto record = prepare(
          "INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%s','now'))");
      if (!record.ok()) return record.status();
      return record->bind(1, std::int64_t{version}).run();
    });
    if (!applied.ok()) {
      return applied.withContext("migration " + std::to_string(version) + " failed");
    }
    schemaVersion_ = version;
  }
  return Status::success();
}

}  // namespace odscan::console
