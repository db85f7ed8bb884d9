// AdminAccounts: the console's administrator accounts and their web sessions.
//
// A logon checks the password, and after kMaxFailedLogons failures in a row the
// account is locked for the lockout period, whatever password comes next. A
// successful logon creates a web session: a random token for the HttpOnly cookie
// and a CSRF token that every state-changing request must repeat in the
// X-CSRF-Token header. The cookie token is stored only as a hash (see
// credentials.h); the CSRF token is stored as it is, because pages embed it and
// it grants nothing without the cookie.
//
// Ownership: borrows the Database, which must outlive this object.
// Thread safety: every method takes the database lock; safe from many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/console/database.h"

namespace odscan::console {

struct LogonPolicy {
  std::uint32_t maxFailedLogons = 5;
  std::chrono::seconds lockout{std::chrono::minutes(15)};
  std::chrono::seconds sessionLifetime{std::chrono::hours(8)};
  std::uint32_t passwordIterations = 600'000;
};

struct WebSession {
  std::string token;      // the cookie value; never stored
  std::string csrfToken;  // repeated in X-CSRF-Token
  std::int64_t expiresAt = 0;
  std::string username;
};

struct Administrator {
  std::int64_t id = 0;
  std::string username;
  std::string csrfToken;  // what X-CSRF-Token must repeat
};

class AdminAccounts {
 public:
  AdminAccounts(Database& database, LogonPolicy policy) : database_(database), policy_(policy) {}

  // Creates an account. Fails with kInvalidArgument for a user name that is not
  // 1 to 64 characters of [A-Za-z0-9._@-] or a weak password, and with
  // kAlreadyExists when the name is taken.
  Status create(std::string_view username, std::string_view password);
  // Sets a new password and clears the lockout; kNotFound for an unknown name.
  Status resetPassword(std::string_view username, std::string_view password);
  // Returns the number of accounts.
  Result<std::int64_t> count();

  // Checks the credentials and opens a web session. Fails with kPermissionDenied
  // for a wrong name or password (the message does not say which) and for a
  // locked account (the message says until when).
  Result<WebSession> logon(std::string_view username, std::string_view password);
  // Returns the administrator of a live session, or kPermissionDenied.
  Result<Administrator> authenticate(std::string_view token);
  // Ends the session; an unknown token is not an error.
  Status logoff(std::string_view token);

  const LogonPolicy& policy() const { return policy_; }

 private:
  Database& database_;
  LogonPolicy policy_;
};

// Returns true for 1 to 64 characters of [A-Za-z0-9._@-].
bool isValidUsername(std::string_view username);

}  // namespace odscan::console
