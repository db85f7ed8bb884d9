// ConsoleServer: Threat Mitigator, the management console. One HTTP server
// (odscan_http) carries three audiences:
//
//   endpoints       the component store (/components/), the launcher download
//                   (/ondemand/...), and the session protocol (/api/v1/sessions,
//                   /api/v1/session/...), authenticated by upload tokens;
//   administrators  the pages (/logon, /threats, /events, ...) and their JSON API
//                   (/api/v1/...), authenticated by a session cookie, with a CSRF
//                   token on every request that changes something;
//   guests          the On-demand Scan page (/ondemand) that hands out the
//                   launcher.
//
// docs/console.md is the administrator's guide; docs/console-protocol.md
// specifies what endpoints send.
//
// Ownership: owns the database, the component store and the HTTP server.
// Thread safety: url(), port() and stop() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "odscan/common/status.h"
#include "odscan/console/console_config.h"

namespace spdlog {
class logger;
}

namespace odscan::console {

class ConsoleServer {
 public:
  // Opens the database and the component store, publishes the current settings
  // component, and starts serving. Errors name the file or setting at fault.
  static Result<std::unique_ptr<ConsoleServer>> start(const ConsoleConfig& config,
                                                      std::shared_ptr<spdlog::logger> logger);
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // The URL endpoints reach the console at, ending with '/'.
  std::string url() const;
  std::uint16_t port() const;
  void stop();

  struct Impl;

 private:
  explicit ConsoleServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan::console
