// Starting the scanner from the launcher: the platform calls behind one small
// interface. POSIX uses posix_spawn (process_posix.cc), Windows uses
// CreateProcessW with a UTF-16 command line (process_windows.cc). No shell is
// involved on either, so arguments reach the scanner unchanged.
//
// Thread safety: free functions; runProcess() blocks the calling thread until the
// child exits.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::launcher {

// Starts `program` with `arguments` (UTF-8, without the program name), lets it
// share the launcher's console and standard handles, waits for it to exit and
// returns its exit code. A POSIX child killed by a signal returns 128 + the
// signal number, as shells report it. Fails with kNotFound or kPermissionDenied
// when the program cannot be started, and kIoError for other failures.
Result<int> runProcess(const std::filesystem::path& program,
                       const std::vector<std::string>& arguments);

// Same as above, but polls `stopRequested` about every 100 ms while the child
// runs. Once it returns true, the child is asked to stop and waited for: POSIX
// sends SIGTERM, which the scanner answers by cancelling the scan and writing
// its report; Windows has no such request for a program without a console, so
// it ends the child with TerminateProcess and exit code kStoppedExitCode.
Result<int> runProcess(const std::filesystem::path& program,
                       const std::vector<std::string>& arguments,
                       const std::function<bool()>& stopRequested);

// The exit code of a child that runProcess() ended on Windows.
inline constexpr int kStoppedExitCode = 130;

// Returns the path of the running executable: /proc/self/exe on Linux,
// GetModuleFileNameW on Windows.
Result<std::filesystem::path> currentExecutablePath();

// Returns `argument` quoted for a Windows command line, so that
// CommandLineToArgvW and the C runtime's parser read it back unchanged. An
// argument that is not empty and has no space, tab, newline or '"' stays as it is.
// Any other gets quotes, each '"' is escaped, and the backslashes before a '"' or
// the closing quote are doubled. Portable, so it is tested on every platform.
std::string quoteWindowsArgument(const std::string& argument);

// Returns the full command line for CreateProcessW: the program in quotes
// (Windows paths cannot contain '"'), then each argument quoted as above.
std::string windowsCommandLine(const std::string& program,
                               const std::vector<std::string>& arguments);

}  // namespace odscan::launcher
