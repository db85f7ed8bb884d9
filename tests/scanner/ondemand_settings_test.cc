#include "odscan/scanner/ondemand_settings.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

// The example of docs/console-protocol.md.
nlohmann::json exampleSettings() {
  return nlohmann::json::parse(R"({
    "format": "odscan-ondemand-settings",
    "format_version": 1,
    "console_url": "http://127.0.0.1:8480/",
    "profile": "quick",
    "targets": ["{user_profile}"],
    "exclusions": ["/home/guest/vm-images"],
    "excluded_extensions": ["iso", "vmdk"],
    "action": "quarantine",
    "max_file_size": 1048576,
    "archive_limits": {"max_depth": 4, "max_member_size": 268435456,
                       "max_extracted": 1073741824, "max_members": 5000},
    "smart_scan_server_url": "http://127.0.0.1:8470",
    "allow_global_server": false,
    "global_server_url": "http://127.0.0.1:8471"
  })");
}

const fs::path kFile = "/tmp/HCEXEC/components/ondemand-settings.json";

Result<OndemandSettings> parse(const nlohmann::json& json) {
  return parseOndemandSettings(json.dump(), kFile);
}

TargetPlaces testPlaces() {
  return {
      fs::path("/home/guest"), fs::path("/tmp/guest-temp"), {fs::path("C:\\"), fs::path("D:\\")}};
}

TEST(OndemandSettingsTest, ExampleParses) {
  Result<OndemandSettings> settings = parse(exampleSettings());
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings->file, kFile);
  EXPECT_EQ(settings->consoleUrl, "http://127.0.0.1:8480/");
  EXPECT_EQ(settings->profile, ScanProfile::kQuick);
  EXPECT_EQ(settings->targets, std::vector<std::string>{"{user_profile}"});
  EXPECT_EQ(settings->exclusions, std::vector<fs::path>{"/home/guest/vm-images"});
  EXPECT_EQ(settings->excludedExtensions, (std::vector<std::string>{"iso", "vmdk"}));
  EXPECT_EQ(settings->action, ScanAction::kQuarantine);
  EXPECT_EQ(settings->maxFileSize, 1048576u);
  EXPECT_EQ(settings->archiveLimits.maxDepth, 4);
  EXPECT_EQ(settings->archiveLimits.maxMemberSize, 268435456u);
  EXPECT_EQ(settings->archiveLimits.maxExtracted, 1073741824u);
  EXPECT_EQ(settings->archiveLimits.maxMembers, 5000u);
  EXPECT_EQ(settings->smartScanServerUrl, "http://127.0.0.1:8470");
  EXPECT_EQ(settings->allowGlobalServer, false);
  EXPECT_EQ(settings->globalServerUrl, "http://127.0.0.1:8471");
}

TEST(OndemandSettingsTest, UnknownMembersAreIgnored) {
  nlohmann::json json = exampleSettings();
  json["schedule"] = {{"daily", true}};
  json["archive_limits"]["max_nesting_time"] = 5;
  EXPECT_TRUE(parse(json).ok());
}

TEST(OndemandSettingsTest, MissingMembersStayUnset) {
  Result<OndemandSettings> settings =
      parse({{"format", "odscan-ondemand-settings"}, {"format_version", 1}});
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_FALSE(settings->consoleUrl.has_value());
  EXPECT_FALSE(settings->profile.has_value());
  EXPECT_FALSE(settings->targets.has_value());
  EXPECT_FALSE(settings->archiveLimits.maxDepth.has_value());
  EXPECT_FALSE(settings->allowGlobalServer.has_value());
}

TEST(OndemandSettingsTest, ZeroLimitsMeanNoLimit) {
  nlohmann::json json = exampleSettings();
  json["max_file_size"] = 0;
  json["archive_limits"] = {
      {"max_depth", 0}, {"max_member_size", 0}, {"max_extracted", 0}, {"max_members", 0}};
  Result<OndemandSettings> settings = parse(json);
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings->maxFileSize, 0u);  // the engine reads 0 as no limit
  EXPECT_EQ(settings->archiveLimits.maxDepth, 0);
  EXPECT_EQ(settings->archiveLimits.maxMemberSize, kNoLimit);
  EXPECT_EQ(settings->archiveLimits.maxExtracted, kNoLimit);
  EXPECT_EQ(settings->archiveLimits.maxMembers, kNoLimit);
}

TEST(OndemandSettingsTest, EmptyUrlsMeanNone) {
  nlohmann::json json = exampleSettings();
  json["console_url"] = "";
  json["smart_scan_server_url"] = "";
  Result<OndemandSettings> settings = parse(json);
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings->consoleUrl, "");
  EXPECT_EQ(settings->smartScanServerUrl, "");
}

// --- error paths ---

struct BadMember {
  const char* pointer;  // JSON pointer of the member to replace
  nlohmann::json value;
  const char* named;  // what the message must name
};

TEST(OndemandSettingsTest, EachBadMemberIsNamed) {
  const std::vector<BadMember> cases = {
      {"/format", "odscan-scan-report", "'format'"},
      {"/format_version", "1", "'format_version'"},
      {"/console_url", "ftp://127.0.0.1/", "'console_url'"},
      {"/console_url", 8480, "'console_url'"},
      {"/profile", "deep", "'profile'"},
      {"/profile", 1, "'profile'"},
      {"/targets", "{user_profile}", "'targets'"},
      {"/targets", nlohmann::json::array({"/home", 7}), "'targets[1]'"},
      {"/targets", nlohmann::json::array({""}), "'targets[0]'"},
      {"/exclusions", nlohmann::json::object(), "'exclusions'"},
      {"/excluded_extensions", nlohmann::json::array({nullptr}), "'excluded_extensions[0]'"},
      {"/action", "delete", "'action'"},
      {"/max_file_size", -1, "'max_file_size'"},
      {"/max_file_size", 1.5, "'max_file_size'"},
      {"/max_file_size", "64MiB", "'max_file_size'"},
      {"/archive_limits", nlohmann::json::array(), "'archive_limits'"},
      {"/archive_limits/max_depth", 65, "'archive_limits.max_depth'"},
      {"/archive_limits/max_member_size", -5, "'archive_limits.max_member_size'"},
      {"/archive_limits/max_extracted", true, "'archive_limits.max_extracted'"},
      {"/archive_limits/max_members", "many", "'archive_limits.max_members'"},
      {"/smart_scan_server_url", "127.0.0.1:8470", "'smart_scan_server_url'"},
      {"/allow_global_server", "yes", "'allow_global_server'"},
      {"/global_server_url", nullptr, "'global_server_url'"},
  };
  for (const BadMember& bad : cases) {
    nlohmann::json json = exampleSettings();
    json[nlohmann::json::json_pointer(bad.pointer)] = bad.value;
    Result<OndemandSettings> settings = parse(json);
    ASSERT_FALSE(settings.ok()) << bad.pointer << " = " << bad.value.dump();
    EXPECT_EQ(settings.status().code(), StatusCode::kInvalidArgument) << bad.pointer;
    EXPECT_NE(settings.status().message().find(bad.named), std::string::npos)
        << settings.status().message();
    EXPECT_NE(settings.status().message().find(kFile.string()), std::string::npos)
        << settings.status().message();
  }
}

TEST(OndemandSettingsTest, MissingFormatIsRejected) {
  nlohmann::json json = exampleSettings();
  json.erase("format");
  Result<OndemandSettings> settings = parse(json);
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find("'format'"), std::string::npos);
}

TEST(OndemandSettingsTest, NewerFormatVersionIsUnsupported) {
  nlohmann::json json = exampleSettings();
  json["format_version"] = 2;
  Result<OndemandSettings> settings = parse(json);
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), StatusCode::kUnsupportedVersion);
  EXPECT_NE(settings.status().message().find(kFile.string()), std::string::npos);
}

TEST(OndemandSettingsTest, TextThatIsNotJsonIsRejected) {
  for (const char* text : {"", "{", "[1, 2]", "\"settings\"", "{\"format\": }"}) {
    Result<OndemandSettings> settings = parseOndemandSettings(text, kFile);
    ASSERT_FALSE(settings.ok()) << text;
    EXPECT_EQ(settings.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(settings.status().message().find(kFile.string()), std::string::npos) << text;
  }
}

TEST(OndemandSettingsTest, MissingFileIsNotFound) {
  testing::TempFolder temp;
  Result<OndemandSettings> settings = readOndemandSettings(temp / "absent.json");
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), StatusCode::kNotFound);
}

TEST(OndemandSettingsTest, FileIsRead) {
  testing::TempFolder temp;
  testing::writeFile(temp / "settings.json", exampleSettings().dump());
  Result<OndemandSettings> settings = readOndemandSettings(temp / "settings.json");
  ASSERT_TRUE(settings.ok()) << settings.status().message();
  EXPECT_EQ(settings->file, temp / "settings.json");
}

// --- targets ---

TEST(ExpandTargetsTest, TokensBecomeFolders) {
  Result<std::vector<fs::path>> roots = expandTargets(
      {"{user_profile}", "{temp}", "{fixed_drives}", "/srv/share"}, testPlaces(), kFile);
  ASSERT_TRUE(roots.ok()) << roots.status().message();
  const std::vector<fs::path> expected = {"/home/guest", "/tmp/guest-temp", "C:\\", "D:\\",
                                          "/srv/share"};
  EXPECT_EQ(*roots, expected);
}

TEST(ExpandTargetsTest, TokenMayStartAPath) {
  Result<std::vector<fs::path>> roots =
      expandTargets({"{user_profile}/Downloads", "{temp}\\setup"}, testPlaces(), kFile);
  ASSERT_TRUE(roots.ok()) << roots.status().message();
  ASSERT_EQ(roots->size(), 2u);
  EXPECT_EQ((*roots)[0], fs::path("/home/guest") / "Downloads");
  EXPECT_EQ((*roots)[1], fs::path("/tmp/guest-temp") / "setup");
}

TEST(ExpandTargetsTest, UnknownTokenIsRejected) {
  for (const char* target : {"{desktop}", "{user_profile", "{user_profile}x", "{fixed_drives}/a"}) {
    Result<std::vector<fs::path>> roots = expandTargets({"/ok", target}, testPlaces(), kFile);
    ASSERT_FALSE(roots.ok()) << target;
    EXPECT_NE(roots.status().message().find("'targets[1]'"), std::string::npos)
        << roots.status().message();
  }
}

TEST(ExpandTargetsTest, UnknownProfileFolderIsRejected) {
  TargetPlaces places = testPlaces();
  places.userProfile.clear();
  Result<std::vector<fs::path>> roots = expandTargets({"{user_profile}"}, places, kFile);
  ASSERT_FALSE(roots.ok());
  EXPECT_NE(roots.status().message().find("{user_profile}"), std::string::npos);
}

TEST(ExpandTargetsTest, CurrentPlacesAreKnown) {
  const TargetPlaces places = TargetPlaces::current();
  EXPECT_FALSE(places.userProfile.empty());
  EXPECT_FALSE(places.temp.empty());
  EXPECT_FALSE(places.fixedDrives.empty());
}

// --- applying ---

TEST(ApplyOndemandSettingsTest, SettingsFillTheOptions) {
  Result<OndemandSettings> settings = parse(exampleSettings());
  ASSERT_TRUE(settings.ok());
  ScanCommandOptions options;
  ASSERT_TRUE(applyOndemandSettings(*settings, {}, testPlaces(), options).ok());

  EXPECT_EQ(options.roots, std::vector<fs::path>{"/home/guest"});
  EXPECT_EQ(options.consoleUrl, "http://127.0.0.1:8480/");
  EXPECT_EQ(options.engine.profile, ScanProfile::kQuick);
  EXPECT_EQ(options.engine.excludePaths, std::vector<fs::path>{"/home/guest/vm-images"});
  EXPECT_EQ(options.engine.excludeExtensions, (std::vector<std::string>{"iso", "vmdk"}));
  EXPECT_EQ(options.action, ScanAction::kQuarantine);
  EXPECT_EQ(options.engine.maxFileSize, 1048576u);
  EXPECT_EQ(options.engine.archiveLimits.maxDepth, 4);
  EXPECT_EQ(options.engine.archiveLimits.maxMembers, 5000u);
  EXPECT_EQ(options.smartScan.serverUrl, "http://127.0.0.1:8470");
  EXPECT_FALSE(options.smartScan.allowGlobal);
  EXPECT_EQ(options.smartScan.globalServerUrl, "http://127.0.0.1:8471");
  EXPECT_EQ(options.settingsFile, kFile);
}

TEST(ApplyOndemandSettingsTest, ExplicitOptionsWin) {
  Result<OndemandSettings> settings = parse(exampleSettings());
  ASSERT_TRUE(settings.ok());
  ScanCommandOptions options;
  options.roots = {"/srv/given"};
  options.engine.profile = ScanProfile::kFull;
  options.action = ScanAction::kReport;
  options.consoleUrl = "http://127.0.0.1:9000/";
  options.smartScan.serverUrl = "http://127.0.0.1:9001";
  options.engine.archiveLimits.maxDepth = 2;
  const ExplicitOptions explicitOptions = {"paths",     "--profile", "--action",
                                           "--console", "--server",  "--max-archive-depth"};
  ASSERT_TRUE(applyOndemandSettings(*settings, explicitOptions, testPlaces(), options).ok());

  EXPECT_EQ(options.roots, std::vector<fs::path>{"/srv/given"});
  EXPECT_EQ(options.engine.profile, ScanProfile::kFull);
  EXPECT_EQ(options.action, ScanAction::kReport);
  EXPECT_EQ(options.consoleUrl, "http://127.0.0.1:9000/");
  EXPECT_EQ(options.smartScan.serverUrl, "http://127.0.0.1:9001");
  EXPECT_EQ(options.engine.archiveLimits.maxDepth, 2);
  // Values without an explicit option still come from the settings.
  EXPECT_EQ(options.engine.excludeExtensions, (std::vector<std::string>{"iso", "vmdk"}));
  EXPECT_EQ(options.smartScan.globalServerUrl, "http://127.0.0.1:8471");
}

TEST(ApplyOndemandSettingsTest, EmptyUrlsClearServers) {
  nlohmann::json json = exampleSettings();
  json["console_url"] = "";
  json["smart_scan_server_url"] = "";
  Result<OndemandSettings> settings = parse(json);
  ASSERT_TRUE(settings.ok());
  ScanCommandOptions options;
  ASSERT_TRUE(applyOndemandSettings(*settings, {}, testPlaces(), options).ok());
  EXPECT_FALSE(options.consoleUrl.has_value());
  EXPECT_FALSE(options.smartScan.serverUrl.has_value());
}

TEST(ApplyOndemandSettingsTest, BadTargetFailsTheApply) {
  nlohmann::json json = exampleSettings();
  json["targets"] = {"{nowhere}"};
  Result<OndemandSettings> settings = parse(json);
  ASSERT_TRUE(settings.ok());
  ScanCommandOptions options;
  EXPECT_FALSE(applyOndemandSettings(*settings, {}, testPlaces(), options).ok());
  // Given paths make the targets irrelevant.
  EXPECT_TRUE(applyOndemandSettings(*settings, {"paths"}, testPlaces(), options).ok());
}

}  // namespace
}  // namespace odscan::scanner
