// Conversion from struct stat, shared by the POSIX sources of the platform layer.
#pragma once

#include <sys/stat.h>

#include "odscan/platform/file_info.h"

namespace odscan::platform {

FileInfo fileInfoFromStat(const struct stat& status);

}  // namespace odscan::platform
