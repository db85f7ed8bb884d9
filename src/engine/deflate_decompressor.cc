#include "deflate_decompressor.h"

#include <libdeflate.h>

namespace odscan::engine {
namespace {

// libdeflate writes nothing into an empty output buffer, but it still does
// pointer arithmetic on it, so an empty span gets a real address.
std::uint8_t* outputAddress(std::span<std::uint8_t> output) {
  static std::uint8_t empty = 0;
  return output.empty() ? &empty : output.data();
}

}  // namespace

void DeflateDecompressor::Deleter::operator()(libdeflate_decompressor* decompressor) const {
  libdeflate_free_decompressor(decompressor);
}

DeflateDecompressor::DeflateDecompressor() : decompressor_(libdeflate_alloc_decompressor()) {}

DeflateDecompressor::~DeflateDecompressor() = default;

bool DeflateDecompressor::inflateGzipMember(std::span<const std::uint8_t> gzip,
                                            std::span<std::uint8_t> output) {
  if (decompressor_ == nullptr) return false;
  std::size_t consumed = 0;
  std::size_t produced = 0;
  const libdeflate_result result =
      libdeflate_gzip_decompress_ex(decompressor_.get(), gzip.data(), gzip.size(),
                                    outputAddress(output), output.size(), &consumed, &produced);
  return result == LIBDEFLATE_SUCCESS && consumed == gzip.size() && produced == output.size();
}

bool DeflateDecompressor::inflateRaw(std::span<const std::uint8_t> deflate,
                                     std::span<std::uint8_t> output) {
  // Even an empty stream takes two bytes.
  if (decompressor_ == nullptr || deflate.empty()) return false;
  std::size_t consumed = 0;
  std::size_t produced = 0;
  const libdeflate_result result =
      libdeflate_deflate_decompress_ex(decompressor_.get(), deflate.data(), deflate.size(),
                                       outputAddress(output), output.size(), &consumed, &produced);
  return result == LIBDEFLATE_SUCCESS && consumed == deflate.size() && produced == output.size();
}

std::uint32_t crc32Of(std::span<const std::uint8_t> bytes, std::uint32_t previous) {
  return libdeflate_crc32(previous, bytes.data(), bytes.size());
}

}  // namespace odscan::engine
