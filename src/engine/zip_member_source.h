// ZipMemberSource: the members of a zip file held in memory, read by the engine
// itself from the entries that readZipDirectory() accepted. It returns the same
// members, bytes and errors as libarchive's seeking zip reader, which the engine
// used before and still uses for every zip that readZipDirectory() rejects.
//
// wholeMember() returns a stored member straight from the zip and inflates a
// deflated one with libdeflate into a buffer of its declared size. read() emulates
// libarchive chunk by chunk, with zlib for deflated members. ArchiveScanner uses
// it for members bigger than kMaxWholeInflateBytes or than the limits allow, in
// the quick profile, and for members whose data is damaged. The errors then come
// at the same points as libarchive's: a CRC-32 mismatch fails the member, and
// invalid deflate data stops the archive.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "byte_buffer.h"
#include "deflate_decompressor.h"
#include "member_source.h"
#include "zip_directory.h"

namespace odscan::engine {

// Deflated members up to this size are inflated whole with libdeflate. Bigger ones
// stream through zlib, so a worker never keeps more than this for one member.
inline constexpr std::uint64_t kMaxWholeInflateBytes = 64ull << 20;

class ZipMemberSource final : public MemberSource {
 public:
  // `zip`, `decompressor` and `inflated` must outlive the source; `inflated`
  // receives the members that wholeMember() inflates. With `inflateWhole` false,
  // wholeMember() declines deflated members, which the quick profile mostly skips
  // after their first bytes.
  ZipMemberSource(std::span<const std::uint8_t> zip, std::vector<ZipEntry> entries,
                  DeflateDecompressor& decompressor, ByteBuffer& inflated, bool inflateWhole);
  ~ZipMemberSource() override;
  ZipMemberSource(const ZipMemberSource&) = delete;
  ZipMemberSource& operator=(const ZipMemberSource&) = delete;

  NextMember next() override;
  MemberRead read(std::span<std::uint8_t> into) override;
  std::optional<std::span<const std::uint8_t>> wholeMember(std::uint64_t maxAllocation) override;
  bool skippingDecompresses() const override { return false; }

 private:
  struct Inflater;

  MemberRead readStored(std::span<std::uint8_t> into);
  MemberRead readDeflated(std::span<std::uint8_t> into);
  // Checks a member whose data ended after `bytes` more bytes were read.
  MemberRead finishMember(std::size_t bytes);
  std::span<const std::uint8_t> compressedData() const;

  std::span<const std::uint8_t> zip_;
  std::vector<ZipEntry> entries_;
  DeflateDecompressor& decompressor_;
  ByteBuffer& inflated_;
  bool inflateWhole_;
  std::unique_ptr<Inflater> inflater_;  // zlib state, created on first use

  // The current member and how far read() has got in it.
  std::size_t next_ = 0;
  const ZipEntry* entry_ = nullptr;
  std::uint64_t consumed_ = 0;  // compressed bytes
  std::uint64_t produced_ = 0;  // uncompressed bytes
  std::uint32_t crc32_ = 0;
  bool inflating_ = false;  // the zlib stream was reset for this member
  bool ended_ = false;
};

}  // namespace odscan::engine
