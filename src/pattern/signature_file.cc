#include "odscan/pattern/signature_file.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "file_io.h"
#include "odscan/pattern/signature_table.h"

namespace odscan {
namespace {

// Maximum length of the excerpt of a bad line quoted in an error message.
constexpr std::size_t kMaxQuotedLine = 100;
constexpr std::size_t kUnnamedDigestPrefix = 12;
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (isBlank(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (isBlank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

bool isSkipped(std::string_view trimmed) { return trimmed.empty() || trimmed.front() == '#'; }

// Returns the line as it can be shown in a message: control characters escaped,
// long lines cut.
std::string printable(std::string_view line) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < line.size() && i < kMaxQuotedLine; ++i) {
    const auto byte = static_cast<unsigned char>(line[i]);
    if (byte < 0x20 || byte == 0x7f) {
      text += "\\x";
      text.push_back(kDigits[byte >> 4]);
      text.push_back(kDigits[byte & 0xf]);
    } else {
      text.push_back(line[i]);
    }
  }
  if (line.size() > kMaxQuotedLine) text += "...";
  return text;
}

bool isDecimal(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The field parsers return only the reason. The caller adds file, line number and
// the line itself, so the reasons need not repeat the field.
Result<Digest> parseDigest(std::string_view text) {
  if (text.size() != 32 && text.size() != 40 && text.size() != 64) {
    return Status(StatusCode::kInvalidArgument,
                  "digest has " + std::to_string(text.size()) +
                      " characters; expected 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hex digits");
  }
  auto digest = Digest::fromHex(text);
  if (!digest.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  "digest contains a character that is not a hex digit");
  }
  return digest;
}

Result<std::uint64_t> parseSize(std::string_view text) {
  if (text == "*") return kAnySize;
  std::uint64_t size = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), size);
  if (!isDecimal(text) || error != std::errc() || end != text.data() + text.size() ||
      size == kAnySize) {
    return Status(StatusCode::kInvalidArgument,
                  "file size '" + printable(text) + "' is not a decimal byte count or '*'");
  }
  return size;
}

Status checkName(std::string_view name) {
  const std::string_view problem = threatNameProblem(name);
  if (problem.empty()) return Status::success();
  return Status(StatusCode::kInvalidArgument, "threat name " + std::string(problem));
}

Result<Signature> parseClamAvLine(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = line.find(':', start);
    fields.push_back(line.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (fields.size() < 3) {
    return Status(StatusCode::kInvalidArgument,
                  fields.size() == 1 ? "missing file size and threat name; expected "
                                       "digest:size:name"
                                     : "missing threat name; expected digest:size:name");
  }
  if (fields.size() > 4) {
    return Status(StatusCode::kInvalidArgument,
                  "too many fields (" + std::to_string(fields.size()) +
                      "); expected digest:size:name or digest:size:name:flevel");
  }

  Signature signature;
  auto digest = parseDigest(fields[0]);
  if (!digest.ok()) return digest.status();
  signature.digest = *digest;
  auto size = parseSize(fields[1]);
  if (!size.ok()) return size.status();
  signature.size = *size;
  Status nameStatus = checkName(fields[2]);
  if (!nameStatus.ok()) return nameStatus;
  signature.threatName = std::string(fields[2]);
  if (fields.size() == 4 && !isDecimal(fields[3])) {
    return Status(StatusCode::kInvalidArgument,
                  "functionality level '" + printable(fields[3]) + "' is not a number");
  }
  return signature;
}

Result<Signature> parseDigestListLine(std::string_view line) {
  const auto end = std::find_if(line.begin(), line.end(), isBlank);
  const std::string_view hex = line.substr(0, static_cast<std::size_t>(end - line.begin()));
  const std::string_view name = trim(line.substr(hex.size()));

  Signature signature;
  auto digest = parseDigest(hex);
  if (!digest.ok()) return digest.status();
  signature.digest = *digest;
  if (name.empty()) {
    signature.threatName = "Unnamed." + digest->toHex().substr(0, kUnnamedDigestPrefix);
    return signature;
  }
  Status nameStatus = checkName(name);
  if (!nameStatus.ok()) return nameStatus;
  signature.threatName = std::string(name);
  return signature;
}

}  // namespace

SignatureFileFormat detectSignatureFileFormat(const std::filesystem::path& path,
                                              std::string_view text) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".hdb" || extension == ".hsb") return SignatureFileFormat::kClamAvHash;

  if (text.starts_with(kUtf8ByteOrderMark)) text.remove_prefix(kUtf8ByteOrderMark.size());
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = trim(text.substr(0, end));
    if (!isSkipped(line)) {
      return line.find(':') != std::string_view::npos ? SignatureFileFormat::kClamAvHash
                                                      : SignatureFileFormat::kDigestList;
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return SignatureFileFormat::kDigestList;
}

Result<std::vector<SignatureEntry>> parseSignatureText(std::string_view text,
                                                       SignatureFileFormat format,
                                                       std::string_view name) {
  if (text.starts_with(kUtf8ByteOrderMark)) text.remove_prefix(kUtf8ByteOrderMark.size());

  std::vector<SignatureEntry> entries;
  std::size_t lineNumber = 0;
  while (!text.empty()) {
    ++lineNumber;
    const std::size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

    const std::string_view line = trim(raw);
    auto fail = [&](const std::string& reason) {
      return Status(StatusCode::kInvalidArgument, std::string(name) + ":" +
                                                      std::to_string(lineNumber) + ": " +
                                                      printable(line) + ": " + reason);
    };
    if (raw.size() > kMaxSignatureLineLength) {
      return fail("line is longer than " + std::to_string(kMaxSignatureLineLength) + " bytes");
    }
    if (isSkipped(line)) continue;

    auto signature = format == SignatureFileFormat::kClamAvHash ? parseClamAvLine(line)
                                                                : parseDigestListLine(line);
    if (!signature.ok()) return fail(signature.status().message());
    entries.push_back({std::move(signature).value(), lineNumber});
  }
  return entries;
}

Result<std::vector<SignatureEntry>> readSignatureFile(const std::filesystem::path& path) {
  auto bytes = pattern_detail::readWholeFile(path, kMaxSignatureFileSize);
  if (!bytes.ok()) return bytes.status().withContext("cannot read signature file");
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return parseSignatureText(text, detectSignatureFileFormat(path, text), path.string());
}

}  // namespace odscan
