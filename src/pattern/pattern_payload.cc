#include "pattern_payload.h"

#include <string>

namespace odscan::pattern_detail {

std::vector<PayloadSection> tableSections(const SignatureTable::Encoded& encoded) {
  return {
      {PatternSection::kNames, encoded.names},
      {PatternSection::kMd5Records, encoded.records[digestKindIndex(DigestKind::kMd5)]},
      {PatternSection::kSha1Records, encoded.records[digestKindIndex(DigestKind::kSha1)]},
      {PatternSection::kSha256Records, encoded.records[digestKindIndex(DigestKind::kSha256)]},
  };
}

Result<SignatureTable> parseTableSections(const PayloadSections& sections) {
  const auto& names = sections[static_cast<std::size_t>(PatternSection::kNames) - 1];
  const auto& md5 = sections[static_cast<std::size_t>(PatternSection::kMd5Records) - 1];
  const auto& sha1 = sections[static_cast<std::size_t>(PatternSection::kSha1Records) - 1];
  const auto& sha256 = sections[static_cast<std::size_t>(PatternSection::kSha256Records) - 1];
  if (!names || !md5 || !sha1 || !sha256) {
    return corruptPayload("lacks one of the name and signature record sections");
  }
  auto table = SignatureTable::parse(*names, {*md5, *sha1, *sha256});
  if (!table.ok()) return table.status().withContext("payload");
  return table;
}

PatternHeader headerFor(PatternKind kind, std::uint64_t version, std::int64_t creationTime,
                        std::uint64_t signatureCount, std::uint64_t filterKeyCount) {
  PatternHeader header;
  header.kind = kind;
  header.version = version;
  header.creationTime = creationTime;
  header.signatureCount = signatureCount;
  header.filterKeyCount = filterKeyCount;
  return header;
}

Status corruptPayload(const std::string& reason) {
  return Status(StatusCode::kCorrupt, "payload " + reason);
}

}  // namespace odscan::pattern_detail
