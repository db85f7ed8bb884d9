// ServerConfig: every setting of smartscan-server, read from a JSON config file
// and overridden by command-line flags. docs/smartscan-server.md lists the keys.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/http/http_server.h"
#include "odscan/http/listen_address.h"

namespace odscan::smartscan {

// A client credential for the Global Smart Scan Server role. `name` appears in
// logs; `key` never does.
struct ApiKey {
  std::string name;
  std::string key;
};

struct ServerConfig {
  http::ListenAddress listen{"127.0.0.1", 8470};
  unsigned threads = 0;  // 0: one per hardware thread
  std::optional<http::TlsFiles> tls;

  // The Smart Scan Pattern loaded at start. Optional when an ActiveUpdate source
  // is set; the server then reports not ready until the first download.
  std::filesystem::path patternFile;
  std::filesystem::path publicKeyFile;

  std::size_t maxDigestsPerQuery = 1000;
  std::size_t maxHeaderBytes = 8 * 1024;
  std::size_t maxBodyBytes = 1024 * 1024;
  std::size_t maxInFlight = 128;
  std::size_t maxConnections = 4096;
  std::chrono::seconds retryAfter{1};
  std::chrono::milliseconds headerTimeout{std::chrono::seconds(10)};
  std::chrono::milliseconds bodyTimeout{std::chrono::seconds(30)};
  std::chrono::milliseconds keepAliveTimeout{std::chrono::seconds(60)};
  std::chrono::milliseconds writeTimeout{std::chrono::seconds(30)};

  // When any key is set, /v1/query and /metrics need "Authorization: Bearer KEY".
  std::vector<ApiKey> apiKeys;
  std::filesystem::path apiKeysFile;

  // An ActiveUpdate folder, file:// URL or http(s):// URL; empty for none.
  std::string updateSource;
  std::chrono::seconds updateInterval{std::chrono::minutes(15)};
  // CA certificates (PEM) for an https update source; empty uses the system's.
  std::filesystem::path updateCaFile;

  std::filesystem::path logFile;  // empty: standard error
  spdlog::level::level_enum logLevel = spdlog::level::info;
  bool accessLog = true;
  // Receives the bound port once the server listens.
  std::filesystem::path portFile;
};

// Parses a JSON config object over the defaults above. Relative paths are taken
// from `baseFolder` (the config file's folder). Unknown keys are errors, so that
// a misspelled key does not silently keep a default. Errors name `source` and the
// key, and fail with kInvalidArgument.
Result<ServerConfig> parseServerConfig(std::string_view json, std::string_view source,
                                       const std::filesystem::path& baseFolder);

// Applies the settings of a JSON object to `config`, leaving other settings as they
// are; flags use it to override a config file. Errors are as in parseServerConfig().
Status applyServerConfigJson(ServerConfig& config, std::string_view json, std::string_view source,
                             const std::filesystem::path& baseFolder);

// Reads and parses a config file. Fails with kNotFound or kIoError for the file
// and as parseServerConfig() for its contents.
Result<ServerConfig> loadServerConfigFile(const std::filesystem::path& path);

// Reads an API key file: a JSON array of {"name": ..., "key": ...} objects.
Result<std::vector<ApiKey>> loadApiKeysFile(const std::filesystem::path& path);

// Checks the settings that only make sense together: a public key, a pattern or an
// update source, both TLS files or neither, limits in range, distinct and
// non-empty API keys. Fails with kInvalidArgument naming the key and the fix.
Status validateServerConfig(const ServerConfig& config);

http::HttpServerOptions httpOptionsOf(const ServerConfig& config);

}  // namespace odscan::smartscan
