// Text forms of sizes, rates and times shared by the console output, logs and
// reports of the scanner program.
//
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace odscan::scanner {

// Returns `bytes` in binary units with one decimal, for example "512 B" or "1.5 MiB".
std::string formatBytes(std::uint64_t bytes);

// Returns bytes per second over `elapsed` in binary units, for example "12.3 MiB/s";
// "-" when no time has passed.
std::string formatRate(std::uint64_t bytes, std::chrono::milliseconds elapsed);

// Returns seconds with two decimals, for example "3.25 s".
std::string formatSeconds(std::chrono::milliseconds elapsed);

// Returns ISO 8601 UTC with milliseconds, for example "2026-12-04T21:15:00.123Z".
std::string formatUtcTimestamp(std::chrono::system_clock::time_point time);

// Returns the compact UTC form used in session folder names, for example
// "20261204T211500Z".
std::string formatUtcCompact(std::chrono::system_clock::time_point time);

// Returns `count` followed by the singular or plural noun, for example
// "1 exact signature" or "2 exact signatures".
std::string formatCount(std::uint64_t count, std::string_view singular, std::string_view plural);

// Returns `text` cut to at most `maxLength` characters by replacing its middle with
// "...", so both the start and the file name of a long path stay visible.
std::string elideMiddle(const std::string& text, std::size_t maxLength);

}  // namespace odscan::scanner
