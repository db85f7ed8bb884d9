// Turns errno values into classified IoErrors for the POSIX implementation of the
// platform layer.
#pragma once

#include "odscan/platform/io_error.h"

namespace odscan::platform {

// Returns an IoError for `code`, an errno value. `operation` and `path` go into
// the message, for example "cannot open '/x': Permission denied".
IoError errorFromErrno(int code, const char* operation, const std::string& path);

}  // namespace odscan::platform
