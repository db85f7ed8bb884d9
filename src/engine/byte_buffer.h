// ByteBuffer: a growable byte array that keeps its memory between uses and does
// not zero what it allocates, for the per-worker buffers that hold whole container
// files and archive members.
//
// Thread safety: one thread at a time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace odscan::engine {

class ByteBuffer {
 public:
  std::size_t size() const { return size_; }
  std::span<const std::uint8_t> bytes() const { return {data_.get(), size_}; }

  void clear() { size_ = 0; }

  // Returns room for at least `count` more bytes after the current end; commit()
  // then adds the bytes actually written.
  std::span<std::uint8_t> appendSpace(std::size_t count) {
    reserve(size_ + count);
    return {data_.get() + size_, capacity_ - size_};
  }
  void commit(std::size_t count) { size_ += count; }

  void append(std::span<const std::uint8_t> bytes) {
    std::span<std::uint8_t> room = appendSpace(bytes.size());
    if (!bytes.empty()) std::memcpy(room.data(), bytes.data(), bytes.size());
    commit(bytes.size());
  }

  // Frees the memory when it grew beyond `keepBytes`, so one huge archive does not
  // pin its buffer for the rest of the scan.
  void release(std::size_t keepBytes) {
    if (capacity_ <= keepBytes) return;
    data_.reset();
    capacity_ = 0;
    size_ = 0;
  }

 private:
  void reserve(std::size_t capacity) {
    if (capacity <= capacity_) return;
    const std::size_t grown = std::max(capacity, capacity_ + capacity_ / 2);
    auto data = std::make_unique_for_overwrite<std::uint8_t[]>(grown);
    if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    capacity_ = grown;
  }

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace odscan::engine
