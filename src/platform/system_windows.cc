// winsock2.h must come before windows.h, which would otherwise include the old
// winsock.h, and windows.h before the others, which need its types.
// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <shellapi.h>
#include <shlobj.h>
// clang-format on

#include <algorithm>
#include <optional>
#include <string>

#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "windows_support.h"

namespace odscan::platform {

std::filesystem::path tempDirectory() {
  // GetTempPathW returns the first of %TMP%, %TEMP% and %USERPROFILE% that is set,
  // with a trailing backslash, and needs no administrator rights. Its result may
  // be longer than MAX_PATH, so the buffer grows to the length it reports.
  std::wstring buffer(MAX_PATH + 1, L'\0');
  DWORD length = ::GetTempPathW(static_cast<DWORD>(buffer.size()), buffer.data());
  if (length > buffer.size()) {
    buffer.resize(length);
    length = ::GetTempPathW(static_cast<DWORD>(buffer.size()), buffer.data());
  }
  // NOTE: when GetTempPathW fails, no per-user folder is left to use. The
  // Windows folder's Temp is shared, but HCEXEC's own access list keeps other
  // users out.
  if (length == 0 || length > buffer.size()) return std::filesystem::path(L"C:\\Windows\\Temp");
  buffer.resize(length);
  return std::filesystem::path(buffer);
}

Result<std::uint64_t> freeDiskSpace(const std::filesystem::path& path) {
  ULARGE_INTEGER available{};
  const std::wstring folder = toExtendedPath(path.wstring());
  if (!::GetDiskFreeSpaceExW(folder.c_str(), &available, nullptr, nullptr)) {
    const IoError error =
        errorFromWindows(::GetLastError(), "cannot read free disk space of", toUtf8(path));
    return Status(StatusCode::kIoError, error.message);
  }
  return static_cast<std::uint64_t>(available.QuadPart);
}

std::string hostName() {
  wchar_t buffer[MAX_COMPUTERNAME_LENGTH + 1] = {};
  DWORD length = MAX_COMPUTERNAME_LENGTH + 1;
  if (!::GetComputerNameW(buffer, &length) || length == 0) return "unknown-host";
  return narrow(std::wstring_view(buffer, length));
}

std::vector<std::string> commandLineArguments(int argc, char** argv) {
  int count = 0;
  wchar_t** wide = ::CommandLineToArgvW(::GetCommandLineW(), &count);
  if (wide == nullptr) return std::vector<std::string>(argv, argv + argc);

  std::vector<std::string> arguments;
  arguments.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) arguments.push_back(narrow(wide[i]));
  ::LocalFree(wide);
  return arguments;
}

std::string userName() {
  wchar_t buffer[257] = {};  // UNLEN + 1
  DWORD length = 257;
  if (!::GetUserNameW(buffer, &length) || length <= 1) return "unknown-user";
  return narrow(std::wstring_view(buffer, length - 1));  // length counts the terminator
}

namespace {

// Keeps Winsock initialized while getnameinfo() formats addresses; Windows
// rejects the call without it.
class WinsockSession {
 public:
  WinsockSession() {
    WSADATA data{};
    started_ = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }
  ~WinsockSession() {
    if (started_) ::WSACleanup();
  }
  WinsockSession(const WinsockSession&) = delete;
  WinsockSession& operator=(const WinsockSession&) = delete;

  bool started() const { return started_; }

 private:
  bool started_ = false;
};

// Returns the numeric form of a unicast address, or nothing for loopback, IPv6
// link-local and other families.
std::optional<std::string> numericAddress(const SOCKET_ADDRESS& address) {
  const sockaddr* socketAddress = address.lpSockaddr;
  if (socketAddress == nullptr) return std::nullopt;
  if (socketAddress->sa_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<const sockaddr_in6*>(socketAddress);
    if (IN6_IS_ADDR_LINKLOCAL(&ipv6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&ipv6->sin6_addr)) {
      return std::nullopt;
    }
  } else if (socketAddress->sa_family != AF_INET) {
    return std::nullopt;
  }

  char text[NI_MAXHOST] = {};
  if (::getnameinfo(socketAddress, address.iSockaddrLength, text, sizeof(text), nullptr, 0,
                    NI_NUMERICHOST) != 0) {
    return std::nullopt;
  }
  return std::string(text);
}

// Returns the adapter list of GetAdaptersAddresses(), which needs a buffer of a
// size it reports; the list can grow between two calls, hence the retries.
std::vector<unsigned char> adapterList() {
  constexpr ULONG kFlags =
      GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
  ULONG size = 16 * 1024;
  std::vector<unsigned char> buffer;
  for (int attempt = 0; attempt < 3; ++attempt) {
    buffer.resize(size);
    const ULONG result = ::GetAdaptersAddresses(
        AF_UNSPEC, kFlags, nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
    if (result == ERROR_SUCCESS) return buffer;
    if (result != ERROR_BUFFER_OVERFLOW) break;
  }
  return {};
}

}  // namespace

std::vector<std::string> ipAddresses() {
  const WinsockSession winsock;
  if (!winsock.started()) return {};
  const std::vector<unsigned char> buffer = adapterList();
  if (buffer.empty()) return {};

  std::vector<std::string> addresses;
  for (auto* adapter = reinterpret_cast<const IP_ADAPTER_ADDRESSES*>(buffer.data());
       adapter != nullptr; adapter = adapter->Next) {
    if (adapter->OperStatus != IfOperStatusUp || adapter->IfType == IF_TYPE_SOFTWARE_LOOPBACK) {
      continue;
    }
    for (const IP_ADAPTER_UNICAST_ADDRESS* unicast = adapter->FirstUnicastAddress;
         unicast != nullptr; unicast = unicast->Next) {
      std::optional<std::string> address = numericAddress(unicast->Address);
      if (address && std::find(addresses.begin(), addresses.end(), *address) == addresses.end()) {
        addresses.push_back(std::move(*address));
      }
    }
  }
  return addresses;
}

std::string osVersion() {
  // GetVersionExW reports the version that the program's manifest declares
  // support for, so it is read from ntdll, which tells the truth.
  using RtlGetVersionFunction = LONG(WINAPI*)(OSVERSIONINFOW*);
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  auto getVersion = ntdll == nullptr
                        ? nullptr
                        : reinterpret_cast<RtlGetVersionFunction>(
                              reinterpret_cast<void*>(::GetProcAddress(ntdll, "RtlGetVersion")));
  OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof(info);
  if (getVersion == nullptr || getVersion(&info) != 0) return "Windows (unknown version)";
  return "Windows " + std::to_string(info.dwMajorVersion) + "." +
         std::to_string(info.dwMinorVersion) + "." + std::to_string(info.dwBuildNumber);
}

std::filesystem::path userProfileDirectory() {
  wchar_t buffer[MAX_PATH] = {};
  if (SUCCEEDED(::SHGetFolderPathW(nullptr, CSIDL_PROFILE, nullptr, SHGFP_TYPE_CURRENT, buffer))) {
    return std::filesystem::path(buffer);
  }
  const DWORD length = ::GetEnvironmentVariableW(L"USERPROFILE", buffer, MAX_PATH);
  if (length == 0 || length >= MAX_PATH) return {};
  return std::filesystem::path(std::wstring(buffer, length));
}

std::vector<std::filesystem::path> fixedDrives() {
  std::vector<std::filesystem::path> drives;
  wchar_t buffer[128] = {};
  const DWORD length = ::GetLogicalDriveStringsW(static_cast<DWORD>(std::size(buffer)), buffer);
  if (length == 0 || length >= std::size(buffer)) return drives;

  // The buffer holds "C:\<NUL>D:\<NUL>...<NUL>".
  for (const wchar_t* drive = buffer; *drive != L'\0'; drive += ::wcslen(drive) + 1) {
    if (::GetDriveTypeW(drive) == DRIVE_FIXED) drives.emplace_back(drive);
  }
  return drives;
}

}  // namespace odscan::platform
