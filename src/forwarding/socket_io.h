// Non-blocking socket helpers shared by the UDP, TCP and TLS connections: an
// owning descriptor, a connect with a deadline, and a wait that a cancel
// descriptor interrupts. Private to odscan_forwarding.
//
// Thread safety: none; each object belongs to one thread.
#pragma once

#include <string>
#include <utility>

#include "odscan/common/status.h"
#include "odscan/forwarding/collector_address.h"
#include "odscan/forwarding/collector_connection.h"

namespace odscan::forwarding::detail {

// Owns a file descriptor and closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

enum class SocketKind { kDatagram, kStream };

// Creates a non-blocking socket connected to `address`, waiting at most until
// the deadline. Fails with kUnreachable, kTimeout or kUnavailable (cancelled).
Result<UniqueFd> connectSocket(const CollectorAddress& address, SocketKind kind,
                               const IoLimits& limits);

// Waits until `fd` has `events` (POLLIN, POLLOUT). Fails with kTimeout at the
// deadline and kUnavailable when the cancel descriptor becomes readable.
Status waitFor(int fd, short events, const IoLimits& limits, const std::string& collector);

// Returns false when the peer of stream socket `fd` has closed it or the
// socket has an error. Reads and discards anything the peer sent, because a
// syslog collector sends nothing.
bool streamIsOpen(int fd);

// Returns "FAILURE: strerror(error)".
std::string systemError(const std::string& failure, int error);

}  // namespace odscan::forwarding::detail
