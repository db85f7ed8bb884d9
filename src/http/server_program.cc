#include "odscan/http/server_program.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>
#include <map>

namespace odscan::http {

using Json = nlohmann::json;

Status ConfigReader::invalid(std::string_view key, std::string_view problem) const {
  return Status(StatusCode::kInvalidArgument,
                source_ + ": key \"" + std::string(key) + "\" " + std::string(problem));
}

Result<std::string> ConfigReader::text(std::string_view key, const Json& value) const {
  if (!value.is_string()) return invalid(key, "must be a string");
  return value.get<std::string>();
}

Result<std::filesystem::path> ConfigReader::path(std::string_view key, const Json& value) const {
  auto raw = text(key, value);
  if (!raw.ok()) return raw.status();
  if (raw->empty()) return invalid(key, "must not be empty; remove the key instead");
  std::filesystem::path result(*raw);
  if (result.is_relative()) result = baseFolder_ / result;
  return result;
}

Result<std::uint64_t> ConfigReader::number(std::string_view key, const Json& value,
                                           std::uint64_t minimum, std::uint64_t maximum) const {
  if (!value.is_number_unsigned() &&
      !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    return invalid(key, "must be a whole number from " + std::to_string(minimum) + " to " +
                            std::to_string(maximum));
  }
  const auto result = value.get<std::uint64_t>();
  if (result < minimum || result > maximum) {
    return invalid(key, "is " + std::to_string(result) + " but must be from " +
                            std::to_string(minimum) + " to " + std::to_string(maximum));
  }
  return result;
}

Result<bool> ConfigReader::flag(std::string_view key, const Json& value) const {
  if (!value.is_boolean()) return invalid(key, "must be true or false");
  return value.get<bool>();
}

Result<TlsFiles> ConfigReader::tls(std::string_view key, const Json& value) const {
  if (!value.is_object() || value.size() != 2 || !value.contains("certificate") ||
      !value.contains("private_key")) {
    return invalid(key, R"(must be {"certificate": "FILE", "private_key": "FILE"})");
  }
  auto certificate = path(std::string(key) + ".certificate", value["certificate"]);
  if (!certificate.ok()) return certificate.status();
  auto privateKey = path(std::string(key) + ".private_key", value["private_key"]);
  if (!privateKey.ok()) return privateKey.status();
  return TlsFiles{*certificate, *privateKey};
}

Result<std::string> readTextFile(const std::filesystem::path& path, std::string_view fileKind) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Status(StatusCode::kNotFound, std::string(fileKind) + " '" + path.string() +
                                             "' does not exist or is not a file");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad() || !in.is_open()) {
    return Status(StatusCode::kIoError,
                  "cannot read " + std::string(fileKind) + " '" + path.string() + "'");
  }
  return text;
}

Result<spdlog::level::level_enum> parseLogLevel(std::string_view text) {
  static const std::map<std::string, spdlog::level::level_enum, std::less<>> kLevels = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off}};
  const auto level = kLevels.find(text);
  if (level == kLevels.end()) {
    return Status(StatusCode::kInvalidArgument,
                  "log level \"" + std::string(text.substr(0, 32)) +
                      "\" is unknown; use trace, debug, info, warn, error, critical or off");
  }
  return level->second;
}

Result<std::shared_ptr<spdlog::logger>> makeServerLogger(std::string_view name,
                                                         const std::filesystem::path& logFile,
                                                         spdlog::level::level_enum level) {
  try {
    spdlog::sink_ptr sink;
    if (logFile.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(logFile.string());
    }
    auto logger = std::make_shared<spdlog::logger>(std::string(name), std::move(sink));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(level);
    logger->flush_on(spdlog::level::warn);
    return logger;
  } catch (const spdlog::spdlog_ex& error) {
    return Status(StatusCode::kIoError,
                  "cannot open the log file '" + logFile.string() + "': " + error.what());
  }
}

Status writePortFile(const std::filesystem::path& path, std::uint16_t port) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out.good()) {
      return Status(StatusCode::kIoError, "cannot write the port file '" + temporary.string() +
                                              "'; check that its folder exists and is writable");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return Status(StatusCode::kIoError, "cannot rename '" + temporary.string() + "' to '" +
                                            path.string() + "': " + error.message());
  }
  return Status::success();
}

}  // namespace odscan::http
