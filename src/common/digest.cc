#include "odscan/common/digest.h"

namespace odscan {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view digestKindName(DigestKind kind) {
  switch (kind) {
    case DigestKind::kMd5:
      return "md5";
    case DigestKind::kSha1:
      return "sha1";
    case DigestKind::kSha256:
      return "sha256";
  }
  return "unknown";
}

std::string hexOf(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (std::uint8_t byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

std::string Digest::toHex() const { return hexOf(std::span(bytes.data(), length())); }

Result<Digest> Digest::fromHex(std::string_view hex) {
  Digest digest;
  switch (hex.size()) {
    case 32:
      digest.kind = DigestKind::kMd5;
      break;
    case 40:
      digest.kind = DigestKind::kSha1;
      break;
    case 64:
      digest.kind = DigestKind::kSha256;
      break;
    default:
      return Status(StatusCode::kInvalidArgument,
                    "digest '" + std::string(hex) + "' has " + std::to_string(hex.size()) +
                        " hex digits; expected 32 (MD5), 40 (SHA-1) or 64 (SHA-256)");
  }
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hexValue(hex[i]);
    const int low = hexValue(hex[i + 1]);
    if (high < 0 || low < 0) {
      return Status(
          StatusCode::kInvalidArgument,
          "digest '" + std::string(hex) + "' contains a character that is not a hex digit");
    }
    digest.bytes[i / 2] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return digest;
}

}  // namespace odscan
