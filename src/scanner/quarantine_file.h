// The on-disk format of a quarantine entry, private to QuarantineStore.
//
//   offset 0   8 bytes   magic "ODSCANQE"
//   offset 8   u32 LE    format version (1)
//   offset 12  u32 LE    header length N (at most kMaxQuarantineHeaderLength)
//   offset 16  N bytes   header: a JSON object (see encodeQuarantineHeader)
//   offset 16+N          the original bytes, AES-256-CTR encrypted with the
//                        header's key and initial counter
//
// Thread safety: free functions; a QuarantineCipher belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <memory>
#include <span>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/scanner/quarantine_store.h"

namespace odscan::scanner {

inline constexpr std::uint32_t kQuarantineFormatVersion = 1;
inline constexpr std::uint32_t kMaxQuarantineHeaderLength = 64 * 1024;
inline constexpr std::size_t kQuarantinePreambleLength = 16;

using QuarantineKey = std::array<std::uint8_t, 32>;
using QuarantineCounter = std::array<std::uint8_t, 16>;

struct QuarantineHeader {
  QuarantineEntry entry;  // entryFile is not stored
  QuarantineKey key{};
  QuarantineCounter counter{};
};

// Returns the preamble and header bytes that precede the payload.
std::vector<std::uint8_t> encodeQuarantineHeader(const QuarantineHeader& header);

// Reads and checks the preamble and header from the start of `input`, leaving it
// at the first payload byte. `source` names the file in errors. Fails with
// kCorrupt, kTruncated or kUnsupportedVersion; never trusts a field unchecked.
Result<QuarantineHeader> decodeQuarantineHeader(std::istream& input,
                                                const std::filesystem::path& source);

// AES-256-CTR over a stream of bytes; encryption and decryption are the same.
class QuarantineCipher {
 public:
  static Result<QuarantineCipher> create(const QuarantineKey& key,
                                         const QuarantineCounter& counter);

  QuarantineCipher(QuarantineCipher&&) noexcept;
  QuarantineCipher& operator=(QuarantineCipher&&) noexcept;
  ~QuarantineCipher();

  // Transforms `input` into `output`, which must be at least as large.
  Status apply(std::span<const std::uint8_t> input, std::span<std::uint8_t> output);

 private:
  struct Context;
  explicit QuarantineCipher(std::unique_ptr<Context> context);
  std::unique_ptr<Context> context_;
};

}  // namespace odscan::scanner
