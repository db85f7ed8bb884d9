#include "windows_support.h"

#include <algorithm>
#include <vector>

namespace odscan::platform {
namespace {

constexpr std::wstring_view kExtendedPrefix = L"\\\\?\\";
constexpr std::wstring_view kDevicePrefix = L"\\\\.\\";
constexpr std::wstring_view kExtendedUncPrefix = L"\\\\?\\UNC\\";

// Windows' codes for a file that security software blocked. The winerror.h of
// MinGW-w64 10 does not define them.
constexpr DWORD kErrorVirusInfected = 225;
constexpr DWORD kErrorVirusDeleted = 226;

bool startsWith(std::wstring_view text, std::wstring_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool isDriveAbsolute(std::wstring_view path) {
  const bool letter = (path.size() >= 3) && ((path[0] >= L'A' && path[0] <= L'Z') ||
                                             (path[0] >= L'a' && path[0] <= L'z'));
  return letter && path[1] == L':' && path[2] == L'\\';
}

// Appends the components of `rest` to `out`, one backslash before each. Empty and
// "." components are dropped, and ".." removes the component before it but never
// one of `out`'s own, so the path cannot climb above its root.
void appendNormalized(std::wstring& out, std::wstring_view rest) {
  std::vector<std::wstring_view> parts;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(L'\\'), rest.size());
    const std::wstring_view part = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (part.empty() || part == L".") continue;
    if (part == L"..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  for (const std::wstring_view part : parts) {
    if (out.back() != L'\\') out += L'\\';
    out += part;
  }
}

// Returns "\\?\UNC\server\share\..." for a path that starts with "\\server".
std::wstring extendedUncPath(std::wstring_view path) {
  std::wstring_view rest = path.substr(2);
  const std::size_t serverEnd = std::min(rest.find(L'\\'), rest.size());
  std::wstring out(kExtendedUncPrefix);
  out += rest.substr(0, serverEnd);
  rest.remove_prefix(std::min(serverEnd + 1, rest.size()));

  const std::size_t shareEnd = std::min(rest.find(L'\\'), rest.size());
  if (shareEnd > 0) {
    out += L'\\';
    out += rest.substr(0, shareEnd);
  }
  rest.remove_prefix(std::min(shareEnd + 1, rest.size()));
  appendNormalized(out, rest);
  return out;
}

// Returns the absolute form of a relative, drive-relative ("C:dir") or rooted
// ("\dir") path, or an empty string when Windows cannot resolve it.
std::wstring fullPathName(const std::wstring& path) {
  const DWORD needed = ::GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (needed == 0) return {};
  std::wstring full(needed, L'\0');
  const DWORD length = ::GetFullPathNameW(path.c_str(), needed, full.data(), nullptr);
  // A length of `needed` or more means the current folder changed in between.
  if (length == 0 || length >= needed) return {};
  full.resize(length);
  return full;
}

IoErrorKind classify(DWORD code) {
  switch (code) {
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
    // Security software on the endpoint blocked the file.
    case kErrorVirusInfected:
    case kErrorVirusDeleted:
      return IoErrorKind::kAccessDenied;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_DELETE_PENDING:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_DIRECTORY:
      return IoErrorKind::kNotFound;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return IoErrorKind::kLocked;
    default:
      return IoErrorKind::kIoError;
  }
}

}  // namespace

std::wstring toExtendedPath(std::wstring path) {
  std::replace(path.begin(), path.end(), L'/', L'\\');
  if (startsWith(path, kExtendedPrefix) || startsWith(path, kDevicePrefix)) return path;

  if (isDriveAbsolute(path)) {
    std::wstring out(kExtendedPrefix);
    out += path.substr(0, 3);
    appendNormalized(out, std::wstring_view(path).substr(3));
    return out;
  }
  if (startsWith(path, L"\\\\")) return extendedUncPath(path);

  std::wstring full = fullPathName(path);
  if (isDriveAbsolute(full) || startsWith(full, L"\\\\")) return toExtendedPath(std::move(full));
  // Let the file call that receives the path report what is wrong with it.
  return path;
}

std::wstring toWindowsPath(std::string_view utf8) { return toExtendedPath(widen(utf8)); }

std::string windowsErrorText(std::uint32_t code) {
  wchar_t* text = nullptr;
  // FORMAT_MESSAGE_MAX_WIDTH_MASK drops the line breaks inside long messages.
  const DWORD flags = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                      FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK;
  const DWORD length =
      ::FormatMessageW(flags, nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = length > 0 ? narrow(std::wstring_view(text, length)) : std::string();
  if (text != nullptr) ::LocalFree(text);

  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                              message.back() == ' ' || message.back() == '.')) {
    message.pop_back();
  }
  if (message.empty()) message = "Windows error " + std::to_string(code);
  return message;
}

IoError errorFromWindows(DWORD code, const char* operation, const std::string& path) {
  IoError error;
  error.kind = classify(code);
  error.systemCode = static_cast<int>(code);
  error.message = std::string(operation) + " '" + path + "': " + windowsErrorText(code);
  return error;
}

bool isLinkReparseTag(DWORD tag) {
  return tag == IO_REPARSE_TAG_SYMLINK || tag == IO_REPARSE_TAG_MOUNT_POINT;
}

IoResult<FileInfo> describeHandle(HANDLE handle, const std::string& path) {
  // FileBasicInfo and FileStandardInfo come from the open file alone.
  // GetFileInformationByHandle also reads the volume serial number, a query to
  // the volume that cost wine a round trip to its mount manager for every file,
  // so it runs only for folders, whose file ID the loop detection needs.
  FILE_BASIC_INFO basic{};
  FILE_STANDARD_INFO standard{};
  if (!::GetFileInformationByHandleEx(handle, FileBasicInfo, &basic, sizeof(basic)) ||
      !::GetFileInformationByHandleEx(handle, FileStandardInfo, &standard, sizeof(standard))) {
    return errorFromWindows(::GetLastError(), "cannot read the attributes of", path);
  }

  FileInfo info;
  info.size = static_cast<std::uint64_t>(standard.EndOfFile.QuadPart);
  FILE_ATTRIBUTE_TAG_INFO tagInfo{};
  const bool isReparse = (basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
  if (isReparse &&
      ::GetFileInformationByHandleEx(handle, FileAttributeTagInfo, &tagInfo, sizeof(tagInfo)) &&
      isLinkReparseTag(tagInfo.ReparseTag)) {
    info.type = FileType::kSymlink;
  } else if ((basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    info.type = FileType::kDirectory;
  } else if (::GetFileType(handle) != FILE_TYPE_DISK) {
    info.type = FileType::kSpecial;
  } else {
    info.type = FileType::kRegular;
  }
  if (info.type != FileType::kDirectory) return info;

  BY_HANDLE_FILE_INFORMATION details{};
  if (!::GetFileInformationByHandle(handle, &details)) {
    return errorFromWindows(::GetLastError(), "cannot read the file ID of", path);
  }
  // NOTE: ReFS uses 128-bit file IDs; the low 64 bits reported here can repeat
  // there, which could hide a folder as a false loop. FileIdInfo would fix it.
  info.id.device = details.dwVolumeSerialNumber;
  info.id.index =
      (static_cast<std::uint64_t>(details.nFileIndexHigh) << 32) | details.nFileIndexLow;
  return info;
}

}  // namespace odscan::platform
