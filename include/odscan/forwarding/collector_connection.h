// CollectorConnection: one connection to the syslog collector over UDP, TCP or
// TLS, used by EventForwarder's thread. send() frames a message for the
// transport: one datagram for UDP, an RFC 6587 octet-counted frame for TCP and
// TLS.
//
// Every blocking call takes an IoLimits: it gives up at the deadline
// (kTimeout), or as soon as the cancel descriptor becomes readable (kUnavailable),
// so that stopping the forwarder never waits on a silent collector.
//
// Thread safety: none; one thread uses a connection at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/forwarding/forwarder_config.h"

namespace odscan::forwarding {

struct IoLimits {
  std::chrono::steady_clock::time_point deadline;
  // A descriptor that becomes readable to cancel the call; -1 for none.
  int cancelFd = -1;
};

class CollectorConnection {
 public:
  virtual ~CollectorConnection() = default;

  // Connects (TCP and TLS: including the handshake and the certificate check).
  // Fails with kUnreachable, kTimeout, kBadSignature (certificate rejected) or
  // kUnavailable (cancelled), naming the collector.
  virtual Status open(const IoLimits& limits) = 0;

  // Sends one message. A failure leaves the connection closed; the caller opens
  // it again and resends the whole message. Precondition: isOpen().
  virtual Status send(std::string_view message, const IoLimits& limits) = 0;

  // Returns false when the connection was never opened, failed, or (TCP and TLS)
  // the collector has closed it. Checks the socket without blocking.
  virtual bool isOpen() = 0;

  virtual void close() = 0;

  // Returns "tcp://127.0.0.1:6514" style text for log lines.
  virtual std::string describe() const = 0;
};

// Builds the connection for `config`'s transport, unopened. For TLS it loads the CA
// file now, so that a missing or unreadable file fails here (kNotFound or
// kInvalidArgument) and not on every reconnect.
Result<std::unique_ptr<CollectorConnection>> makeCollectorConnection(const ForwarderConfig& config);

}  // namespace odscan::forwarding
