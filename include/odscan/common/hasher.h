// MultiHasher computes several digests of one byte stream in a single pass.
//
// Thread safety: one MultiHasher per thread. Reusing an instance with reset()
// avoids per-file allocation, which matters when scanning many small files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "odscan/common/digest.h"

namespace odscan {

class MultiHasher {
 public:
  // Creates contexts for the kinds in `kinds`; other kinds are never computed.
  explicit MultiHasher(DigestKindSet kinds);
  ~MultiHasher();
  MultiHasher(const MultiHasher&) = delete;
  MultiHasher& operator=(const MultiHasher&) = delete;
  MultiHasher(MultiHasher&&) noexcept;
  MultiHasher& operator=(MultiHasher&&) noexcept;

  DigestKindSet kinds() const { return kinds_; }

  // Starts a new stream. Must be called before the first update() and after each
  // finish().
  void reset();
  void update(std::span<const std::uint8_t> data);
  // Returns the digests of everything passed to update() since reset().
  FileDigests finish();

  // Returns the digest of `data` in one call (for tests and small buffers).
  static Digest digestOf(DigestKind kind, std::span<const std::uint8_t> data);

 private:
  struct Contexts;
  DigestKindSet kinds_;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace odscan
