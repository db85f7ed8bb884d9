#include "odscan/platform/file_info.h"
#include "windows_support.h"

namespace odscan::platform {

IoResult<FileInfo> statPath(const std::string& path, bool followSymlink) {
  // FILE_READ_ATTRIBUTES opens even files that others hold without sharing, and
  // FILE_FLAG_BACKUP_SEMANTICS lets the same call open folders.
  DWORD flags = FILE_FLAG_BACKUP_SEMANTICS;
  if (!followSymlink) flags |= FILE_FLAG_OPEN_REPARSE_POINT;
  HANDLE handle = ::CreateFileW(toWindowsPath(path).c_str(), FILE_READ_ATTRIBUTES,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                OPEN_EXISTING, flags, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    return errorFromWindows(::GetLastError(), "cannot read the attributes of", path);
  }
  IoResult<FileInfo> info = describeHandle(handle, path);
  ::CloseHandle(handle);
  return info;
}

}  // namespace odscan::platform
