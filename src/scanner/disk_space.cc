#include "odscan/scanner/disk_space.h"

#include "odscan/platform/system.h"
#include "odscan/scanner/formatting.h"

namespace odscan::scanner {

Status checkFreeSpace(const std::filesystem::path& homeRoot, std::uint64_t minimum,
                      const FreeSpaceProbe& probe) {
  Result<std::uint64_t> available = probe(homeRoot);
  if (!available.ok()) {
    return available.status().withContext("cannot check free disk space before the scan");
  }
  if (*available >= minimum) return Status::success();

  return Status(StatusCode::kNoSpace,
                "not enough free disk space to scan: " + formatBytes(*available) +
                    " free on the disk holding '" + homeRoot.string() + "', at least " +
                    formatBytes(minimum) +
                    " needed. Free some disk space, or delete the HCEXEC folder '" +
                    homeRoot.string() +
                    "' (this deletes earlier scan data and quarantined files), then scan again");
}

Status checkFreeSpace(const std::filesystem::path& homeRoot, std::uint64_t minimum) {
  return checkFreeSpace(homeRoot, minimum, [](const std::filesystem::path& path) {
    return platform::freeDiskSpace(path);
  });
}

}  // namespace odscan::scanner
