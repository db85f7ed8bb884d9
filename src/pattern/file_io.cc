#include "file_io.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace odscan::pattern_detail {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

Status errnoStatus(int error, const std::string& context) {
  const StatusCode code = error == ENOENT   ? StatusCode::kNotFound
                          : error == EACCES ? StatusCode::kPermissionDenied
                          : error == EEXIST ? StatusCode::kAlreadyExists
                          : error == ENOSPC ? StatusCode::kNoSpace
                                            : StatusCode::kIoError;
  return Status(code, context + ": " + std::strerror(error));
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// Returns a name that no other writer in this or another process picks at the same
// time: process id, a per-process counter and the clock.
std::string uniqueSuffix() {
  static std::atomic<std::uint64_t> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
#ifdef _WIN32
  const long long process = 0;
#else
  const long long process = ::getpid();
#endif
  return ".tmp-" + std::to_string(process) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(static_cast<unsigned long long>(now) % 1000000007ull);
}

#ifndef _WIN32
Status writeAll(int fd, std::span<const std::uint8_t> contents, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < contents.size()) {
    const ::ssize_t count = ::write(fd, contents.data() + written, contents.size() - written);
    if (count < 0) {
      if (errno == EINTR) continue;
      return errnoStatus(errno, "cannot write " + quoted(path));
    }
    written += static_cast<std::size_t>(count);
  }
  return Status::success();
}

Status syncDirectory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoStatus(errno, "cannot open folder " + quoted(directory));
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) return errnoStatus(error, "cannot flush folder " + quoted(directory));
  return Status::success();
}
#endif

}  // namespace

Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path,
                                                std::uint64_t maxSize) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    return Status(StatusCode::kNotFound, quoted(path) + " does not exist");
  }
  if (std::filesystem::is_directory(status)) {
    return Status(StatusCode::kInvalidArgument, quoted(path) + " is a folder, not a file");
  }

#ifdef _WIN32
  // The wide-character call keeps paths outside the ANSI code page readable, such
  // as a %TEMP% folder under a user name with non-Latin letters.
  std::unique_ptr<std::FILE, FileCloser> file(_wfopen(path.c_str(), L"rb"));
#else
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
#endif
  if (!file) return errnoStatus(errno, "cannot open " + quoted(path));

  // Reads in chunks instead of trusting the size reported before the read, so a
  // file that grows or shrinks meanwhile is still read correctly and bounded.
  std::vector<std::uint8_t> contents;
  const auto expected = std::filesystem::file_size(path, error);
  if (!error && expected <= maxSize) contents.reserve(static_cast<std::size_t>(expected));
  std::uint8_t buffer[1 << 16];
  for (;;) {
    const std::size_t count = std::fread(buffer, 1, sizeof(buffer), file.get());
    if (contents.size() + count > maxSize) {
      return Status(StatusCode::kLimitExceeded, quoted(path) + " is larger than the maximum of " +
                                                    std::to_string(maxSize) + " bytes");
    }
    contents.insert(contents.end(), buffer, buffer + count);
    if (count < sizeof(buffer)) break;
  }
  if (std::ferror(file.get())) return Status(StatusCode::kIoError, "cannot read " + quoted(path));
  return contents;
}

Result<std::filesystem::path> writeTemporaryFile(const std::filesystem::path& directory,
                                                 std::string_view namePrefix,
                                                 std::span<const std::uint8_t> contents,
                                                 unsigned mode) {
  const std::filesystem::path path = directory / (std::string(namePrefix) + uniqueSuffix());

#ifdef _WIN32
  // NOTE: the Windows build writes without an explicit flush to disk; the pattern
  // publishing tools run on POSIX servers.
  (void)mode;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(contents.data()),
            static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return Status(StatusCode::kIoError, "cannot write " + quoted(path));
  return path;
#else
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errnoStatus(errno, "cannot create " + quoted(path));

  Status status = writeAll(fd, contents, path);
  if (status.ok() && ::fchmod(fd, static_cast<::mode_t>(mode)) != 0) {
    status = errnoStatus(errno, "cannot set the permissions of " + quoted(path));
  }
  if (status.ok() && ::fsync(fd) != 0) {
    status = errnoStatus(errno, "cannot flush " + quoted(path) + " to disk");
  }
  if (::close(fd) != 0 && status.ok()) status = errnoStatus(errno, "cannot close " + quoted(path));
  if (!status.ok()) {
    ::unlink(path.c_str());
    return status;
  }
  return path;
#endif
}

Status replaceFile(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  std::filesystem::rename(from, to, error);
  if (error) {
    return Status(StatusCode::kIoError,
                  "cannot rename " + quoted(from) + " to " + quoted(to) + ": " + error.message());
  }
#ifdef _WIN32
  return Status::success();
#else
  const auto parent = to.parent_path();
  return syncDirectory(parent.empty() ? std::filesystem::path(".") : parent);
#endif
}

Status writeFileAtomically(const std::filesystem::path& path,
                           std::span<const std::uint8_t> contents, unsigned mode, bool overwrite) {
  std::error_code error;
  if (!overwrite && std::filesystem::exists(std::filesystem::symlink_status(path, error))) {
    return Status(StatusCode::kAlreadyExists, quoted(path) + " already exists");
  }

  const auto parent = path.parent_path();
  auto temporary = writeTemporaryFile(parent.empty() ? std::filesystem::path(".") : parent,
                                      path.filename().string(), contents, mode);
  if (!temporary.ok()) return temporary.status();

  Status status;
#ifndef _WIN32
  if (!overwrite) {
    // link() fails when the target exists, so a file created since the check above
    // is never replaced.
    if (::link(temporary->c_str(), path.c_str()) != 0) {
      status = errnoStatus(errno, "cannot create " + quoted(path));
    } else {
      status = syncDirectory(parent.empty() ? std::filesystem::path(".") : parent);
    }
    std::filesystem::remove(*temporary, error);
    return status;
  }
#endif
  status = replaceFile(*temporary, path);
  if (!status.ok()) std::filesystem::remove(*temporary, error);
  return status;
}

}  // namespace odscan::pattern_detail
