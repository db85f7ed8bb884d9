#include "odscan/scanner/session.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <system_error>

#include "durable_file.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/formatting.h"
#include "odscan/scanner/random_id.h"
#include "private_folder.h"

namespace odscan::scanner {
namespace {

constexpr std::size_t kSessionIdBytes = 4;
// A clash needs the same second and the same 32 random bits; a few retries make a
// second clash practically impossible.
constexpr int kCreateAttempts = 5;

struct NewFolder {
  std::string id;
  std::filesystem::path folder;
};

Result<NewFolder> createSessionFolder(const HomeFolder& home,
                                      std::chrono::system_clock::time_point now) {
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    std::string id = randomHexId(kSessionIdBytes);
    std::filesystem::path folder = home.sessions() / (formatUtcCompact(now) + "-" + id);
    Result<bool> created = createPrivateFolder(folder);
    if (!created.ok()) {
      return created.status().withContext("cannot create a session folder in '" +
                                          platform::toUtf8(home.sessions()) + "'");
    }
    if (*created) return NewFolder{id, folder};
  }
  return Status(StatusCode::kAlreadyExists, "cannot find a free session folder name under '" +
                                                platform::toUtf8(home.sessions()) + "'");
}

Result<std::shared_ptr<spdlog::logger>> openLogger(const std::filesystem::path& path,
                                                   const std::string& sessionId) {
  // spdlog would create the file with the umask's mode; an owner-only file made
  // first is opened for appending instead.
  if (Result<DurableFile> file = DurableFile::createOwnerOnly(path); !file.ok()) {
    return file.status().withContext("cannot create the session log");
  }
  try {
    // path.native() is what spdlog takes: a UTF-16 name on Windows, where the
    // build defines SPDLOG_WCHAR_FILENAMES, so a non-ASCII HCEXEC keeps its log.
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path.native());
    auto logger = std::make_shared<spdlog::logger>("session-" + sessionId, std::move(sink));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-7l session=" + sessionId + " %v",
                        spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::info);
    // Findings are rare next to clean files, so flushing each line costs little and
    // keeps the log complete if the program is killed.
    logger->flush_on(spdlog::level::info);
    return logger;
  } catch (const spdlog::spdlog_ex& error) {
    return Status(StatusCode::kIoError, "cannot create the session log '" + platform::toUtf8(path) +
                                            "': " + error.what());
  }
}

}  // namespace

Result<std::unique_ptr<Session>> Session::create(const HomeFolder& home, std::string_view command) {
  const auto now = std::chrono::system_clock::now();
  Result<NewFolder> folder = createSessionFolder(home, now);
  if (!folder.ok()) return folder.status();

  Result<std::shared_ptr<spdlog::logger>> logger =
      openLogger(folder->folder / "scan.log", folder->id);
  if (!logger.ok()) return logger.status();

  Result<std::unique_ptr<EventLog>> events =
      EventLog::open(folder->folder / "events.jsonl", folder->id);
  if (!events.ok()) return events.status();

  auto session = std::unique_ptr<Session>(
      new Session(folder->id, folder->folder, now, std::move(*logger), std::move(*events)));
  session->logger().info("session started for '{}' in '{}'", command,
                         platform::toUtf8(folder->folder));
  return session;
}

Session::Session(std::string id, std::filesystem::path folder,
                 std::chrono::system_clock::time_point started,
                 std::shared_ptr<spdlog::logger> logger, std::unique_ptr<EventLog> events)
    : id_(std::move(id)),
      folder_(std::move(folder)),
      startedAt_(started),
      logger_(std::move(logger)),
      events_(std::move(events)) {}

Session::~Session() { logger_->flush(); }

}  // namespace odscan::scanner
