// The odscan-query-bench command line. It has two commands:
//   generate  Writes a synthetic signature set as a digest list for
//             `odscan-pattern build`, and optionally as redis SET commands.
//   run       Sends scan queries to a smartscan-server on this machine, in a
//             closed loop or at a fixed rate, and prints the report.
// The program's main() only calls runQueryBench(), so the commands can be called
// in-process too.
//
// Thread safety: call from one thread at a time; `run` starts its own threads.
#pragma once

#include <ostream>

namespace odscan::bench {

// Exit codes of odscan-query-bench.
inline constexpr int kExitOk = 0;
// The run finished, but some requests failed or got wrong verdicts.
inline constexpr int kExitRunHadErrors = 1;
// Invalid options, an unreadable or unwritable file, or no server to connect to.
inline constexpr int kExitUsageError = 2;

// Parses `argv` (argv[0] is the program name) and runs the command. Reports go
// to `out`, errors to `err`. Returns one of the exit codes above.
int runQueryBench(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace odscan::bench
