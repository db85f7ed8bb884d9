#include "quarantine_file.h"

#include <openssl/evp.h>

#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace odscan::scanner {
namespace {

constexpr char kMagic[8] = {'O', 'D', 'S', 'C', 'A', 'N', 'Q', 'E'};

void appendU32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xffu));
  }
}

std::uint32_t readU32(const std::uint8_t* bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
         static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

std::string toHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool fromHex(std::string_view hex, std::vector<std::uint8_t>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hexValue(hex[i]);
    const int low = hexValue(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<std::uint8_t>(high << 4 | low));
  }
  return true;
}

// The native bytes of a path, so a POSIX file name that is not valid UTF-8 is
// restored to exactly the same name.
std::string pathBytes(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

std::filesystem::path pathFromBytes(const std::vector<std::uint8_t>& bytes) {
  return std::filesystem::path(std::u8string(bytes.begin(), bytes.end()));
}

Status corrupt(const std::filesystem::path& source, std::string_view problem) {
  return Status(StatusCode::kCorrupt, "quarantine entry '" + source.string() + "' is damaged: " +
                                          std::string(problem) + "; it cannot be restored");
}

template <std::size_t N>
bool readFixedHex(const nlohmann::json& header, const char* name,
                  std::array<std::uint8_t, N>& out) {
  const auto found = header.find(name);
  if (found == header.end() || !found->is_string()) return false;
  std::vector<std::uint8_t> bytes;
  if (!fromHex(found->get_ref<const std::string&>(), bytes) || bytes.size() != N) return false;
  std::memcpy(out.data(), bytes.data(), N);
  return true;
}

bool readString(const nlohmann::json& header, const char* name, std::string& out) {
  const auto found = header.find(name);
  if (found == header.end() || !found->is_string()) return false;
  out = found->get<std::string>();
  return true;
}

template <typename Integer>
bool readUnsigned(const nlohmann::json& header, const char* name, Integer& out) {
  const auto found = header.find(name);
  if (found == header.end() || !found->is_number_unsigned()) return false;
  const std::uint64_t value = found->get<std::uint64_t>();
  if (value > std::numeric_limits<Integer>::max()) return false;
  out = static_cast<Integer>(value);
  return true;
}

Result<QuarantineHeader> headerFromJson(const nlohmann::json& json,
                                        const std::filesystem::path& source) {
  if (!json.is_object()) return corrupt(source, "the header is not a JSON object");

  QuarantineHeader header;
  QuarantineEntry& entry = header.entry;
  std::string pathHex;
  std::string cipher;
  header.entry.originalSha256.kind = DigestKind::kSha256;
  std::array<std::uint8_t, 32> sha256{};

  const bool complete =
      readString(json, "id", entry.id) && readString(json, "original_path_hex", pathHex) &&
      readUnsigned(json, "original_size", entry.originalSize) &&
      readFixedHex(json, "sha256", sha256) && readString(json, "threat", entry.threatName) &&
      readString(json, "detection_path", entry.detectionPath) &&
      readString(json, "quarantined_at", entry.quarantinedAt) &&
      readUnsigned(json, "mode", entry.mode) && readString(json, "session", entry.sessionId) &&
      readString(json, "cipher", cipher) && readFixedHex(json, "key", header.key) &&
      readFixedHex(json, "counter", header.counter);
  if (!complete) return corrupt(source, "the header misses a field or has a wrong type");
  if (cipher != "aes-256-ctr") return corrupt(source, "unknown cipher '" + cipher + "'");

  std::vector<std::uint8_t> pathRaw;
  if (!fromHex(pathHex, pathRaw) || pathRaw.empty()) {
    return corrupt(source, "the original path is not valid hex");
  }
  entry.originalPath = pathFromBytes(pathRaw);
  std::memcpy(entry.originalSha256.bytes.data(), sha256.data(), sha256.size());
  return header;
}

}  // namespace

std::vector<std::uint8_t> encodeQuarantineHeader(const QuarantineHeader& header) {
  const QuarantineEntry& entry = header.entry;
  const std::string rawPath = pathBytes(entry.originalPath);
  nlohmann::ordered_json json = {
      {"id", entry.id},
      {"original_path", rawPath},
      {"original_path_hex",
       toHex({reinterpret_cast<const std::uint8_t*>(rawPath.data()), rawPath.size()})},
      {"original_size", entry.originalSize},
      {"sha256", entry.originalSha256.toHex()},
      {"threat", entry.threatName},
      {"detection_path", entry.detectionPath},
      {"quarantined_at", entry.quarantinedAt},
      {"mode", entry.mode},
      {"session", entry.sessionId},
      {"cipher", "aes-256-ctr"},
      {"key", toHex(header.key)},
      {"counter", toHex(header.counter)},
  };
  // "original_path" is for people reading the header, so bytes that are not UTF-8
  // are replaced there. "original_path_hex" keeps them exactly.
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  std::vector<std::uint8_t> out(std::begin(kMagic), std::end(kMagic));
  appendU32(out, kQuarantineFormatVersion);
  appendU32(out, static_cast<std::uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

Result<QuarantineHeader> decodeQuarantineHeader(std::istream& input,
                                                const std::filesystem::path& source) {
  std::uint8_t preamble[kQuarantinePreambleLength];
  if (!input.read(reinterpret_cast<char*>(preamble), sizeof(preamble))) {
    return Status(StatusCode::kTruncated,
                  "quarantine entry '" + source.string() + "' is shorter than its header");
  }
  if (std::memcmp(preamble, kMagic, sizeof(kMagic)) != 0) {
    return corrupt(source, "it does not start with the quarantine magic bytes");
  }
  const std::uint32_t version = readU32(preamble + 8);
  if (version != kQuarantineFormatVersion) {
    return Status(StatusCode::kUnsupportedVersion,
                  "quarantine entry '" + source.string() + "' has format version " +
                      std::to_string(version) + ", but this odscan reads only version " +
                      std::to_string(kQuarantineFormatVersion) + "; use a newer odscan");
  }
  const std::uint32_t length = readU32(preamble + 12);
  if (length == 0 || length > kMaxQuarantineHeaderLength) {
    return corrupt(source, "the header length " + std::to_string(length) + " is out of range");
  }

  std::string text(length, '\0');
  if (!input.read(text.data(), length)) {
    return Status(StatusCode::kTruncated,
                  "quarantine entry '" + source.string() + "' ends inside its header");
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return corrupt(source, "the header is not valid JSON");
  return headerFromJson(json, source);
}

struct QuarantineCipher::Context {
  struct Free {
    void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
  };
  std::unique_ptr<EVP_CIPHER_CTX, Free> cipher;
};

QuarantineCipher::QuarantineCipher(std::unique_ptr<Context> context)
    : context_(std::move(context)) {}
QuarantineCipher::QuarantineCipher(QuarantineCipher&&) noexcept = default;
QuarantineCipher& QuarantineCipher::operator=(QuarantineCipher&&) noexcept = default;
QuarantineCipher::~QuarantineCipher() = default;

Result<QuarantineCipher> QuarantineCipher::create(const QuarantineKey& key,
                                                  const QuarantineCounter& counter) {
  auto context = std::make_unique<Context>();
  context->cipher.reset(EVP_CIPHER_CTX_new());
  if (!context->cipher || EVP_EncryptInit_ex(context->cipher.get(), EVP_aes_256_ctr(), nullptr,
                                             key.data(), counter.data()) != 1) {
    return Status(StatusCode::kInternal, "OpenSSL cannot set up AES-256-CTR for the quarantine");
  }
  return QuarantineCipher(std::move(context));
}

Status QuarantineCipher::apply(std::span<const std::uint8_t> input,
                               std::span<std::uint8_t> output) {
  if (output.size() < input.size()) {
    return Status(StatusCode::kInternal, "quarantine cipher output buffer is too small");
  }
  int produced = 0;
  if (EVP_EncryptUpdate(context_->cipher.get(), output.data(), &produced, input.data(),
                        static_cast<int>(input.size())) != 1 ||
      static_cast<std::size_t>(produced) != input.size()) {
    return Status(StatusCode::kInternal, "OpenSSL AES-256-CTR failed in the quarantine");
  }
  return Status::success();
}

}  // namespace odscan::scanner
