#include "request_pool.h"

#include <algorithm>
#include <random>

namespace odscan::bench {
namespace {

// Sizes sent for signatures that match any size: spread like ordinary files
// between 1 byte and 16 MiB.
constexpr std::uint64_t kMaxRandomFileSize = std::uint64_t{16} * 1024 * 1024;

Status checkOptions(const std::vector<QueryKey>& hits, const std::vector<QueryKey>& misses,
                    const RequestPoolOptions& options) {
  if (options.batchSize == 0) {
    return Status(StatusCode::kInvalidArgument, "the batch size must be at least 1 digest");
  }
  if (!(options.hitRatio >= 0.0 && options.hitRatio <= 1.0)) {
    return Status(StatusCode::kInvalidArgument,
                  "the hit ratio must be between 0 and 1, not " + std::to_string(options.hitRatio));
  }
  if (options.hitRatio > 0.0 && hits.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "a hit ratio above 0 needs hits; give a hit file or a hit count");
  }
  if (options.hitRatio < 1.0 && misses.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "a hit ratio below 1 needs misses; give a miss file or a miss seed");
  }
  return Status::success();
}

std::string httpHead(const RequestPoolOptions& options, std::size_t bodyBytes) {
  std::string head;
  head += "POST ";
  head += protocol::kQueryPath;
  head += " HTTP/1.1\r\nHost: ";
  head += options.host;
  head += "\r\nContent-Type: ";
  head += protocol::contentTypeOf(options.format);
  head += "\r\nContent-Length: ";
  head += std::to_string(bodyBytes);
  head += "\r\n";
  head += protocol::kProductHeader;
  head += ": ";
  head += options.product;
  head += "\r\n";
  head += protocol::kEndpointHeader;
  head += ": odscan-query-bench\r\n\r\n";
  return head;
}

}  // namespace

std::size_t RequestPool::requestCountFor(const RequestPoolOptions& options) {
  if (options.batchSize == 0) return 0;
  const std::size_t requested = (options.poolDigests + options.batchSize - 1) / options.batchSize;
  return std::clamp<std::size_t>(requested, 1, kMaxPoolRequests);
}

Result<RequestPool> RequestPool::build(const std::vector<QueryKey>& hits,
                                       const std::vector<QueryKey>& misses,
                                       const RequestPoolOptions& options) {
  if (Status status = checkOptions(hits, misses, options); !status.ok()) return status;

  std::mt19937_64 random(options.seed);
  std::bernoulli_distribution isHit(options.hitRatio);
  std::uniform_int_distribution<std::size_t> hitIndex(0, hits.empty() ? 0 : hits.size() - 1);
  std::uniform_int_distribution<std::size_t> missIndex(0, misses.empty() ? 0 : misses.size() - 1);
  std::uniform_int_distribution<std::uint64_t> fileSize(1, kMaxRandomFileSize);

  RequestPool pool;
  pool.batchSize_ = options.batchSize;
  pool.format_ = options.format;
  const std::size_t count = requestCountFor(options);
  pool.requests_.reserve(count);
  for (std::size_t r = 0; r < count; ++r) {
    protocol::QueryRequest query;
    query.items.reserve(options.batchSize);
    PreparedRequest prepared;
    prepared.expectedMalicious.reserve(options.batchSize);

    for (std::size_t i = 0; i < options.batchSize; ++i) {
      const bool hit = isHit(random);
      const QueryKey& key = hit ? hits[hitIndex(random)] : misses[missIndex(random)];
      const std::uint64_t size = key.size == kAnySize ? fileSize(random) : key.size;
      query.items.push_back(protocol::QueryItem{key.digest, size});
      prepared.expectedMalicious.push_back(hit ? 1 : 0);
    }

    const std::string body = protocol::encodeQueryRequest(query, options.format);
    prepared.bytes = httpHead(options, body.size());
    prepared.bytes += body;
    pool.requests_.push_back(std::move(prepared));
  }
  return pool;
}

}  // namespace odscan::bench
