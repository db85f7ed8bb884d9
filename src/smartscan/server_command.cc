#include "odscan/smartscan/server_command.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <ctime>
#include <nlohmann/json.hpp>

#include "odscan/http/server_program.h"
#include "odscan/smartscan/server_config.h"
#include "odscan/smartscan/smart_scan_server.h"

namespace odscan::smartscan {
namespace {

// How often the main thread wakes to flush buffered log lines when no signal
// arrives, so that a log file lags at most this long behind.
constexpr long kLogFlushSeconds = 1;

enum class FlagKind { kText, kPath, kNumber };

// One command-line flag that overrides the config key of the same meaning.
struct FlagSetting {
  std::string flag;
  std::string key;
  FlagKind kind;
  std::string description;
  std::string value;
  CLI::Option* option = nullptr;
};

std::vector<FlagSetting> flagSettings() {
  return {
      {"--listen",
       "listen",
       FlagKind::kText,
       "Address to listen on, HOST:PORT (default 127.0.0.1:8470; port 0 picks a free port)",
       {},
       nullptr},
      {"--threads",
       "threads",
       FlagKind::kNumber,
       "Worker threads; 0 means one per hardware thread (default 0)",
       {},
       nullptr},
      {"--pattern",
       "pattern",
       FlagKind::kPath,
       "Smart Scan Pattern file loaded at start",
       {},
       nullptr},
      {"--public-key",
       "public_key",
       FlagKind::kPath,
       "PEM public key that patterns must be signed with",
       {},
       nullptr},
      {"--max-digests",
       "max_digests_per_query",
       FlagKind::kNumber,
       "Maximum digests in one scan query (default 1000)",
       {},
       nullptr},
      {"--max-header-bytes",
       "max_header_bytes",
       FlagKind::kNumber,
       "Maximum bytes of a request header (default 8192)",
       {},
       nullptr},
      {"--max-body-bytes",
       "max_body_bytes",
       FlagKind::kNumber,
       "Maximum bytes of a request body (default 1048576)",
       {},
       nullptr},
      {"--max-in-flight",
       "max_in_flight",
       FlagKind::kNumber,
       "Requests in progress before new ones get 503 (default 128)",
       {},
       nullptr},
      {"--max-connections",
       "max_connections",
       FlagKind::kNumber,
       "Open connections before new ones are closed (default 4096)",
       {},
       nullptr},
      {"--retry-after",
       "retry_after_seconds",
       FlagKind::kNumber,
       "Retry-After seconds of a 503 response (default 1)",
       {},
       nullptr},
      {"--header-timeout-ms",
       "header_timeout_ms",
       FlagKind::kNumber,
       "Milliseconds allowed to receive a request header (default 10000)",
       {},
       nullptr},
      {"--body-timeout-ms",
       "body_timeout_ms",
       FlagKind::kNumber,
       "Milliseconds allowed to receive a request body (default 30000)",
       {},
       nullptr},
      {"--keep-alive-timeout-ms",
       "keep_alive_timeout_ms",
       FlagKind::kNumber,
       "Milliseconds an idle connection stays open (default 60000)",
       {},
       nullptr},
      {"--write-timeout-ms",
       "write_timeout_ms",
       FlagKind::kNumber,
       "Milliseconds allowed to send a response (default 30000)",
       {},
       nullptr},
      {"--api-keys-file",
       "api_keys_file",
       FlagKind::kPath,
       "JSON file of API keys that clients must send",
       {},
       nullptr},
      {"--update-source",
       "update_source",
       FlagKind::kText,
       "ActiveUpdate folder or URL to get newer patterns from",
       {},
       nullptr},
      {"--update-interval",
       "update_interval_seconds",
       FlagKind::kNumber,
       "Seconds between ActiveUpdate checks (default 900)",
       {},
       nullptr},
      {"--update-ca-file",
       "update_ca_file",
       FlagKind::kPath,
       "PEM CA certificates for an https update source",
       {},
       nullptr},
      {"--log-file",
       "log_file",
       FlagKind::kPath,
       "Log file; standard error when not set",
       {},
       nullptr},
      {"--log-level",
       "log_level",
       FlagKind::kText,
       "trace, debug, info, warn, error, critical or off (default info)",
       {},
       nullptr},
      {"--port-file",
       "port_file",
       FlagKind::kPath,
       "File that receives the bound port once the server listens",
       {},
       nullptr},
  };
}

// Builds {"key": value} for one flag with the value typed as the config file has it.
Result<std::string> flagJson(const FlagSetting& setting) {
  nlohmann::json object = nlohmann::json::object();
  if (setting.kind == FlagKind::kNumber) {
    std::uint64_t number = 0;
    const char* end = setting.value.data() + setting.value.size();
    const auto result = std::from_chars(setting.value.data(), end, number);
    if (setting.value.empty() || result.ec != std::errc() || result.ptr != end) {
      return Status(
          StatusCode::kInvalidArgument,
          "option " + setting.flag + " needs a whole number, not '" + setting.value + "'");
    }
    object[setting.key] = number;
  } else {
    object[setting.key] = setting.value;
  }
  return object.dump();
}

Status applyFlags(ServerConfig& config, std::vector<FlagSetting>& settings, bool noAccessLog,
                  const std::string& tlsCertificate, const std::string& tlsKey) {
  const std::filesystem::path workingFolder = std::filesystem::current_path();
  for (const FlagSetting& setting : settings) {
    if (setting.option->count() == 0) continue;
    auto json = flagJson(setting);
    if (!json.ok()) return json.status();
    if (Status status =
            applyServerConfigJson(config, *json, "option " + setting.flag, workingFolder);
        !status.ok()) {
      return status;
    }
  }
  if (noAccessLog) config.accessLog = false;
  if (!tlsCertificate.empty() || !tlsKey.empty()) {
    if (!config.tls) config.tls.emplace();
    if (!tlsCertificate.empty()) config.tls->certificateChain = workingFolder / tlsCertificate;
    if (!tlsKey.empty()) config.tls->privateKey = workingFolder / tlsKey;
  }
  return Status::success();
}

// Waits for SIGTERM or SIGINT. A SIGHUP in between requests a pattern update check.
void serveUntilStopped(SmartScanServer& server, spdlog::logger& logger, const sigset_t& signals) {
  const timespec flushInterval{kLogFlushSeconds, 0};
  while (true) {
    const int signal = sigtimedwait(&signals, nullptr, &flushInterval);
    if (signal == SIGHUP) {
      logger.info("SIGHUP received: checking for a newer Smart Scan Pattern");
      server.requestUpdate();
    } else if (signal == SIGTERM || signal == SIGINT) {
      logger.info("{} received: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
    logger.flush();
  }
}

}  // namespace

int runSmartScanServer(int argc, char** argv, std::ostream& out, std::ostream& err) {
  // Blocked before any thread starts, so every thread inherits the mask and the
  // signals wait for sigtimedwait() in the main loop, outside signal handlers.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CLI::App app("smartscan-server: answers scan queries from a signed Smart Scan Pattern",
               "smartscan-server");
  std::string configFile;
  app.add_option("--config", configFile, "JSON config file; flags override its settings")
      ->option_text("FILE");
  std::vector<FlagSetting> settings = flagSettings();
  for (FlagSetting& setting : settings) {
    setting.option = app.add_option(setting.flag, setting.value, setting.description);
  }
  std::string tlsCertificate;
  std::string tlsKey;
  app.add_option("--tls-certificate", tlsCertificate, "PEM certificate chain; enables TLS")
      ->option_text("FILE");
  app.add_option("--tls-private-key", tlsKey, "PEM private key of the TLS certificate")
      ->option_text("FILE");
  bool noAccessLog = false;
  app.add_flag("--no-access-log", noAccessLog, "Do not log a line per request");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, out, err);
    return code == 0 ? kExitOk : kExitConfigError;
  }

  ServerConfig config;
  if (!configFile.empty()) {
    auto loaded = loadServerConfigFile(configFile);
    if (!loaded.ok()) {
      err << "smartscan-server: " << loaded.status().message() << "\n";
      return kExitConfigError;
    }
    config = std::move(loaded).value();
  }
  if (Status status = applyFlags(config, settings, noAccessLog, tlsCertificate, tlsKey);
      !status.ok()) {
    err << "smartscan-server: " << status.message() << "\n";
    return kExitConfigError;
  }

  auto logger = http::makeServerLogger("smartscan-server", config.logFile, config.logLevel);
  if (!logger.ok()) {
    err << "smartscan-server: " << logger.status().message() << "\n";
    return kExitConfigError;
  }
  auto server = SmartScanServer::start(config, *logger);
  if (!server.ok()) {
    (*logger)->error("start failed: {}", server.status().toString());
    (*logger)->flush();
    err << "smartscan-server: " << server.status().message() << "\n";
    return kExitConfigError;
  }

  const auto version = (*server)->patternVersion();
  out << "smartscan-server listening on " << (*server)->url() << " (pattern "
      << (version ? std::to_string(*version) : std::string("none loaded yet")) << ")" << std::endl;
  serveUntilStopped(**server, **logger, signals);
  (*server)->stop();
  (*logger)->info("smartscan-server stopped");
  (*logger)->flush();
  return kExitOk;
}

}  // namespace odscan::smartscan
