// RequestPool: scan queries encoded before the run as complete HTTP requests, so
// that during the run the load generator spends its CPU on sending and checking
// rather than on encoding. Each request also stores which of its digests the
// server must report as malicious.
//
// The pool covers many distinct digests (1M by default) so that the server's
// look-ups touch as much of its pattern as real traffic would, instead of a few
// cached lines.
//
// Thread safety: immutable after build(), and shared by every client thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/protocol/query_codec.h"
#include "synthetic_signatures.h"

namespace odscan::bench {

// More requests than this add memory without making the traffic more varied,
// because with single-digest requests the pool already contains 65,536 distinct
// digests.
inline constexpr std::size_t kMaxPoolRequests = 65536;

struct PreparedRequest {
  std::string bytes;  // request line, header fields and body
  // One entry per digest, in request order: 1 when the digest is a hit, which
  // the server must report as malicious.
  std::vector<std::uint8_t> expectedMalicious;
};

struct RequestPoolOptions {
  std::size_t batchSize = 100;
  // The pool contains about this many digests in total, within kMaxPoolRequests.
  std::size_t poolDigests = 1'000'000;
  // Share of the digests taken from the hits; the rest are misses.
  double hitRatio = 0.1;
  // Seeds the choice of hits, misses and file sizes.
  std::uint64_t seed = 3;
  protocol::BodyFormat format = protocol::BodyFormat::kBinary;
  std::string host;     // Host header value, "127.0.0.1:PORT"
  std::string product;  // X-Odscan-Product header value
};

class RequestPool {
 public:
  // Fails with kInvalidArgument when the batch size is 0, the hit ratio is
  // outside 0 to 1, or the ratio needs hits or misses that were not given. A
  // batch larger than the server's maximum is built, and the server responds
  // to it with 413.
  static Result<RequestPool> build(const std::vector<QueryKey>& hits,
                                   const std::vector<QueryKey>& misses,
                                   const RequestPoolOptions& options);

  // Returns the number of requests that build() makes for these options.
  static std::size_t requestCountFor(const RequestPoolOptions& options);

  const PreparedRequest& at(std::size_t index) const { return requests_[index]; }
  std::size_t size() const { return requests_.size(); }
  std::size_t batchSize() const { return batchSize_; }
  protocol::BodyFormat format() const { return format_; }

 private:
  RequestPool() = default;

  std::vector<PreparedRequest> requests_;
  std::size_t batchSize_ = 0;
  protocol::BodyFormat format_ = protocol::BodyFormat::kBinary;
};

}  // namespace odscan::bench
