// OndemandSettings: the On-demand Scan settings that an administrator saves on
// Threat Mitigator. The console publishes them as the signed `ondemand-settings`
// component, the launcher installs it as HCEXEC/components/ondemand-settings.json,
// and every scanner run applies it (docs/console-protocol.md has the format).
//
// Parsing is strict about what it uses: a member of the wrong type or with a value
// out of range is an error that names the file and the member. Members this
// version does not know are ignored, so an older scanner reads newer settings.
// A member that is missing leaves the scanner's own default in place.
//
// Command-line options win over the file: applyOndemandSettings() leaves alone
// every value whose option the user gave explicitly.
//
// Thread safety: plain values and pure functions. TargetPlaces::current() reads
// the environment, and expandTargets() only the TargetPlaces it receives.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/engine/scan_options.h"
#include "odscan/scanner/scan_command.h"

namespace odscan::scanner {

// The values of "format" and the highest "format_version" this scanner reads.
inline constexpr std::string_view kOndemandSettingsFormat = "odscan-ondemand-settings";
inline constexpr int kOndemandSettingsFormatVersion = 1;

// The installed file's name in HCEXEC/components/.
inline constexpr std::string_view kOndemandSettingsFileName = "ondemand-settings.json";

// The archive limits of the settings. A byte limit or member count of 0 in the
// file means no limit and is stored here as the largest value.
struct SettingsArchiveLimits {
  std::optional<int> maxDepth;
  std::optional<std::uint64_t> maxMemberSize;
  std::optional<std::uint64_t> maxExtracted;
  std::optional<std::uint64_t> maxMembers;
};

// One settings file; every member is unset when the file does not have it.
struct OndemandSettings {
  std::filesystem::path file;  // where the settings were read from
  std::optional<std::string> consoleUrl;
  std::optional<ScanProfile> profile;
  // Paths and the tokens {user_profile}, {temp} and {fixed_drives}, as written.
  std::optional<std::vector<std::string>> targets;
  std::optional<std::vector<std::filesystem::path>> exclusions;
  std::optional<std::vector<std::string>> excludedExtensions;
  std::optional<ScanAction> action;
  // 0 in the file means no limit and is stored as 0, which the engine reads the same.
  std::optional<std::uint64_t> maxFileSize;
  SettingsArchiveLimits archiveLimits;
  // An empty URL in the file means "none" and is stored as an empty string.
  std::optional<std::string> smartScanServerUrl;
  std::optional<bool> allowGlobalServer;
  std::optional<std::string> globalServerUrl;
};

// Parses the text of a settings file. `file` names it in error messages. Fails
// with kInvalidArgument for text that is not a JSON object, a wrong "format", or a
// member of the wrong type or value, and kUnsupportedVersion for a
// "format_version" other than 1.
Result<OndemandSettings> parseOndemandSettings(std::string_view text,
                                               const std::filesystem::path& file);

// Reads and parses a settings file of at most 1 MiB. Fails with kNotFound when it
// does not exist and kIoError when it cannot be read; every message names the file.
Result<OndemandSettings> readOndemandSettings(const std::filesystem::path& file);

// The folders the target tokens stand for on this endpoint.
struct TargetPlaces {
  std::filesystem::path userProfile;
  std::filesystem::path temp;
  std::vector<std::filesystem::path> fixedDrives;

  // Returns the places of the running user: platform::userProfileDirectory(),
  // platform::tempDirectory() and platform::fixedDrives().
  static TargetPlaces current();
};

// Turns the settings' targets into scan roots. "{user_profile}" and "{temp}" may
// stand alone or start a path ("{user_profile}/Downloads"); "{fixed_drives}"
// stands alone and becomes every fixed drive. Other values are paths in UTF-8.
// Fails with kInvalidArgument for an unknown token, and for a token whose folder
// is unknown on this endpoint; the message names the settings file and the member.
Result<std::vector<std::filesystem::path>> expandTargets(const std::vector<std::string>& targets,
                                                         const TargetPlaces& places,
                                                         const std::filesystem::path& file);

// Option names (as CLI11 spells them, such as "--profile", and "paths" for the
// scan roots) that the user gave on the command line.
using ExplicitOptions = std::set<std::string, std::less<>>;

// Copies every value of `settings` into `options` unless its option is in
// `explicitOptions`: console_url (--console), profile (--profile), targets (paths),
// exclusions (--exclude), excluded_extensions (--exclude-ext), action (--action),
// max_file_size (--max-file-size), archive_limits (--max-archive-depth,
// --max-member-size, --max-extracted, --max-members), smart_scan_server_url
// (--server), allow_global_server (--no-global) and global_server_url
// (--global-server). Also sets options.settingsFile. Fails only when the targets
// do not expand (see expandTargets()).
Status applyOndemandSettings(const OndemandSettings& settings,
                             const ExplicitOptions& explicitOptions, const TargetPlaces& places,
                             ScanCommandOptions& options);

}  // namespace odscan::scanner
