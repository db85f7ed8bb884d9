// ConsoleConfig: every setting of threat-mitigator, read from a JSON config file
// and overridden by command-line flags. docs/console.md lists the keys.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/console/admin_accounts.h"
#include "odscan/forwarding/forwarder_config.h"
#include "odscan/http/http_server.h"
#include "odscan/http/listen_address.h"

namespace odscan::console {

struct ConsoleConfig {
  http::ListenAddress listen{"127.0.0.1", 8480};
  unsigned threads = 2;
  std::optional<http::TlsFiles> tls;

  // Holds console.db, the component store (components/) and nothing else.
  std::filesystem::path dataDir;
  // The URL endpoints reach the console at, ending with '/'. Empty: built from
  // the listen address once it is bound.
  std::string consoleUrl;
  // The publisher's Ed25519 private key (PEM): signs the component manifest and
  // the trailer of each launcher the console hands out.
  std::filesystem::path publisherKey;
  // OnDemandScan.exe and the Linux launcher, served from the On-demand Scan link.
  std::filesystem::path launcherWindows;
  std::filesystem::path launcherLinux;
  // ActiveUpdate source that "pull" takes agent patterns and programs from.
  std::string updateSource;
  std::filesystem::path updateCaFile;

  std::chrono::seconds uploadTokenLifetime{std::chrono::hours(24)};
  // A compressed upload body, and what it may expand to.
  std::uint64_t maxUploadBytes = 8ull << 20;
  std::uint64_t maxExpandedBytes = 64ull << 20;
  // A component an administrator uploads (the scanner program, a pattern).
  std::uint64_t maxComponentBytes = 128ull << 20;
  LogonPolicy logon;

  // How often Threat Management Agents check in (docs/agent.md).
  std::chrono::seconds agentCheckIn{30};
  // The largest endpoint data archive an agent may upload.
  std::uint64_t maxEndpointDataBytes = 64ull << 20;
  // The URL that "Submit case" POSTs case bundles to (application/zip). Empty
  // keeps them on the console only.
  std::string supportUrl;
  std::filesystem::path supportCaFile;

  // Where stored events are forwarded as syslog; none when unset.
  std::optional<forwarding::ForwarderConfig> syslog;

  std::filesystem::path logFile;
  spdlog::level::level_enum logLevel = spdlog::level::info;
  bool accessLog = true;
  std::filesystem::path portFile;
};

// Applies the settings of the JSON object `json` to `config`. `source` names the
// origin in messages; relative paths are taken from `baseFolder`. An unknown key
// is an error, so a misspelled key never leaves a default in place.
Status applyConsoleConfigJson(ConsoleConfig& config, std::string_view json, std::string_view source,
                              const std::filesystem::path& baseFolder);

// Reads a config file and checks it with validateConsoleConfig().
Result<ConsoleConfig> loadConsoleConfigFile(const std::filesystem::path& path);

// Checks what only makes sense together: a data folder and a publisher key are
// set, the console URL is http(s) and ends with '/'.
Status validateConsoleConfig(const ConsoleConfig& config);

// The HTTP server options for the console's settings.
http::HttpServerOptions httpOptionsOf(const ConsoleConfig& config);

}  // namespace odscan::console
