#include "odscan/pattern/smart_scan_pattern.h"

#include <string>

#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signature_table.h"
#include "odscan/pattern/signing_key.h"
#include "pattern_payload.h"

namespace odscan {

struct SmartScanPattern::Impl {
  // Owns every byte that `table` views.
  std::vector<std::uint8_t> payload;
  std::uint64_t version = 0;
  std::int64_t creationTime = 0;
  SignatureTable table;
};

SmartScanPattern::SmartScanPattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SmartScanPattern::SmartScanPattern(SmartScanPattern&&) noexcept = default;
SmartScanPattern& SmartScanPattern::operator=(SmartScanPattern&&) noexcept = default;
SmartScanPattern::~SmartScanPattern() = default;

Result<SmartScanPattern> SmartScanPattern::build(std::vector<Signature> signatures,
                                                 std::uint64_t version) {
  auto table = SignatureTable::encode(std::move(signatures));
  if (!table.ok()) return table.status();

  const auto sections = pattern_detail::tableSections(*table);
  std::vector<std::uint8_t> payload = encodePayload(sections);
  std::uint64_t signatureCount = 0;
  for (const DigestKind kind : {DigestKind::kMd5, DigestKind::kSha1, DigestKind::kSha256}) {
    signatureCount += table->records[digestKindIndex(kind)].size() / signatureRecordWidth(kind);
  }
  const PatternHeader header =
      pattern_detail::headerFor(PatternKind::kSmartScan, version, 0, signatureCount, 0);
  return fromPayload(std::move(payload), header);
}

Result<SmartScanPattern> SmartScanPattern::load(const std::filesystem::path& path,
                                                const PublicKey& key) {
  auto contents = readPatternFile(path, &key, PatternKind::kSmartScan);
  if (!contents.ok()) return contents.status();
  auto pattern = fromPayload(std::move(contents->payload), contents->header);
  if (!pattern.ok()) return pattern.status().withContext("pattern file '" + path.string() + "'");
  return pattern;
}

Result<SmartScanPattern> SmartScanPattern::loadFromBytes(std::span<const std::uint8_t> file,
                                                         const PublicKey& key,
                                                         std::string_view name) {
  auto contents = openPatternFile(file, &key, PatternKind::kSmartScan, name);
  if (!contents.ok()) return contents.status();
  auto pattern = fromPayload(std::move(contents->payload), contents->header);
  if (!pattern.ok()) {
    return pattern.status().withContext("pattern file '" + std::string(name) + "'");
  }
  return pattern;
}

Result<SmartScanPattern> SmartScanPattern::fromPayload(std::vector<std::uint8_t> payload,
                                                       const PatternHeader& header) {
  auto impl = std::make_unique<Impl>();
  impl->payload = std::move(payload);
  impl->version = header.version;
  impl->creationTime = header.creationTime;

  auto sections = parsePayload(impl->payload);
  if (!sections.ok()) return sections.status();
  if ((*sections)[static_cast<std::size_t>(PatternSection::kFilter) - 1] ||
      (*sections)[static_cast<std::size_t>(PatternSection::kFilterDigestCounts) - 1]) {
    return pattern_detail::corruptPayload(
        "has filter sections, which only a Smart Scan Agent Pattern has");
  }
  auto table = pattern_detail::parseTableSections(*sections);
  if (!table.ok()) return table.status();
  impl->table = *table;

  if (header.signatureCount != impl->table.size() || header.filterKeyCount != 0) {
    return pattern_detail::corruptPayload(
        "holds " + std::to_string(impl->table.size()) + " signatures, but the header declares " +
        std::to_string(header.signatureCount) + " signatures and " +
        std::to_string(header.filterKeyCount) + " filter keys");
  }
  return SmartScanPattern(std::move(impl));
}

std::optional<std::string_view> SmartScanPattern::find(const Digest& digest,
                                                       std::uint64_t fileSize) const {
  return impl_->table.find(digest, fileSize);
}

Result<std::vector<std::uint8_t>> SmartScanPattern::encode(const PrivateKey& key,
                                                           std::int64_t creationTime) const {
  const PatternHeader header = pattern_detail::headerFor(PatternKind::kSmartScan, impl_->version,
                                                         creationTime, impl_->table.size(), 0);
  return sealPatternFile(header, impl_->payload, key);
}

std::uint64_t SmartScanPattern::version() const { return impl_->version; }
std::int64_t SmartScanPattern::creationTime() const { return impl_->creationTime; }
std::size_t SmartScanPattern::signatureCount() const { return impl_->table.size(); }
std::size_t SmartScanPattern::signatureCount(DigestKind kind) const {
  return impl_->table.count(kind);
}
DigestKindSet SmartScanPattern::digestKinds() const { return impl_->table.kinds(); }
const SignatureTable& SmartScanPattern::signatures() const { return impl_->table; }

}  // namespace odscan
