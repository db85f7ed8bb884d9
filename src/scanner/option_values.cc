#include "odscan/scanner/option_values.h"

#include <array>
#include <cctype>
#include <fstream>
#include <limits>
#include <optional>
#include <string>

namespace odscan::scanner {
namespace {

constexpr std::uint64_t kMaxValue = std::numeric_limits<std::uint64_t>::max();
// 10^9 keeps the fraction arithmetic in parseByteSize() inside 64 bits.
constexpr std::size_t kMaxFractionDigits = 9;

constexpr std::string_view kSizeForms =
    "expected a whole number of bytes or a number with a binary unit, such as 1048576, "
    "64MiB or 1.5GiB (units: B, KiB, MiB, GiB, TiB, PiB, EiB)";

struct Unit {
  std::string_view name;
  std::uint64_t bytes;
};

// Every accepted spelling, compared in lower case.
constexpr std::array<Unit, 22> kUnits = {{
    {"b", 1},
    {"k", 1ull << 10},
    {"kb", 1ull << 10},
    {"kib", 1ull << 10},
    {"m", 1ull << 20},
    {"mb", 1ull << 20},
    {"mib", 1ull << 20},
    {"g", 1ull << 30},
    {"gb", 1ull << 30},
    {"gib", 1ull << 30},
    {"t", 1ull << 40},
    {"tb", 1ull << 40},
    {"tib", 1ull << 40},
    {"p", 1ull << 50},
    {"pb", 1ull << 50},
    {"pib", 1ull << 50},
    {"e", 1ull << 60},
    {"eb", 1ull << 60},
    {"eib", 1ull << 60},
    {"byte", 1},
    {"bytes", 1},
    {"", 1},
}};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

Status invalid(std::string_view text, std::string_view expected) {
  return Status(StatusCode::kInvalidArgument,
                "invalid value '" + std::string(text) + "': " + std::string(expected));
}

// Returns the leading decimal digits of `text` and removes them from it.
std::string_view takeDigits(std::string_view& text) {
  std::size_t count = 0;
  while (count < text.size() && isDigit(text[count])) ++count;
  const std::string_view digits = text.substr(0, count);
  text.remove_prefix(count);
  return digits;
}

// Returns `digits` as a number, or nothing when it does not fit in 64 bits.
std::optional<std::uint64_t> toNumber(std::string_view digits) {
  std::uint64_t value = 0;
  for (const char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (kMaxValue - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::uint64_t> unitBytes(std::string_view name) {
  const std::string lower = lowerCase(name);
  for (const Unit& unit : kUnits) {
    if (unit.name == lower) return unit.bytes;
  }
  return std::nullopt;
}

std::string_view trimSpaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

Result<std::uint64_t> parseByteSize(std::string_view text) {
  std::string_view rest = trimSpaces(text);
  if (!rest.empty() && rest.front() == '-') {
    return invalid(text, "a size cannot be negative; " + std::string(kSizeForms));
  }
  const std::string_view whole = takeDigits(rest);
  std::string_view fraction;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    fraction = takeDigits(rest);
    if (fraction.empty()) return invalid(text, kSizeForms);
  }
  if (whole.empty() && fraction.empty()) return invalid(text, kSizeForms);
  if (fraction.size() > kMaxFractionDigits) {
    return invalid(text, "use at most 9 digits after the decimal point");
  }

  const std::string_view unitName = trimSpaces(rest);
  const std::optional<std::uint64_t> unit = unitBytes(unitName);
  if (!unit) {
    return invalid(text,
                   "unknown unit '" + std::string(unitName) + "'; " + std::string(kSizeForms));
  }
  if (!fraction.empty() && *unit == 1) {
    return invalid(text, "a fraction needs a unit, as in 1.5MiB; " + std::string(kSizeForms));
  }

  const std::optional<std::uint64_t> wholeValue = toNumber(whole);
  if (!wholeValue || (*wholeValue != 0 && *wholeValue > kMaxValue / *unit)) {
    return invalid(text, "the size is larger than 2^64 - 1 bytes");
  }
  std::uint64_t bytes = *wholeValue * *unit;

  // fraction / 10^n of a unit, rounded down: unit = q * 10^n + r, so the exact
  // value is q * fraction + r * fraction / 10^n, and both products fit in 64 bits.
  if (!fraction.empty()) {
    std::uint64_t scale = 1;
    for (std::size_t i = 0; i < fraction.size(); ++i) scale *= 10;
    const std::uint64_t numerator = *toNumber(fraction);
    const std::uint64_t part = (*unit / scale) * numerator + (*unit % scale) * numerator / scale;
    if (bytes > kMaxValue - part) return invalid(text, "the size is larger than 2^64 - 1 bytes");
    bytes += part;
  }
  return bytes;
}

Result<std::uint64_t> parseCount(std::string_view text, std::uint64_t minimum,
                                 std::uint64_t maximum) {
  const std::string expected =
      "expected a whole number from " + std::to_string(minimum) + " to " + std::to_string(maximum);
  std::string_view rest = text;
  const std::string_view digits = takeDigits(rest);
  if (digits.empty() || !rest.empty()) return invalid(text, expected);
  const std::optional<std::uint64_t> value = toNumber(digits);
  if (!value || *value < minimum || *value > maximum) return invalid(text, expected);
  return *value;
}

Result<ScanProfile> parseScanProfile(std::string_view text) {
  if (text == "quick") return ScanProfile::kQuick;
  if (text == "full") return ScanProfile::kFull;
  return invalid(text, "expected quick (executables, scripts and archives) or full (every file)");
}

Result<ScanAction> parseScanAction(std::string_view text) {
  if (text == "report") return ScanAction::kReport;
  if (text == "quarantine") return ScanAction::kQuarantine;
  return invalid(text, "expected report (leave infected files in place) or quarantine");
}

Result<std::string> readSecretFile(const std::filesystem::path& path) {
  constexpr std::size_t kMaxSecretBytes = 4096;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Status(StatusCode::kNotFound, "cannot read the key file '" + path.string() +
                                             "'; check the path and its permissions");
  }
  std::string text(kMaxSecretBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(file.gcount()));
  if (text.size() > kMaxSecretBytes) {
    return Status(
        StatusCode::kInvalidArgument,
        "the key file '" + path.string() + "' is larger than 4 KiB; it should hold one key");
  }
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && isSpace(text.back())) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && isSpace(text[start])) ++start;
  text.erase(0, start);
  if (text.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "the key file '" + path.string() + "' is empty; write the API key into it");
  }
  return text;
}

}  // namespace odscan::scanner
