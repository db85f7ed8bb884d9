#include "durable_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/random_id.h"

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include "odscan/platform/windows_files.h"
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace odscan::scanner {
namespace {

Status errnoStatus(std::string_view action, const std::filesystem::path& path, int error) {
  const StatusCode code = error == EEXIST                     ? StatusCode::kAlreadyExists
                          : error == ENOSPC                   ? StatusCode::kNoSpace
                          : error == EACCES || error == EPERM ? StatusCode::kPermissionDenied
                          : error == ENOENT                   ? StatusCode::kNotFound
                                                              : StatusCode::kIoError;
  return Status(code, std::string(action) + " '" + platform::toUtf8(path) +
                          "' failed: " + std::strerror(error));
}

}  // namespace

Result<DurableFile> DurableFile::create(const std::filesystem::path& path, unsigned mode) {
#ifdef _WIN32
  // CreateFileW with the extended-length path reaches past MAX_PATH, which
  // _wopen cannot. The file inherits its folder's access list, the owner-only
  // one inside HCEXEC. Read sharing lets security software scan it, and delete
  // sharing lets a caller remove a failed file before closing it, as POSIX does.
  (void)mode;
  HANDLE handle = ::CreateFileW(platform::extendedLengthPath(path).c_str(), GENERIC_WRITE,
                                FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr, CREATE_NEW,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) {
    return platform::windowsStatus(::GetLastError(), "creating", path);
  }
  const int descriptor = ::_open_osfhandle(reinterpret_cast<std::intptr_t>(handle), _O_BINARY);
  if (descriptor < 0) {
    ::CloseHandle(handle);
    return errnoStatus("opening", path, errno);
  }
  return DurableFile(path, descriptor);
#else
  const int descriptor =
      ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, static_cast<mode_t>(mode));
  if (descriptor < 0) return errnoStatus("creating", path, errno);
  return DurableFile(path, descriptor);
#endif
}

Result<DurableFile> DurableFile::createOwnerOnly(const std::filesystem::path& path) {
  constexpr unsigned kOwnerReadWrite = 0600;
  Result<DurableFile> file = create(path, kOwnerReadWrite);
  if (!file.ok()) return file;
#ifndef _WIN32
  if (::fchmod(file->descriptor_, kOwnerReadWrite) != 0) {
    const int error = errno;
    (void)file->close();
    ::unlink(path.c_str());
    return errnoStatus("setting the permissions of", path, error);
  }
#endif
  return file;
}

DurableFile::DurableFile(DurableFile&& other) noexcept
    : path_(std::move(other.path_)), descriptor_(std::exchange(other.descriptor_, -1)) {}

DurableFile& DurableFile::operator=(DurableFile&& other) noexcept {
  if (this != &other) {
    (void)close();
    path_ = std::move(other.path_);
    descriptor_ = std::exchange(other.descriptor_, -1);
  }
  return *this;
}

DurableFile::~DurableFile() { (void)close(); }

Status DurableFile::write(std::span<const std::uint8_t> data) {
  while (!data.empty()) {
#ifdef _WIN32
    const int written = ::_write(descriptor_, data.data(), static_cast<unsigned>(data.size()));
#else
    const ssize_t written = ::write(descriptor_, data.data(), data.size());
#endif
    if (written < 0) {
      if (errno == EINTR) continue;
      return errnoStatus("writing", path_, errno);
    }
    data = data.subspan(static_cast<std::size_t>(written));
  }
  return Status::success();
}

Status DurableFile::sync() {
#ifdef _WIN32
  const int result = ::_commit(descriptor_);
#else
  const int result = ::fsync(descriptor_);
#endif
  if (result != 0) return errnoStatus("flushing", path_, errno);
  return Status::success();
}

Status DurableFile::close() {
  if (descriptor_ < 0) return Status::success();
#ifdef _WIN32
  const int result = ::_close(std::exchange(descriptor_, -1));
#else
  const int result = ::close(std::exchange(descriptor_, -1));
#endif
  if (result != 0) return errnoStatus("closing", path_, errno);
  return Status::success();
}

Status syncFolder(const std::filesystem::path& folder) {
#ifdef _WIN32
  // Windows has no handle that flushes a folder's entries. The renames that
  // publish files use MOVEFILE_WRITE_THROUGH instead (platform::moveFile).
  (void)folder;
  return Status::success();
#else
  const int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0) return errnoStatus("opening folder", folder, errno);
  const int result = ::fsync(descriptor);
  const int error = errno;
  ::close(descriptor);
  if (result != 0) return errnoStatus("flushing folder", folder, error);
  return Status::success();
#endif
}

std::filesystem::path temporarySiblingOf(const std::filesystem::path& path) {
  std::filesystem::path name(".");
  name += path.filename().native();
  name += "." + randomHexId(4) + ".tmp";
  return (path.has_parent_path() ? path.parent_path() : std::filesystem::path(".")) / name;
}

}  // namespace odscan::scanner
