#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include "odscan/launcher/process.h"

extern char** environ;

namespace odscan::launcher {

Result<int> runProcess(const std::filesystem::path& program,
                       const std::vector<std::string>& arguments) {
  return runProcess(program, arguments, {});
}

Result<int> runProcess(const std::filesystem::path& program,
                       const std::vector<std::string>& arguments,
                       const std::function<bool()>& stopRequested) {
  std::vector<std::string> argv{program.string()};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  std::vector<char*> pointers;
  for (std::string& argument : argv) pointers.push_back(argument.data());
  pointers.push_back(nullptr);

  pid_t child = -1;
  const int error =
      ::posix_spawn(&child, program.c_str(), nullptr, nullptr, pointers.data(), environ);
  if (error != 0) {
    const StatusCode code = error == ENOENT   ? StatusCode::kNotFound
                            : error == EACCES ? StatusCode::kPermissionDenied
                                              : StatusCode::kIoError;
    return Status(code, "cannot start '" + program.string() + "': " + std::strerror(error));
  }

  int status = 0;
  bool stopSent = false;
  const int options = stopRequested ? WNOHANG : 0;
  while (true) {
    const pid_t ended = ::waitpid(child, &status, options);
    if (ended == child) break;
    if (ended < 0 && errno != EINTR) {
      return Status(StatusCode::kIoError,
                    "waiting for '" + program.string() + "' failed: " + std::strerror(errno));
    }
    if (ended == 0) {
      if (!stopSent && stopRequested()) {
        ::kill(child, SIGTERM);
        stopSent = true;
      }
      ::usleep(100 * 1000);
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return Status(StatusCode::kIoError, "'" + program.string() + "' ended in an unknown way");
}

Result<std::filesystem::path> currentExecutablePath() {
  std::error_code error;
  std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot find the launcher's own file through /proc/self/exe: " + error.message() +
                      "; give --config FILE or --console URL with --public-key FILE");
  }
  return path;
}

}  // namespace odscan::launcher
