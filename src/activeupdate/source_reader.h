// SourceReader: fetches one file of an ActiveUpdate source. UpdateSource uses it
// for both forms of a source, a folder on disk and a folder on a web server, and
// adds the location and advice to its errors. Private to odscan_activeupdate.
//
// Thread safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/activeupdate/update_source.h"
#include "odscan/common/status.h"

namespace odscan::activeupdate {

class SourceReader {
 public:
  virtual ~SourceReader() = default;

  // Returns the contents of the file `name`. Fails with kLimitExceeded as soon as
  // more than `maxSize` bytes arrive. The caller writes the message for that error,
  // because only it knows which limit applied. With `revalidate`, caches between
  // here and the origin server must check that their copy is current. Other errors
  // describe the failure without naming the source: kNotFound, kPermissionDenied,
  // kUnreachable, kTimeout, kTruncated or kIoError.
  virtual Result<std::vector<std::uint8_t>> read(std::string_view name, std::uint64_t maxSize,
                                                 bool revalidate) = 0;
};

// Returns a reader of the files in `folder`.
std::unique_ptr<SourceReader> makeFolderReader(std::filesystem::path folder);

// Returns a reader of the files under `baseUrl`, which ends with '/'. Fails with
// kInvalidArgument for a malformed header in `options` and kInternal when libcurl
// cannot create a handle.
Result<std::unique_ptr<SourceReader>> makeHttpReader(std::string baseUrl,
                                                     const UpdateSourceOptions& options);

}  // namespace odscan::activeupdate
