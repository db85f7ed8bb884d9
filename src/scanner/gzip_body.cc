#include "gzip_body.h"

#include <zlib.h>

#include <limits>

namespace odscan::scanner {
namespace {

// zlib's windowBits for a gzip wrapper instead of a zlib one: 15 (a 32 KiB
// window) plus 16.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemoryLevel = 8;
// deflateBound() leaves out the gzip header and trailer, which take 18 bytes.
constexpr std::size_t kGzipFrameBytes = 18;

}  // namespace

Result<std::string> gzipCompress(std::string_view data) {
  // One deflate() call takes the whole input, and zlib counts it in uInt.
  if (data.size() > std::numeric_limits<uInt>::max() / 2) {
    return Status(StatusCode::kLimitExceeded, "a request body of " + std::to_string(data.size()) +
                                                  " bytes is too large to compress");
  }
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kMemoryLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status(StatusCode::kInternal, "zlib cannot start a gzip stream; memory may be short");
  }

  std::string output(deflateBound(&stream, static_cast<uLong>(data.size())) + kGzipFrameBytes,
                     '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  // With a buffer of deflateBound()'s size, one call with Z_FINISH completes.
  const int result = deflate(&stream, Z_FINISH);
  output.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) {
    return Status(StatusCode::kInternal,
                  "zlib failed to compress a request body (error " + std::to_string(result) + ")");
  }
  return output;
}

}  // namespace odscan::scanner
