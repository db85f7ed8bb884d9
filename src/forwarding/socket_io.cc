#include "socket_io.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace odscan::forwarding::detail {
namespace {

// Fills `storage` with the collector's address; the address was validated when
// parsed, so a failure here is a caller's bug reported as kInvalidArgument.
Result<socklen_t> socketAddressOf(const CollectorAddress& address, sockaddr_storage& storage) {
  const std::string host = address.connectHost();
  storage = {};
  auto* ipv4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (inet_pton(AF_INET, host.c_str(), &ipv4->sin_addr) == 1) {
    ipv4->sin_family = AF_INET;
    ipv4->sin_port = htons(address.port);
    return static_cast<socklen_t>(sizeof(sockaddr_in));
  }
  auto* ipv6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET6, host.c_str(), &ipv6->sin6_addr) == 1) {
    ipv6->sin6_family = AF_INET6;
    ipv6->sin6_port = htons(address.port);
    return static_cast<socklen_t>(sizeof(sockaddr_in6));
  }
  return Status(StatusCode::kInvalidArgument,
                "collector host \"" + host + "\" is not an IP literal; fix syslog.collector");
}

int remainingMilliseconds(const IoLimits& limits) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      limits.deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  // Round up so that a wait never ends a millisecond early and spins.
  return static_cast<int>(std::min<std::int64_t>(left.count() + 1, 60'000));
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string systemError(const std::string& failure, int error) {
  return failure + ": " + std::strerror(error);
}

Status waitFor(int fd, short events, const IoLimits& limits, const std::string& collector) {
  while (true) {
    std::array<pollfd, 2> fds{};
    fds[0] = pollfd{fd, events, 0};
    fds[1] = pollfd{limits.cancelFd, POLLIN, 0};
    const nfds_t count = limits.cancelFd >= 0 ? 2 : 1;
    const int timeout = remainingMilliseconds(limits);

    const int ready = ::poll(fds.data(), count, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      return Status(StatusCode::kIoError, systemError("poll on " + collector + " failed", errno));
    }
    if (count == 2 && (fds[1].revents & POLLIN) != 0) {
      return Status(StatusCode::kUnavailable, "the forwarder is stopping");
    }
    if (fds[0].revents != 0) return Status::success();
    if (std::chrono::steady_clock::now() >= limits.deadline) {
      return Status(StatusCode::kTimeout, collector + " did not respond in time");
    }
  }
}

Result<UniqueFd> connectSocket(const CollectorAddress& address, SocketKind kind,
                               const IoLimits& limits) {
  sockaddr_storage storage{};
  auto length = socketAddressOf(address, storage);
  if (!length.ok()) return length.status();

  const int type =
      (kind == SocketKind::kStream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  UniqueFd fd(::socket(storage.ss_family, type, 0));
  const std::string collector = address.toString();
  if (!fd.valid()) {
    return Status(StatusCode::kIoError,
                  systemError("cannot create a socket for " + collector, errno));
  }

  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&storage), *length) == 0) return fd;
  if (errno != EINPROGRESS) {
    return Status(StatusCode::kUnreachable, systemError("cannot connect to " + collector, errno));
  }

  Status ready = waitFor(fd.get(), POLLOUT, limits, collector);
  if (!ready.ok()) return ready;
  int error = 0;
  socklen_t errorLength = sizeof(error);
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &errorLength);
  if (error != 0) {
    return Status(StatusCode::kUnreachable, systemError("cannot connect to " + collector, error));
  }
  return fd;
}

bool streamIsOpen(int fd) {
  std::array<char, 512> buffer{};
  while (true) {
    const ssize_t received = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (received > 0) continue;
    if (received == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

}  // namespace odscan::forwarding::detail
