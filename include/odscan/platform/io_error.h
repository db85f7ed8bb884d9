// IoError and IoResult<T>: how the platform layer reports a failed operating-system
// call on a file or folder. The error kind is already classified, so the scan
// engine can report why an object was not scanned without knowing errno or
// GetLastError() values.
//
// Thread safety: plain values.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace odscan::platform {

enum class IoErrorKind {
  kAccessDenied,  // EACCES, EPERM; ERROR_ACCESS_DENIED
  kNotFound,      // ENOENT, ENOTDIR; ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND
  kLocked,        // EWOULDBLOCK, ETXTBSY; ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
  kSymlink,       // the path is a symbolic link and the caller asked not to follow links
  kIoError,       // any other failure (EIO, ENOMEM, ...)
};

struct IoError {
  IoErrorKind kind = IoErrorKind::kIoError;
  int systemCode = 0;   // errno on POSIX, GetLastError() on Windows
  std::string message;  // the operating system's text for systemCode
};

// Contains either a value or the IoError that explains why there is none. Unlike
// odscan::Result it keeps the classified kind, which Status codes cannot express
// (a lock is not an I/O error).
template <typename T>
class [[nodiscard]] IoResult {
 public:
  IoResult(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  IoResult(IoError error) : data_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }

  // Preconditions: ok() is false.
  const IoError& error() const { return std::get<IoError>(data_); }

  // Preconditions: ok() is true.
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, IoError> data_;
};

}  // namespace odscan::platform
