#include "posix_error.h"

#include <cerrno>
#include <system_error>

namespace odscan::platform {
namespace {

IoErrorKind classify(int code) {
  switch (code) {
    case EACCES:
    case EPERM:
      return IoErrorKind::kAccessDenied;
    case ENOENT:
    case ENOTDIR:
      return IoErrorKind::kNotFound;
    case EWOULDBLOCK:
    case ETXTBSY:
      return IoErrorKind::kLocked;
    default:
      return IoErrorKind::kIoError;
  }
}

}  // namespace

IoError errorFromErrno(int code, const char* operation, const std::string& path) {
  IoError error;
  error.kind = classify(code);
  error.systemCode = code;
  // std::generic_category() formats errno values without strerror's shared buffer.
  error.message =
      std::string(operation) + " '" + path + "': " + std::generic_category().message(code);
  return error;
}

}  // namespace odscan::platform
