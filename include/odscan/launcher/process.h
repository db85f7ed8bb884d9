// Starting the scanner from the launcher: the platform calls behind one small
// interface. POSIX uses posix_spawn (process_posix.cc), Windows uses
// CreateProcessW with a UTF-16 command line (process_windows.cc). No shell is
// involved on either, so arguments reach the scanner unchanged.
//
// Thread safety: free functions; runProcess() blocks the calling thread until the
// child exits.
#pragma once

#include <filesystem>
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
