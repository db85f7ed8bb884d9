#include "odscan/pattern/filter_benchmark.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "file_io.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/signing_key.h"

namespace odscan {
namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::duration<double, std::milli>;

Digest randomSha256(std::mt19937_64& random) {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  for (std::size_t i = 0; i < 32; i += 8) {
    const std::uint64_t word = random();
    for (std::size_t j = 0; j < 8; ++j)
      digest.bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
  }
  return digest;
}

}  // namespace

Result<FilterBenchmarkResult> runFilterBenchmark(const FilterBenchmarkOptions& options) {
  FilterBenchmarkResult result;
  result.keys = options.keys;
  std::mt19937_64 random(20240601);
  auto key = PrivateKey::generate();
  if (!key.ok()) return key.status();

  std::vector<Digest> digests(options.keys);
  for (Digest& digest : digests) digest = randomSha256(random);

  auto start = Clock::now();
  auto pattern = AgentPattern::build({}, digests, 1);
  if (!pattern.ok()) return pattern.status();
  result.buildTime = Clock::now() - start;
  result.filterBytes = pattern->filter().fingerprintBytes();

  start = Clock::now();
  auto file = pattern->encode(*key, 0);
  if (!file.ok()) return file.status();
  result.sealTime = Clock::now() - start;
  result.fileSize = file->size();

  auto path =
      pattern_detail::writeTemporaryFile(options.workDirectory, "bench-agent-pattern", *file, 0600);
  if (!path.ok()) return path.status();
  file = std::vector<std::uint8_t>();

  std::vector<Milliseconds> loadTimes;
  Status status;
  for (int i = 0; i < std::max(options.loads, 1) && status.ok(); ++i) {
    start = Clock::now();
    auto loaded = AgentPattern::load(*path, key->publicKey());
    loadTimes.push_back(Clock::now() - start);
    status = loaded.status();
  }
  std::error_code error;
  std::filesystem::remove(*path, error);
  if (!status.ok()) return status;
  std::sort(loadTimes.begin(), loadTimes.end());
  result.medianLoadTime = loadTimes[loadTimes.size() / 2];

  for (const Digest& digest : digests) {
    if (!pattern->mayContain(digest)) {
      return Status(StatusCode::kInternal, "the filter reports digest " + digest.toHex() +
                                               " absent, but it was built "
                                               "from it");
    }
  }
  result.queries = options.queries;
  for (std::uint64_t i = 0; i < options.queries; ++i) {
    if (pattern->mayContain(randomSha256(random))) ++result.falsePositives;
  }
  return result;
}

}  // namespace odscan
