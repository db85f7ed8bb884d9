#include "odscan/platform/windows_files.h"

#include "odscan/platform/utf8_path.h"
#include "windows_support.h"

namespace odscan::platform {
namespace {

StatusCode statusCodeFor(DWORD code) {
  switch (code) {
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return StatusCode::kAlreadyExists;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
      return StatusCode::kNotFound;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_PRIVILEGE_NOT_HELD:
    case ERROR_WRITE_PROTECT:
      return StatusCode::kPermissionDenied;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return StatusCode::kNoSpace;
    default:
      return StatusCode::kIoError;
  }
}

}  // namespace

std::filesystem::path extendedLengthPath(const std::filesystem::path& path) {
  return std::filesystem::path(toExtendedPath(path.wstring()));
}

Status windowsStatus(std::uint32_t code, std::string_view action,
                     const std::filesystem::path& path) {
  return Status(statusCodeFor(code),
                std::string(action) + " '" + toUtf8(path) + "' failed: " + windowsErrorText(code));
}

Status moveFile(const std::filesystem::path& from, const std::filesystem::path& to,
                bool replaceExisting) {
  DWORD flags = MOVEFILE_WRITE_THROUGH;
  if (replaceExisting) flags |= MOVEFILE_REPLACE_EXISTING;
  if (::MoveFileExW(extendedLengthPath(from).c_str(), extendedLengthPath(to).c_str(), flags)) {
    return Status::success();
  }
  return windowsStatus(::GetLastError(), "renaming '" + toUtf8(from) + "' to", to);
}

Status removeFile(const std::filesystem::path& path) {
  const std::filesystem::path target = extendedLengthPath(path);
  if (::DeleteFileW(target.c_str())) return Status::success();

  DWORD code = ::GetLastError();
  const DWORD attributes = ::GetFileAttributesW(target.c_str());
  const bool readOnly = code == ERROR_ACCESS_DENIED && attributes != INVALID_FILE_ATTRIBUTES &&
                        (attributes & FILE_ATTRIBUTE_READONLY) != 0;
  if (readOnly) {
    DWORD writable = attributes & ~static_cast<DWORD>(FILE_ATTRIBUTE_READONLY);
    if (writable == 0) writable = FILE_ATTRIBUTE_NORMAL;
    if (::SetFileAttributesW(target.c_str(), writable)) {
      if (::DeleteFileW(target.c_str())) return Status::success();
      code = ::GetLastError();
      ::SetFileAttributesW(target.c_str(), attributes);
    }
  }
  return windowsStatus(code, "deleting", path);
}

}  // namespace odscan::platform
