#include "odscan/launcher/launcher_config.h"

#include <nlohmann/json.hpp>
#include <set>

#include "odscan/pattern/signing_key.h"

namespace odscan::launcher {
namespace {

using Json = nlohmann::json;

// Returns `text` as a JSON string for a message: control characters escaped, so a
// damaged config cannot write terminal escapes, and cut at 100 characters.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 100;
  std::string dumped = Json(std::string(text)).dump(-1, ' ', true, Json::error_handler_t::replace);
  if (dumped.size() > kMaxShown) dumped = dumped.substr(0, kMaxShown) + "...";
  return dumped;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

Status invalidUrl(std::string_view url, std::string_view reason) {
  return Status(StatusCode::kInvalidArgument,
                "console URL " + shown(url) + " " + std::string(reason) +
                    "; give the console's address as http://HOST:PORT/ or https://HOST:PORT/");
}

// Parses the JSON text and rejects a member repeated in the top-level object, which
// nlohmann/json would otherwise resolve silently by keeping the last value.
Result<Json> parseObject(std::span<const std::uint8_t> bytes, std::string_view source) {
  int depth = 0;
  std::set<std::string> members;
  std::string repeated;
  const Json::parser_callback_t callback = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) ++depth;
    if (event == Json::parse_event_t::object_end) --depth;
    if (event == Json::parse_event_t::key && depth == 1) {
      const auto& name = parsed.get_ref<const std::string&>();
      if (!members.insert(name).second && repeated.empty()) repeated = name;
    }
    return true;
  };

  Json json;
  try {
    json = Json::parse(bytes.begin(), bytes.end(), callback);
  } catch (const Json::exception& error) {
    return Status(
        StatusCode::kCorrupt,
        std::string(source) + ": the launcher config is not valid JSON (" + error.what() + ")");
  }
  if (!json.is_object()) {
    return Status(StatusCode::kCorrupt,
                  std::string(source) + ": the launcher config is not a JSON object");
  }
  if (!repeated.empty()) {
    return Status(StatusCode::kCorrupt, std::string(source) + ": the launcher config has member " +
                                            shown(repeated) + " twice");
  }
  return json;
}

Result<std::string> stringMember(const Json& json, const char* name, std::string_view source) {
  const auto found = json.find(name);
  if (found == json.end() || !found->is_string()) {
    return Status(
        StatusCode::kCorrupt,
        std::string(source) + ": the launcher config has no string member \"" + name + "\"");
  }
  return found->get<std::string>();
}

Status checkFormat(const Json& json, std::string_view source) {
  Result<std::string> format = stringMember(json, "format", source);
  if (!format.ok()) return format.status();
  if (*format != kLauncherConfigFormat) {
    return Status(StatusCode::kCorrupt, std::string(source) + ": \"format\" is " + shown(*format) +
                                            ", expected \"" + std::string(kLauncherConfigFormat) +
                                            "\"");
  }

  const auto version = json.find("format_version");
  if (version == json.end() || !version->is_number_integer()) {
    return Status(StatusCode::kCorrupt, std::string(source) +
                                            ": the launcher config has no integer member "
                                            "\"format_version\"");
  }
  if (version->get<std::int64_t>() != kLauncherConfigFormatVersion) {
    return Status(StatusCode::kUnsupportedVersion,
                  std::string(source) + ": launcher config format_version " +
                      std::to_string(version->get<std::int64_t>()) + " is not supported (this " +
                      "launcher reads version " + std::to_string(kLauncherConfigFormatVersion) +
                      "); download the launcher again from the console");
  }
  return Status::success();
}

}  // namespace

Result<std::string> normalizeConsoleUrl(std::string_view url) {
  if (url.size() > kMaxConsoleUrlLength) {
    return invalidUrl(url, "is longer than " + std::to_string(kMaxConsoleUrlLength) + " bytes");
  }
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f)
      return invalidUrl(url, "contains a space or control character");
  }
  const std::string lower = lowerCase(url);
  std::size_t schemeLength = 0;
  if (startsWith(lower, "http://")) {
    schemeLength = 7;
  } else if (startsWith(lower, "https://")) {
    schemeLength = 8;
  } else {
    return invalidUrl(url, "is not an http:// or https:// URL");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return invalidUrl(url, "has a query or fragment");
  }

  const std::string_view rest = url.substr(schemeLength);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return invalidUrl(url, "has no host");
  if (authority.find('@') != std::string_view::npos) return invalidUrl(url, "contains credentials");

  std::string normalized(url);
  if (normalized.back() != '/') normalized.push_back('/');
  return normalized;
}

Result<LauncherConfig> parseLauncherConfig(std::span<const std::uint8_t> bytes,
                                           std::string_view source, PublicKeyMember keyMember) {
  if (bytes.size() > kMaxLauncherConfigSize) {
    return Status(StatusCode::kLimitExceeded,
                  std::string(source) + ": the launcher config is larger than " +
                      std::to_string(kMaxLauncherConfigSize) + " bytes");
  }
  Result<Json> json = parseObject(bytes, source);
  if (!json.ok()) return json.status();
  if (Status format = checkFormat(*json, source); !format.ok()) return format;

  LauncherConfig config;
  Result<std::string> url = stringMember(*json, "console_url", source);
  if (!url.ok()) return url.status();
  Result<std::string> normalized = normalizeConsoleUrl(*url);
  if (!normalized.ok()) return normalized.status().withContext(source);
  config.consoleUrl = std::move(*normalized);

  if (keyMember == PublicKeyMember::kRequired || json->contains("public_key")) {
    Result<std::string> pem = stringMember(*json, "public_key", source);
    if (!pem.ok()) return pem.status();
    Result<PublicKey> key = PublicKey::fromPem(*pem, std::string(source) + " (public_key)");
    if (!key.ok()) return key.status();
    config.publicKeyPem = std::move(*pem);
  }

  if (json->contains("issued_at")) {
    Result<std::string> issued = stringMember(*json, "issued_at", source);
    if (!issued.ok()) return issued.status();
    config.issuedAt = std::move(*issued);
  }
  return config;
}

std::string serializeLauncherConfig(const LauncherConfig& config) {
  // nlohmann::ordered_json keeps the members in insertion order.
  nlohmann::ordered_json json;
  json["format"] = kLauncherConfigFormat;
  json["format_version"] = kLauncherConfigFormatVersion;
  json["console_url"] = config.consoleUrl;
  json["public_key"] = config.publicKeyPem;
  json["issued_at"] = config.issuedAt;
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace odscan::launcher
