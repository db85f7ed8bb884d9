#include "odscan/scanner/ondemand_settings.h"

#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>

#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/option_values.h"

namespace odscan::scanner {
namespace {

constexpr std::uint64_t kMaxSettingsBytes = 1u << 20;
constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();
// The range of --max-archive-depth.
constexpr std::uint64_t kMaxArchiveDepth = 64;

constexpr std::string_view kUserProfileToken = "{user_profile}";
constexpr std::string_view kTempToken = "{temp}";
constexpr std::string_view kFixedDrivesToken = "{fixed_drives}";

std::string settingsName(const std::filesystem::path& file) {
  return "the On-demand Scan settings '" + platform::toUtf8(file) + "'";
}

// Returns the error for member `member`, with the fix.
Status invalidMember(const std::filesystem::path& file, std::string_view member,
                     std::string_view problem) {
  return Status(StatusCode::kInvalidArgument,
                settingsName(file) + " are invalid: member '" + std::string(member) + "' " +
                    std::string(problem) +
                    ". Correct the On-demand Scan settings on Threat Mitigator, or pass "
                    "--settings with a valid file");
}

// Reads the members of one settings object, remembering the file for messages.
class MemberReader {
 public:
  MemberReader(const nlohmann::json& object, const std::filesystem::path& file,
               std::string prefix = "")
      : object_(object), file_(file), prefix_(std::move(prefix)) {}

  const nlohmann::json* find(std::string_view name) const {
    const auto found = object_.find(name);
    return found == object_.end() ? nullptr : &*found;
  }

  Status invalid(std::string_view name, std::string_view problem) const {
    return invalidMember(file_, prefix_ + std::string(name), problem);
  }

  Status readString(std::string_view name, std::optional<std::string>& target) const {
    const nlohmann::json* value = find(name);
    if (value == nullptr) return Status::success();
    if (!value->is_string()) return invalid(name, "must be a string, not " + value->dump());
    target = value->get<std::string>();
    return Status::success();
  }

  Status readUrl(std::string_view name, std::optional<std::string>& target) const {
    if (Status read = readString(name, target); !read.ok()) return read;
    if (!target || target->empty()) return Status::success();
    if (target->rfind("http://", 0) != 0 && target->rfind("https://", 0) != 0) {
      return invalid(
          name, "must be an http:// or https:// URL (or empty for none), not '" + *target + "'");
    }
    return Status::success();
  }

  Status readBool(std::string_view name, std::optional<bool>& target) const {
    const nlohmann::json* value = find(name);
    if (value == nullptr) return Status::success();
    if (!value->is_boolean()) return invalid(name, "must be true or false, not " + value->dump());
    target = value->get<bool>();
    return Status::success();
  }

  // Reads a whole number from 0 to `maximum`; with `zeroMeansNoLimit`, 0 is stored
  // as the largest value.
  Status readCount(std::string_view name, std::optional<std::uint64_t>& target,
                   std::uint64_t maximum, bool zeroMeansNoLimit) const {
    const nlohmann::json* value = find(name);
    if (value == nullptr) return Status::success();
    if (!value->is_number_unsigned() || value->get<std::uint64_t>() > maximum) {
      return invalid(name, "must be a whole number from 0 to " + std::to_string(maximum) +
                               ", not " + value->dump());
    }
    const std::uint64_t number = value->get<std::uint64_t>();
    target = zeroMeansNoLimit && number == 0 ? kNoLimit : number;
    return Status::success();
  }

  Status readStrings(std::string_view name, std::optional<std::vector<std::string>>& target) const {
    const nlohmann::json* value = find(name);
    if (value == nullptr) return Status::success();
    if (!value->is_array()) return invalid(name, "must be a list of strings, not " + value->dump());
    std::vector<std::string> strings;
    for (std::size_t i = 0; i < value->size(); ++i) {
      const nlohmann::json& item = (*value)[i];
      const std::string element = std::string(name) + "[" + std::to_string(i) + "]";
      if (!item.is_string()) return invalid(element, "must be a string, not " + item.dump());
      if (item.get<std::string>().empty()) return invalid(element, "must not be empty");
      strings.push_back(item.get<std::string>());
    }
    target = std::move(strings);
    return Status::success();
  }

 private:
  const nlohmann::json& object_;
  const std::filesystem::path& file_;
  std::string prefix_;
};

Status readFormat(const MemberReader& members) {
  const nlohmann::json* format = members.find("format");
  if (format == nullptr || !format->is_string() ||
      format->get<std::string>() != kOndemandSettingsFormat) {
    return members.invalid("format", "must be \"" + std::string(kOndemandSettingsFormat) + "\"");
  }
  const nlohmann::json* version = members.find("format_version");
  if (version == nullptr || !version->is_number_integer()) {
    return members.invalid("format_version", "must be a whole number");
  }
  if (version->get<std::int64_t>() != kOndemandSettingsFormatVersion) {
    return Status(StatusCode::kUnsupportedVersion,
                  "format_version " + version->dump() +
                      " is not one this scanner reads (it reads " +
                      std::to_string(kOndemandSettingsFormatVersion) +
                      "); use the scanner that Threat Mitigator publishes with these settings");
  }
  return Status::success();
}

Status readChoices(const MemberReader& members, OndemandSettings& settings) {
  std::optional<std::string> profile;
  if (Status read = members.readString("profile", profile); !read.ok()) return read;
  if (profile) {
    Result<ScanProfile> parsed = parseScanProfile(*profile);
    if (!parsed.ok()) return members.invalid("profile", "must be \"quick\" or \"full\"");
    settings.profile = *parsed;
  }
  std::optional<std::string> action;
  if (Status read = members.readString("action", action); !read.ok()) return read;
  if (action) {
    Result<ScanAction> parsed = parseScanAction(*action);
    if (!parsed.ok()) return members.invalid("action", "must be \"report\" or \"quarantine\"");
    settings.action = *parsed;
  }
  return Status::success();
}

Status readPaths(const MemberReader& members, OndemandSettings& settings) {
  if (Status read = members.readStrings("targets", settings.targets); !read.ok()) return read;
  std::optional<std::vector<std::string>> exclusions;
  if (Status read = members.readStrings("exclusions", exclusions); !read.ok()) return read;
  if (exclusions) {
    settings.exclusions.emplace();
    for (const std::string& path : *exclusions) {
      settings.exclusions->push_back(platform::fromUtf8(path));
    }
  }
  return members.readStrings("excluded_extensions", settings.excludedExtensions);
}

Status readLimits(const MemberReader& members, const std::filesystem::path& file,
                  OndemandSettings& settings) {
  if (Status read = members.readCount("max_file_size", settings.maxFileSize, kNoLimit, false);
      !read.ok()) {
    return read;
  }
  const nlohmann::json* archive = members.find("archive_limits");
  if (archive == nullptr) return Status::success();
  if (!archive->is_object()) {
    return members.invalid("archive_limits", "must be an object, not " + archive->dump());
  }

  const MemberReader limits(*archive, file, "archive_limits.");
  SettingsArchiveLimits& target = settings.archiveLimits;
  std::optional<std::uint64_t> depth;
  Status read = limits.readCount("max_depth", depth, kMaxArchiveDepth, false);
  if (depth) target.maxDepth = static_cast<int>(*depth);
  if (read.ok()) read = limits.readCount("max_member_size", target.maxMemberSize, kNoLimit, true);
  if (read.ok()) read = limits.readCount("max_extracted", target.maxExtracted, kNoLimit, true);
  // NOTE: the protocol defines 0 as "no limit" for byte limits only. A member count
  // of 0 is read the same way, because no other meaning is useful.
  if (read.ok()) read = limits.readCount("max_members", target.maxMembers, kNoLimit, true);
  return read;
}

Status readServers(const MemberReader& members, OndemandSettings& settings) {
  Status read = members.readUrl("console_url", settings.consoleUrl);
  if (read.ok()) read = members.readUrl("smart_scan_server_url", settings.smartScanServerUrl);
  if (read.ok()) read = members.readBool("allow_global_server", settings.allowGlobalServer);
  if (read.ok()) read = members.readUrl("global_server_url", settings.globalServerUrl);
  return read;
}

// Returns the folder that `token` stands for, or an error naming the member.
Result<std::filesystem::path> tokenFolder(std::string_view token, const TargetPlaces& places,
                                          const std::filesystem::path& file,
                                          const std::string& member) {
  const std::filesystem::path& folder =
      token == kUserProfileToken ? places.userProfile : places.temp;
  if (folder.empty()) {
    return invalidMember(file, member,
                         "uses " + std::string(token) +
                             ", whose folder is unknown on this "
                             "endpoint");
  }
  return folder;
}

std::optional<std::string> optionalUrlFrom(const std::string& url) {
  if (url.empty()) return std::nullopt;
  return url;
}

}  // namespace

Result<OndemandSettings> parseOndemandSettings(std::string_view text,
                                               const std::filesystem::path& file) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    return Status(StatusCode::kInvalidArgument,
                  settingsName(file) + " are not valid JSON (" + error.what() +
                      "). Correct the On-demand Scan settings on Threat Mitigator, or pass "
                      "--settings with a valid file");
  }
  if (!json.is_object()) {
    return Status(StatusCode::kInvalidArgument,
                  settingsName(file) +
                      " are not a JSON object. Correct the On-demand Scan "
                      "settings on Threat Mitigator, or pass --settings with a "
                      "valid file");
  }

  OndemandSettings settings;
  settings.file = file;
  const MemberReader members(json, file);
  Status read = readFormat(members);
  if (read.code() == StatusCode::kUnsupportedVersion) {
    return Status(read.code(), settingsName(file) + ": " + read.message());
  }
  if (read.ok()) read = readChoices(members, settings);
  if (read.ok()) read = readPaths(members, settings);
  if (read.ok()) read = readLimits(members, file, settings);
  if (read.ok()) read = readServers(members, settings);
  if (!read.ok()) return read;
  return settings;
}

Result<OndemandSettings> readOndemandSettings(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return Status(StatusCode::kNotFound,
                  settingsName(file) +
                      " do not exist or are not a file; check the path given "
                      "with --settings");
  }
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error || size > kMaxSettingsBytes) {
    return Status(StatusCode::kInvalidArgument,
                  settingsName(file) +
                      " are larger than 1 MiB or their size cannot be read; "
                      "pass --settings with the file Threat Mitigator publishes");
  }
  std::ifstream stream(file, std::ios::binary);
  std::string text;
  if (stream) {
    text.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  if (!stream && !stream.eof()) {
    return Status(StatusCode::kIoError,
                  "cannot read " + settingsName(file) + "; check the file's permissions");
  }
  return parseOndemandSettings(text, file);
}

TargetPlaces TargetPlaces::current() {
  return {platform::userProfileDirectory(), platform::tempDirectory(), platform::fixedDrives()};
}

Result<std::vector<std::filesystem::path>> expandTargets(const std::vector<std::string>& targets,
                                                         const TargetPlaces& places,
                                                         const std::filesystem::path& file) {
  std::vector<std::filesystem::path> roots;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string& target = targets[i];
    const std::string member = "targets[" + std::to_string(i) + "]";
    if (target == kFixedDrivesToken) {
      roots.insert(roots.end(), places.fixedDrives.begin(), places.fixedDrives.end());
      continue;
    }
    if (target.empty() || target.front() != '{') {
      roots.push_back(platform::fromUtf8(target));
      continue;
    }

    // "{user_profile}" or "{temp}", alone or followed by a separator and a path.
    const std::size_t close = target.find('}');
    const std::string_view token = std::string_view(target).substr(0, close + 1);
    const std::string_view rest = close == std::string::npos
                                      ? std::string_view()
                                      : std::string_view(target).substr(close + 1);
    const bool known = token == kUserProfileToken || token == kTempToken;
    const bool separated = rest.empty() || rest.front() == '/' || rest.front() == '\\';
    if (close == std::string::npos || !known || !separated) {
      return invalidMember(file, member,
                           "is '" + target +
                               "', which is not a path or one of the tokens {user_profile}, "
                               "{temp} and {fixed_drives}");
    }
    Result<std::filesystem::path> folder = tokenFolder(token, places, file, member);
    if (!folder.ok()) return folder.status();
    const std::string_view subPath = rest.empty() ? rest : rest.substr(1);
    roots.push_back(subPath.empty() ? *folder : *folder / platform::fromUtf8(subPath));
  }
  return roots;
}

Status applyOndemandSettings(const OndemandSettings& settings,
                             const ExplicitOptions& explicitOptions, const TargetPlaces& places,
                             ScanCommandOptions& options) {
  const auto open = [&explicitOptions](std::string_view option) {
    return !explicitOptions.contains(option);
  };
  ScanOptions& engine = options.engine;
  ArchiveLimits& limits = engine.archiveLimits;
  SmartScanSettings& smartScan = options.smartScan;

  if (settings.targets && open("paths")) {
    Result<std::vector<std::filesystem::path>> roots =
        expandTargets(*settings.targets, places, settings.file);
    if (!roots.ok()) return roots.status();
    options.roots = std::move(*roots);
  }
  if (settings.consoleUrl && open("--console"))
    options.consoleUrl = optionalUrlFrom(*settings.consoleUrl);
  if (settings.profile && open("--profile")) engine.profile = *settings.profile;
  if (settings.exclusions && open("--exclude")) engine.excludePaths = *settings.exclusions;
  if (settings.excludedExtensions && open("--exclude-ext")) {
    engine.excludeExtensions = *settings.excludedExtensions;
  }
  if (settings.action && open("--action")) options.action = *settings.action;
  if (settings.maxFileSize && open("--max-file-size")) engine.maxFileSize = *settings.maxFileSize;

  const SettingsArchiveLimits& archive = settings.archiveLimits;
  if (archive.maxDepth && open("--max-archive-depth")) limits.maxDepth = *archive.maxDepth;
  if (archive.maxMemberSize && open("--max-member-size"))
    limits.maxMemberSize = *archive.maxMemberSize;
  if (archive.maxExtracted && open("--max-extracted"))
    limits.maxTotalExtracted = *archive.maxExtracted;
  if (archive.maxMembers && open("--max-members")) limits.maxMembers = *archive.maxMembers;

  if (settings.smartScanServerUrl && open("--server")) {
    smartScan.serverUrl = optionalUrlFrom(*settings.smartScanServerUrl);
  }
  if (settings.allowGlobalServer && open("--no-global"))
    smartScan.allowGlobal = *settings.allowGlobalServer;
  if (settings.globalServerUrl && open("--global-server")) {
    smartScan.globalServerUrl = optionalUrlFrom(*settings.globalServerUrl);
  }
  options.settingsFile = settings.file;
  return Status::success();
}

}  // namespace odscan::scanner
