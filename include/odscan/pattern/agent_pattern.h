// AgentPattern: the Smart Scan Agent Pattern that the scanner carries. It contains
// exact signatures for a chosen subset of threats and a binary fuse filter over
// every digest of the Smart Scan Pattern. For a digest that is not an exact
// signature the filter returns either "certainly not in the Smart Scan Pattern"
// (false) or "query needed" (true, with a small false-positive rate).
//
// Thread safety: a loaded AgentPattern is immutable; every const method may be
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

class BinaryFuseFilter;
class PrivateKey;
class PublicKey;
class SignatureTable;
struct PatternHeader;

class AgentPattern {
 public:
  // Builds a pattern in memory. `exact` are the local signatures; `filterKeys` are
  // the digests of every Smart Scan Pattern signature (duplicates allowed).
  static Result<AgentPattern> build(std::vector<Signature> exact,
                                    std::span<const Digest> filterKeys, std::uint64_t version);

  // Reads and verifies a pattern file: signature, checksum, format version, kind.
  // Nothing in the file is used before those checks pass. Errors name `path`.
  static Result<AgentPattern> load(const std::filesystem::path& path, const PublicKey& key);

  // Like load(), for a file already in memory; `name` starts every error message.
  static Result<AgentPattern> loadFromBytes(std::span<const std::uint8_t> file,
                                            const PublicKey& key, std::string_view name);

  // Parses a decompressed payload whose container passed openPatternFile(). Checks
  // every section and that the counts in `header` match them; fails with kCorrupt.
  static Result<AgentPattern> fromPayload(std::vector<std::uint8_t> payload,
                                          const PatternHeader& header);

  // Returns the complete signed pattern file.
  Result<std::vector<std::uint8_t>> encode(const PrivateKey& key, std::int64_t creationTime) const;

  AgentPattern(AgentPattern&&) noexcept;
  AgentPattern& operator=(AgentPattern&&) noexcept;
  ~AgentPattern();

  std::uint64_t version() const;

  // Digest kinds the scanner must compute for lookups to be complete.
  DigestKindSet requiredDigests() const;

  // Returns the threat name of an exact signature matching `digest` and `fileSize`,
  // or nothing. The view stays valid as long as this pattern lives.
  std::optional<std::string_view> findExact(const Digest& digest, std::uint64_t fileSize) const;

  // Returns false when `digest` is certainly not in the Smart Scan Pattern, true when
  // a scan query is needed.
  bool mayContain(const Digest& digest) const;

  std::size_t exactCount() const;
  std::size_t filterKeyCount() const;
  // Distinct filter digests of `kind`.
  std::uint64_t filterKeyCount(DigestKind kind) const;

  // Seconds since 1970-01-01 UTC from the file header; 0 for a pattern built in
  // memory and not loaded.
  std::int64_t creationTime() const;
  const SignatureTable& exactSignatures() const;
  const BinaryFuseFilter& filter() const;

  // Implementation detail shared with the pattern file reader and writer.
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit AgentPattern(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan
