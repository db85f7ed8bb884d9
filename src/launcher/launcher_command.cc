#include "odscan/launcher/launcher_command.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "file_io.h"
#include "odscan/activeupdate/update_source.h"
#include "odscan/launcher/component_update.h"
#include "odscan/launcher/launcher_trailer.h"
#include "odscan/launcher/process.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/home_folder.h"

namespace odscan::launcher {
namespace {

constexpr std::string_view kLogFileName = "launcher.log";

std::string inQuotes(const std::filesystem::path& path) {
  return "'" + platform::toUtf8(path) + "'";
}

// Prints progress and errors and writes both to HCEXEC/launcher.log once it is
// open. Messages before that (a bad config, an unusable HCEXEC) go to the streams
// only.
class Reporter {
 public:
  explicit Reporter(LauncherIo& io) : io_(io) {}

  void openLog(const std::filesystem::path& path) {
    try {
      auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.native());
      logger_ = std::make_shared<spdlog::logger>("launcher", std::move(sink));
      logger_->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
      logger_->flush_on(spdlog::level::info);
    } catch (const spdlog::spdlog_ex& error) {
      io_.err << "OnDemandScan: warning: cannot open the log " << inQuotes(path) << ": "
              << error.what() << "; continuing without it\n";
    }
  }

  void progress(const std::string& line) {
    io_.out << line << '\n' << std::flush;
    log(spdlog::level::info, line);
  }

  void log(spdlog::level::level_enum level, const std::string& line) {
    if (logger_) logger_->log(level, "{}", line);
  }

  int fail(const Status& status) {
    io_.err << "OnDemandScan: " << status.message() << '\n' << std::flush;
    log(spdlog::level::err, status.toString());
    return kLauncherSetupError;
  }

 private:
  LauncherIo& io_;
  std::shared_ptr<spdlog::logger> logger_;
};

Status usage(const std::string& message) { return Status(StatusCode::kInvalidArgument, message); }

Status checkOptionCombination(const LauncherOptions& options) {
  if (options.configFile && options.consoleUrl) {
    return usage("--config and --console both give the console; use one of them");
  }
  if ((options.configFile || options.consoleUrl) && !options.publicKeyFile) {
    return usage(std::string(options.configFile ? "--config" : "--console") +
                 " needs --public-key FILE, the publisher's public key that verifies the "
                 "components");
  }
  if (options.publicKeyFile && !options.configFile && !options.consoleUrl) {
    return usage("--public-key needs --config FILE or --console URL");
  }
  return Status::success();
}

Result<LauncherConfig> configFromFile(const std::filesystem::path& file, const PublicKey& key,
                                      const std::filesystem::path& keyFile) {
  Result<std::vector<std::uint8_t>> bytes =
      pattern_detail::readWholeFile(file, kMaxLauncherConfigSize);
  if (!bytes.ok()) return bytes.status().withContext("cannot read the launcher config");
  const std::string source = "the launcher config " + inQuotes(file);
  Result<LauncherConfig> config = parseLauncherConfig(*bytes, source, PublicKeyMember::kOptional);
  if (!config.ok()) return config.status();

  if (!config->publicKeyPem.empty()) {
    Result<PublicKey> named = PublicKey::fromPem(config->publicKeyPem, source);
    if (!named.ok()) return named.status();
    if (named->fingerprint() != key.fingerprint()) {
      return usage(source + " names public key " + named->fingerprint() + ", but " +
                   inQuotes(keyFile) + " is key " + key.fingerprint() +
                   "; remove \"public_key\" from the config or give the matching key file");
    }
  }
  config->publicKeyPem = key.toPem();
  return config;
}

Status startScanner(const LauncherOptions& options, const scanner::HomeFolder& home,
                    const LauncherConfig& config, Reporter& reporter, int& exitCode) {
  const std::filesystem::path program = home.components() / std::string(scannerFileName());
  const std::vector<std::string> arguments = scannerCommandArguments(
      home.root(), config.consoleUrl, options.consoleArguments, options.scannerArguments);
  reporter.progress("starting the scanner: " +
                    windowsCommandLine(platform::toUtf8(program), arguments));

  Result<int> code = runProcess(program, arguments);
  if (!code.ok()) {
    return code.status().withContext("the scanner could not be started; delete " +
                                     inQuotes(program) + " and run the launcher again");
  }
  reporter.log(spdlog::level::info, "the scanner exited with code " + std::to_string(*code));
  exitCode = *code;
  return Status::success();
}

Result<activeupdate::UpdateSource> openComponentStore(const LauncherOptions& options,
                                                      const LauncherConfig& config,
                                                      const PublicKey& key) {
  activeupdate::UpdateSourceOptions sourceOptions;
  sourceOptions.caFile = options.caFile;
  sourceOptions.publicKeyName = "the console's public key " + key.fingerprint().substr(0, 16);
  Result<activeupdate::UpdateSource> source =
      activeupdate::UpdateSource::open(config.consoleUrl + "components/", key, sourceOptions);
  if (!source.ok()) return source.status().withContext("cannot contact the console");
  return source;
}

Result<activeupdate::Manifest> fetchManifest(activeupdate::UpdateSource& source,
                                             const LauncherConfig& config) {
  Result<activeupdate::Manifest> manifest = source.fetchManifest();
  if (!manifest.ok()) {
    return manifest.status().withContext(
        "cannot get the list of components from the console (check that this computer "
        "reaches " +
        config.consoleUrl + ", then run the launcher again)");
  }
  return manifest;
}

}  // namespace

std::string launcherVersion() { return ODSCAN_VERSION; }

Result<LauncherConfig> loadLauncherConfig(const LauncherOptions& options) {
  if (Status combination = checkOptionCombination(options); !combination.ok()) return combination;

  if (options.publicKeyFile) {
    Result<PublicKey> key = PublicKey::readFile(*options.publicKeyFile);
    if (!key.ok()) return key.status().withContext("cannot load --public-key");
    if (options.configFile)
      return configFromFile(*options.configFile, *key, *options.publicKeyFile);

    Result<std::string> url = normalizeConsoleUrl(*options.consoleUrl);
    if (!url.ok()) return url.status().withContext("--console");
    return LauncherConfig{std::move(*url), key->toPem(), ""};
  }

  std::filesystem::path launcherFile;
  if (options.launcherFile) {
    launcherFile = *options.launcherFile;
  } else {
    Result<std::filesystem::path> own = currentExecutablePath();
    if (!own.ok()) return own.status();
    launcherFile = std::move(*own);
  }
  return readLauncherTrailerFile(launcherFile);
}

std::vector<std::string> scannerCommandArguments(const std::filesystem::path& home,
                                                 const std::string& consoleUrl,
                                                 bool consoleArguments,
                                                 const std::vector<std::string>& passThrough) {
#ifdef _WIN32
  std::string command = "window";
#else
  std::string command = "scan";
#endif
  auto rest = passThrough.begin();
  if (rest != passThrough.end() && (*rest == "scan" || *rest == "window")) command = *rest++;

  const std::filesystem::path settings = home / "components" / std::string(kSettingsFileName);
  std::vector<std::string> arguments{command, "--home", platform::toUtf8(home)};
  if (consoleArguments) {
    arguments.insert(arguments.end(),
                     {"--console", consoleUrl, "--settings", platform::toUtf8(settings)});
  }
  arguments.insert(arguments.end(), rest, passThrough.end());
  return arguments;
}

int runLauncher(const LauncherOptions& options, LauncherIo& io) {
  Reporter reporter(io);
  Result<LauncherConfig> config = loadLauncherConfig(options);
  if (!config.ok()) return reporter.fail(config.status());
  Result<PublicKey> key = PublicKey::fromPem(config->publicKeyPem, "the launcher config");
  if (!key.ok()) return reporter.fail(key.status());

  const scanner::HomeFolder home(options.home ? *options.home : scanner::HomeFolder::defaultRoot());
  Result<scanner::LayoutChanges> layout = home.createLayout();
  if (!layout.ok())
    return reporter.fail(layout.status().withContext("cannot prepare the HCEXEC folder"));
  reporter.openLog(home.root() / std::string(kLogFileName));
  reporter.log(spdlog::level::info, "OnDemandScan " + launcherVersion() + " started; console " +
                                        config->consoleUrl + ", HCEXEC " + inQuotes(home.root()));
  for (const auto& folder : layout->restricted) {
    reporter.log(spdlog::level::warn, scanner::restrictedFolderMessage(folder));
  }

  if (Status space = scanner::checkFreeSpace(home.root(), options.minFreeSpace); !space.ok()) {
    return reporter.fail(space);
  }

  Result<activeupdate::UpdateSource> source = openComponentStore(options, *config, *key);
  if (!source.ok()) return reporter.fail(source.status());
  Result<activeupdate::Manifest> manifest = fetchManifest(*source, *config);
  if (!manifest.ok()) return reporter.fail(manifest.status());

  ComponentUpdateOptions updateOptions{
      config->consoleUrl, *key, options.minFreeSpace,
      [&reporter](const std::string& line) { reporter.progress(line); }};
  Result<ComponentUpdateReport> report = updateComponents(*source, *manifest, home, updateOptions);
  if (!report.ok()) return reporter.fail(report.status());

  if (options.noStart) {
    reporter.progress("the components in " + inQuotes(home.components()) +
                      " are ready; the scanner was not started (--no-start)");
    return 0;
  }
  int exitCode = kLauncherSetupError;
  if (Status started = startScanner(options, home, *config, reporter, exitCode); !started.ok()) {
    return reporter.fail(started);
  }
  return exitCode;
}

}  // namespace odscan::launcher
