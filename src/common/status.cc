#include "odscan/common/status.h"

namespace odscan {

std::string_view statusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kCorrupt:
      return "corrupt";
    case StatusCode::kTruncated:
      return "truncated";
    case StatusCode::kBadSignature:
      return "bad_signature";
    case StatusCode::kUnsupportedVersion:
      return "unsupported_version";
    case StatusCode::kLimitExceeded:
      return "limit_exceeded";
    case StatusCode::kNoSpace:
      return "no_space";
    case StatusCode::kUnreachable:
      return "unreachable";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (ok()) return "ok";
  std::string text(statusCodeName(code_));
  text += ": ";
  text += message_;
  return text;
}

Status Status::withContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message += ": ";
  message += message_;
  return Status(code_, std::move(message));
}

}  // namespace odscan
