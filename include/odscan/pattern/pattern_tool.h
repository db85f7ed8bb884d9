// The commands of the `odscan-pattern` program (keygen, build, verify, info,
// lookup, publish, bench-filter). The program's main() only calls
// runPatternTool(), so tests can run every command in-process as well as through
// the built binary.
//
// Thread safety: runPatternTool() writes only to the given streams and files.
#pragma once

#include <ostream>

namespace odscan {

// Exit codes of odscan-pattern.
inline constexpr int kPatternToolSuccess = 0;
// verify: the file failed a check; lookup: no match, or the agent pattern reports the
// digest is certainly not in the Smart Scan Pattern.
inline constexpr int kPatternToolNegative = 1;
// A usage error or an input that cannot be used (missing file, bad signature line,
// unreadable key, write failure).
inline constexpr int kPatternToolUsageError = 2;
// lookup in an agent pattern: no exact signature, but the filter reports that a scan query
// is needed.
inline constexpr int kPatternToolQueryNeeded = 3;

// Parses `argv` (argv[0] is the program name) and runs the command. Results go to
// `out`, warnings and errors to `err`. Returns the exit code.
int runPatternTool(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace odscan
