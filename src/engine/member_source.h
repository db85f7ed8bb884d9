// MemberSource: the members of one container, one after another, for
// ArchiveScanner. libarchive (LibarchiveMemberSource), the engine's zip reader
// (ZipMemberSource) and a decompressed stream held in memory (StreamMemberSource)
// each implement it, so that one loop applies the same rules and limits to all.
//
// Thread safety: one thread at a time; each ArchiveScanner uses its own sources.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace odscan::engine {

struct MemberHeader {
  std::string name;  // display name, already sanitized (display_name.h)
  // Folders, links and devices carry no data to scan.
  bool regularFile = true;
  // The size the container declares, which the member size limit checks before
  // anything is extracted; unset when the format has none.
  std::optional<std::uint64_t> declaredSize;
  bool encrypted = false;
};

struct NextMember {
  enum class Kind {
    kMember,  // `header` describes the next member
    kEnd,     // no more members
    kError,   // the container cannot be read further; `error` explains why
  };
  Kind kind = Kind::kEnd;
  MemberHeader header;
  std::string error;  // a sentence that names the container
};

// The outcome of one read() call.
struct MemberRead {
  enum class Status {
    kOk,     // `bytes` bytes were read; 0 means the member ended
    kError,  // this member cannot be read (a CRC-32 mismatch); the next one may be
    kFatal,  // the container cannot be read further
  };
  std::size_t bytes = 0;
  Status status = Status::kOk;
  std::string error;  // why, for kError and kFatal
};

class MemberSource {
 public:
  virtual ~MemberSource() = default;

  // Moves to the next member.
  virtual NextMember next() = 0;

  // Reads the next bytes of the current member into `into`. Like
  // archive_read_data(), it fills `into` unless the member ends first.
  virtual MemberRead read(std::span<std::uint8_t> into) = 0;

  // Returns every byte of the current member when the source has them in memory
  // and has checked them (sizes and CRC-32 where the format has them), without
  // allocating more than `maxAllocation` bytes for them. Returns nothing
  // otherwise, and read() must be used. Either way read() still starts at the
  // first byte of the member.
  virtual std::optional<std::span<const std::uint8_t>> wholeMember(std::uint64_t maxAllocation) {
    (void)maxAllocation;
    return std::nullopt;
  }

  // True when skipping a member means decompressing it: behind a compression
  // filter, or in a stream that was decompressed whole. ArchiveScanner then
  // reads skipped members itself, so that the limits count those bytes.
  virtual bool skippingDecompresses() const = 0;
};

// One member that is a whole decompressed stream held in memory: a gzip file in
// which no format finds members. Like libarchive's "raw" format, it names the
// member after the container without its compression suffix.
class StreamMemberSource final : public MemberSource {
 public:
  // `stream` must outlive the source.
  StreamMemberSource(std::span<const std::uint8_t> stream, std::string_view containerName);

  NextMember next() override;
  MemberRead read(std::span<std::uint8_t> into) override;
  std::optional<std::span<const std::uint8_t>> wholeMember(std::uint64_t maxAllocation) override;
  bool skippingDecompresses() const override { return true; }

 private:
  std::span<const std::uint8_t> stream_;
  std::string name_;
  bool returned_ = false;  // next() has returned the member
  std::size_t position_ = 0;
};

}  // namespace odscan::engine
