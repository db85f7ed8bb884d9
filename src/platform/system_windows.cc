// NOTE: not yet compiled for a Windows target in CI; checked with
// i686-w64-mingw32-g++ -std=c++20 -fsyntax-only only.
#include <windows.h>

#include <string>

#include "odscan/platform/system.h"
#include "windows_support.h"

namespace odscan::platform {

std::filesystem::path tempDirectory() {
  wchar_t buffer[MAX_PATH + 2] = {};
  const DWORD length = ::GetTempPathW(MAX_PATH + 1, buffer);
  if (length == 0 || length > MAX_PATH + 1) return std::filesystem::path(L"C:\\Windows\\Temp");
  return std::filesystem::path(std::wstring(buffer, length));
}

Result<std::uint64_t> freeDiskSpace(const std::filesystem::path& path) {
  ULARGE_INTEGER available{};
  if (!::GetDiskFreeSpaceExW(path.c_str(), &available, nullptr, nullptr)) {
    const IoError error = errorFromWindows(::GetLastError(), "cannot read free disk space of",
                                           narrow(path.wstring()));
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

std::string userName() {
  wchar_t buffer[257] = {};
  DWORD length = 257;
  if (!::GetUserNameW(buffer, &length) || length <= 1) return "unknown-user";
  return narrow(std::wstring_view(buffer, length - 1));  // length counts the terminator
}

}  // namespace odscan::platform
