// Fuzzes the pattern loader with whole files: the layout, signature and checksum
// checks, then (for inputs that wrap a payload, see below) decompression and the
// payload parser. Nothing a file contains may crash the loader.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_key.h"
#include "odscan/common/hasher.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/smart_scan_pattern.h"

namespace {

using odscan::PatternHeader;
using odscan::PatternKind;

void exerciseContents(odscan::Result<odscan::PatternFileContents> contents) {
  if (!contents.ok()) return;
  const PatternHeader header = contents->header;
  if (header.kind == PatternKind::kAgent) {
    auto pattern = odscan::AgentPattern::fromPayload(std::move(contents->payload), header);
    if (pattern.ok()) (void)pattern->requiredDigests();
  } else {
    auto pattern = odscan::SmartScanPattern::fromPayload(std::move(contents->payload), header);
    if (pattern.ok()) (void)pattern->signatureCount();
  }
}

// Treats the input as a compressed payload and wraps it in a header whose checksum
// matches, so mutations reach the decompression and parsing code that a checksum
// mismatch would otherwise hide. The first byte picks the kind, the next eight
// the declared decompressed size.
void fuzzWrappedPayload(std::span<const std::uint8_t> data) {
  if (data.size() < 9) return;
  PatternHeader header;
  header.kind = (data[0] & 1) != 0 ? PatternKind::kAgent : PatternKind::kSmartScan;
  std::uint64_t declared = 0;
  for (int i = 7; i >= 0; --i) declared = (declared << 8) | data[1 + i];
  // Bounded so a fuzzer run does not spend its memory on one allocation.
  header.uncompressedSize = declared % (1u << 22);
  const auto compressed = data.subspan(9);
  header.compressedSize = compressed.size();
  const odscan::Digest checksum =
      odscan::MultiHasher::digestOf(odscan::DigestKind::kSha256, compressed);
  std::copy_n(checksum.bytes.begin(), 32, header.payloadSha256.begin());

  const auto headerBytes = odscan::encodePatternHeader(header);
  std::vector<std::uint8_t> file(headerBytes.begin(), headerBytes.end());
  file.insert(file.end(), compressed.begin(), compressed.end());
  file.resize(file.size() + odscan::kPatternSignatureBlockSize, 0);
  exerciseContents(odscan::openPatternFile(file, nullptr, std::nullopt, "fuzz"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  static const odscan::PublicKey key = odscan::fuzz::fuzzKey().publicKey();

  exerciseContents(odscan::openPatternFile(input, &key, std::nullopt, "fuzz"));
  exerciseContents(odscan::openPatternFile(input, nullptr, std::nullopt, "fuzz"));
  (void)odscan::AgentPattern::loadFromBytes(input, key, "fuzz");
  (void)odscan::SmartScanPattern::loadFromBytes(input, key, "fuzz");
  fuzzWrappedPayload(input);
  return 0;
}
