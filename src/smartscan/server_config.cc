#include "odscan/smartscan/server_config.h"

#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "odscan/http/server_program.h"

namespace odscan::smartscan {
namespace {

using Json = nlohmann::json;

// API keys are compared in full, so only length protects them from guessing; 16
// characters of a random hex key are 64 bits.
constexpr std::size_t kMinApiKeyLength = 16;
constexpr std::size_t kMaxApiKeyLength = 256;
constexpr std::size_t kMaxApiKeyNameLength = 64;

using http::ConfigReader;

constexpr std::uint64_t kMaxCount = 1'000'000'000;
constexpr std::uint64_t kMaxMilliseconds = 24ull * 3600 * 1000;

bool isApiKeyNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Parses [{"name": ..., "key": ...}, ...]. `arrayName` starts each error message.
Result<std::vector<ApiKey>> parseApiKeys(const Json& value, std::string_view arrayName) {
  const auto invalid = [arrayName](const std::string& problem) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(arrayName) + " " + problem +
                      "; it must be an array of {\"name\": \"...\", \"key\": \"...\"} objects");
  };
  if (!value.is_array()) return invalid("is not an array");
  std::vector<ApiKey> keys;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& entry = value[i];
    const std::string index = "entry " + std::to_string(i);
    if (!entry.is_object()) return invalid(index + " is not an object");
    const auto name = entry.find("name");
    const auto key = entry.find("key");
    if (name == entry.end() || !name->is_string() || key == entry.end() || !key->is_string()) {
      return invalid(index + " needs the strings \"name\" and \"key\"");
    }
    if (entry.size() != 2) return invalid(index + " has keys other than \"name\" and \"key\"");
    keys.push_back(ApiKey{name->get<std::string>(), key->get<std::string>()});
  }
  return keys;
}

using KeyHandler = std::function<Status(const ConfigReader&, ServerConfig&, const Json&)>;
using HandlerMap = std::map<std::string, KeyHandler, std::less<>>;

template <typename Field>
KeyHandler countKey(std::string key, Field ServerConfig::*field, std::uint64_t minimum,
                    std::uint64_t maximum) {
  return [key, field, minimum, maximum](const ConfigReader& reader, ServerConfig& config,
                                        const Json& value) {
    auto number = reader.number(key, value, minimum, maximum);
    if (number.ok()) config.*field = static_cast<Field>(*number);
    return number.status();
  };
}

template <typename Duration>
KeyHandler durationKey(std::string key, Duration ServerConfig::*field, std::uint64_t minimum,
                       std::uint64_t maximum) {
  return [key, field, minimum, maximum](const ConfigReader& reader, ServerConfig& config,
                                        const Json& value) {
    auto number = reader.number(key, value, minimum, maximum);
    if (number.ok()) config.*field = Duration(static_cast<typename Duration::rep>(*number));
    return number.status();
  };
}

KeyHandler pathKey(std::string key, std::filesystem::path ServerConfig::*field) {
  return [key, field](const ConfigReader& reader, ServerConfig& config, const Json& value) {
    auto path = reader.path(key, value);
    if (path.ok()) config.*field = *path;
    return path.status();
  };
}

Status readListen(const ConfigReader& reader, ServerConfig& config, const Json& value) {
  auto text = reader.text("listen", value);
  if (!text.ok()) return text.status();
  auto address = http::ListenAddress::parse(*text);
  if (!address.ok()) return reader.invalid("listen", address.status().message());
  config.listen = *address;
  return Status::success();
}

Status readTls(const ConfigReader& reader, ServerConfig& config, const Json& value) {
  auto files = reader.tls("tls", value);
  if (files.ok()) config.tls = *files;
  return files.status();
}

Status readApiKeys(const ConfigReader& reader, ServerConfig& config, const Json& value) {
  auto keys = parseApiKeys(value, "the array");
  if (!keys.ok()) return reader.invalid("api_keys", keys.status().message());
  config.apiKeys = *keys;
  return Status::success();
}

Status readUpdateSource(const ConfigReader& reader, ServerConfig& config, const Json& value) {
  auto text = reader.text("update_source", value);
  if (text.ok()) config.updateSource = *text;
  return text.status();
}

Status readLogLevel(const ConfigReader& reader, ServerConfig& config, const Json& value) {
  auto text = reader.text("log_level", value);
  if (!text.ok()) return text.status();
  auto level = http::parseLogLevel(*text);
  if (!level.ok()) return reader.invalid("log_level", level.status().message());
  config.logLevel = *level;
  return Status::success();
}

Status readAccessLog(const ConfigReader& reader, ServerConfig& config, const Json& value) {
  auto enabled = reader.flag("access_log", value);
  if (enabled.ok()) config.accessLog = *enabled;
  return enabled.status();
}

const HandlerMap& keyHandlers() {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  static const HandlerMap handlers = {
      {"listen", readListen},
      {"threads", countKey("threads", &ServerConfig::threads, 0, 1024)},
      {"tls", readTls},
      {"pattern", pathKey("pattern", &ServerConfig::patternFile)},
      {"public_key", pathKey("public_key", &ServerConfig::publicKeyFile)},
      {"max_digests_per_query",
       countKey("max_digests_per_query", &ServerConfig::maxDigestsPerQuery, 1, 1'000'000)},
      {"max_header_bytes",
       countKey("max_header_bytes", &ServerConfig::maxHeaderBytes, 1024, 1024 * 1024)},
      {"max_body_bytes", countKey("max_body_bytes", &ServerConfig::maxBodyBytes, 1024, 1ull << 30)},
      {"max_in_flight", countKey("max_in_flight", &ServerConfig::maxInFlight, 1, kMaxCount)},
      {"max_connections", countKey("max_connections", &ServerConfig::maxConnections, 1, kMaxCount)},
      {"retry_after_seconds",
       durationKey("retry_after_seconds", &ServerConfig::retryAfter, 0, 3600)},
      {"header_timeout_ms",
       durationKey("header_timeout_ms", &ServerConfig::headerTimeout, 1, kMaxMilliseconds)},
      {"body_timeout_ms",
       durationKey("body_timeout_ms", &ServerConfig::bodyTimeout, 1, kMaxMilliseconds)},
      {"keep_alive_timeout_ms",
       durationKey("keep_alive_timeout_ms", &ServerConfig::keepAliveTimeout, 1, kMaxMilliseconds)},
      {"write_timeout_ms",
       durationKey("write_timeout_ms", &ServerConfig::writeTimeout, 1, kMaxMilliseconds)},
      {"api_keys", readApiKeys},
      {"api_keys_file", pathKey("api_keys_file", &ServerConfig::apiKeysFile)},
      {"update_source", readUpdateSource},
      {"update_interval_seconds",
       durationKey("update_interval_seconds", &ServerConfig::updateInterval, 1, 7 * 24 * 3600)},
      {"update_ca_file", pathKey("update_ca_file", &ServerConfig::updateCaFile)},
      {"log_file", pathKey("log_file", &ServerConfig::logFile)},
      {"log_level", readLogLevel},
      {"access_log", readAccessLog},
      {"port_file", pathKey("port_file", &ServerConfig::portFile)},
  };
  return handlers;
}

Status checkApiKeys(const std::vector<ApiKey>& keys) {
  std::set<std::string_view> names;
  std::set<std::string_view> values;
  for (const ApiKey& key : keys) {
    bool nameValid = !key.name.empty() && key.name.size() <= kMaxApiKeyNameLength;
    for (const char c : key.name) nameValid = nameValid && isApiKeyNameChar(c);
    if (!nameValid) {
      return Status(StatusCode::kInvalidArgument,
                    "API key name \"" + key.name.substr(0, kMaxApiKeyNameLength) +
                        "\" is invalid; use 1 to 64 characters of [A-Za-z0-9._-]");
    }
    bool keyValid = key.key.size() >= kMinApiKeyLength && key.key.size() <= kMaxApiKeyLength;
    for (const char c : key.key) keyValid = keyValid && c > ' ' && c < 0x7f;
    if (!keyValid) {
      return Status(StatusCode::kInvalidArgument,
                    "API key \"" + key.name +
                        "\" must be 16 to 256 printable ASCII characters without spaces; "
                        "generate one with `openssl rand -hex 32`");
    }
    if (!names.insert(key.name).second) {
      return Status(
          StatusCode::kInvalidArgument,
          "API key name \"" + key.name + "\" appears twice; give each client its own name");
    }
    if (!values.insert(key.key).second) {
      return Status(StatusCode::kInvalidArgument,
                    "API key \"" + key.name +
                        "\" has the same key as another entry; give each "
                        "client its own key");
    }
  }
  return Status::success();
}

}  // namespace

Status applyServerConfigJson(ServerConfig& config, std::string_view json, std::string_view source,
                             const std::filesystem::path& baseFolder) {
  Json document;
  try {
    document = Json::parse(json);
  } catch (const Json::exception& error) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(source) + " is not valid JSON: " + error.what());
  }
  if (!document.is_object()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(source) + " must contain a JSON object of settings");
  }

  const ConfigReader reader(source, baseFolder);
  const auto& handlers = keyHandlers();
  for (const auto& [key, value] : document.items()) {
    const auto handler = handlers.find(key);
    if (handler == handlers.end()) {
      return reader.invalid(key, "is not a setting; docs/smartscan-server.md lists the keys");
    }
    if (Status status = handler->second(reader, config, value); !status.ok()) return status;
  }
  return Status::success();
}

Result<ServerConfig> parseServerConfig(std::string_view json, std::string_view source,
                                       const std::filesystem::path& baseFolder) {
  ServerConfig config;
  if (Status status = applyServerConfigJson(config, json, source, baseFolder); !status.ok()) {
    return status;
  }
  return config;
}

Result<ServerConfig> loadServerConfigFile(const std::filesystem::path& path) {
  auto text = http::readTextFile(path, "config file");
  if (!text.ok()) return text.status();
  return parseServerConfig(*text, "config file '" + path.string() + "'",
                           std::filesystem::absolute(path).parent_path());
}

Result<std::vector<ApiKey>> loadApiKeysFile(const std::filesystem::path& path) {
  auto text = http::readTextFile(path, "API key file");
  if (!text.ok()) return text.status();
  const std::string fileName = "API key file '" + path.string() + "'";
  Json document;
  try {
    document = Json::parse(*text);
  } catch (const Json::exception& error) {
    return Status(StatusCode::kInvalidArgument, fileName + " is not valid JSON: " + error.what());
  }
  return parseApiKeys(document, fileName);
}

Status validateServerConfig(const ServerConfig& config) {
  if (config.publicKeyFile.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "no public key: set --public-key or \"public_key\" to the PEM file of the key "
                  "that signs Smart Scan Patterns");
  }
  if (config.patternFile.empty() && config.updateSource.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "no Smart Scan Pattern: set --pattern (\"pattern\") to a pattern file, or "
                  "--update-source (\"update_source\") to an ActiveUpdate source");
  }
  if (config.tls && (config.tls->certificateChain.empty() || config.tls->privateKey.empty())) {
    return Status(StatusCode::kInvalidArgument,
                  "TLS needs both a certificate and a private key: set --tls-certificate and "
                  "--tls-private-key, or neither for plain HTTP");
  }
  if (config.maxDigestsPerQuery == 0) {
    return Status(StatusCode::kInvalidArgument, "max_digests_per_query must be at least 1");
  }
  return checkApiKeys(config.apiKeys);
}

http::HttpServerOptions httpOptionsOf(const ServerConfig& config) {
  http::HttpServerOptions options;
  options.listen = config.listen;
  options.threads = config.threads;
  options.tls = config.tls;
  options.maxHeaderBytes = config.maxHeaderBytes;
  options.maxBodyBytes = config.maxBodyBytes;
  options.headerTimeout = config.headerTimeout;
  options.bodyTimeout = config.bodyTimeout;
  options.keepAliveTimeout = config.keepAliveTimeout;
  options.writeTimeout = config.writeTimeout;
  options.maxConnections = config.maxConnections;
  options.maxInFlight = config.maxInFlight;
  options.retryAfter = config.retryAfter;
  options.accessLog = config.accessLog;
  options.metricsPrefix = "odscan_http";
  return options;
}

}  // namespace odscan::smartscan
