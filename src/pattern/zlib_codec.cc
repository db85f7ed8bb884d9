#include "zlib_codec.h"

#include <zlib.h>

#include <algorithm>
#include <string>

namespace odscan::pattern_detail {
namespace {

// zlib counts in 32-bit units; larger buffers are passed in slices of this size.
constexpr std::size_t kZlibSlice = std::size_t{1} << 30;
constexpr std::size_t kInitialOutput = std::size_t{1} << 16;
constexpr int kLevel = Z_DEFAULT_COMPRESSION;

// Owns a deflate stream and its growing output buffer.
class Deflater {
 public:
  Deflater() { initialized_ = deflateInit(&stream_, kLevel) == Z_OK; }
  ~Deflater() {
    if (initialized_) deflateEnd(&stream_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  bool initialized() const { return initialized_; }

  // Switches the compression level for the input that follows. zlib first
  // compresses the input given so far, and needs more room when the output is full.
  Status setLevel(int level) {
    for (;;) {
      makeRoom();
      const int result = deflateParams(&stream_, level, Z_DEFAULT_STRATEGY);
      collect();
      if (result == Z_OK) return Status::success();
      if (result != Z_BUF_ERROR) return failure("deflateParams", result);
    }
  }

  // Compresses `input`; with `finish` set, also ends the stream.
  Status feed(std::span<const std::uint8_t> input, bool finish) {
    std::size_t consumed = 0;
    for (;;) {
      const std::size_t slice = std::min(input.size() - consumed, kZlibSlice);
      const bool last = consumed + slice == input.size();
      stream_.next_in = const_cast<Bytef*>(input.data() + consumed);
      stream_.avail_in = static_cast<uInt>(slice);
      int result = Z_OK;
      do {
        makeRoom();
        result = deflate(&stream_, last && finish ? Z_FINISH : Z_NO_FLUSH);
        collect();
        if (result == Z_STREAM_ERROR) return failure("deflate", result);
      } while (stream_.avail_in > 0 || (last && finish && result != Z_STREAM_END));
      consumed += slice;
      if (last) return Status::success();
    }
  }

  std::vector<std::uint8_t> takeOutput() {
    output_.resize(produced_);
    return std::move(output_);
  }

 private:
  void makeRoom() {
    if (output_.size() - produced_ < kInitialOutput) {
      output_.resize(std::max(output_.size() * 2, produced_ + kInitialOutput));
    }
    stream_.next_out = output_.data() + produced_;
    stream_.avail_out = static_cast<uInt>(std::min(output_.size() - produced_, kZlibSlice));
    offered_ = stream_.avail_out;
  }

  void collect() { produced_ += offered_ - stream_.avail_out; }

  static Status failure(const char* call, int result) {
    return Status(StatusCode::kInternal,
                  std::string("zlib ") + call + " failed with code " + std::to_string(result));
  }

  z_stream stream_{};
  bool initialized_ = false;
  std::vector<std::uint8_t> output_;
  std::size_t produced_ = 0;
  uInt offered_ = 0;
};

}  // namespace

Result<std::vector<std::uint8_t>> deflateWithStoredRanges(std::span<const std::uint8_t> input,
                                                          std::span<const ByteRange> storedRanges) {
  Deflater deflater;
  if (!deflater.initialized()) return Status(StatusCode::kInternal, "zlib deflateInit failed");

  std::size_t position = 0;
  for (const ByteRange& range : storedRanges) {
    if (range.offset < position || range.offset > input.size() ||
        range.length > input.size() - range.offset) {
      return Status(StatusCode::kInvalidArgument, "stored range at offset " +
                                                      std::to_string(range.offset) +
                                                      " is out of order or outside the payload");
    }
    Status status = deflater.feed(input.subspan(position, range.offset - position), false);
    if (status.ok()) status = deflater.setLevel(Z_NO_COMPRESSION);
    if (status.ok()) status = deflater.feed(input.subspan(range.offset, range.length), false);
    if (status.ok()) status = deflater.setLevel(kLevel);
    if (!status.ok()) return status;
    position = range.offset + range.length;
  }
  Status status = deflater.feed(input.subspan(position), true);
  if (!status.ok()) return status;
  return deflater.takeOutput();
}

Result<std::vector<std::uint8_t>> inflateExactly(std::span<const std::uint8_t> compressed,
                                                 std::size_t expectedSize) {
  std::vector<std::uint8_t> output(expectedSize);
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return Status(StatusCode::kInternal, "zlib inflateInit failed");

  std::size_t consumed = 0;
  std::size_t produced = 0;
  int result = Z_OK;
  while (result == Z_OK) {
    const std::size_t input = std::min(compressed.size() - consumed, kZlibSlice);
    const std::size_t room = std::min(output.size() - produced, kZlibSlice);
    stream.next_in = const_cast<Bytef*>(compressed.data() + consumed);
    stream.avail_in = static_cast<uInt>(input);
    stream.next_out = output.data() + produced;
    stream.avail_out = static_cast<uInt>(room);
    result = inflate(&stream, Z_NO_FLUSH);
    consumed += input - stream.avail_in;
    produced += room - stream.avail_out;
    // zlib returns Z_BUF_ERROR when it cannot progress, for example when the output
    // is full because the stream contains more than expected. This check also ends the
    // loop if it ever returns Z_OK without progress.
    if (result == Z_OK && input == stream.avail_in && room == stream.avail_out) break;
  }
  inflateEnd(&stream);

  if (result != Z_STREAM_END) {
    return Status(StatusCode::kCorrupt, "has a payload that does not decompress to its declared " +
                                            std::to_string(expectedSize) + " bytes (zlib code " +
                                            std::to_string(result) + ")");
  }
  if (produced != expectedSize || consumed != compressed.size()) {
    return Status(StatusCode::kCorrupt,
                  "has a payload that decompresses to " + std::to_string(produced) +
                      " bytes from " + std::to_string(consumed) + " of " +
                      std::to_string(compressed.size()) +
                      " compressed bytes; the header declares " + std::to_string(expectedSize));
  }
  return output;
}

}  // namespace odscan::pattern_detail
