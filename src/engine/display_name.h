// Display names for scan results. Names of files on disk and, above all, names of
// archive members are untrusted: they may hold control characters (which could
// forge lines in a log), invalid UTF-8, "../" or absolute paths. The engine only
// ever prints them; nothing is created under these names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace odscan::engine {

// Member names longer than this many bytes are cut and end in "...".
inline constexpr std::size_t kMaxMemberNameBytes = 1024;

// Appends `name` to `out`, with each control character (below 0x20, and 0x7F) and
// each byte of an invalid UTF-8 sequence replaced by '?'.
void appendSanitized(std::string_view name, std::string& out);

// Returns the display name of an archive member: sanitized, cut to
// kMaxMemberNameBytes, and "(unnamed)" when empty.
std::string memberDisplayName(std::string_view rawName);

// Returns the member name for a single compressed stream (libarchive's "raw"
// format): `containerName` without its compression suffix ("clam.exe.bz2" ->
// "clam.exe"), or "data" when it has no known suffix.
std::string rawStreamMemberName(std::string_view containerName);

// Returns the part of `path` after the last '/' or '\\'.
std::string_view lastPathComponent(std::string_view path);

}  // namespace odscan::engine
