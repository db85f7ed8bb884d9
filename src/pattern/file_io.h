// Whole-file reading and crash-safe writing for pattern and key files.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::pattern_detail {

// Reads the whole file. Fails with kNotFound, kIoError, or kLimitExceeded when the
// file is larger than `maxSize` bytes. Messages name `path`.
Result<std::vector<std::uint8_t>> readWholeFile(const std::filesystem::path& path,
                                                std::uint64_t maxSize);

// Writes `contents` to a new, uniquely named file in `directory` whose name starts
// with `namePrefix`, sets the POSIX permission bits `mode`, and flushes the data to
// disk before returning the new file's path.
Result<std::filesystem::path> writeTemporaryFile(const std::filesystem::path& directory,
                                                 std::string_view namePrefix,
                                                 std::span<const std::uint8_t> contents,
                                                 unsigned mode);

// Renames `from` to `to` (replacing `to` atomically on POSIX systems) and flushes
// the directory entry to disk.
Status replaceFile(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes `contents` to `path` through a temporary file and replaceFile(), so a
// reader never sees a partly written file. Fails with kAlreadyExists when `path`
// exists unless `overwrite` is true.
Status writeFileAtomically(const std::filesystem::path& path,
                           std::span<const std::uint8_t> contents, unsigned mode, bool overwrite);

}  // namespace odscan::pattern_detail
