// The benchmark's synthetic signature sets and the files made from them.
//
// A set is defined by a seed and a count. Signature i has the i-th SHA-256 digest
// drawn from std::mt19937_64 seeded with the seed, and the threat name
// syntheticThreatName(i). The C++ standard fixes std::mt19937_64's output, so the
// load generator can regenerate a set that odscan-pattern built a pattern from,
// on any platform.
//
// Thread safety: free functions without shared state; a DigestSequence belongs to
// one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/signature.h"

namespace odscan::bench {

// Number of distinct threat names in a set. Real patterns map many digests to
// one malware family, and the pattern stores each name once.
inline constexpr std::size_t kThreatFamilyCount = 10000;

// The redis-benchmark argument that stands for every redis key of a set; see
// redisKey().
inline constexpr std::string_view kRedisKeyTemplate =
    "0000000000000000000000000000000000000000000000000000__rand_int__";

// A digest to put into scan queries and the file size to send with it. kAnySize
// means that the signature matches every size, so the request pool picks one.
struct QueryKey {
  Digest digest;
  std::uint64_t size = kAnySize;
};

class DigestSequence {
 public:
  explicit DigestSequence(std::uint64_t seed) : random_(seed) {}

  Digest next();

 private:
  std::mt19937_64 random_;
};

// Returns "Bench.Threat-<index mod kThreatFamilyCount>".
std::string syntheticThreatName(std::size_t index);

// Returns the first `count` digests of the set with `seed`, each with kAnySize.
std::vector<QueryKey> generateQueryKeys(std::uint64_t seed, std::size_t count);

// Writes the set as a digest list, one "HEX NAME" line per signature, which
// `odscan-pattern build` reads. Fails with kIoError naming the file.
Status writeSignatureList(const std::filesystem::path& path, std::uint64_t seed, std::size_t count);

// Returns the redis key of signature `index`: 64 characters, as long as a hex
// SHA-256, made of 52 zeros and the index as 12 decimal digits. redis-benchmark
// can vary a key only through its 12-digit __rand_int__ placeholder, so the keys
// cannot be the digests themselves. redis hashes its keys, so their values do not
// change what a look-up costs.
std::string redisKey(std::size_t index);

// Writes one SET command per signature in the redis protocol (RESP), for
// `redis-cli --pipe`: redisKey(i) mapped to syntheticThreatName(i). Fails with
// kInvalidArgument when `count` needs more than 12 digits and with kIoError
// naming the file.
Status writeRedisCommands(const std::filesystem::path& path, std::size_t count);

// Reads the digests and sizes of a signature file in either format that
// odscan-pattern reads (digest list or ClamAV hash signatures). Errors name the
// file and line, and a file without signatures is an error.
Result<std::vector<QueryKey>> readQueryKeys(const std::filesystem::path& path);

}  // namespace odscan::bench
