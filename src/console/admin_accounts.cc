#include "odscan/console/admin_accounts.h"

#include <ctime>

#include "odscan/console/credentials.h"

namespace odscan::console {
namespace {

constexpr std::size_t kMaxUsernameLength = 64;

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string utcText(std::int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

Status wrongCredentials() {
  return Status(StatusCode::kPermissionDenied,
                "wrong user name or password; check both and try again");
}

}  // namespace

bool isValidUsername(std::string_view username) {
  if (username.empty() || username.size() > kMaxUsernameLength) return false;
  for (char c : username) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

Status AdminAccounts::create(std::string_view username, std::string_view password) {
  if (!isValidUsername(username)) {
    return Status(StatusCode::kInvalidArgument,
                  "invalid user name '" + std::string(username) +
                      "': use 1 to 64 letters, digits or the characters . _ @ -");
  }
  auto hash = hashPassword(password, policy_.passwordIterations);
  if (!hash.ok()) return hash.status();
  auto guard = database_.lock();
  auto existing = database_.prepare("SELECT 1 FROM admins WHERE username = ?");
  if (!existing.ok()) return existing.status();
  auto found = existing->bind(1, username).step();
  if (!found.ok()) return found.status();
  if (*found) {
    return Status(StatusCode::kAlreadyExists,
                  "the administrator '" + std::string(username) +
                      "' exists already; use reset-password to change the password");
  }
  auto insert = database_.prepare(
      "INSERT INTO admins (username, password_hash, created_at) VALUES (?, ?, ?)");
  if (!insert.ok()) return insert.status();
  return insert->bind(1, username).bind(2, std::string_view(*hash)).bind(3, nowSeconds()).run();
}

Status AdminAccounts::resetPassword(std::string_view username, std::string_view password) {
  auto hash = hashPassword(password, policy_.passwordIterations);
  if (!hash.ok()) return hash.status();
  auto guard = database_.lock();
  auto update = database_.prepare(
      "UPDATE admins SET password_hash = ?, failed_logons = 0, locked_until = 0 WHERE username = "
      "?");
  if (!update.ok()) return update.status();
  if (Status status = update->bind(1, std::string_view(*hash)).bind(2, username).run();
      !status.ok()) {
    return status;
  }
  if (database_.changes() == 0) {
    return Status(StatusCode::kNotFound, "there is no administrator '" + std::string(username) +
                                             "'; create it with create-admin");
  }
  return Status::success();
}

Result<std::int64_t> AdminAccounts::count() {
  auto guard = database_.lock();
  auto query = database_.prepare("SELECT COUNT(*) FROM admins");
  if (!query.ok()) return query.status();
  if (auto row = query->step(); !row.ok()) return row.status();
  return query->integer(0);
}

Result<WebSession> AdminAccounts::logon(std::string_view username, std::string_view password) {
  std::int64_t id = 0;
  std::string storedHash;
  std::int64_t failures = 0;
  std::int64_t lockedUntil = 0;
  {
    auto guard = database_.lock();
    auto query = database_.prepare(
        "SELECT id, password_hash, failed_logons, locked_until, username FROM admins WHERE "
        "username = ?");
    if (!query.ok()) return query.status();
    auto row = query->bind(1, username).step();
    if (!row.ok()) return row.status();
    if (!*row) {
      // Spend the time a real check takes, so the answer's delay does not tell
      // which user names exist.
      (void)verifyPassword(password, "pbkdf2-sha256$" + std::to_string(policy_.passwordIterations) +
                                         "$00$" + std::string(64, '0'));
      return wrongCredentials();
    }
    id = query->integer(0);
    storedHash = query->text(1);
    failures = query->integer(2);
    lockedUntil = query->integer(3);
  }

  const std::int64_t now = nowSeconds();
  if (lockedUntil > now) {
    return Status(StatusCode::kPermissionDenied,
                  "the account is locked after " + std::to_string(policy_.maxFailedLogons) +
                      " failed logons until " + utcText(lockedUntil) +
                      "; wait, or ask another administrator to reset the password");
  }
  // The slow hash runs without the database lock, so other requests go on.
  const bool matches = verifyPassword(password, storedHash);

  auto guard = database_.lock();
  if (!matches) {
    const std::int64_t failed = failures + 1;
    const bool lock = failed >= policy_.maxFailedLogons;
    auto update =
        database_.prepare("UPDATE admins SET failed_logons = ?, locked_until = ? WHERE id = ?");
    if (!update.ok()) return update.status();
    if (Status status = update->bind(1, lock ? std::int64_t{0} : failed)
                            .bind(2, lock ? now + policy_.lockout.count() : std::int64_t{0})
                            .bind(3, id)
                            .run();
        !status.ok()) {
      return status;
    }
    return wrongCredentials();
  }

  WebSession session;
  session.token = randomToken();
  session.csrfToken = randomToken();
  session.expiresAt = now + policy_.sessionLifetime.count();
  session.username = std::string(username);
  Status stored = database_.transaction([&]() -> Status {
    auto reset = database_.prepare(
        "UPDATE admins SET failed_logons = 0, locked_until = 0, last_logon = ? WHERE id = ?");
    if (!reset.ok()) return reset.status();
    if (Status status = reset->bind(1, now).bind(2, id).run(); !status.ok()) return status;
    auto purge = database_.prepare("DELETE FROM web_sessions WHERE expires_at <= ?");
    if (!purge.ok()) return purge.status();
    if (Status status = purge->bind(1, now).run(); !status.ok()) return status;
    auto insert = database_.prepare(
        "INSERT INTO web_sessions (token_hash, admin_id, csrf_token, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    return insert->bind(1, std::string_view(tokenHash(session.token)))
        .bind(2, id)
        .bind(3, std::string_view(session.csrfToken))
        .bind(4, now)
        .bind(5, session.expiresAt)
        .run();
  });
  if (!stored.ok()) return stored;
  return session;
}

Result<Administrator> AdminAccounts::authenticate(std::string_view token) {
  const Status denied(StatusCode::kPermissionDenied,
                      "not logged on, or the session expired; log on again");
  if (token.empty()) return denied;
  auto guard = database_.lock();
  auto query = database_.prepare(
      "SELECT admins.id, admins.username, web_sessions.csrf_token FROM web_sessions JOIN admins "
      "ON admins.id = web_sessions.admin_id WHERE web_sessions.token_hash = ? AND "
      "web_sessions.expires_at > ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, std::string_view(tokenHash(token))).bind(2, nowSeconds()).step();
  if (!row.ok()) return row.status();
  if (!*row) return denied;
  return Administrator{query->integer(0), query->text(1), query->text(2)};
}

Status AdminAccounts::logoff(std::string_view token) {
  auto guard = database_.lock();
  auto remove = database_.prepare("DELETE FROM web_sessions WHERE token_hash = ?");
  if (!remove.ok()) return remove.status();
  return remove->bind(1, std::string_view(tokenHash(token))).run();
}

}  // namespace odscan::console
