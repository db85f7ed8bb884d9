#include "odscan/console/console_config.h"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "odscan/http/server_program.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;
using http::ConfigReader;
using KeyHandler = std::function<Status(const ConfigReader&, ConsoleConfig&, const Json&)>;

KeyHandler pathKey(std::string key, std::filesystem::path ConsoleConfig::*field) {
  return [key, field](const ConfigReader& reader, ConsoleConfig& config, const Json& value) {
    auto path = reader.path(key, value);
    if (path.ok()) config.*field = *path;
    return path.status();
  };
}

KeyHandler textKey(std::string key, std::string ConsoleConfig::*field) {
  return [key, field](const ConfigReader& reader, ConsoleConfig& config, const Json& value) {
    auto text = reader.text(key, value);
    if (text.ok()) config.*field = *text;
    return text.status();
  };
}

// A whole number from `minimum` to `maximum`, stored through `store`.
KeyHandler numberKey(std::string key, std::uint64_t minimum, std::uint64_t maximum,
                     std::function<void(ConsoleConfig&, std::uint64_t)> store) {
  return [key, minimum, maximum, store](const ConfigReader& reader, ConsoleConfig& config,
                                        const Json& value) {
    auto number = reader.number(key, value, minimum, maximum);
    if (number.ok()) store(config, *number);
    return number.status();
  };
}

const std::map<std::string, KeyHandler, std::less<>>& keyHandlers() {
  using std::chrono::hours;
  using std::chrono::minutes;
  static const std::map<std::string, KeyHandler, std::less<>>
      handlers =
          {
              {"listen",
               [](const ConfigReader& reader, ConsoleConfig& config, const Json& value) -> Status {
                 auto text = reader.text("listen", value);
                 if (!text.ok()) return text.status();
                 auto address = http::ListenAddress::parse(*text);
                 if (!address.ok()) return reader.invalid("listen", address.status().message());
                 config.listen = *address;
                 return Status::success();
               }},
              {"threads", numberKey("threads", 1, 256,
                                    [](ConsoleConfig& c, std::uint64_t n) {
                                      c.threads = static_cast<unsigned>(n);
                                    })},
              {"tls",
               [](const ConfigReader& reader, ConsoleConfig& config, const Json& value) {
                 auto files = reader.tls("tls", value);
                 if (files.ok()) config.tls = *files;
                 return files.status();
               }},
              {"data_dir", pathKey("data_dir", &ConsoleConfig::dataDir)},
              {"console_url", textKey("console_url", &ConsoleConfig::consoleUrl)},
              {"publisher_key", pathKey("publisher_key", &ConsoleConfig::publisherKey)},
              {"launcher_windows", pathKey("launcher_windows", &ConsoleConfig::launcherWindows)},
              {"launcher_linux", pathKey("launcher_linux", &ConsoleConfig::launcherLinux)},
              {"update_source", textKey("update_source", &ConsoleConfig::updateSource)},
              {"update_ca_file", pathKey("update_ca_file", &ConsoleConfig::updateCaFile)},
              {"upload_token_hours", numberKey("upload_token_hours", 1, 24 * 365,
                                               [](ConsoleConfig& c, std::uint64_t n) {
                                                 c.uploadTokenLifetime = hours(n);
                                               })},
              {"max_upload_bytes",
               numberKey("max_upload_bytes", 1024, 1ull << 30,
                         [](ConsoleConfig& c, std::uint64_t n) { c.maxUploadBytes = n; })},
              {"max_expanded_bytes",
               numberKey("max_expanded_bytes", 1024, 4ull << 30,
                         [](ConsoleConfig& c, std::uint64_t n) { c.maxExpandedBytes = n; })},
              {"max_component_bytes",
               numberKey("max_component_bytes", 1024, 2ull << 30,
                         [](ConsoleConfig& c, std::uint64_t n) { c.maxComponentBytes = n; })},
              {"max_failed_logons", numberKey("max_failed_logons", 1, 100,
                                              [](ConsoleConfig& c, std::uint64_t n) {
                                                c.logon.maxFailedLogons =
                                                    static_cast<std::uint32_t>(n);
                                              })},
              {"lockout_minutes",
               numberKey("lockout_minutes", 1, 24 * 60,
                         [](ConsoleConfig& c, std::uint64_t n) { c.logon.lockout = minutes(n); })},
              {"web_session_hours", numberKey("web_session_hours", 1, 24 * 30,
                                              [](ConsoleConfig& c, std::uint64_t n) {
                                                c.logon.sessionLifetime = hours(n);
                                              })},
              {"password_iterations", numberKey("password_iterations", 1000, 100'000'000,
                                                [](ConsoleConfig& c, std::uint64_t n) {
                                                  c.logon.passwordIterations =
                                                      static_cast<std::uint32_t>(n);
                                                })},
              {"agent_check_in_seconds", numberKey("agent_check_in_seconds", 1, 3600,
                                                   [](ConsoleConfig& c, std::uint64_t n) {
                                                     c.agentCheckIn = std::chrono::seconds(n);
                                                   })},
              {"max_endpoint_data_bytes",
               numberKey("max_endpoint_data_bytes", 1024, 1ull << 30,
                         [](ConsoleConfig& c, std::uint64_t n) { c.maxEndpointDataBytes = n; })},
              {"support_url", textKey("support_url", &ConsoleConfig::supportUrl)},
              {"support_ca_file", pathKey("support_ca_file", &ConsoleConfig::supportCaFile)},
              {"syslog",
               [](const ConfigReader& reader, ConsoleConfig& config, const Json& value) -> Status {
                 auto forwarder = forwarding::parseForwarderConfig(
                     value, reader.source() + ": key \"syslog\"", reader.baseFolder());
                 if (forwarder.ok()) config.syslog = *forwarder;
                 return forwarder.status();
               }},
              {"log_file", pathKey("log_file", &ConsoleConfig::logFile)},
              {"log_level",
               [](const ConfigReader& reader, ConsoleConfig& config, const Json& value) -> Status {
                 auto text = reader.text("log_level", value);
                 if (!text.ok()) return text.status();
                 auto level = http::parseLogLevel(*text);
                 if (!level.ok()) return reader.invalid("log_level", level.status().message());
                 config.logLevel = *level;
                 return Status::success();
               }},
              {"access_log",
               [](const ConfigReader& reader, ConsoleConfig& config, const Json& value) {
                 auto enabled = reader.flag("access_log", value);
                 if (enabled.ok()) config.accessLog = *enabled;
                 return enabled.status();
               }},
              {"port_file", pathKey("port_file", &ConsoleConfig::portFile)},
          };
  return handlers;
}

}  // namespace

Status applyConsoleConfigJson(ConsoleConfig& config, std::string_view json, std::string_view source,
                              const std::filesystem::path& baseFolder) {
  Json document = Json::parse(json, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(source) + " must contain one JSON object of settings");
  }
  const ConfigReader reader(source, baseFolder);
  const auto& handlers = keyHandlers();
  for (const auto& [key, value] : document.items()) {
    const auto handler = handlers.find(key);
    if (handler == handlers.end()) {
      return reader.invalid(key, "is not a setting; docs/console.md lists the keys");
    }
    if (Status status = handler->second(reader, config, value); !status.ok()) return status;
  }
  return Status::success();
}

Result<ConsoleConfig> loadConsoleConfigFile(const std::filesystem::path& path) {
  auto text = http::readTextFile(path, "config file");
  if (!text.ok()) return text.status();
  ConsoleConfig config;
  if (Status status = applyConsoleConfigJson(config, *text, "config file '" + path.string() + "'",
                                             std::filesystem::absolute(path).parent_path());
      !status.ok()) {
    return status;
  }
  return config;
}

Status validateConsoleConfig(const ConsoleConfig& config) {
  if (config.dataDir.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "no data folder: set \"data_dir\" (or --data-dir) to the folder that holds the "
                  "console's database and component store");
  }
  if (config.publisherKey.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "no publisher key: set \"publisher_key\" (or --publisher-key) to the PEM "
                  "private key made by `odscan-pattern keygen`; it signs the component manifest");
  }
  const std::string& url = config.consoleUrl;
  if (!url.empty() &&
      ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) || url.back() != '/')) {
    return Status(StatusCode::kInvalidArgument,
                  "console_url '" + url +
                      "' must start with http:// or https:// and end with '/', for example "
                      "https://tm.example.org:8480/");
  }
  const std::string& support = config.supportUrl;
  if (!support.empty() && support.rfind("http://", 0) != 0 && support.rfind("https://", 0) != 0) {
    return Status(StatusCode::kInvalidArgument,
                  "support_url '" + support +
                      "' must start with http:// or https://; remove it to keep case bundles on "
                      "the console only");
  }
  return Status::success();
}

http::HttpServerOptions httpOptionsOf(const ConsoleConfig& config) {
  http::HttpServerOptions options;
  options.listen = config.listen;
  options.threads = config.threads;
  options.tls = config.tls;
  options.maxBodyBytes = static_cast<std::size_t>(
      std::max({config.maxUploadBytes, config.maxComponentBytes, config.maxEndpointDataBytes}));
  // Uploads of components are large; few requests in flight bound the memory.
  options.maxInFlight = 64;
  options.accessLog = config.accessLog;
  options.metricsPrefix = "odscan_console_http";
  options.accessLogHeaders = {{"X-Odscan-Endpoint", "endpoint"}};
  return options;
}

}  // namespace odscan::console
