// The access log line the server writes for every request.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace odscan::http {

// Appends `value` so that a log reader can split the line on spaces: as it is
// when it holds only printable ASCII without spaces, quotes or backslashes,
// otherwise in double quotes with \", \\ and \xHH escapes. An empty value becomes
// "-". Client-supplied values go through here, so they cannot forge a log line.
void appendLogValue(std::string& out, std::string_view value);

// Appends " key=value" with the value as appendLogValue() writes it.
void appendLogField(std::string& out, std::string_view key, std::string_view value);

}  // namespace odscan::http
