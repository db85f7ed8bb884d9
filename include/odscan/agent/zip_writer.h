// ZipWriter: writes a zip archive with libarchive, for the agent's endpoint data
// and the console's case bundles. Members are deflated; their names use '/' and
// are stored in UTF-8.
//
// The archive is written to "<file>.partial" and renamed to `file` by finish(),
// so a reader never sees half an archive. A writer destroyed before finish()
// removes the partial file.
//
// Thread safety: one thread per writer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "odscan/common/status.h"

struct archive;

namespace odscan::agent {

class ZipWriter {
 public:
  // Starts an archive that finish() moves to `file`. Errors name the file.
  static Result<std::unique_ptr<ZipWriter>> create(const std::filesystem::path& file);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // Adds a member named `name` holding `data`.
  Status add(std::string_view name, std::string_view data);
  // Adds the first `maxBytes` of `source` as `name`. A longer file is cut, and
  // "name.truncated" says so. Fails with the read error, naming `source`.
  Status addFile(std::string_view name, const std::filesystem::path& source,
                 std::uint64_t maxBytes);
  // Completes the archive and renames it into place.
  Status finish();

  std::uint64_t bytesAdded() const { return bytesAdded_; }

 private:
  ZipWriter(archive* writer, std::filesystem::path file, std::filesystem::path partial);

  archive* writer_;
  std::filesystem::path file_;
  std::filesystem::path partial_;
  std::uint64_t bytesAdded_ = 0;
  bool finished_ = false;
};

}  // namespace odscan::agent
