#include "odscan/scanner/upload_state.h"

#include <fstream>
#include <iterator>
#include <system_error>

#include "durable_file.h"
#include "odscan/platform/utf8_path.h"
#ifdef _WIN32
#include "odscan/platform/windows_files.h"
#endif
#include "odscan/scanner/random_id.h"

namespace odscan::scanner {
namespace {

// An upload.json is a few hundred bytes; a much larger file is not one of ours.
constexpr std::size_t kMaxStateBytes = 64 * 1024;
constexpr std::size_t kClientKeyDigits = 32;

Status corrupt(const std::filesystem::path& file, std::string_view problem) {
  return Status(StatusCode::kCorrupt,
                "the upload state '" + platform::toUtf8(file) +
                    "' is damaged: " + std::string(problem) +
                    "; its session is not sent to the console. Delete the file to send the "
                    "session again as a new one, or leave it to keep the session local");
}

Result<std::string> readSmallFile(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    return Status(StatusCode::kNotFound,
                  "the upload state '" + platform::toUtf8(file) + "' does not exist");
  }
  std::ifstream stream(file, std::ios::binary);
  std::string text;
  if (stream) {
    text.assign(std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>());
  }
  if (!stream && !stream.eof()) {
    return Status(StatusCode::kIoError, "cannot read the upload state '" + platform::toUtf8(file) +
                                            "'; check the permissions of its session folder");
  }
  if (text.size() > kMaxStateBytes) return corrupt(file, "it is larger than 64 KiB");
  return text;
}

// Renames `temporary` over `file`, which exists after the first write.
Status replaceFile(const std::filesystem::path& temporary, const std::filesystem::path& file) {
#ifdef _WIN32
  return platform::moveFile(temporary, file, true);
#else
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) {
    return Status(StatusCode::kIoError,
                  "renaming '" + platform::toUtf8(temporary) + "' failed: " + error.message());
  }
  return syncFolder(file.parent_path());
#endif
}

}  // namespace

Result<UploadState> readUploadState(const std::filesystem::path& file) {
  Result<std::string> text = readSmallFile(file);
  if (!text.ok()) return text.status();

  const nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_object()) return corrupt(file, "it is not a JSON object");
  const auto stringOf = [&json](const char* name) -> const nlohmann::json* {
    const auto found = json.find(name);
    return found != json.end() && found->is_string() ? &*found : nullptr;
  };
  const auto flagOf = [&json](const char* name) {
    const auto found = json.find(name);
    return found != json.end() && found->is_boolean() && found->get<bool>();
  };

  UploadState state;
  const nlohmann::json* url = stringOf("console_url");
  const nlohmann::json* key = stringOf("client_key");
  if (url == nullptr) return corrupt(file, "'console_url' is missing");
  if (key == nullptr || key->get<std::string>().size() != kClientKeyDigits ||
      !isHexId(key->get<std::string>())) {
    return corrupt(file, "'client_key' is not 32 hex digits");
  }
  state.consoleUrl = url->get<std::string>();
  state.clientKey = key->get<std::string>();
  if (const nlohmann::json* session = stringOf("session"))
    state.session = session->get<std::string>();

  const auto sent = json.find("events_sent");
  if (sent == json.end() || !sent->is_number_unsigned()) {
    return corrupt(file, "'events_sent' is not a whole number");
  }
  state.eventsSent = sent->get<std::uint64_t>();
  state.reportSent = flagOf("report_sent");
  state.logSent = flagOf("log_sent");
  state.reportMissing = flagOf("report_missing");
  if (const auto registration = json.find("registration");
      registration != json.end() && registration->is_object()) {
    state.registration = *registration;
  }
  return state;
}

Status writeUploadState(const std::filesystem::path& file, const UploadState& state) {
  nlohmann::ordered_json json = {
      {"console_url", state.consoleUrl}, {"client_key", state.clientKey},
      {"session", state.session},        {"events_sent", state.eventsSent},
      {"report_sent", state.reportSent}, {"log_sent", state.logSent}};
  if (state.reportMissing) json["report_missing"] = true;
  json["registration"] = state.registration;
  const std::string text =
      json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";

  const std::string context = "cannot write the upload state '" + platform::toUtf8(file) + "'";
  const std::filesystem::path temporary = temporarySiblingOf(file);
  Result<DurableFile> created = DurableFile::createOwnerOnly(temporary);
  if (!created.ok()) return created.status().withContext(context);
  Status written =
      created->write({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  if (written.ok()) written = created->sync();
  if (written.ok()) written = created->close();

  if (written.ok()) written = replaceFile(temporary, file);
  std::error_code error;
  if (!written.ok()) {
    std::filesystem::remove(temporary, error);
    return written.withContext(context);
  }
  return Status::success();
}

}  // namespace odscan::scanner
