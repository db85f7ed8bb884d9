// DirectoryReader: lists the entries of one folder, with the entry type when the
// operating system reports it in the listing (d_type on Linux, file attributes on
// Windows), so the walker does not have to stat every entry.
//
// Thread safety: one thread at a time per object.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/platform/file_info.h"
#include "odscan/platform/io_error.h"

namespace odscan::platform {

struct DirectoryEntry {
  std::string_view name;  // valid until the next call to next()
  FileType type = FileType::kUnknown;
};

class DirectoryReader {
 public:
  // Opens the folder `path` for listing. With followSymlink false, a path whose last
  // component is a symbolic link fails with IoErrorKind::kSymlink.
  static IoResult<DirectoryReader> open(const std::string& path, bool followSymlink);

  DirectoryReader(DirectoryReader&& other) noexcept;
  DirectoryReader& operator=(DirectoryReader&& other) noexcept;
  DirectoryReader(const DirectoryReader&) = delete;
  DirectoryReader& operator=(const DirectoryReader&) = delete;
  ~DirectoryReader();

  // The identity of the opened folder, for loop detection.
  const FileId& id() const;

  // Returns the next entry other than "." and "..", or nullopt after the last one.
  IoResult<std::optional<DirectoryEntry>> next();

  // Describes the entry `name` of this folder (fstatat on POSIX).
  IoResult<FileInfo> statEntry(const std::string& name, bool followSymlink) const;

 private:
  struct State;
  explicit DirectoryReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace odscan::platform
