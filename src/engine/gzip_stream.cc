#include "gzip_stream.h"

namespace odscan::engine {
namespace {

// A 10-byte header, the 2 bytes of an empty deflate stream and the 8-byte trailer.
constexpr std::size_t kMinGzipSize = 20;

}  // namespace

std::optional<std::uint32_t> gzipDeclaredSize(std::span<const std::uint8_t> gzip) {
  if (gzip.size() < kMinGzipSize) return std::nullopt;
  const std::span<const std::uint8_t> size = gzip.last(4);
  return static_cast<std::uint32_t>(size[0]) | static_cast<std::uint32_t>(size[1]) << 8 |
         static_cast<std::uint32_t>(size[2]) << 16 | static_cast<std::uint32_t>(size[3]) << 24;
}

std::optional<std::span<const std::uint8_t>> inflateGzipFile(std::span<const std::uint8_t> gzip,
                                                             std::uint64_t maxSize,
                                                             DeflateDecompressor& decompressor,
                                                             ByteBuffer& output) {
  const std::optional<std::uint32_t> declared = gzipDeclaredSize(gzip);
  if (!declared || *declared > maxSize) return std::nullopt;

  const auto size = static_cast<std::size_t>(*declared);
  output.clear();
  const std::span<std::uint8_t> room = output.appendSpace(size).first(size);
  if (!decompressor.inflateGzipMember(gzip, room)) return std::nullopt;
  output.commit(size);
  return output.bytes();
}

}  // namespace odscan::engine
