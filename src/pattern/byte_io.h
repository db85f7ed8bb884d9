// Little-endian encoding helpers for the pattern file format. Every multi-byte
// integer in a pattern file is little-endian whatever the host order, so the
// readers assemble values byte by byte instead of casting pointers.
//
// Thread safety: ByteWriter and ByteReader are plain values used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

namespace odscan::pattern_detail {

inline std::uint16_t loadLe16(const std::uint8_t* bytes) {
  return static_cast<std::uint16_t>(bytes[0] | (bytes[1] << 8));
}

inline std::uint32_t loadLe32(const std::uint8_t* bytes) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

inline std::uint64_t loadLe64(const std::uint8_t* bytes) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

inline void storeLe64(std::uint8_t* bytes, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// Appends little-endian values to a byte vector.
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) { appendLe(value, 2); }
  void u32(std::uint32_t value) { appendLe(value, 4); }
  void u64(std::uint64_t value) { appendLe(value, 8); }
  void bytes(std::span<const std::uint8_t> data) {
    out_.insert(out_.end(), data.begin(), data.end());
  }
  void zeros(std::size_t count) { out_.insert(out_.end(), count, 0); }
  // Pads with zero bytes until the size is a multiple of `alignment`.
  void align(std::size_t alignment) {
    while (out_.size() % alignment != 0) out_.push_back(0);
  }
  std::size_t size() const { return out_.size(); }

 private:
  void appendLe(std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }

  std::vector<std::uint8_t>& out_;
};

// Reads little-endian values from a span. Every read checks the remaining length
// and returns nothing instead of reading past the end, because the input may be a
// hostile file.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - position_; }
  std::size_t position() const { return position_; }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return data_[position_++];
  }
  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    const std::uint16_t value = loadLe16(data_.data() + position_);
    position_ += 2;
    return value;
  }
  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    const std::uint32_t value = loadLe32(data_.data() + position_);
    position_ += 4;
    return value;
  }
  std::optional<std::uint64_t> u64() {
    if (remaining() < 8) return std::nullopt;
    const std::uint64_t value = loadLe64(data_.data() + position_);
    position_ += 8;
    return value;
  }
  std::optional<std::span<const std::uint8_t>> bytes(std::size_t count) {
    if (remaining() < count) return std::nullopt;
    const auto view = data_.subspan(position_, count);
    position_ += count;
    return view;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t position_ = 0;
};

}  // namespace odscan::pattern_detail
