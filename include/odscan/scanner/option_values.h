// Parsers for the values of odscan's command-line options, so every number, size
// and choice is checked the same way and every rejection names the value and the
// accepted forms. main() wraps them in CLI11 validators; the option name is added
// there. CLI11 2.1's own conversion is not used for numbers, because it turns
// "-1" into 18446744073709551615 for an unsigned option.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/engine/scan_options.h"
#include "odscan/scanner/scan_command.h"

namespace odscan::scanner {

// Parses a size in bytes: a whole number of bytes ("1048576"), or a number with a
// binary unit ("64MiB", "1.5GiB", "512 KiB"). Units are B, KiB, MiB, GiB, TiB, PiB
// and EiB, in any letter case; K, KB, M, MB, G, GB, T, TB, P, PB, E and EB mean the
// same binary units. A fraction may have up to 9 digits and is rounded down to
// whole bytes. Fails with kInvalidArgument for negative numbers, unknown units and
// values above 2^64 - 1.
Result<std::uint64_t> parseByteSize(std::string_view text);

// Parses a whole number from `minimum` to `maximum` (decimal digits only).
Result<std::uint64_t> parseCount(std::string_view text, std::uint64_t minimum,
                                 std::uint64_t maximum);

// Parses "quick" or "full".
Result<ScanProfile> parseScanProfile(std::string_view text);

// Parses "report" or "quarantine".
Result<ScanAction> parseScanAction(std::string_view text);

// Reads a secret such as an API key from a file of at most 4 KiB, without the
// surrounding whitespace. Fails when the file cannot be read or holds no key;
// the message names the file, never the contents.
Result<std::string> readSecretFile(const std::filesystem::path& path);

}  // namespace odscan::scanner
