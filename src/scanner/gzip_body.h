// gzip compression of request bodies for the console upload. Private to the
// scanner library.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::scanner {

// Returns `data` as one gzip member (RFC 1952). Fails with kInternal only when
// zlib cannot allocate its state.
Result<std::string> gzipCompress(std::string_view data);

}  // namespace odscan::scanner
