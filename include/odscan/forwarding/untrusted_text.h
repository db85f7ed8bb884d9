// Cleaning of untrusted text (host names, paths, threat names and details from
// uploaded logs) before it goes into a syslog message, so that no value can
// break a frame, forge a line or spoof its display.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace odscan::forwarding {

enum class LineBreaks {
  kToSpace,  // CR, LF and TAB become one space each
  kKeep,     // CR and LF stay, for an encoder that escapes them (CEF)
};

// Returns `text` as valid UTF-8 without control characters:
//  - each invalid UTF-8 sequence becomes U+FFFD;
//  - CR, LF and TAB follow `lineBreaks`;
//  - other C0 controls, DEL, C1 controls (U+0080 to U+009F), U+2028, U+2029 and
//    the bidirectional overrides and isolates (U+202A to U+202E, U+2066 to
//    U+2069) become '?', because they can hide a file's real extension on screen.
// The result is at most `maxBytes` long; a longer one is cut at a character
// boundary and ends with "...".
std::string cleanUntrustedText(std::string_view text, std::size_t maxBytes,
                               LineBreaks lineBreaks = LineBreaks::kToSpace);

// Returns `text` for a syslog header field (HOSTNAME, APP-NAME, PROCID, MSGID):
// printable US-ASCII 33 to 126 only, others replaced by '_', at most `maxBytes`,
// and "-" (the NILVALUE) when empty.
std::string asciiHeaderField(std::string_view text, std::size_t maxBytes);

// Returns the longest prefix of `text` of at most `maxBytes` that ends at a
// UTF-8 character boundary. `text` must be valid UTF-8.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes);

}  // namespace odscan::forwarding
