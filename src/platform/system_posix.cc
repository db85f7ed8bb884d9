#include <pwd.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "odscan/platform/system.h"

namespace odscan::platform {

std::filesystem::path tempDirectory() {
  const char* value = std::getenv("TMPDIR");
  if (value != nullptr && value[0] != '\0') return std::filesystem::path(value);
  return std::filesystem::path("/tmp");
}

Result<std::uint64_t> freeDiskSpace(const std::filesystem::path& path) {
  struct statvfs info {};
  if (::statvfs(path.c_str(), &info) != 0) {
    const int error = errno;
    return Status(StatusCode::kIoError, "cannot read free disk space of '" + path.string() +
                                            "': " + std::strerror(error));
  }
  return static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_frsize);
}

std::string hostName() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof(buffer) - 1) != 0 || buffer[0] == '\0') return "unknown-host";
  return buffer;
}

std::string userName() {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  const char* value = std::getenv("USER");
  return value != nullptr && value[0] != '\0' ? value : "unknown-user";
}

}  // namespace odscan::platform
