// SmartScanServer: a running Smart Scan Server. It verifies and loads the Smart
// Scan Pattern, serves scan queries over HttpServer, and keeps the pattern current
// through a PatternUpdater. smartscan-server's main is a thin layer over it, and
// tests start it in-process.
//
// Ownership: owns the HTTP server, the updater, the pattern store and the metrics.
// Thread safety: every public method may be called from any thread except a
// request handler (stop() joins the worker threads).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "odscan/common/status.h"
#include "odscan/smartscan/server_config.h"

namespace spdlog {
class logger;
}

namespace odscan::smartscan {

class SmartScanServer {
 public:
  // Reads the public key and API key file, loads and verifies the pattern file
  // when one is set, starts listening, starts the updater, and writes the port
  // file. Fails without starting anything when the config is invalid, a file is
  // missing or the pattern does not verify. The Status names the file or setting
  // and the reason.
  static Result<std::unique_ptr<SmartScanServer>> start(const ServerConfig& config,
                                                        std::shared_ptr<spdlog::logger> logger);

  // Calls stop().
  ~SmartScanServer();
  SmartScanServer(const SmartScanServer&) = delete;
  SmartScanServer& operator=(const SmartScanServer&) = delete;

  std::uint16_t port() const;
  // Returns "http://127.0.0.1:PORT" (https with TLS).
  std::string url() const;
  // Returns the loaded pattern's version, or nothing before the first load.
  std::optional<std::uint64_t> patternVersion() const;

  // Asks the updater for a check (what SIGHUP does); returns at once.
  void requestUpdate();

  // Stops the updater and the HTTP server; later calls do nothing.
  void stop();

 private:
  struct Impl;
  explicit SmartScanServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan::smartscan
