// The threat-mitigator command line as a library function, so tests can run it
// in-process. Commands:
//
//   serve            start the console (the default when no command is given)
//   create-admin     add an administrator; the password comes from the
//                    TM_ADMIN_PASSWORD environment variable or --password-file
//   reset-password   set a new password and clear a lockout
//   publish          put a component file into the component store
//   settings         change a settings group, as its screen would
//
// On its first start, `serve` also creates an administrator when there is none
// and TM_ADMIN_USERNAME and TM_ADMIN_PASSWORD are set. There is no default
// password.
//
// Thread safety: one call at a time (it handles process signals).
#pragma once

#include <ostream>

namespace odscan::console {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitConfigError = 2;

int runThreatMitigator(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace odscan::console
