#include <windows.h>
// windows.h first: shellapi.h needs its types.
#include <shellapi.h>

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

}  // namespace odscan::platform
