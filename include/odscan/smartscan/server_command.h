// The smartscan-server command line: options, config file, logging and signals,
// in a library function so that tests can call it.
//
// Thread safety: call once per process, from the main thread before any other
// thread starts, because it sets the process's signal mask.
#pragma once

#include <ostream>

namespace odscan::smartscan {

// Exit codes of smartscan-server.
inline constexpr int kExitOk = 0;
// Invalid options or config, a missing or rejected file, or an address that
// cannot be bound: the operator has to change something before a restart helps.
inline constexpr int kExitConfigError = 2;

// Parses the arguments, starts the server, prints the "listening" line to `out`,
// and serves until SIGTERM or SIGINT. SIGHUP requests a check for a newer pattern. Errors go
// to `err` and the log. Returns one of the exit codes above.
int runSmartScanServer(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace odscan::smartscan
