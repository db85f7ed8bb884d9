#include "command_line_options.h"

#include <chrono>
#include <limits>
#include <string>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/ondemand_settings.h"
#include "odscan/scanner/option_values.h"

namespace odscan::tool {
namespace {

constexpr std::uint64_t kMaxUnsigned = std::numeric_limits<std::uint64_t>::max();
// One year; a larger time limit is a typing error rather than a wish.
constexpr std::uint64_t kMaxScanTimeSeconds = 365ull * 24 * 3600;

// Turns a parser from option_values.h into a CLI11 transform that replaces the text
// with plain decimal digits, which CLI11 then converts to the option's integer
// type. CLI11 puts the option name in front of the message.
template <typename Parse>
CLI::Validator numberValue(Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) {
        Result<std::uint64_t> value = parse(text);
        if (!value.ok()) return value.status().message();
        text = std::to_string(*value);
        return std::string();
      },
      "");
}

CLI::Validator sizeValue() { return numberValue(scanner::parseByteSize); }

// Returns `bytes` in the largest binary unit that divides it, for example "64MiB",
// so help texts show defaults in the form the options accept.
std::string sizeText(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  std::size_t unit = 0;
  while (bytes != 0 && bytes % 1024 == 0 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

void addChoiceOptions(CLI::App& scan, scanner::ScanCommandOptions& options) {
  auto& engine = options.engine;
  scan.add_option_function<std::string>(
          "--profile",
          [&engine](const std::string& text) { engine.profile = *scanner::parseScanProfile(text); },
          "quick: executables, scripts and archives only; full: every file")
      ->check(CLI::Validator(
          [](std::string& text) { return scanner::parseScanProfile(text).status().message(); }, ""))
      ->option_text("quick|full (default: full)");
  scan.add_option_function<std::string>(
          "--action",
          [&options](const std::string& text) { options.action = *scanner::parseScanAction(text); },
          "What to do with infected files: report (leave them) or quarantine")
      ->check(CLI::Validator(
          [](std::string& text) { return scanner::parseScanAction(text).status().message(); }, ""))
      ->option_text("report|quarantine (default: report)");
}

void addLimitOptions(CLI::App& scan, ScanOptions& engine) {
  auto& limits = engine.archiveLimits;
  scan.add_option("--max-file-size", engine.maxFileSize,
                  "Report larger files as not scanned; 0 (the default) means no limit")
      ->transform(sizeValue())
      ->option_text("SIZE");
  scan.add_flag_callback(
      "--no-archives", [&engine] { engine.scanArchives = false; }, "Do not look inside archives");
  scan.add_option(
          "--max-archive-depth", limits.maxDepth,
          "Nesting levels opened below a file (default: " + std::to_string(limits.maxDepth) + ")")
      ->transform(countValue(0, 64))
      ->option_text("N");
  scan.add_option(
          "--max-member-size", limits.maxMemberSize,
          "Largest archive member extracted (default: " + sizeText(limits.maxMemberSize) + ")")
      ->transform(sizeValue())
      ->option_text("SIZE");
  scan.add_option("--max-extracted", limits.maxTotalExtracted,
                  "Maximum bytes extracted from one file at all levels (default: " +
                      sizeText(limits.maxTotalExtracted) + ")")
      ->transform(sizeValue())
      ->option_text("SIZE");
  scan.add_option("--max-members", limits.maxMembers,
                  "Maximum archive members opened in one file (default: " +
                      std::to_string(limits.maxMembers) + ")")
      ->transform(countValue(1, kMaxUnsigned))
      ->option_text("N");
  scan.add_option("--max-ratio", limits.maxCompressionRatio,
                  "Largest ratio of bytes extracted to file size before a file counts as an "
                  "archive bomb (default: " +
                      std::to_string(limits.maxCompressionRatio) + ")")
      ->transform(countValue(1, std::numeric_limits<std::uint32_t>::max()))
      ->option_text("N");
  scan.add_option("--ratio-floor", limits.ratioFloor,
                  "Bytes extracted from one file before --max-ratio applies (default: " +
                      sizeText(limits.ratioFloor) + ")")
      ->transform(sizeValue())
      ->option_text("SIZE");
  scan.add_option_function<std::uint64_t>(
          "--max-scan-time",
          [&limits](std::uint64_t seconds) {
            limits.maxTimePerFile = std::chrono::seconds(seconds);
          },
          "Wall time in seconds spent inside the archives of one file (default: " +
              std::to_string(limits.maxTimePerFile.count() / 1000) + ")")
      ->transform(countValue(1, kMaxScanTimeSeconds))
      ->option_text("SECONDS");
  scan.add_option("--max-buffered-size", limits.maxBufferedFileSize,
                  "Largest archive file read into memory once; bigger ones are read twice "
                  "(default: " +
                      sizeText(limits.maxBufferedFileSize) + ")")
      ->transform(sizeValue())
      ->option_text("SIZE");
}

CLI::Validator serverUrl() {
  return CLI::Validator(
      [](std::string& text) {
        const bool http = text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
        return http ? std::string()
                    : "invalid server URL '" + text +
                          "': expected http://HOST:PORT or https://HOST:PORT";
      },
      "URL");
}

std::chrono::milliseconds secondsToMilliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

void addSmartScanOptions(CLI::App& scan, scanner::SmartScanSettings& settings) {
  scan.add_option("--server", settings.serverUrl,
                  "Smart Scan Server for scan queries, such as http://127.0.0.1:8470")
      ->check(serverUrl())
      ->option_text("URL");
  scan.add_option("--global-server", settings.globalServerUrl,
                  "Global Smart Scan Server, asked when the Smart Scan Server does not answer")
      ->check(serverUrl())
      ->option_text("URL");
  scan.add_flag_callback(
      "--no-global", [&settings] { settings.allowGlobal = false; },
      "Never send scan queries to the Global Smart Scan Server");
  scan.add_option_function<std::string>(
          "--global-api-key-file",
          [&settings](const std::string& path) {
            auto key = scanner::readSecretFile(path);
            if (!key.ok())
              throw CLI::ValidationError("--global-api-key-file", key.status().message());
            settings.globalApiKey = *key;
          },
          "File holding the API key of the Global Smart Scan Server")
      ->option_text("FILE");
  scan.add_option("--server-ca-file", settings.client.caFile,
                  "CA certificates that sign the servers' TLS certificates (https URLs)")
      ->check(CLI::ExistingFile)
      ->option_text("FILE");
  scan.add_option_function<double>(
          "--query-timeout",
          [&settings](double seconds) {
            settings.client.requestTimeout = secondsToMilliseconds(seconds);
          },
          "Seconds one scan query may take before it is retried (default: 10)")
      ->check(CLI::Range(0.1, 600.0))
      ->option_text("SECONDS");
  scan.add_option_function<double>(
          "--requery-wait",
          [&settings](double seconds) {
            settings.batching.requeryWait = secondsToMilliseconds(seconds);
          },
          "Seconds to wait at the end for a server to come back when files were bypassed "
          "(default: 10; 0 does not wait)")
      ->check(CLI::Range(0.0, 3600.0))
      ->option_text("SECONDS");
}

CLI::Validator consoleUrl() {
  return CLI::Validator(
      [](std::string& text) {
        const bool http = text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
        return http ? std::string()
                    : "invalid console URL '" + text +
                          "': expected http://HOST:PORT/ or https://HOST:PORT/";
      },
      "URL");
}

void addConsoleOptions(CLI::App& scan, scanner::ScanCommandOptions& options) {
  addPathOption(scan, "--settings", options.settingsFile,
                "On-demand Scan settings from Threat Mitigator; options given here override "
                "them (default: <home>/components/ondemand-settings.json when it exists)")
      ->option_text("FILE");
  scan.add_option("--console", options.consoleUrl,
                  "Threat Mitigator URL that receives the session's logs, such as "
                  "http://127.0.0.1:8480/ (default: console_url of the settings)")
      ->check(consoleUrl())
      ->option_text("URL");
  scan.add_option("--console-ca-file", options.upload.client.caFile,
                  "CA certificates that sign the console's TLS certificate (https URLs)")
      ->check(CLI::ExistingFile)
      ->option_text("FILE");
  scan.add_flag("--no-upload", options.noUpload,
                "Keep the session's logs in the session folder, even when a console is known");
}

}  // namespace

const char* const kSizeHelp =
    "SIZE is a whole number of bytes or a number with a binary unit: 1048576, 64MiB,\n"
    "1.5GiB (units B, KiB, MiB, GiB, TiB, PiB, EiB; KB, MB... mean the same).";

CLI::Validator countValue(std::uint64_t minimum, std::uint64_t maximum) {
  return numberValue([minimum, maximum](const std::string& text) {
    return scanner::parseCount(text, minimum, maximum);
  });
}

CLI::Validator nonEmptyPath() {
  return CLI::Validator(
      [](std::string& text) {
        return text.empty() ? std::string("invalid value '': expected a file or folder path")
                            : std::string();
      },
      "");
}

namespace {

// Adds an option that assigns its one UTF-8 value to `target`, a path or an
// optional path.
template <typename PathTarget>
CLI::Option* addSinglePathOption(CLI::App& command, const std::string& name, PathTarget& target,
                                 const std::string& description) {
  return command
      .add_option_function<std::string>(
          name, [&target](const std::string& value) { target = platform::fromUtf8(value); },
          description)
      ->check(nonEmptyPath());
}

}  // namespace

CLI::Option* addPathOption(CLI::App& command, const std::string& name,
                           std::filesystem::path& target, const std::string& description) {
  return addSinglePathOption(command, name, target, description);
}

CLI::Option* addPathOption(CLI::App& command, const std::string& name,
                           std::optional<std::filesystem::path>& target,
                           const std::string& description) {
  return addSinglePathOption(command, name, target, description);
}

CLI::Option* addPathOption(CLI::App& command, const std::string& name,
                           std::vector<std::filesystem::path>& target,
                           const std::string& description) {
  return command
      .add_option_function<std::vector<std::string>>(
          name,
          [&target](const std::vector<std::string>& values) {
            target.clear();
            for (const std::string& value : values) target.push_back(platform::fromUtf8(value));
          },
          description)
      ->check(nonEmptyPath());
}

void addHomeOption(CLI::App& command, std::optional<std::filesystem::path>& home) {
  addPathOption(command, "--home", home,
                "HCEXEC folder for components, sessions and quarantine "
                "(default: HCEXEC in the temporary folder)")
      ->option_text("DIR");
}

void addScanOptions(CLI::App& scan, scanner::ScanCommandOptions& options) {
  auto& engine = options.engine;

  // Not required: the settings' targets may name the roots (see applySettingsFile()).
  addPathOption(scan, "paths", options.roots,
                "Files and folders to scan (default: the targets of the settings)");
  addHomeOption(scan, options.home);
  addPathOption(scan, "--pattern", options.patternPath,
                "Smart Scan Agent Pattern file (default: <home>/components/agent-pattern.ptn)")
      ->option_text("FILE");
  addPathOption(scan, "--public-key", options.publicKeyPath,
                "Publisher's public key that verifies the pattern "
                "(default: <home>/components/publisher.pub)")
      ->option_text("FILE");
  addPathOption(scan, "--json", options.jsonPath, "Also write the JSON report to this file")
      ->option_text("FILE");
  scan.add_flag("--infected", options.infectedOnly, "Print only infected objects");
  scan.add_flag("--no-summary", options.noSummary, "Do not print the summary at the end");
  addChoiceOptions(scan, options);
  addPathOption(scan, "--exclude", engine.excludePaths, "File or folder not to scan (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->option_text("PATH");
  scan.add_option("--exclude-ext", engine.excludeExtensions,
                  "File name extension not to scan, such as iso (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->option_text("EXT");
  scan.add_option("--threads", engine.threads, "Worker threads; 0 (the default) means one per core")
      ->transform(countValue(0, 256))
      ->option_text("N");
  scan.add_flag("--follow-symlinks", engine.followSymlinks,
                "Follow symbolic links below the given paths");
  scan.add_option("--min-free-space", options.minFreeSpace,
                  "Free disk space needed on the HCEXEC folder's disk before the scan starts "
                  "(default: " +
                      sizeText(options.minFreeSpace) + ")")
      ->transform(sizeValue())
      ->option_text("SIZE");
  addLimitOptions(scan, engine);
  addSmartScanOptions(scan, options.smartScan);
  addConsoleOptions(scan, options);
}

Status applySettingsFile(const CLI::App& scan, scanner::ScanCommandOptions& options) {
  const bool settingsGiven = scan.get_option("--settings")->count() > 0;
  const scanner::HomeFolder home(options.home.value_or(scanner::HomeFolder::defaultRoot()));
  const std::filesystem::path file =
      settingsGiven ? *options.settingsFile
                    : home.components() / std::string(scanner::kOndemandSettingsFileName);
  options.settingsFile.reset();
  std::error_code error;
  if (!settingsGiven && !std::filesystem::exists(file, error)) return Status::success();

  Result<scanner::OndemandSettings> settings = scanner::readOndemandSettings(file);
  if (!settings.ok()) return settings.status();
  scanner::ExplicitOptions explicitOptions;
  for (const CLI::Option* option : scan.get_options()) {
    if (option->count() > 0) explicitOptions.insert(option->get_name());
  }
  return scanner::applyOndemandSettings(*settings, explicitOptions,
                                        scanner::TargetPlaces::current(), options);
}

}  // namespace odscan::tool
