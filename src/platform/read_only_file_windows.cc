#include <algorithm>
#include <utility>

#include "odscan/platform/read_only_file.h"
#include "windows_support.h"

namespace odscan::platform {
namespace {

HANDLE toHandle(std::intptr_t handle) { return reinterpret_cast<HANDLE>(handle); }

// Every sharing mode is granted, so the scanner never stops another program
// (security software included) from reading, writing, renaming or deleting the
// file while it is scanned.
HANDLE openShared(const std::wstring& path, DWORD flags) {
  return ::CreateFileW(path.c_str(), GENERIC_READ,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                       OPEN_EXISTING, flags | FILE_FLAG_SEQUENTIAL_SCAN, nullptr);
}

}  // namespace

IoResult<ReadOnlyFile> ReadOnlyFile::open(const std::string& path, bool followSymlink) {
  // NOTE: reads may update the last-access time where the volume has it enabled.
  // Suppressing that (SetFileTime with -1) needs write access, which the scanner
  // does not take.
  const std::wstring windowsPath = toWindowsPath(path);
  HANDLE handle = openShared(windowsPath, followSymlink ? 0 : FILE_FLAG_OPEN_REPARSE_POINT);
  if (handle == INVALID_HANDLE_VALUE)
    return errorFromWindows(::GetLastError(), "cannot open", path);

  if (!followSymlink) {
    // FILE_FLAG_OPEN_REPARSE_POINT opens any reparse point itself. Links are
    // refused; other reparse points (deduplicated or cloud files) are reopened
    // normally to read their data.
    auto info = describeHandle(handle, path);
    FILE_ATTRIBUTE_TAG_INFO tagInfo{};
    const bool hasTag =
        ::GetFileInformationByHandleEx(handle, FileAttributeTagInfo, &tagInfo, sizeof(tagInfo)) &&
        (tagInfo.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    if (info.ok() && info->type == FileType::kSymlink) {
      ::CloseHandle(handle);
      IoError error;
      error.kind = IoErrorKind::kSymlink;
      error.message = "cannot open '" + path + "': it is a symbolic link or junction";
      return error;
    }
    if (hasTag) {
      ::CloseHandle(handle);
      handle = openShared(windowsPath, 0);
      if (handle == INVALID_HANDLE_VALUE) {
        return errorFromWindows(::GetLastError(), "cannot open", path);
      }
    }
  }
  return ReadOnlyFile(reinterpret_cast<std::intptr_t>(handle));
}

ReadOnlyFile::ReadOnlyFile(ReadOnlyFile&& other) noexcept
    : handle_(std::exchange(other.handle_, -1)) {}

ReadOnlyFile& ReadOnlyFile::operator=(ReadOnlyFile&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

ReadOnlyFile::~ReadOnlyFile() { close(); }

void ReadOnlyFile::close() {
  if (handle_ != -1) ::CloseHandle(toHandle(handle_));
  handle_ = -1;
}

IoResult<FileInfo> ReadOnlyFile::info() const {
  return describeHandle(toHandle(handle_), "(open file)");
}

IoResult<std::size_t> ReadOnlyFile::read(std::span<std::uint8_t> buffer) {
  const auto request = static_cast<DWORD>(std::min<std::size_t>(buffer.size(), 1u << 30));
  DWORD count = 0;
  if (!::ReadFile(toHandle(handle_), buffer.data(), request, &count, nullptr)) {
    const DWORD code = ::GetLastError();
    if (code == ERROR_HANDLE_EOF) return std::size_t{0};
    // ERROR_LOCK_VIOLATION: another process locked this byte range.
    return errorFromWindows(code, "cannot read", "(open file)");
  }
  return static_cast<std::size_t>(count);
}

IoResult<std::uint64_t> ReadOnlyFile::seek(std::int64_t offset, SeekOrigin origin) {
  DWORD method = FILE_BEGIN;
  if (origin == SeekOrigin::kCurrent) method = FILE_CURRENT;
  if (origin == SeekOrigin::kEnd) method = FILE_END;
  LARGE_INTEGER distance{};
  distance.QuadPart = offset;
  LARGE_INTEGER position{};
  if (!::SetFilePointerEx(toHandle(handle_), distance, &position, method)) {
    return errorFromWindows(::GetLastError(), "cannot seek in", "(open file)");
  }
  return static_cast<std::uint64_t>(position.QuadPart);
}

}  // namespace odscan::platform
