// The free disk space check that runs before a scan, so the scanner stops with a
// clear message instead of failing halfway through writing logs or quarantine
// copies.
//
// Thread safety: pure functions (the probe decides for itself).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "odscan/common/status.h"

namespace odscan::scanner {

// The default minimum: room for the session logs of a large scan plus a few
// quarantined files. The `--min-free-space` option overrides it.
inline constexpr std::uint64_t kDefaultMinFreeSpace = 64ull << 20;

// Returns the bytes available on the file system holding a path.
using FreeSpaceProbe = std::function<Result<std::uint64_t>(const std::filesystem::path&)>;

// Returns kNoSpace when less than `minimum` bytes are free on the disk holding
// `homeRoot` (the HCEXEC folder, which must exist). The message asks the user to
// free space or to delete `homeRoot`, and warns that deleting it also deletes
// earlier scan data and quarantined files. A failing probe returns its error.
Status checkFreeSpace(const std::filesystem::path& homeRoot, std::uint64_t minimum,
                      const FreeSpaceProbe& probe);

// Same as above with platform::freeDiskSpace() as the probe.
Status checkFreeSpace(const std::filesystem::path& homeRoot, std::uint64_t minimum);

}  // namespace odscan::scanner
