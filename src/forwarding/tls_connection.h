// The TLS transport (RFC 5425): octet-counted frames inside TLS 1.2 or later,
// with the collector's certificate verified against the configured CA file and
// name. Private to odscan_forwarding; callers use makeCollectorConnection().
#pragma once

#include <memory>

#include "odscan/common/status.h"
#include "odscan/forwarding/collector_connection.h"
#include "odscan/forwarding/forwarder_config.h"

namespace odscan::forwarding::detail {

// Loads the trust store now and fails with kNotFound or kInvalidArgument when
// the CA file is missing or contains no usable certificate.
Result<std::unique_ptr<CollectorConnection>> makeTlsConnection(const ForwarderConfig& config);

}  // namespace odscan::forwarding::detail
