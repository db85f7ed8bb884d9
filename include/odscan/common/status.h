// Status and Result<T>: the error values returned across every odscan library
// boundary. Code that calls into nlohmann/json, libarchive, OpenSSL or the standard
// library catches their exceptions or error codes where they arise and returns one
// of these instead, so callers handle failure with ordinary control flow.
//
// Thread safety: both types are plain values; distinct objects may be used from
// different threads freely.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace odscan {

// Kind of failure a Status describes. Callers branch on the code, and the message
// is for people.
enum class StatusCode {
  kOk,
  kInvalidArgument,     // a caller-supplied value is malformed (bad option, bad line)
  kNotFound,            // a file, key or record does not exist
  kAlreadyExists,       // the target of a create operation exists
  kPermissionDenied,    // the operating system refused access
  kIoError,             // a read, write or rename failed
  kCorrupt,             // stored data fails a structural or checksum check
  kTruncated,           // stored data ends before its declared length
  kBadSignature,        // a signature is missing or does not verify
  kUnsupportedVersion,  // a format version this build does not read
  kLimitExceeded,       // a configured limit stopped the work
  kNoSpace,             // not enough free disk space
  kUnreachable,         // a server could not be contacted
  kTimeout,             // an operation did not finish in time
  kUnavailable,         // a server answered but cannot serve now (overloaded, not ready)
  kInternal,            // a bug in odscan, located by the message
};

// Returns the lower-case name used in logs and JSON, for example "bad_signature".
std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // A default-constructed Status is success.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status success() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns "<code name>: <message>", or "ok".
  std::string toString() const;

  // Returns a copy whose message starts with `context` and ": ", for adding the
  // file or operation a lower layer did not know about.
  Status withContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // Returns the error, or success when the Result contains a value.
  Status status() const { return ok() ? Status::success() : std::get<Status>(data_); }

  // Preconditions: ok() is true.
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace odscan
