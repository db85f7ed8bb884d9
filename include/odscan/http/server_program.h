// Helpers that every server program built on HttpServer shares (smartscan-server
// and threat-mitigator): reading a JSON config file key by key, the log level
// names, the logger, and the port file that tests and scripts wait for.
//
// Thread safety: ConfigReader is immutable; the free functions share no state.
#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/http/http_server.h"

namespace spdlog {
class logger;
}

namespace odscan::http {

// Reads typed values of one config source (a file or a command-line flag) and
// words errors as "<source>: key "<key>" <problem>".
class ConfigReader {
 public:
  // Relative paths are resolved against `baseFolder`.
  ConfigReader(std::string_view source, std::filesystem::path baseFolder)
      : source_(source), baseFolder_(std::move(baseFolder)) {}

  Status invalid(std::string_view key, std::string_view problem) const;
  Result<std::string> text(std::string_view key, const nlohmann::json& value) const;
  // A non-empty path; relative ones are taken from the base folder.
  Result<std::filesystem::path> path(std::string_view key, const nlohmann::json& value) const;
  Result<std::uint64_t> number(std::string_view key, const nlohmann::json& value,
                               std::uint64_t minimum, std::uint64_t maximum) const;
  Result<bool> flag(std::string_view key, const nlohmann::json& value) const;
  // {"certificate": FILE, "private_key": FILE}.
  Result<TlsFiles> tls(std::string_view key, const nlohmann::json& value) const;

  const std::string& source() const { return source_; }
  const std::filesystem::path& baseFolder() const { return baseFolder_; }

 private:
  std::string source_;
  std::filesystem::path baseFolder_;
};

// Returns the contents of a small text file. Fails with kNotFound when `path` is
// not a regular file and kIoError when it cannot be read; `fileKind` ("config
// file") starts the message.
Result<std::string> readTextFile(const std::filesystem::path& path, std::string_view fileKind);

// Parses "trace", "debug", "info", "warn", "error", "critical" or "off".
Result<spdlog::level::level_enum> parseLogLevel(std::string_view text);

// Returns a logger named `name` that writes to `logFile` (appending), or to
// standard error when it is empty, with UTC times. Lines below warn are flushed
// by the caller, so that a busy server does not make a system call per line.
Result<std::shared_ptr<spdlog::logger>> makeServerLogger(std::string_view name,
                                                         const std::filesystem::path& logFile,
                                                         spdlog::level::level_enum level);

// Writes `port` and a newline to `path` through a temporary file and a rename, so
// that a reader never sees a partly written number.
Status writePortFile(const std::filesystem::path& path, std::uint16_t port);

}  // namespace odscan::http
