#include "synthetic_signatures.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

#include "odscan/pattern/signature_file.h"

namespace odscan::bench {
namespace {

// redis-benchmark replaces __rand_int__ with this many decimal digits.
constexpr std::size_t kRedisIndexDigits = 12;
constexpr std::size_t kMaxRedisKeys = 1'000'000'000'000;

// Large writes: the 10M-signature list is about 850 MB.
constexpr std::size_t kWriteBufferBytes = 1 << 20;

// An ofstream with a large buffer. The buffer is declared first so that it
// outlives the stream that points into it.
struct BufferedOutput {
  explicit BufferedOutput(const std::filesystem::path& path)
      : buffer(std::make_unique<char[]>(kWriteBufferBytes)) {
    stream.rdbuf()->pubsetbuf(buffer.get(), kWriteBufferBytes);
    stream.open(path, std::ios::binary | std::ios::trunc);
  }

  std::unique_ptr<char[]> buffer;
  std::ofstream stream;
};

Status writeError(const std::filesystem::path& path) {
  return Status(StatusCode::kIoError, "cannot write '" + path.string() +
                                          "'; check that its folder exists, is writable and "
                                          "has free space");
}

}  // namespace

Digest DigestSequence::next() {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  for (std::size_t offset = 0; offset < 32; offset += 8) {
    const std::uint64_t word = random_();
    for (std::size_t i = 0; i < 8; ++i) {
      digest.bytes[offset + i] = static_cast<std::uint8_t>(word >> (8 * i));
    }
  }
  return digest;
}

std::string syntheticThreatName(std::size_t index) {
  return "Bench.Threat-" + std::to_string(index % kThreatFamilyCount);
}

std::vector<QueryKey> generateQueryKeys(std::uint64_t seed, std::size_t count) {
  DigestSequence sequence(seed);
  std::vector<QueryKey> keys;
  keys.reserve(count);
  for (std::size_t i = 0; i < count; ++i) keys.push_back(QueryKey{sequence.next(), kAnySize});
  return keys;
}

Status writeSignatureList(const std::filesystem::path& path, std::uint64_t seed,
                          std::size_t count) {
  BufferedOutput output(path);
  if (!output.stream) return writeError(path);

  DigestSequence sequence(seed);
  for (std::size_t i = 0; i < count; ++i) {
    output.stream << sequence.next().toHex() << ' ' << syntheticThreatName(i) << '\n';
  }
  output.stream.close();
  if (!output.stream) return writeError(path);
  return Status::success();
}

std::string redisKey(std::size_t index) {
  std::array<char, kRedisIndexDigits + 1> digits{};
  std::snprintf(digits.data(), digits.size(), "%012zu", index);
  const std::size_t zeros = kRedisKeyTemplate.size() - std::string_view("__rand_int__").size();
  return std::string(zeros, '0') + digits.data();
}

Status writeRedisCommands(const std::filesystem::path& path, std::size_t count) {
  if (count > kMaxRedisKeys) {
    return Status(StatusCode::kInvalidArgument,
                  "redis-benchmark keys have 12 digits, so at most 10^12 signatures can be "
                  "written as redis commands, not " +
                      std::to_string(count));
  }
  BufferedOutput output(path);
  if (!output.stream) return writeError(path);

  for (std::size_t i = 0; i < count; ++i) {
    const std::string key = redisKey(i);
    const std::string name = syntheticThreatName(i);
    output.stream << "*3\r\n$3\r\nSET\r\n$" << key.size() << "\r\n"
                  << key << "\r\n$" << name.size() << "\r\n"
                  << name << "\r\n";
  }
  output.stream.close();
  if (!output.stream) return writeError(path);
  return Status::success();
}

Result<std::vector<QueryKey>> readQueryKeys(const std::filesystem::path& path) {
  auto entries = readSignatureFile(path);
  if (!entries.ok()) return entries.status();

  std::vector<QueryKey> keys;
  keys.reserve(entries->size());
  for (const SignatureEntry& entry : *entries) {
    keys.push_back(QueryKey{entry.signature.digest, entry.signature.size});
  }
  if (keys.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "signature file '" + path.string() + "' contains no signatures");
  }
  return keys;
}

}  // namespace odscan::bench
