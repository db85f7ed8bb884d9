// Fuzzes the payload parser that runs after a pattern file's signature and
// checksum passed. A writer bug or a compromised build can produce a signed file
// with a malformed payload, so parsing must never read out of bounds. Lookups in
// whatever parses must be safe too.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signature_table.h"
#include "odscan/pattern/smart_scan_pattern.h"

namespace {

constexpr odscan::DigestKind kKinds[] = {odscan::DigestKind::kMd5, odscan::DigestKind::kSha1,
                                         odscan::DigestKind::kSha256};

// Digests made from the input, so lookups hit stored records now and then.
std::vector<odscan::Digest> probesFrom(std::span<const std::uint8_t> data) {
  std::vector<odscan::Digest> probes;
  for (const odscan::DigestKind kind : kKinds) {
    for (std::size_t offset = 0; offset + 32 <= data.size() && probes.size() < 24; offset += 29) {
      odscan::Digest digest;
      digest.kind = kind;
      std::copy_n(data.begin() + offset, digest.length(), digest.bytes.begin());
      probes.push_back(digest);
    }
  }
  return probes;
}

void exerciseTable(const odscan::SignatureTable& table, const std::vector<odscan::Digest>& probes) {
  for (const odscan::Digest& probe : probes) {
    (void)table.find(probe, 68);
    (void)table.findAll(probe);
  }
  for (const odscan::DigestKind kind : kKinds) {
    for (std::size_t i = 0; i < table.count(kind) && i < 64; ++i) (void)table.at(kind, i);
  }
}

// Returns a header whose counts match the sections, so that a fuzzed payload can
// pass the final count check and reach the lookups.
odscan::PatternHeader headerMatching(const odscan::PayloadSections& sections) {
  odscan::PatternHeader header;
  const auto& filter = sections[static_cast<std::size_t>(odscan::PatternSection::kFilter) - 1];
  if (filter) {
    auto parsed = odscan::BinaryFuseFilter::parse(*filter);
    if (parsed.ok()) header.filterKeyCount = parsed->keyCount();
  }
  for (std::size_t i = 0; i < std::size(kKinds); ++i) {
    const auto& records =
        sections[static_cast<std::size_t>(odscan::PatternSection::kMd5Records) - 1 + i];
    if (records) header.signatureCount += records->size() / odscan::signatureRecordWidth(kKinds[i]);
  }
  return header;
}

void parseAs(odscan::PatternHeader header, odscan::PatternKind kind,
             std::span<const std::uint8_t> input, const std::vector<odscan::Digest>& probes) {
  header.kind = kind;
  std::vector<std::uint8_t> payload(input.begin(), input.end());
  if (kind == odscan::PatternKind::kAgent) {
    auto pattern = odscan::AgentPattern::fromPayload(std::move(payload), header);
    if (!pattern.ok()) return;
    exerciseTable(pattern->exactSignatures(), probes);
    for (const odscan::Digest& probe : probes) (void)pattern->mayContain(probe);
    return;
  }
  auto pattern = odscan::SmartScanPattern::fromPayload(std::move(payload), header);
  if (pattern.ok()) exerciseTable(pattern->signatures(), probes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  const auto probes = probesFrom(input);
  auto sections = odscan::parsePayload(input);
  if (!sections.ok()) return 0;

  const odscan::PatternHeader matching = headerMatching(*sections);
  for (const odscan::PatternKind kind :
       {odscan::PatternKind::kAgent, odscan::PatternKind::kSmartScan}) {
    parseAs(odscan::PatternHeader{}, kind, input, probes);
    parseAs(matching, kind, input, probes);
  }
  return 0;
}
