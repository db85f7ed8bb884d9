#include "odscan/pattern/agent_pattern.h"

#include <algorithm>
#include <array>
#include <string>

#include "byte_io.h"
#include "odscan/pattern/binary_fuse_filter.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signature_table.h"
#include "odscan/pattern/signing_key.h"
#include "pattern_payload.h"

namespace odscan {

using pattern_detail::corruptPayload;

struct AgentPattern::Impl {
  // Owns every byte that `exact` and `filter` view.
  std::vector<std::uint8_t> payload;
  std::uint64_t version = 0;
  std::int64_t creationTime = 0;
  SignatureTable exact;
  BinaryFuseFilter filter;
  std::array<std::uint64_t, kDigestKindCount> filterDigestCounts{};
  DigestKindSet requiredDigests;
};

namespace {

constexpr std::array<DigestKind, kDigestKindCount> kKinds = {DigestKind::kMd5, DigestKind::kSha1,
                                                             DigestKind::kSha256};

std::vector<std::uint8_t> encodeDigestCounts(
    const std::array<std::uint64_t, kDigestKindCount>& counts) {
  std::vector<std::uint8_t> section;
  pattern_detail::ByteWriter writer(section);
  for (const std::uint64_t count : counts) writer.u64(count);
  return section;
}

Result<std::array<std::uint64_t, kDigestKindCount>> parseDigestCounts(
    std::span<const std::uint8_t> section, std::uint64_t filterKeys) {
  if (section.size() != 8 * kDigestKindCount) {
    return corruptPayload("filter digest count section has " + std::to_string(section.size()) +
                          " bytes instead of 24");
  }
  std::array<std::uint64_t, kDigestKindCount> counts{};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kDigestKindCount; ++i) {
    counts[i] = pattern_detail::loadLe64(section.data() + 8 * i);
    if (counts[i] > filterKeys || total + counts[i] < total) {
      return corruptPayload("filter digest counts exceed the filter's keys");
    }
    total += counts[i];
  }
  // Distinct digests can map to the same 64-bit key, so the filter may hold fewer
  // keys than digests, but never more.
  if (total < filterKeys) return corruptPayload("filter digest counts miss some filter keys");
  return counts;
}

// Sorts and deduplicates the digests and returns how many of each kind remain.
std::array<std::uint64_t, kDigestKindCount> deduplicate(std::vector<Digest>& digests) {
  for (Digest& digest : digests) {
    std::fill(digest.bytes.begin() + digest.length(), digest.bytes.end(), 0);
  }
  std::sort(digests.begin(), digests.end());
  digests.erase(std::unique(digests.begin(), digests.end()), digests.end());
  std::array<std::uint64_t, kDigestKindCount> counts{};
  for (const Digest& digest : digests) ++counts[digestKindIndex(digest.kind)];
  return counts;
}

}  // namespace

AgentPattern::AgentPattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AgentPattern::AgentPattern(AgentPattern&&) noexcept = default;
AgentPattern& AgentPattern::operator=(AgentPattern&&) noexcept = default;
AgentPattern::~AgentPattern() = default;

Result<AgentPattern> AgentPattern::build(std::vector<Signature> exact,
                                         std::span<const Digest> filterKeys,
                                         std::uint64_t version) {
  auto table = SignatureTable::encode(std::move(exact));
  if (!table.ok()) return table.status();

  std::vector<Digest> digests(filterKeys.begin(), filterKeys.end());
  const auto digestCounts = deduplicate(digests);
  std::vector<std::uint64_t> keys;
  keys.reserve(digests.size());
  for (const Digest& digest : digests) keys.push_back(filterKeyOf(digest));
  digests = {};
  auto filter = buildBinaryFuseFilter(std::move(keys));
  if (!filter.ok()) return filter.status();

  const auto countSection = encodeDigestCounts(digestCounts);
  auto sections = pattern_detail::tableSections(*table);
  sections.push_back({PatternSection::kFilter, *filter});
  sections.push_back({PatternSection::kFilterDigestCounts, countSection});
  std::vector<std::uint8_t> payload = encodePayload(sections);

  std::uint64_t signatureCount = 0;
  for (const DigestKind kind : kKinds) {
    signatureCount += table->records[digestKindIndex(kind)].size() / signatureRecordWidth(kind);
  }
  auto filterView = BinaryFuseFilter::parse(*filter);
  if (!filterView.ok()) return filterView.status();
  const PatternHeader header = pattern_detail::headerFor(PatternKind::kAgent, version, 0,
                                                         signatureCount, filterView->keyCount());
  return fromPayload(std::move(payload), header);
}

Result<AgentPattern> AgentPattern::load(const std::filesystem::path& path, const PublicKey& key) {
  auto contents = readPatternFile(path, &key, PatternKind::kAgent);
  if (!contents.ok()) return contents.status();
  auto pattern = fromPayload(std::move(contents->payload), contents->header);
  if (!pattern.ok()) {
    return pattern.status().withContext("pattern file '" + path.string() + "'");
  }
  return pattern;
}

Result<AgentPattern> AgentPattern::loadFromBytes(std::span<const std::uint8_t> file,
                                                 const PublicKey& key, std::string_view name) {
  auto contents = openPatternFile(file, &key, PatternKind::kAgent, name);
  if (!contents.ok()) return contents.status();
  auto pattern = fromPayload(std::move(contents->payload), contents->header);
  if (!pattern.ok()) {
    return pattern.status().withContext("pattern file '" + std::string(name) + "'");
  }
  return pattern;
}

Result<AgentPattern> AgentPattern::fromPayload(std::vector<std::uint8_t> payload,
                                               const PatternHeader& header) {
  auto impl = std::make_unique<Impl>();
  impl->payload = std::move(payload);
  impl->version = header.version;
  impl->creationTime = header.creationTime;

  auto sections = parsePayload(impl->payload);
  if (!sections.ok()) return sections.status();
  auto table = pattern_detail::parseTableSections(*sections);
  if (!table.ok()) return table.status();
  impl->exact = *table;

  const auto& filterSection = (*sections)[static_cast<std::size_t>(PatternSection::kFilter) - 1];
  const auto& countSection =
      (*sections)[static_cast<std::size_t>(PatternSection::kFilterDigestCounts) - 1];
  if (!filterSection || !countSection) return corruptPayload("lacks the filter sections");
  auto filter = BinaryFuseFilter::parse(*filterSection);
  if (!filter.ok()) return filter.status().withContext("payload");
  impl->filter = *filter;
  auto counts = parseDigestCounts(*countSection, impl->filter.keyCount());
  if (!counts.ok()) return counts.status();
  impl->filterDigestCounts = *counts;

  if (header.signatureCount != impl->exact.size() ||
      header.filterKeyCount != impl->filter.keyCount()) {
    return corruptPayload("counts do not match the header: " + std::to_string(impl->exact.size()) +
                          " exact signatures and " + std::to_string(impl->filter.keyCount()) +
                          " filter keys");
  }

  impl->requiredDigests = impl->exact.kinds();
  for (const DigestKind kind : kKinds) {
    if (impl->filterDigestCounts[digestKindIndex(kind)] > 0) impl->requiredDigests.insert(kind);
  }
  return AgentPattern(std::move(impl));
}

Result<std::vector<std::uint8_t>> AgentPattern::encode(const PrivateKey& key,
                                                       std::int64_t creationTime) const {
  const PatternHeader header =
      pattern_detail::headerFor(PatternKind::kAgent, impl_->version, creationTime,
                                impl_->exact.size(), impl_->filter.keyCount());
  // The filter's fingerprints are near-random, so compressing them gains little
  // and slows every load; they are stored.
  auto sections = parsePayload(impl_->payload);
  if (!sections.ok()) return sections.status();
  const auto& filter = (*sections)[static_cast<std::size_t>(PatternSection::kFilter) - 1];
  std::vector<PayloadRange> stored;
  if (filter) {
    stored.push_back(
        {static_cast<std::size_t>(filter->data() - impl_->payload.data()), filter->size()});
  }
  return sealPatternFile(header, impl_->payload, key, stored);
}

std::uint64_t AgentPattern::version() const { return impl_->version; }

DigestKindSet AgentPattern::requiredDigests() const { return impl_->requiredDigests; }

std::optional<std::string_view> AgentPattern::findExact(const Digest& digest,
                                                        std::uint64_t fileSize) const {
  return impl_->exact.find(digest, fileSize);
}

bool AgentPattern::mayContain(const Digest& digest) const {
  return impl_->filter.contains(filterKeyOf(digest));
}

std::size_t AgentPattern::exactCount() const { return impl_->exact.size(); }

std::size_t AgentPattern::filterKeyCount() const {
  return static_cast<std::size_t>(impl_->filter.keyCount());
}

std::uint64_t AgentPattern::filterKeyCount(DigestKind kind) const {
  return impl_->filterDigestCounts[digestKindIndex(kind)];
}

std::int64_t AgentPattern::creationTime() const { return impl_->creationTime; }

const SignatureTable& AgentPattern::exactSignatures() const { return impl_->exact; }

const BinaryFuseFilter& AgentPattern::filter() const { return impl_->filter; }

}  // namespace odscan
