// Recognizes what a file or archive member is from its first bytes: the quick
// profile keeps executables, scripts and containers, and only containers are
// handed to libarchive. Names are not trusted for this, except for script types
// that have no magic number.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace odscan::engine {

enum class ContentType : std::uint8_t {
  kOther,
  kExecutable,  // MZ (DOS/PE), ELF, Mach-O
  kScript,      // starts with "#!"
  kContainer,   // an archive or compressed stream that libarchive reads
};

// Bytes needed to recognize every supported type; the ISO 9660 signature is the
// farthest, at offset 32769.
inline constexpr std::size_t kContentTypeHeadSize = 32774;

// Classifies `head`, the first bytes of an object (all of it when shorter than
// kContentTypeHeadSize).
ContentType detectContentType(std::span<const std::uint8_t> head);

// Returns true for names ending in a script extension without a magic number
// (.ps1 .psm1 .vbs .vbe .js .jse .wsf .wsh .hta .bat .cmd .sh), in any case.
bool hasScriptExtension(std::string_view fileName);

}  // namespace odscan::engine
