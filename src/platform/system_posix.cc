#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

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

namespace {

// Returns the numeric form of an interface address, or nothing for loopback,
// IPv6 link-local and families other than IPv4 and IPv6.
std::optional<std::string> numericAddress(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(address);
    if (::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof(text)) == nullptr) return std::nullopt;
    return std::string(text);
  }
  if (address->sa_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_LINKLOCAL(&ipv6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&ipv6->sin6_addr)) {
      return std::nullopt;
    }
    if (::inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof(text)) == nullptr) {
      return std::nullopt;
    }
    return std::string(text);
  }
  return std::nullopt;
}

std::filesystem::path homeFromUserDatabase() {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr &&
      found->pw_dir != nullptr) {
    return std::filesystem::path(found->pw_dir);
  }
  return {};
}

}  // namespace

std::vector<std::string> ipAddresses() {
  ifaddrs* interfaces = nullptr;
  if (::getifaddrs(&interfaces) != 0) return {};

  std::vector<std::string> addresses;
  for (const ifaddrs* item = interfaces; item != nullptr; item = item->ifa_next) {
    if (item->ifa_addr == nullptr) continue;
    if ((item->ifa_flags & IFF_UP) == 0 || (item->ifa_flags & IFF_LOOPBACK) != 0) continue;
    std::optional<std::string> address = numericAddress(item->ifa_addr);
    if (address && std::find(addresses.begin(), addresses.end(), *address) == addresses.end()) {
      addresses.push_back(std::move(*address));
    }
  }
  ::freeifaddrs(interfaces);
  return addresses;
}

std::string osVersion() {
  struct utsname names {};
  if (::uname(&names) != 0) return "unknown";
  return std::string(names.sysname) + " " + names.release;
}

std::filesystem::path userProfileDirectory() {
  const char* value = std::getenv("HOME");
  if (value != nullptr && value[0] != '\0') return std::filesystem::path(value);
  return homeFromUserDatabase();
}

std::vector<std::filesystem::path> fixedDrives() { return {std::filesystem::path("/")}; }

}  // namespace odscan::platform
