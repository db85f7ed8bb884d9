#include "odscan/forwarding/forwarder_config.h"

#include <array>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#ifndef ODSCAN_VERSION
#define ODSCAN_VERSION "unknown"
#endif

namespace odscan::forwarding {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<std::string_view, int>, 22> kFacilities = {{
    {"kern", 0},      {"user", 1},    {"mail", 2},    {"daemon", 3},    {"auth", 4},
    {"syslog", 5},    {"lpr", 6},     {"news", 7},    {"uucp", 8},      {"cron", 9},
    {"authpriv", 10}, {"ftp", 11},    {"ntp", 12},    {"security", 13}, {"local0", 16},
    {"local1", 17},   {"local2", 18}, {"local3", 19}, {"local4", 20},   {"local5", 21},
    {"local6", 22},   {"local7", 23},
}};

constexpr std::uint64_t kMaxQueue = 10'000'000;
constexpr std::uint64_t kMaxMilliseconds = 24ull * 3600 * 1000;
// RFC 5424 section 6: APP-NAME is at most 48 printable US-ASCII characters and
// HOSTNAME at most 255.
constexpr std::size_t kMaxAppNameLength = 48;
constexpr std::size_t kMaxHostnameLength = 255;

bool isPrintableAscii(std::string_view text) {
  for (const char c : text) {
    if (c < 33 || c > 126) return false;
  }
  return true;
}

// Reads one member at a time and names `source` and the member in each error.
class MemberReader {
 public:
  MemberReader(std::string_view source, std::filesystem::path baseFolder)
      : source_(source), baseFolder_(std::move(baseFolder)) {}

  Status invalid(std::string_view member, std::string_view problem) const {
    return Status(
        StatusCode::kInvalidArgument,
        source_ + ": member \"syslog." + std::string(member) + "\" " + std::string(problem));
  }

  Result<std::string> text(std::string_view member, const Json& value) const {
    if (!value.is_string()) return invalid(member, "must be a string");
    return value.get<std::string>();
  }

  Result<std::uint64_t> number(std::string_view member, const Json& value, std::uint64_t minimum,
                               std::uint64_t maximum) const {
    const std::string range = "from " + std::to_string(minimum) + " to " + std::to_string(maximum);
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      return invalid(member, "must be a whole number " + range);
    }
    const auto result = value.get<std::uint64_t>();
    if (result < minimum || result > maximum) {
      return invalid(member, "is " + std::to_string(result) + " but must be " + range);
    }
    return result;
  }

  Result<bool> flag(std::string_view member, const Json& value) const {
    if (!value.is_boolean()) return invalid(member, "must be true or false");
    return value.get<bool>();
  }

  std::filesystem::path resolve(const std::string& path) const {
    std::filesystem::path result(path);
    return result.is_relative() ? baseFolder_ / result : result;
  }

 private:
  std::string source_;
  std::filesystem::path baseFolder_;
};

using MemberHandler = std::function<Status(const MemberReader&, ForwarderConfig&, const Json&)>;
using HandlerMap = std::map<std::string, MemberHandler, std::less<>>;

Status readCollector(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto text = reader.text("collector", value);
  if (!text.ok()) return text.status();
  auto address = CollectorAddress::parse(*text);
  if (!address.ok()) return reader.invalid("collector", address.status().message());
  config.collector = *address;
  return Status::success();
}

Status readTransport(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto text = reader.text("transport", value);
  if (!text.ok()) return text.status();
  if (*text == "udp") {
    config.transport = Transport::kUdp;
  } else if (*text == "tcp") {
    config.transport = Transport::kTcp;
  } else if (*text == "tls") {
    config.transport = Transport::kTls;
  } else {
    return reader.invalid("transport",
                          "is \"" + *text + "\" but must be \"udp\", \"tcp\" or \"tls\"");
  }
  return Status::success();
}

Status readFormat(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto text = reader.text("format", value);
  if (!text.ok()) return text.status();
  if (*text == "rfc5424") {
    config.format = MessageFormat::kRfc5424;
  } else if (*text == "cef") {
    config.format = MessageFormat::kCef;
  } else {
    return reader.invalid("format", "is \"" + *text + "\" but must be \"rfc5424\" or \"cef\"");
  }
  return Status::success();
}

Status readFacility(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  if (value.is_number()) {
    auto code = reader.number("facility", value, 0, 23);
    if (code.ok()) config.facility = static_cast<int>(*code);
    return code.status();
  }
  auto text = reader.text("facility", value);
  if (!text.ok())
    return reader.invalid("facility", "must be a name such as \"local0\" or a code from 0 to 23");
  auto code = parseFacility(*text);
  if (!code.ok()) return reader.invalid("facility", code.status().message());
  config.facility = *code;
  return Status::success();
}

MemberHandler asciiMember(std::string member, std::string ForwarderConfig::*field,
                          std::size_t maxLength) {
  return [member, field, maxLength](const MemberReader& reader, ForwarderConfig& config,
                                    const Json& value) {
    auto text = reader.text(member, value);
    if (!text.ok()) return text.status();
    if (text->empty() || text->size() > maxLength || !isPrintableAscii(*text)) {
      return reader.invalid(member, "must be 1 to " + std::to_string(maxLength) +
                                        " printable ASCII characters without spaces");
    }
    config.*field = *text;
    return Status::success();
  };
}

Status readProductVersion(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto text = reader.text("product_version", value);
  if (!text.ok()) return text.status();
  if (text->empty() || text->size() > 64 || !isPrintableAscii(*text)) {
    return reader.invalid("product_version", "must be 1 to 64 printable ASCII characters");
  }
  config.productVersion = *text;
  return Status::success();
}

Status readCaFile(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto text = reader.text("ca_file", value);
  if (!text.ok()) return text.status();
  if (text->empty())
    return reader.invalid("ca_file",
                          "must not be empty; remove it to use the system's trust store");
  config.caFile = reader.resolve(*text);
  return Status::success();
}

Status readServerName(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto text = reader.text("tls_server_name", value);
  if (!text.ok()) return text.status();
  if (text->empty() || text->size() > 253 || !isPrintableAscii(*text)) {
    return reader.invalid(
        "tls_server_name",
        "must be the DNS name in the collector's certificate, 1 to 253 characters");
  }
  config.serverName = *text;
  return Status::success();
}

Status readEnabled(const MemberReader& reader, ForwarderConfig& config, const Json& value) {
  auto enabled = reader.flag("enabled", value);
  if (enabled.ok()) config.enabled = *enabled;
  return enabled.status();
}

template <typename Field>
MemberHandler countMember(std::string member, Field ForwarderConfig::*field, std::uint64_t minimum,
                          std::uint64_t maximum) {
  return [member, field, minimum, maximum](const MemberReader& reader, ForwarderConfig& config,
                                           const Json& value) {
    auto number = reader.number(member, value, minimum, maximum);
    if (number.ok()) config.*field = static_cast<Field>(*number);
    return number.status();
  };
}

MemberHandler millisecondsMember(std::string member,
                                 std::chrono::milliseconds ForwarderConfig::*field,
                                 std::uint64_t minimum) {
  return [member, field, minimum](const MemberReader& reader, ForwarderConfig& config,
                                  const Json& value) {
    auto number = reader.number(member, value, minimum, kMaxMilliseconds);
    if (number.ok()) config.*field = std::chrono::milliseconds(static_cast<std::int64_t>(*number));
    return number.status();
  };
}

const HandlerMap& memberHandlers() {
  static const HandlerMap handlers = {
      {"enabled", readEnabled},
      {"collector", readCollector},
      {"transport", readTransport},
      {"format", readFormat},
      {"facility", readFacility},
      {"app_name", asciiMember("app_name", &ForwarderConfig::appName, kMaxAppNameLength)},
      {"hostname", asciiMember("hostname", &ForwarderConfig::hostname, kMaxHostnameLength)},
      {"enterprise_number",
       countMember("enterprise_number", &ForwarderConfig::enterpriseNumber, 1, 4'294'967'295u)},
      {"product_version", readProductVersion},
      {"ca_file", readCaFile},
      {"tls_server_name", readServerName},
      {"max_queue", countMember("max_queue", &ForwarderConfig::maxQueue, 1, kMaxQueue)},
      {"max_message_bytes", countMember("max_message_bytes", &ForwarderConfig::maxMessageBytes,
                                        kMinMessageBytes, kMaxUdpMessageBytes)},
      {"connect_timeout_ms",
       millisecondsMember("connect_timeout_ms", &ForwarderConfig::connectTimeout, 1)},
      {"write_timeout_ms",
       millisecondsMember("write_timeout_ms", &ForwarderConfig::writeTimeout, 1)},
      {"reconnect_min_ms",
       millisecondsMember("reconnect_min_ms", &ForwarderConfig::reconnectMin, 1)},
      {"reconnect_max_ms",
       millisecondsMember("reconnect_max_ms", &ForwarderConfig::reconnectMax, 1)},
  };
  return handlers;
}

std::string memberList() {
  std::string list;
  for (const auto& [name, handler] : memberHandlers()) {
    list += list.empty() ? name : ", " + name;
  }
  return list;
}

}  // namespace

std::string_view transportName(Transport transport) {
  switch (transport) {
    case Transport::kUdp:
      return "udp";
    case Transport::kTcp:
      return "tcp";
    case Transport::kTls:
      return "tls";
  }
  return "unknown";
}

std::string_view messageFormatName(MessageFormat format) {
  return format == MessageFormat::kCef ? "cef" : "rfc5424";
}

Result<int> parseFacility(std::string_view name) {
  for (const auto& [facilityName, code] : kFacilities) {
    if (facilityName == name) return code;
  }
  return Status(StatusCode::kInvalidArgument,
                "is \"" + std::string(name) +
                    "\" but must be a facility name (kern, user, mail, daemon, auth, syslog, lpr, "
                    "news, uucp, cron, authpriv, ftp, ntp, security, local0 to local7) or a code "
                    "from 0 to 23");
}

Result<ForwarderConfig> parseForwarderConfig(const nlohmann::json& object, std::string_view source,
                                             const std::filesystem::path& baseFolder) {
  const MemberReader reader(source, baseFolder);
  if (!object.is_object()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(source) +
                      ": \"syslog\" must be a JSON object such as "
                      "{\"collector\": \"192.0.2.7:514\", \"transport\": \"udp\"}");
  }

  ForwarderConfig config;
  config.productVersion = ODSCAN_VERSION;
  for (const auto& [name, value] : object.items()) {
    const auto handler = memberHandlers().find(name);
    if (handler == memberHandlers().end()) {
      return reader.invalid(name, "is not a known member; use one of " + memberList());
    }
    Status status = handler->second(reader, config, value);
    if (!status.ok()) return status;
  }

  if (!object.contains("collector")) {
    return reader.invalid("collector",
                          "is missing; set it to the collector's HOST:PORT, for "
                          "example \"192.0.2.7:514\"");
  }
  Status valid = validateForwarderConfig(config);
  if (!valid.ok()) return valid.withContext(source);
  return config;
}

Result<ForwarderConfig> parseForwarderConfig(std::string_view json, std::string_view source,
                                             const std::filesystem::path& baseFolder) {
  const Json object = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(source) +
                      ": the syslog settings are not valid JSON; check for "
                      "missing quotes, commas or braces");
  }
  return parseForwarderConfig(object, source, baseFolder);
}

Status validateForwarderConfig(const ForwarderConfig& config) {
  const auto invalid = [](std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  };
  if (config.collector.port == 0 || config.collector.host.empty()) {
    return invalid("syslog.collector is not set; set it to the collector's HOST:PORT");
  }
  if (config.transport != Transport::kTls &&
      (!config.caFile.empty() || !config.serverName.empty())) {
    return invalid(
        "syslog.ca_file and syslog.tls_server_name apply only to transport \"tls\"; "
        "remove them or set \"transport\": \"tls\"");
  }
  if (config.facility < 0 || config.facility > 23) {
    return invalid("syslog.facility must be from 0 to 23");
  }
  if (config.appName.empty() || config.appName.size() > kMaxAppNameLength ||
      !isPrintableAscii(config.appName)) {
    return invalid("syslog.app_name must be 1 to 48 printable ASCII characters");
  }
  if (config.maxQueue == 0) return invalid("syslog.max_queue must be at least 1");
  if (config.maxMessageBytes < kMinMessageBytes || config.maxMessageBytes > kMaxUdpMessageBytes) {
    return invalid("syslog.max_message_bytes must be from " + std::to_string(kMinMessageBytes) +
                   " to " + std::to_string(kMaxUdpMessageBytes));
  }
  if (config.reconnectMin.count() <= 0 || config.reconnectMin > config.reconnectMax) {
    return invalid("syslog.reconnect_min_ms must be positive and at most syslog.reconnect_max_ms");
  }
  if (config.connectTimeout.count() <= 0 || config.writeTimeout.count() <= 0) {
    return invalid("syslog.connect_timeout_ms and syslog.write_timeout_ms must be positive");
  }
  return Status::success();
}

}  // namespace odscan::forwarding
