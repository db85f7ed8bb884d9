#include "odscan/launcher/launcher_trailer.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "odscan/platform/utf8_path.h"

namespace odscan::launcher {
namespace {

constexpr std::size_t kLengthFieldSize = 4;
constexpr std::size_t kMaxTrailerSize = kLauncherTrailerFixedSize + kMaxLauncherConfigSize;

const char* const kDownloadAgain = "download it again from the console's On-demand Scan link";

std::string inQuotes(std::string_view name) { return "'" + std::string(name) + "'"; }

std::uint32_t readLittleEndian32(std::span<const std::uint8_t> bytes) {
  return static_cast<std::uint32_t>(bytes[0]) | (static_cast<std::uint32_t>(bytes[1]) << 8) |
         (static_cast<std::uint32_t>(bytes[2]) << 16) |
         (static_cast<std::uint32_t>(bytes[3]) << 24);
}

void appendLittleEndian32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<std::uint8_t>((value >> shift) & 0xff));
  }
}

bool endsWithMagic(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kLauncherTrailerMagic.size()) return false;
  const auto tail = bytes.last(kLauncherTrailerMagic.size());
  return std::equal(tail.begin(), tail.end(), kLauncherTrailerMagic.begin(),
                    kLauncherTrailerMagic.end(),
                    [](std::uint8_t byte, char c) { return byte == static_cast<std::uint8_t>(c); });
}

Status noTrailer(std::string_view fileName) {
  return Status(StatusCode::kNotFound,
                inQuotes(fileName) +
                    " carries no console configuration, so it was not downloaded "
                    "from the console's On-demand Scan link; download it again");
}

// Returns the CONFIG_JSON length stored in the fixed part at the end of `bytes`,
// checked against the limit and against the bytes in front of it.
Result<std::size_t> configLength(std::span<const std::uint8_t> bytes, std::string_view fileName) {
  const auto lengthField = bytes.subspan(
      bytes.size() - kLauncherTrailerMagic.size() - kLengthFieldSize, kLengthFieldSize);
  const std::uint32_t length = readLittleEndian32(lengthField);
  if (length == 0 || length > kMaxLauncherConfigSize) {
    return Status(StatusCode::kCorrupt,
                  inQuotes(fileName) + ": the console configuration at its end is damaged " +
                      "(length " + std::to_string(length) + ", at most " +
                      std::to_string(kMaxLauncherConfigSize) + " allowed); " + kDownloadAgain);
  }
  if (length > bytes.size() - kLauncherTrailerFixedSize) {
    return Status(StatusCode::kTruncated,
                  inQuotes(fileName) + ": the file ends inside its console configuration (" +
                      std::to_string(length) + " bytes announced); " + kDownloadAgain);
  }
  return static_cast<std::size_t>(length);
}

}  // namespace

Result<std::vector<std::uint8_t>> makeLauncherTrailer(const LauncherConfig& config,
                                                      const PrivateKey& key) {
  LauncherConfig signedConfig = config;
  const std::string keyPem = key.publicKey().toPem();
  if (signedConfig.publicKeyPem.empty()) signedConfig.publicKeyPem = keyPem;

  const std::string json = serializeLauncherConfig(signedConfig);
  const std::span<const std::uint8_t> jsonBytes(reinterpret_cast<const std::uint8_t*>(json.data()),
                                                json.size());
  Result<LauncherConfig> checked = parseLauncherConfig(jsonBytes, "the new launcher config");
  if (!checked.ok()) return Status(StatusCode::kInvalidArgument, checked.status().message());
  Result<PublicKey> configKey =
      PublicKey::fromPem(signedConfig.publicKeyPem, "the launcher config");
  if (!configKey.ok()) return configKey.status();
  if (configKey->fingerprint() != key.publicKey().fingerprint()) {
    return Status(StatusCode::kInvalidArgument,
                  "the launcher config names public key " + configKey->fingerprint() +
                      ", but the signing key's public key is " + key.publicKey().fingerprint() +
                      "; give the public key of the signing key, or leave it empty");
  }

  Result<Ed25519Signature> signature = key.sign(jsonBytes);
  if (!signature.ok()) return signature.status();

  std::vector<std::uint8_t> trailer(jsonBytes.begin(), jsonBytes.end());
  trailer.insert(trailer.end(), signature->begin(), signature->end());
  appendLittleEndian32(trailer, static_cast<std::uint32_t>(jsonBytes.size()));
  trailer.insert(trailer.end(), kLauncherTrailerMagic.begin(), kLauncherTrailerMagic.end());
  return trailer;
}

Result<LauncherConfig> readLauncherTrailer(std::span<const std::uint8_t> fileBytes,
                                           std::string_view fileName) {
  if (fileBytes.size() < kLauncherTrailerFixedSize || !endsWithMagic(fileBytes)) {
    return noTrailer(fileName);
  }
  Result<std::size_t> length = configLength(fileBytes, fileName);
  if (!length.ok()) return length.status();

  const std::size_t fixedStart = fileBytes.size() - kLauncherTrailerFixedSize;
  const auto configBytes = fileBytes.subspan(fixedStart - *length, *length);
  const auto signature = fileBytes.subspan(fixedStart, kEd25519SignatureLength);

  const std::string source = inQuotes(fileName);
  Result<LauncherConfig> config = parseLauncherConfig(configBytes, source);
  if (!config.ok()) {
    return config.status().withContext("the console configuration is damaged; " +
                                       std::string(kDownloadAgain));
  }
  Result<PublicKey> key = PublicKey::fromPem(config->publicKeyPem, source);
  if (!key.ok()) return key.status();
  if (!key->verify(configBytes, signature)) {
    return Status(StatusCode::kBadSignature,
                  source +
                      ": the signature of its console configuration does not verify with "
                      "the public key in it, so the file was damaged or changed after the "
                      "console served it; " +
                      kDownloadAgain);
  }
  return config;
}

Result<LauncherConfig> readLauncherTrailerFile(const std::filesystem::path& path) {
  const std::string name = platform::toUtf8(path);
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return Status(error == std::errc::no_such_file_or_directory ? StatusCode::kNotFound
                                                                : StatusCode::kIoError,
                  "cannot read the launcher " + inQuotes(name) + ": " + error.message());
  }

#ifdef _WIN32
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(_wfopen(path.c_str(), L"rb"), &std::fclose);
#else
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
#endif
  if (!file) return Status(StatusCode::kIoError, "cannot open the launcher " + inQuotes(name));

  // Only the tail can hold the trailer, and the launcher itself can be megabytes.
  const std::size_t tailSize =
      static_cast<std::size_t>(std::min<std::uintmax_t>(size, kMaxTrailerSize));
  std::vector<std::uint8_t> tail(tailSize);
  const bool positioned =
      std::fseek(file.get(), -static_cast<long>(tailSize), SEEK_END) == 0 || tailSize == 0;
  if (!positioned || std::fread(tail.data(), 1, tail.size(), file.get()) != tail.size()) {
    return Status(StatusCode::kIoError, "cannot read the end of the launcher " + inQuotes(name));
  }

  // The length field can announce more than the tail holds only when the trailer
  // is damaged; readLauncherTrailer() reports that as kTruncated or kCorrupt.
  return readLauncherTrailer(tail, name);
}

}  // namespace odscan::launcher
