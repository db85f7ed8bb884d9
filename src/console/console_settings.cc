#include "odscan/console/console_settings.h"

#include <chrono>

namespace odscan::console {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxListEntries = 256;
constexpr std::size_t kMaxPathLength = 1024;
constexpr std::size_t kMaxUrlLength = 2048;

Status invalidField(std::string_view field, std::string_view problem) {
  return Status(StatusCode::kInvalidArgument,
                "the field \"" + std::string(field) + "\" " + std::string(problem));
}

Result<std::string> choice(const Json& sent, std::string_view field,
                           std::initializer_list<std::string_view> allowed, std::string fallback) {
  const auto found = sent.find(field);
  if (found == sent.end()) return fallback;
  std::string names;
  for (std::string_view name : allowed) {
    if (found->is_string() && found->get<std::string>() == name) return std::string(name);
    names += names.empty() ? "" : " or ";
    names += name;
  }
  return invalidField(field, "must be " + names);
}

Result<Json> textList(const Json& sent, std::string_view field, std::size_t maxLength,
                      bool extensions) {
  const auto found = sent.find(field);
  if (found == sent.end()) return Json::array();
  if (!found->is_array() || found->size() > kMaxListEntries) {
    return invalidField(field, "must be a list of at most 256 entries");
  }
  Json list = Json::array();
  for (const Json& entry : *found) {
    if (!entry.is_string() || entry.get<std::string>().empty() ||
        entry.get<std::string>().size() > maxLength) {
      return invalidField(field,
                          "must hold entries of 1 to " + std::to_string(maxLength) + " characters");
    }
    const std::string text = entry.get<std::string>();
    for (unsigned char c : text) {
      const bool control = c < 0x20 || c == 0x7f;
      const bool extensionChar =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (control || (extensions && !extensionChar)) {
        return invalidField(field, extensions ? "holds '" + text +
                                                    "'; give extensions as letters and "
                                                    "digits without the dot, such as iso"
                                              : "must not hold control characters");
      }
    }
    list.push_back(text);
  }
  return list;
}

Result<std::uint64_t> count(const Json& sent, std::string_view field, std::uint64_t fallback,
                            std::uint64_t maximum) {
  const auto found = sent.find(field);
  if (found == sent.end()) return fallback;
  const bool whole = found->is_number_unsigned() ||
                     (found->is_number_integer() && found->get<std::int64_t>() >= 0);
  if (!whole || found->get<std::uint64_t>() > maximum) {
    return invalidField(field, "must be a whole number from 0 to " + std::to_string(maximum));
  }
  return found->get<std::uint64_t>();
}

Result<std::string> url(const Json& sent, std::string_view field) {
  const auto found = sent.find(field);
  if (found == sent.end() || (found->is_string() && found->get<std::string>().empty())) {
    return std::string();
  }
  if (!found->is_string() || found->get<std::string>().size() > kMaxUrlLength) {
    return invalidField(field, "must be a URL such as http://192.0.2.10:8470");
  }
  const std::string text = found->get<std::string>();
  const bool http = text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
  bool clean = true;
  for (unsigned char c : text) clean = clean && c > 0x20 && c < 0x7f;
  if (!http || !clean || text.size() < 10) {
    return invalidField(field, "is '" + text.substr(0, 100) +
                                   "'; give an http:// or https:// URL such as "
                                   "http://192.0.2.10:8470");
  }
  return text;
}

Result<Json> checkOnDemand(const Json& sent) {
  const Json defaults = defaultSettings(kOnDemandSettings);
  Json result = Json::object();
  auto profile = choice(sent, "profile", {"quick", "full"}, defaults["profile"]);
  if (!profile.ok()) return profile.status();
  auto action = choice(sent, "action", {"report", "quarantine"}, defaults["action"]);
  if (!action.ok()) return action.status();
  auto targets = textList(sent, "targets", kMaxPathLength, false);
  if (!targets.ok()) return targets.status();
  if (targets->empty()) *targets = defaults["targets"];
  auto exclusions = textList(sent, "exclusions", kMaxPathLength, false);
  if (!exclusions.ok()) return exclusions.status();
  auto extensions = textList(sent, "excluded_extensions", 16, true);
  if (!extensions.ok()) return extensions.status();
  auto maxFileSize = count(sent, "max_file_size", 0, 1ull << 40);
  if (!maxFileSize.ok()) return maxFileSize.status();

  const Json sentLimits = sent.contains("archive_limits") && sent["archive_limits"].is_object()
                              ? sent["archive_limits"]
                              : Json::object();
  if (sent.contains("archive_limits") && !sent["archive_limits"].is_object()) {
    return invalidField("archive_limits", "must be an object");
  }
  const Json& defaultLimits = defaults["archive_limits"];
  Json limits = Json::object();
  for (const auto& [name, maximum] :
       std::initializer_list<std::pair<std::string_view, std::uint64_t>>{
           {"max_depth", 64},
           {"max_member_size", 1ull << 40},
           {"max_extracted", 1ull << 40},
           {"max_members", 100'000'000}}) {
    auto value = count(sentLimits, name, defaultLimits[std::string(name)], maximum);
    if (!value.ok()) return value.status().withContext("archive_limits");
    limits[std::string(name)] = *value;
  }
  result["profile"] = *profile;
  result["targets"] = *targets;
  result["exclusions"] = *exclusions;
  result["excluded_extensions"] = *extensions;
  result["action"] = *action;
  result["max_file_size"] = *maxFileSize;
  result["archive_limits"] = limits;
  return result;
}

Result<Json> checkSmartScan(const Json& sent) {
  auto server = url(sent, "smart_scan_server_url");
  if (!server.ok()) return server.status();
  auto global = url(sent, "global_server_url");
  if (!global.ok()) return global.status();
  bool allowGlobal = true;
  if (const auto found = sent.find("allow_global_server"); found != sent.end()) {
    if (!found->is_boolean()) return invalidField("allow_global_server", "must be true or false");
    allowGlobal = found->get<bool>();
  }
  return Json{{"smart_scan_server_url", *server},
              {"allow_global_server", allowGlobal},
              {"global_server_url", *global}};
}

}  // namespace

Json defaultSettings(std::string_view name) {
  if (name == kSmartScanSettings) {
    return Json{
        {"smart_scan_server_url", ""}, {"allow_global_server", true}, {"global_server_url", ""}};
  }
  // The scanner's own defaults (docs/scanner.md, section Limits).
  return Json{{"profile", "full"},
              {"targets", Json::array({"{user_profile}"})},
              {"exclusions", Json::array()},
              {"excluded_extensions", Json::array()},
              {"action", "report"},
              {"max_file_size", 0},
              {"archive_limits",
               {{"max_depth", 8},
                {"max_member_size", 256ull << 20},
                {"max_extracted", 1ull << 30},
                {"max_members", 100'000}}}};
}

Result<Json> checkSettings(std::string_view name, const Json& sent) {
  if (!sent.is_object()) {
    return Status(StatusCode::kInvalidArgument, "the settings must be a JSON object");
  }
  if (name == kOnDemandSettings) return checkOnDemand(sent);
  if (name == kSmartScanSettings) return checkSmartScan(sent);
  return Status(StatusCode::kNotFound, "there are no settings named '" + std::string(name) + "'");
}

Result<Json> ConsoleSettings::get(std::string_view name) {
  auto guard = database_.lock();
  auto query = database_.prepare("SELECT value FROM settings WHERE name = ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, name).step();
  if (!row.ok()) return row.status();
  if (!*row) return defaultSettings(name);
  Json stored = Json::parse(query->text(0), nullptr, false);
  if (stored.is_discarded()) {
    return Status(StatusCode::kCorrupt, "the stored settings '" + std::string(name) +
                                            "' are damaged; save them again on their screen");
  }
  return stored;
}

Result<Json> ConsoleSettings::put(std::string_view name, const Json& sent,
                                  std::string_view administrator) {
  auto checked = checkSettings(name, sent);
  if (!checked.ok()) return checked.status();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto guard = database_.lock();
  auto upsert = database_.prepare(
      "INSERT INTO settings (name, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(name) DO UPDATE SET value = ?2, updated_at = ?3, updated_by = ?4");
  if (!upsert.ok()) return upsert.status();
  if (Status status = upsert->bind(1, name)
                          .bind(2, std::string_view(checked->dump()))
                          .bind(3, std::int64_t{now})
                          .bind(4, administrator)
                          .run();
      !status.ok()) {
    return status;
  }
  return checked;
}

Result<Json> ConsoleSettings::component(std::string_view consoleUrl) {
  auto onDemand = get(kOnDemandSettings);
  if (!onDemand.ok()) return onDemand.status();
  auto smartScan = get(kSmartScanSettings);
  if (!smartScan.ok()) return smartScan.status();
  Json settings = {
      {"format", "odscan-ondemand-settings"}, {"format_version", 1}, {"console_url", consoleUrl}};
  settings.update(*onDemand);
  settings.update(*smartScan);
  return settings;
}

}  // namespace odscan::console
