// Readers for the signature files the pattern builder takes as input:
//   - ClamAV hash signatures (.hdb for MD5, .hsb for SHA-1/SHA-256, but the
//     digest length decides the kind in both): `digest:size:name[:flevel]`. The
//     size is a decimal byte count or `*` for any size. The optional fourth field,
//     the minimum ClamAV functionality level, must be a number and is ignored.
//   - digest lists: one hex digest per line, optionally followed by whitespace and
//     a threat name; a digest without a name is named `Unnamed.<first 12 hex>`.
// Blank lines and lines starting with `#` are skipped in both. Errors have the form
// `file:line: <line text>: <what is wrong>`.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/pattern/signature.h"

namespace odscan {

enum class SignatureFileFormat {
  kClamAvHash,  // digest:size:name[:flevel]
  kDigestList,  // digest [name]
};

// Maximum line length in a signature file, in bytes, without the line break.
inline constexpr std::size_t kMaxSignatureLineLength = 1024;
// Largest signature file the reader accepts (2 GiB).
inline constexpr std::uint64_t kMaxSignatureFileSize = 1ull << 31;

struct SignatureEntry {
  Signature signature;
  std::size_t line = 0;  // 1-based line number in its file
};

// Chooses the format. The extensions .hdb and .hsb (any case) mean ClamAV hash
// format. For other names the first line that is neither blank nor a comment
// decides: ClamAV hash format when it contains ':', else a digest list.
SignatureFileFormat detectSignatureFileFormat(const std::filesystem::path& path,
                                              std::string_view text);

// Parses signature file text. `name` (usually the path) starts every error
// message. Stops at the first bad line with kInvalidArgument.
Result<std::vector<SignatureEntry>> parseSignatureText(std::string_view text,
                                                       SignatureFileFormat format,
                                                       std::string_view name);

// Reads `path`, detects its format and parses it.
Result<std::vector<SignatureEntry>> readSignatureFile(const std::filesystem::path& path);

}  // namespace odscan
