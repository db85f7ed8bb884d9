#include "windows_support.h"

#include <algorithm>

namespace odscan::platform {

std::wstring widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int length =
      ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring wide(static_cast<std::size_t>(length), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), wide.data(),
                        length);
  return wide;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  // Unpaired surrogates in NTFS names become U+FFFD here.
  const int length = ::WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()),
                                           nullptr, 0, nullptr, nullptr);
  std::string text(static_cast<std::size_t>(length), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), text.data(),
                        length, nullptr, nullptr);
  return text;
}

std::wstring toWindowsPath(std::string_view utf8) {
  std::wstring path = widen(utf8);
  std::replace(path.begin(), path.end(), L'/', L'\\');
  if (path.rfind(L"\\\\?\\", 0) == 0) return path;
  if (path.size() >= 3 && path[1] == L':' && path[2] == L'\\') return L"\\\\?\\" + path;
  if (path.rfind(L"\\\\", 0) == 0) return L"\\\\?\\UNC\\" + path.substr(2);
  return path;
}

IoError errorFromWindows(DWORD code, const char* operation, const std::string& path) {
  IoError error;
  error.systemCode = static_cast<int>(code);
  switch (code) {
    case ERROR_ACCESS_DENIED:
      error.kind = IoErrorKind::kAccessDenied;
      break;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_DELETE_PENDING:
      error.kind = IoErrorKind::kNotFound;
      break;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      error.kind = IoErrorKind::kLocked;
      break;
    default:
      error.kind = IoErrorKind::kIoError;
      break;
  }

  wchar_t* text = nullptr;
  const DWORD length = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = length > 0 ? narrow(std::wstring_view(text, length))
                                   : "Windows error " + std::to_string(code);
  if (text != nullptr) ::LocalFree(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                              message.back() == ' ' || message.back() == '.')) {
    message.pop_back();
  }
  error.message = std::string(operation) + " '" + path + "': " + message;
  return error;
}

bool isLinkReparseTag(DWORD tag) {
  return tag == IO_REPARSE_TAG_SYMLINK || tag == IO_REPARSE_TAG_MOUNT_POINT;
}

IoResult<FileInfo> describeHandle(HANDLE handle, const std::string& path) {
  BY_HANDLE_FILE_INFORMATION details{};
  if (!::GetFileInformationByHandle(handle, &details)) {
    return errorFromWindows(::GetLastError(), "cannot read the attributes of", path);
  }

  FileInfo info;
  info.size = (static_cast<std::uint64_t>(details.nFileSizeHigh) << 32) | details.nFileSizeLow;
  // NOTE: ReFS uses 128-bit file IDs; the low 64 bits reported here can repeat
  // there, which could hide a folder as a false loop. FileIdInfo would fix it.
  info.id.device = details.dwVolumeSerialNumber;
  info.id.index =
      (static_cast<std::uint64_t>(details.nFileIndexHigh) << 32) | details.nFileIndexLow;

  FILE_ATTRIBUTE_TAG_INFO tagInfo{};
  const bool isReparse = (details.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
  if (isReparse &&
      ::GetFileInformationByHandleEx(handle, FileAttributeTagInfo, &tagInfo, sizeof(tagInfo)) &&
      isLinkReparseTag(tagInfo.ReparseTag)) {
    info.type = FileType::kSymlink;
  } else if ((details.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    info.type = FileType::kDirectory;
  } else if (::GetFileType(handle) != FILE_TYPE_DISK) {
    info.type = FileType::kSpecial;
  } else {
    info.type = FileType::kRegular;
  }
  return info;
}

}  // namespace odscan::platform
