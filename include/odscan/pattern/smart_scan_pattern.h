// SmartScanPattern: the full signature set (file digest, optionally with the file
// size, mapped to a threat name) in which Smart Scan Servers look up scan queries.
// Records are sorted per digest kind and looked up by binary search in the
// decompressed payload, so a lookup allocates nothing.
//
// Thread safety: a loaded SmartScanPattern is immutable; every const method may be
// called from many threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/signature.h"

namespace odscan {

class PrivateKey;
class PublicKey;
class SignatureTable;
struct PatternHeader;

class SmartScanPattern {
 public:
  // Builds a pattern in memory. Of several signatures with the same digest and size
  // the first is kept. Fails with kInvalidArgument on an invalid threat name.
  static Result<SmartScanPattern> build(std::vector<Signature> signatures, std::uint64_t version);

  // Reads and verifies a pattern file: signature, checksum, format version, kind.
  // Nothing in the file is used before those checks pass. Errors name `path`.
  static Result<SmartScanPattern> load(const std::filesystem::path& path, const PublicKey& key);

  // Like load(), for a file already in memory; `name` starts every error message.
  static Result<SmartScanPattern> loadFromBytes(std::span<const std::uint8_t> file,
                                                const PublicKey& key, std::string_view name);

  // Parses a decompressed payload whose container passed openPatternFile(). Checks
  // every section and that the count in `header` matches; fails with kCorrupt.
  static Result<SmartScanPattern> fromPayload(std::vector<std::uint8_t> payload,
                                              const PatternHeader& header);

  SmartScanPattern(SmartScanPattern&&) noexcept;
  SmartScanPattern& operator=(SmartScanPattern&&) noexcept;
  ~SmartScanPattern();

  // Returns the threat name for a file with `digest` and `fileSize`, or nothing. A
  // signature stored with kAnySize matches every size; one with a size matches only
  // that size. The view stays valid as long as this pattern lives.
  std::optional<std::string_view> find(const Digest& digest, std::uint64_t fileSize) const;

  // Returns the complete signed pattern file.
  Result<std::vector<std::uint8_t>> encode(const PrivateKey& key, std::int64_t creationTime) const;

  std::uint64_t version() const;
  // Seconds since 1970-01-01 UTC from the file header; 0 for a pattern built in
  // memory and not loaded.
  std::int64_t creationTime() const;
  std::size_t signatureCount() const;
  std::size_t signatureCount(DigestKind kind) const;
  // Digest kinds with at least one signature.
  DigestKindSet digestKinds() const;
  const SignatureTable& signatures() const;

 private:
  struct Impl;
  explicit SmartScanPattern(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan
