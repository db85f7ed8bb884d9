#include "zip_member_source.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include "display_name.h"

namespace odscan::engine {

// A zlib raw inflate stream, reset for each member.
struct ZipMemberSource::Inflater {
  z_stream stream{};
  bool initialized = false;

  ~Inflater() {
    if (initialized) inflateEnd(&stream);
  }

  bool reset() {
    if (initialized) return inflateReset(&stream) == Z_OK;
    // A negative window size selects raw deflate data, without a zlib header.
    initialized = inflateInit2(&stream, -MAX_WBITS) == Z_OK;
    return initialized;
  }
};

ZipMemberSource::ZipMemberSource(std::span<const std::uint8_t> zip, std::vector<ZipEntry> entries,
                                 DeflateDecompressor& decompressor, ByteBuffer& inflated,
                                 bool inflateWhole)
    : zip_(zip),
      entries_(std::move(entries)),
      decompressor_(decompressor),
      inflated_(inflated),
      inflateWhole_(inflateWhole) {}

ZipMemberSource::~ZipMemberSource() = default;

NextMember ZipMemberSource::next() {
  NextMember next;
  if (next_ >= entries_.size()) return next;
  entry_ = &entries_[next_++];
  consumed_ = 0;
  produced_ = 0;
  crc32_ = 0;
  inflating_ = false;
  // libarchive ends a member without data at once, and checks nothing.
  ended_ = entry_->compressedSize == 0;

  next.kind = NextMember::Kind::kMember;
  next.header.regularFile = !entry_->folder;
  if (entry_->folder) return next;
  next.header.name = memberDisplayName(entry_->name);
  next.header.declaredSize = entry_->uncompressedSize;
  return next;
}

std::optional<std::span<const std::uint8_t>> ZipMemberSource::wholeMember(
    std::uint64_t maxAllocation) {
  if (entry_->compressedSize == 0) return compressedData();
  if (!entry_->deflated) {
    const std::span<const std::uint8_t> data = compressedData();
    if (crc32Of(data) != entry_->crc32) return std::nullopt;
    return data;
  }

  const std::uint64_t size = entry_->uncompressedSize;
  if (!inflateWhole_ || size > maxAllocation || size > kMaxWholeInflateBytes) return std::nullopt;
  inflated_.clear();
  const std::span<std::uint8_t> output =
      inflated_.appendSpace(static_cast<std::size_t>(size)).first(static_cast<std::size_t>(size));
  if (!decompressor_.inflateRaw(compressedData(), output) || crc32Of(output) != entry_->crc32) {
    return std::nullopt;
  }
  inflated_.commit(output.size());
  return inflated_.bytes();
}

MemberRead ZipMemberSource::read(std::span<std::uint8_t> into) {
  if (ended_) return MemberRead{};
  return entry_->deflated ? readDeflated(into) : readStored(into);
}

// libarchive checks a member when a read reaches its end. A read that fills
// `into` exactly with the last bytes returns them; the next one does the check.
MemberRead ZipMemberSource::readStored(std::span<std::uint8_t> into) {
  const std::span<const std::uint8_t> rest =
      compressedData().subspan(static_cast<std::size_t>(consumed_));
  const std::size_t count = std::min(into.size(), rest.size());
  if (count > 0) std::memcpy(into.data(), rest.data(), count);
  crc32_ = crc32Of(rest.first(count), crc32_);
  consumed_ += count;
  produced_ += count;
  if (count == into.size()) return MemberRead{count, MemberRead::Status::kOk, {}};
  return finishMember(count);
}

MemberRead ZipMemberSource::readDeflated(std::span<std::uint8_t> into) {
  if (inflater_ == nullptr) inflater_ = std::make_unique<Inflater>();
  z_stream& stream = inflater_->stream;
  if (!inflating_) {
    if (!inflater_->reset()) {
      ended_ = true;
      return MemberRead{0, MemberRead::Status::kFatal,
                        "cannot extract the member: zlib could not set up an inflate stream"};
    }
    inflating_ = true;
  }

  stream.next_out = into.data();
  stream.avail_out = static_cast<uInt>(into.size());
  bool streamEnded = false;
  while (stream.avail_out > 0 && !streamEnded) {
    const std::span<const std::uint8_t> rest =
        compressedData().subspan(static_cast<std::size_t>(consumed_));
    const auto available = static_cast<uInt>(std::min<std::size_t>(rest.size(), UINT_MAX));
    // zlib does not write through next_in; its type merely lacks the const.
    stream.next_in = const_cast<Bytef*>(rest.data());
    stream.avail_in = available;
    const uInt roomBefore = stream.avail_out;
    const int status = inflate(&stream, Z_NO_FLUSH);
    consumed_ += available - stream.avail_in;
    produced_ += roomBefore - stream.avail_out;
    streamEnded = status == Z_STREAM_END;
    // Z_BUF_ERROR means the compressed data ran out before the stream ended.
    if (status != Z_OK && !streamEnded) {
      ended_ = true;
      return MemberRead{0, MemberRead::Status::kFatal,
                        "cannot extract the member: the deflate data is invalid (zlib error " +
                            std::to_string(status) + ")"};
    }
  }

  const std::size_t count = into.size() - stream.avail_out;
  crc32_ = crc32Of(into.first(count), crc32_);
  if (!streamEnded) return MemberRead{count, MemberRead::Status::kOk, {}};
  return finishMember(count);
}

MemberRead ZipMemberSource::finishMember(std::size_t bytes) {
  ended_ = true;
  MemberRead result{0, MemberRead::Status::kError, {}};
  if (crc32_ != entry_->crc32) {
    result.error = "cannot extract the member: its CRC-32 does not match the zip directory";
  } else if (consumed_ != entry_->compressedSize) {
    result.error =
        "cannot extract the member: its compressed data is not the size the zip "
        "directory gives";
  } else if (produced_ != entry_->uncompressedSize) {
    result.error = "cannot extract the member: it is not the size the zip directory gives";
  } else {
    result.status = MemberRead::Status::kOk;
    result.bytes = bytes;
  }
  return result;
}

std::span<const std::uint8_t> ZipMemberSource::compressedData() const {
  return zip_.subspan(static_cast<std::size_t>(entry_->dataOffset),
                      static_cast<std::size_t>(entry_->compressedSize));
}

}  // namespace odscan::engine
