#include "odscan/activeupdate/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "odscan/common/digest.h"

namespace odscan::activeupdate {
namespace {

using Json = nlohmann::json;

Status invalid(const std::string& detail) {
  return Status(StatusCode::kCorrupt, std::string(kManifestFileName) + ": " + detail);
}

bool isLowerAlphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool isAlphanumeric(char c) { return isLowerAlphanumeric(c) || (c >= 'A' && c <= 'Z'); }

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Returns `value` as JSON text for a message: control characters escaped, so a
// hostile manifest cannot write terminal escapes into logs, and cut at 80
// characters.
std::string shown(const Json& value) {
  constexpr std::size_t kMaxShown = 80;
  std::string text = value.dump(-1, ' ', true, Json::error_handler_t::replace);
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown) + "...";
  return text;
}

// Parses the JSON text and reports a member name repeated within one object,
// which nlohmann/json would otherwise resolve silently by keeping the last value.
Result<Json> parseJson(std::span<const std::uint8_t> bytes) {
  std::vector<std::set<std::string>> openObjects;
  std::string repeatedMember;
  const Json::parser_callback_t callback = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      openObjects.emplace_back();
    } else if (event == Json::parse_event_t::object_end && !openObjects.empty()) {
      openObjects.pop_back();
    } else if (event == Json::parse_event_t::key && !openObjects.empty()) {
      const auto& name = parsed.get_ref<const std::string&>();
      if (!openObjects.back().insert(name).second && repeatedMember.empty()) {
        repeatedMember = name;
      }
    }
    return true;
  };

  Json json;
  try {
    json = Json::parse(bytes.begin(), bytes.end(), callback);
  } catch (const Json::exception& error) {
    return invalid(std::string("not valid JSON: ") + error.what());
  }
  if (!repeatedMember.empty()) {
    return invalid("member " + shown(repeatedMember) + " appears twice in one object");
  }
  return json;
}

// Checks the "YYYY-MM-DDTHH:MM:SSZ" form and the range of each field.
bool isUtcTimestamp(std::string_view text) {
  constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != kPattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (kPattern[i] == 'd' ? !isDigit(text[i]) : text[i] != kPattern[i]) return false;
  }
  const auto number = [&text](std::size_t offset) {
    return (text[offset] - '0') * 10 + (text[offset + 1] - '0');
  };
  const int month = number(5);
  const int day = number(8);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && number(11) <= 23 &&
         number(14) <= 59 && number(17) <= 60;
}

// Returns how messages name the member `name` of the object at `where`, which is
// empty for the top level.
std::string memberPath(const std::string& where, std::string_view name) {
  return where.empty() ? "member '" + std::string(name) + "'" : where + "." + std::string(name);
}

// Returns the member `name` of `object`, or an error when it is missing.
Result<const Json*> member(const Json& object, std::string_view name, const std::string& where) {
  const auto found = object.find(name);
  if (found == object.end()) {
    return invalid((where.empty() ? std::string("the manifest") : where) + " has no member '" +
                   std::string(name) + "'");
  }
  return &*found;
}

Result<std::string> stringMember(const Json& object, std::string_view name,
                                 const std::string& where) {
  auto value = member(object, name, where);
  if (!value.ok()) return value.status();
  if (!(*value)->is_string()) {
    return invalid(memberPath(where, name) + " is not a string");
  }
  return (*value)->get<std::string>();
}

Result<std::uint64_t> unsignedMember(const Json& object, std::string_view name,
                                     const std::string& where) {
  auto value = member(object, name, where);
  if (!value.ok()) return value.status();
  // nlohmann/json stores a negative number as a signed integer and one beyond
  // 2^64 - 1 as a floating-point number, so both fail this check.
  if (!(*value)->is_number_unsigned()) {
    return invalid(memberPath(where, name) + " is " + shown(**value) +
                   ", not an integer from 0 to 18446744073709551615");
  }
  return (*value)->get<std::uint64_t>();
}

Result<std::array<std::uint8_t, 32>> sha256Member(const Json& object, const std::string& where) {
  auto text = stringMember(object, "sha256", where);
  if (!text.ok()) return text.status();
  auto digest = Digest::fromHex(*text);
  // Only the lower-case form that publish writes is accepted, so one manifest has
  // exactly one valid spelling.
  if (!digest.ok() || digest->kind != DigestKind::kSha256 || digest->toHex() != *text) {
    return invalid(where + ".sha256 " + shown(*text) + " is not 64 lower-case hex digits");
  }
  std::array<std::uint8_t, 32> bytes{};
  std::copy_n(digest->bytes.begin(), bytes.size(), bytes.begin());
  return bytes;
}

Result<ManifestEntry> parseEntry(const Json& json, std::size_t index) {
  const std::string where = "components[" + std::to_string(index) + "]";
  if (!json.is_object()) return invalid(where + " is not an object");

  ManifestEntry entry;
  auto name = stringMember(json, "name", where);
  if (!name.ok()) return name.status();
  if (!isValidComponentName(*name)) {
    return invalid(where + ".name " + shown(*name) +
                   " is not a component name (1 to 64 characters of a-z, 0-9 and '-', "
                   "starting with a letter or digit)");
  }
  entry.name = std::move(name).value();

  auto file = stringMember(json, "file", where);
  if (!file.ok()) return file.status();
  if (!isValidComponentFileName(*file)) {
    return invalid(where + ".file " + shown(*file) +
                   " is not a plain file name (1 to 128 characters of letters, digits, '.', "
                   "'_' and '-', starting with a letter or digit)");
  }
  entry.file = std::move(file).value();

  auto version = unsignedMember(json, "version", where);
  if (!version.ok()) return version.status();
  entry.version = *version;
  auto size = unsignedMember(json, "size", where);
  if (!size.ok()) return size.status();
  entry.size = *size;
  auto sha256 = sha256Member(json, where);
  if (!sha256.ok()) return sha256.status();
  entry.sha256 = *sha256;
  return entry;
}

Result<std::vector<ManifestEntry>> parseComponents(const Json& json) {
  if (!json.is_array()) return invalid("member 'components' is not an array");

  std::vector<ManifestEntry> components;
  std::set<std::string> names;
  std::set<std::string> files;
  for (std::size_t i = 0; i < json.size(); ++i) {
    auto entry = parseEntry(json[i], i);
    if (!entry.ok()) return entry.status();
    if (!names.insert(entry->name).second) {
      return invalid("component '" + entry->name + "' is listed twice");
    }
    if (!files.insert(entry->file).second) {
      return invalid("file '" + entry->file + "' is listed for two components");
    }
    components.push_back(std::move(entry).value());
  }
  return components;
}

Status checkFormat(const Json& json) {
  auto format = member(json, "format", "");
  if (!format.ok()) return format.status();
  if (!(*format)->is_number_integer()) {
    return invalid("member 'format' is " + shown(**format) + ", not an integer");
  }
  if ((*format)->get<std::int64_t>() != kManifestFormat) {
    return Status(StatusCode::kUnsupportedVersion,
                  std::string(kManifestFileName) + " has format " + shown(**format) +
                      ", but this build reads only format " + std::to_string(kManifestFormat) +
                      "; update odscan to read this source");
  }
  return Status::success();
}

}  // namespace

const ManifestEntry* Manifest::find(std::string_view name) const {
  const auto found =
      std::find_if(components.begin(), components.end(),
                   [name](const ManifestEntry& entry) { return entry.name == name; });
  return found == components.end() ? nullptr : &*found;
}

bool isValidComponentName(std::string_view name) {
  if (name.empty() || name.size() > kMaxComponentNameLength) return false;
  if (!isLowerAlphanumeric(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return isLowerAlphanumeric(c) || c == '-'; });
}

bool isValidComponentFileName(std::string_view name) {
  if (name.empty() || name.size() > kMaxComponentFileNameLength) return false;
  if (!isAlphanumeric(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return isAlphanumeric(c) || c == '.' || c == '_' || c == '-'; });
}

Result<Manifest> parseManifest(std::span<const std::uint8_t> bytes) {
  auto json = parseJson(bytes);
  if (!json.ok()) return json.status();
  if (!json->is_object()) return invalid("the top level is not a JSON object");

  // The format is checked first, so that a newer manifest is reported as newer
  // even when its other members changed shape.
  const Status format = checkFormat(*json);
  if (!format.ok()) return format;

  Manifest manifest;
  auto created = stringMember(*json, "created", "");
  if (!created.ok()) return created.status();
  if (!isUtcTimestamp(*created)) {
    return invalid("member 'created' is " + shown(*created) +
                   ", not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ");
  }
  manifest.created = std::move(created).value();

  auto components = member(*json, "components", "");
  if (!components.ok()) return components.status();
  auto entries = parseComponents(**components);
  if (!entries.ok()) return entries.status();
  manifest.components = std::move(entries).value();
  return manifest;
}

Result<Manifest> verifyManifest(std::span<const std::uint8_t> bytes,
                                std::span<const std::uint8_t> signatureFile, const PublicKey& key,
                                std::string_view keyName) {
  const std::string signatureName(kManifestSignatureFileName);
  if (signatureFile.empty()) {
    return Status(StatusCode::kBadSignature, signatureName + " is empty");
  }
  if (signatureFile.size() % kEd25519SignatureLength != 0 ||
      signatureFile.size() > kMaxManifestSignatures * kEd25519SignatureLength) {
    return Status(StatusCode::kBadSignature,
                  signatureName + " has " + std::to_string(signatureFile.size()) +
                      " bytes, but it must hold one or two 64-byte Ed25519 signatures");
  }

  for (std::size_t offset = 0; offset < signatureFile.size(); offset += kEd25519SignatureLength) {
    if (key.verify(bytes, signatureFile.subspan(offset, kEd25519SignatureLength))) {
      return parseManifest(bytes);
    }
  }
  const std::string keyLabel = keyName.empty()
                                   ? "the public key with fingerprint " + key.fingerprint()
                                   : std::string(keyName);
  return Status(StatusCode::kBadSignature, "manifest signature does not verify with " + keyLabel);
}

std::string serializeManifest(const Manifest& manifest) {
  nlohmann::ordered_json components = nlohmann::ordered_json::array();
  for (const ManifestEntry& entry : manifest.components) {
    Digest digest;
    digest.kind = DigestKind::kSha256;
    std::copy(entry.sha256.begin(), entry.sha256.end(), digest.bytes.begin());
    components.push_back({{"name", entry.name},
                          {"version", entry.version},
                          {"file", entry.file},
                          {"size", entry.size},
                          {"sha256", digest.toHex()}});
  }
  const nlohmann::ordered_json json = {
      {"format", manifest.format}, {"created", manifest.created}, {"components", components}};
  return json.dump(2) + "\n";
}

}  // namespace odscan::activeupdate
