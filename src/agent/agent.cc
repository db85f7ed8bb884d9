#include "odscan/agent/agent.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "file_io.h"
#include "odscan/agent/agent_client.h"
#include "odscan/agent/agent_command.h"
#include "odscan/agent/endpoint_data.h"
#include "odscan/launcher/component_update.h"
#include "odscan/launcher/launcher_command.h"
#include "odscan/launcher/process.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/upload_state.h"
#include "private_folder.h"

namespace odscan::agent {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::uint64_t kMaxStateBytes = 1 << 20;
// Reports kept for a console that stays away; older ones are dropped first.
constexpr std::size_t kMaxPendingReports = 100;
constexpr std::string_view kOutboxFolder = "outbox";

std::string inQuotes(const fs::path& path) { return "'" + platform::toUtf8(path) + "'"; }

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json endpointFacts() {
  return Json{{"host", platform::hostName()},
              {"ip_addresses", platform::ipAddresses()},
              {"os_version", platform::osVersion()},
              {"user", platform::userName()},
              {"version", agentVersion()}};
}

Status createStateFolder(const fs::path& stateDir) {
  std::error_code error;
  if (!stateDir.parent_path().empty()) fs::create_directories(stateDir.parent_path(), error);
  auto created = scanner::createPrivateFolder(stateDir);
  if (!created.ok()) return created.status();
  if (!*created && !fs::is_directory(stateDir, error)) {
    return Status(StatusCode::kInvalidArgument,
                  "the agent's state folder " + inQuotes(stateDir) +
                      " exists but is not a folder; remove it or give another --state-dir");
  }
  auto outbox = scanner::createPrivateFolder(stateDir / std::string(kOutboxFolder));
  return outbox.status();
}

// The agent's log: agent.log in the state folder and the program's output.
class AgentLog {
 public:
  AgentLog(const fs::path& stateDir, std::ostream& out) : out_(out) {
    try {
      auto sink =
          std::make_shared<spdlog::sinks::basic_file_sink_mt>((stateDir / "agent.log").native());
      logger_ = std::make_shared<spdlog::logger>("agent", std::move(sink));
      logger_->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
      logger_->flush_on(spdlog::level::info);
    } catch (const spdlog::spdlog_ex& error) {
      out_ << "tm-agent: warning: cannot open " << inQuotes(stateDir / "agent.log") << ": "
           << error.what() << "; logging to the output only\n";
    }
  }

  void info(const std::string& line) { write(spdlog::level::info, line); }
  void warn(const std::string& line) { write(spdlog::level::warn, line); }
  void error(const std::string& line) { write(spdlog::level::err, line); }

 private:
  void write(spdlog::level::level_enum level, const std::string& line) {
    out_ << "tm-agent: " << (level == spdlog::level::info ? "" : "warning: ") << line << '\n'
         << std::flush;
    if (logger_) logger_->log(level, "{}", line);
  }

  std::ostream& out_;
  std::shared_ptr<spdlog::logger> logger_;
};

// The outcome of one On-demand Scan command.
struct ScanRun {
  bool started = false;  // the scanner ran and exited by itself
  int exitCode = -1;
  std::string scanSession;            // the console's session id, when uploaded
  std::vector<std::string> problems;  // empty: no endpoint data is needed
  std::string failure;                // why the command failed; empty when done
};

std::vector<fs::path> sessionFolders(const scanner::HomeFolder& home) {
  std::vector<fs::path> folders;
  std::error_code error;
  for (fs::directory_iterator it(home.sessions(), error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_directory(error)) folders.push_back(it->path());
  }
  return folders;
}

std::string lastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  const std::size_t newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

// Reads what the scanner left in its new session folder: bypassed files and
// whether the upload completed.
void inspectSession(const fs::path& folder, ScanRun& run) {
  auto upload = scanner::readUploadState(folder / std::string(scanner::kUploadStateFileName));
  if (!upload.ok()) {
    run.problems.push_back("the session " + platform::toUtf8(folder.filename()) +
                           " was not uploaded: " + upload.status().message());
  } else {
    run.scanSession = upload->session;
    if (!upload->complete()) {
      run.problems.push_back("the scanner could not upload all of session " +
                             platform::toUtf8(folder.filename()) +
                             "; it is delivered on the next run");
    }
  }
  auto bytes = pattern_detail::readWholeFile(folder / "report.json", 64ull << 20);
  if (!bytes.ok()) {
    run.problems.push_back("the session " + platform::toUtf8(folder.filename()) +
                           " has no report: " + bytes.status().message());
    return;
  }
  const Json report = Json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!report.is_object() || !report["counts"].is_object()) return;
  const Json& bypassed = report["counts"]["bypassed"];
  if (bypassed.is_number_unsigned() && bypassed.get<std::uint64_t>() > 0) {
    run.problems.push_back(std::to_string(bypassed.get<std::uint64_t>()) +
                           " files were bypassed: no Smart Scan Server gave a verdict");
  }
}

class Agent {
 public:
  Agent(const AgentRunOptions& options, AgentState state, PublicKey key, std::ostream& out)
      : options_(options),
        state_(std::move(state)),
        key_(std::move(key)),
        home_(options.home ? *options.home : scanner::HomeFolder::defaultRoot()),
        log_(options.stateDir, out),
        client_(state_.consoleUrl, state_.agentId + ":" + state_.secret, clientOptions()),
        reportClient_(state_.consoleUrl, state_.agentId + ":" + state_.secret, clientOptions()),
        random_(std::random_device{}()) {}

  ~Agent() {
    if (worker_.joinable()) worker_.join();
  }

  int run() {
    log_.info("agent " + state_.agentId + " " + agentVersion() + " started; console " +
              state_.consoleUrl + ", HCEXEC " + inQuotes(home_.root()));
    int failures = 0;
    int checkIns = 0;
    std::chrono::milliseconds interval{std::chrono::seconds(30)};
    while (!stopRequested()) {
      {
        std::lock_guard<std::mutex> guard(mutex_);
        flushOutbox();
      }
      auto answer = client_.postJson("api/v1/agent/check-in", endpointFacts());
      if (!answer.ok()) {
        ++failures;
        const auto delay = retryDelay(failures, options_.retryMin, options_.retryMax,
                                      std::uniform_real_distribution<double>(0, 1)(random_));
        const std::string next = "; trying again in " + std::to_string(delay.count()) + " ms";
        if (answer.status().code() == StatusCode::kPermissionDenied) {
          log_.error("the console rejected this agent's credentials (" + answer.status().message() +
                     "); enroll the agent again with a new enrollment token" + next);
        } else {
          log_.warn("check-in failed: " + answer.status().message() + next);
        }
        sleepFor(delay);
        continue;
      }
      if (failures > 0) log_.info("connected to " + state_.consoleUrl + " again");
      failures = 0;
      if ((*answer)["check_in_seconds"].is_number_unsigned()) {
        interval = std::chrono::seconds((*answer)["check_in_seconds"].get<std::int64_t>());
      }
      if ((*answer)["commands"].is_array()) {
        for (const Json& command : (*answer)["commands"]) handle(command);
      }
      if (options_.maxCheckIns > 0 && ++checkIns >= options_.maxCheckIns) break;
      sleepFor(interval);
    }
    if (busy_) log_.info("stopping the running scan before the agent stops");
    if (worker_.joinable()) worker_.join();
    {
      std::lock_guard<std::mutex> guard(mutex_);
      flushOutbox();
    }
    log_.info("agent stopped");
    return kAgentStopped;
  }

 private:
  bool stopRequested() const { return options_.stopRequested && options_.stopRequested(); }

  void sleepFor(std::chrono::milliseconds delay) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stopRequested() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
          std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(
                                              until - std::chrono::steady_clock::now()) +
                                              std::chrono::milliseconds(1)));
    }
  }

  void saveState() {
    if (Status saved = writeAgentState(options_.stateDir, state_); !saved.ok()) {
      log_.error("cannot save the agent state: " + saved.message() +
                 "; check the free space and permissions of " + inQuotes(options_.stateDir));
    }
  }

  // Queues a report and tries to deliver everything queued. The caller holds
  // mutex_.
  void report(const std::string& command, const std::string& state, const std::string& reason,
              std::optional<int> exitCode, const std::string& scanSession) {
    Json body = {{"command", command}, {"state", state}};
    if (!reason.empty()) body["reason"] = reason;
    if (exitCode) body["exit_code"] = *exitCode;
    if (!scanSession.empty()) body["scan_session"] = scanSession;
    state_.pendingReports.push_back(std::move(body));
    if (state_.pendingReports.size() > kMaxPendingReports) {
      state_.pendingReports.erase(state_.pendingReports.begin());
    }
    saveState();
    flushOutbox();
  }

  // Sends the queued reports and endpoint data. The caller holds mutex_.
  void flushOutbox() {
    bool changed = false;
    while (!state_.pendingReports.empty()) {
      const Json& next = state_.pendingReports.front();
      auto sent = reportClient_.postJson("api/v1/agent/command-state", next);
      if (!sent.ok() && (sent.status().code() == StatusCode::kUnreachable ||
                         sent.status().code() == StatusCode::kPermissionDenied)) {
        break;  // kept for the next try
      }
      if (!sent.ok()) {
        log_.warn("the console rejected the report " + next.dump() + ": " +
                  sent.status().message() + "; it is dropped");
      }
      state_.pendingReports.erase(state_.pendingReports.begin());
      changed = true;
    }
    if (changed) saveState();
    sendEndpointData();
  }

  void sendEndpointData() {
    const fs::path outbox = options_.stateDir / std::string(kOutboxFolder);
    std::vector<fs::path> archives;
    std::error_code error;
    for (fs::directory_iterator it(outbox, error), end; !error && it != end; it.increment(error)) {
      if (it->path().extension() == ".zip") archives.push_back(it->path());
    }
    std::sort(archives.begin(), archives.end());
    for (const fs::path& archive : archives) {
      fs::path sidecar = archive;
      sidecar.replace_extension(".json");
      auto meta = pattern_detail::readWholeFile(sidecar, 64 * 1024);
      auto bytes = pattern_detail::readWholeFile(archive, 1ull << 30);
      if (!meta.ok() || !bytes.ok()) {
        log_.error("cannot read the endpoint data " + inQuotes(archive) + "; it stays there");
        continue;
      }
      const Json info = Json::parse(meta->begin(), meta->end(), nullptr, false);
      const std::string command = info.is_object() ? info.value("command", "") : "";
      const std::string reason = info.is_object() ? info.value("reason", "") : "";
      auto sent = reportClient_.postEndpointData(command, reason,
                                                 std::string(bytes->begin(), bytes->end()));
      if (!sent.ok() && (sent.status().code() == StatusCode::kUnreachable ||
                         sent.status().code() == StatusCode::kPermissionDenied)) {
        return;  // kept for the next check-in
      }
      if (!sent.ok()) {
        // Sending it again would be rejected again, so it moves aside.
        const fs::path rejected = outbox / "rejected";
        fs::create_directories(rejected, error);
        fs::rename(archive, rejected / archive.filename(), error);
        fs::rename(sidecar, rejected / sidecar.filename(), error);
        log_.error("the console rejected the endpoint data " + inQuotes(archive) + ": " +
                   sent.status().message() + "; it is kept in " + inQuotes(rejected) +
                   " for collection by hand");
        continue;
      }
      log_.info("endpoint data " + sent->value("endpoint_data", std::string()) + " uploaded from " +
                inQuotes(archive));
      fs::remove(archive, error);
      fs::remove(sidecar, error);
    }
  }

  void handle(const Json& signedCommand) {
    auto command = verifyCommand(signedCommand, key_, state_.agentId);
    if (!command.ok()) {
      log_.error("rejected a command: " + command.status().message());
      return;
    }

    std::lock_guard<std::mutex> guard(mutex_);
    if (command->sequence <= state_.lastSequence) {
      if (command->id != state_.lastCommand) {
        log_.error("rejected the command " + command->id + ": its sequence " +
                   std::to_string(command->sequence) + " is not after the last one run (" +
                   std::to_string(state_.lastSequence) + "), so it is a replay");
      }
      return;  // the console resends a command until it hears it runs
    }
    if (busy_) return;  // the console sends it again after the running scan

    // Recorded before the work starts, so the command never runs twice.
    state_.lastSequence = command->sequence;
    state_.lastCommand = command->id;
    saveState();
    if (command->expiresAt <= nowSeconds()) {
      log_.warn("the command " + command->id + " expired before it arrived; it is not run");
      report(command->id, "failed", "the command expired before the agent received it", {}, "");
      return;
    }
    if (command->kind != kOnDemandScanCommand) {
      log_.error("the command " + command->id + " has the unknown kind '" + command->kind +
                 "'; update the agent");
      report(command->id, "failed", "this agent does not know commands of kind " + command->kind,
             {}, "");
      return;
    }
    log_.info("command " + command->id + ": starting an On-demand Scan");
    report(command->id, "running", "", {}, "");
    if (worker_.joinable()) worker_.join();
    busy_ = true;
    worker_ = std::thread([this, id = command->id] {
      runCommand(id);
      busy_ = false;
    });
  }

  void runCommand(const std::string& id) {
    ScanRun run = runScan();
    if (!run.problems.empty()) collect(id, run.problems);
    std::string summary;
    for (const auto& problem : run.problems) summary += (summary.empty() ? "" : "; ") + problem;
    std::lock_guard<std::mutex> guard(mutex_);
    if (!run.failure.empty()) {
      log_.error("command " + id + " failed: " + run.failure);
      report(id, "failed", run.failure, run.started ? std::optional(run.exitCode) : std::nullopt,
             run.scanSession);
    } else {
      log_.info("command " + id + ": the scanner exited with code " + std::to_string(run.exitCode) +
                (summary.empty() ? "" : "; problems: " + summary));
      report(id, "done", summary, run.exitCode, run.scanSession);
    }
  }

  ScanRun runScan() {
    ScanRun run;
    launcher::LauncherOptions launch;
    launch.home = home_.root();
    launch.consoleUrl = state_.consoleUrl;
    launch.publicKeyFile = options_.stateDir / std::string(kPublicKeyFileName);
    launch.caFile = state_.caFile;
    launch.noStart = true;
    std::ostringstream progress;
    std::ostringstream errors;
    launcher::LauncherIo io{progress, errors};
    if (launcher::runLauncher(launch, io) != 0) {
      run.failure = "the components could not be installed: " + lastLine(errors.str());
      run.problems.push_back(run.failure);
      return run;
    }

    std::vector<fs::path> before = sessionFolders(home_);
    const fs::path program = home_.components() / std::string(launcher::scannerFileName());
    std::vector<std::string> passThrough;
#ifdef _WIN32
    passThrough.push_back("--silent");
#endif
    passThrough.insert(passThrough.end(), options_.scannerArguments.begin(),
                       options_.scannerArguments.end());
    const auto arguments =
        launcher::scannerCommandArguments(home_.root(), state_.consoleUrl, true, passThrough);
    log_.info("starting the scanner: " +
              launcher::windowsCommandLine(platform::toUtf8(program), arguments));
    auto exitCode = launcher::runProcess(program, arguments, [this] { return stopRequested(); });
    if (!exitCode.ok()) {
      run.failure = "the scanner could not start: " + exitCode.status().message();
      run.problems.push_back(run.failure);
      return run;
    }
    run.exitCode = *exitCode;
    run.started = true;
    if (stopRequested()) {
      run.failure =
          "the agent was stopped during the scan (exit code " + std::to_string(run.exitCode) + ")";
      return run;
    }
    if (run.exitCode != 0 && run.exitCode != 1 && run.exitCode != 2) {
      run.failure =
          "the scanner crashed or was stopped (exit code " + std::to_string(run.exitCode) + ")";
      run.problems.push_back(run.failure);
    } else if (run.exitCode == 2) {
      run.problems.push_back("the scanner reported errors (exit code 2)");
    }
    std::vector<fs::path> after = sessionFolders(home_);
    std::sort(after.begin(), after.end(), std::greater<>());
    const std::set<fs::path> old(before.begin(), before.end());
    const auto created = std::find_if(
        after.begin(), after.end(), [&old](const fs::path& folder) { return !old.count(folder); });
    if (created == after.end()) {
      run.problems.push_back("the scanner left no session folder in " + inQuotes(home_.sessions()));
    } else {
      inspectSession(*created, run);
    }
    return run;
  }

  void collect(const std::string& command, const std::vector<std::string>& problems) {
    std::string reason;
    for (const auto& problem : problems) reason += (reason.empty() ? "" : "; ") + problem;
    const fs::path outbox = options_.stateDir / std::string(kOutboxFolder);
    const std::string name = std::to_string(nowSeconds()) + "-" + command;
    EndpointDataRequest request{reason,
                                command,
                                home_.root(),
                                options_.stateDir,
                                state_.consoleUrl,
                                state_.caFile,
                                outbox / (name + ".zip")};
    // The sidecar comes first: an archive without one would be stuck.
    const std::string meta = Json{{"command", command}, {"reason", reason}}.dump();
    if (Status written = pattern_detail::writeFileAtomically(
            outbox / (name + ".json"),
            std::span(reinterpret_cast<const std::uint8_t*>(meta.data()), meta.size()), 0600, true);
        !written.ok()) {
      log_.error("cannot record the endpoint data request: " + written.message());
      return;
    }
    if (Status collected = collectEndpointData(request); !collected.ok()) {
      log_.error("cannot collect endpoint data: " + collected.message());
      std::error_code ignored;
      fs::remove(outbox / (name + ".json"), ignored);
      return;
    }
    log_.warn("endpoint data collected into " + inQuotes(request.output) + ": " + reason);
  }

  AgentClientOptions clientOptions() const {
    return AgentClientOptions{std::chrono::seconds(5), std::chrono::seconds(60), state_.caFile};
  }

  const AgentRunOptions& options_;
  // Guards state_, reportClient_ and the outbox: the check-in loop and the
  // command worker both report.
  std::mutex mutex_;
  AgentState state_;
  PublicKey key_;
  scanner::HomeFolder home_;
  AgentLog log_;
  AgentClient client_;        // check-ins, from the loop only
  AgentClient reportClient_;  // reports and endpoint data, under mutex_
  std::mt19937_64 random_;
  // Runs one command at a time, while the loop keeps checking in, so the
  // console shows the agent as connected during a long scan.
  std::thread worker_;
  std::atomic<bool> busy_{false};
};

}  // namespace

std::string agentVersion() { return ODSCAN_VERSION; }

std::filesystem::path defaultStateDirectory() {
#ifdef _WIN32
  const wchar_t* local = _wgetenv(L"LOCALAPPDATA");
  if (local != nullptr && *local != L'\0') return fs::path(local) / "tm-agent";
  return platform::tempDirectory() / "tm-agent";
#else
  const fs::path profile = platform::userProfileDirectory();
  if (profile.empty()) return platform::tempDirectory() / "tm-agent";
  return profile / ".local" / "state" / "tm-agent";
#endif
}

Result<AgentState> readAgentState(const fs::path& stateDir) {
  const fs::path file = stateDir / std::string(kStateFileName);
  std::error_code ignored;
  if (!fs::exists(file, ignored)) {
    return Status(StatusCode::kNotFound,
                  "the agent is not enrolled: " + inQuotes(file) +
                      " is missing; run `tm-agent enroll --console URL --token TOKEN "
                      "--public-key FILE` first");
  }
  auto bytes = pattern_detail::readWholeFile(file, kMaxStateBytes);
  if (!bytes.ok()) return bytes.status();
  const Json json = Json::parse(bytes->begin(), bytes->end(), nullptr, false);
  const auto corrupt = [&file](const std::string& what) {
    return Status(StatusCode::kCorrupt, inQuotes(file) + " is damaged (" + what +
                                            "); enroll the agent again into an empty folder");
  };
  if (!json.is_object()) return corrupt("not a JSON object");
  AgentState state;
  try {
    state.consoleUrl = json.at("console_url").get<std::string>();
    state.agentId = json.at("agent_id").get<std::string>();
    state.secret = json.at("secret").get<std::string>();
    state.caFile = platform::fromUtf8(json.value("ca_file", std::string()));
    state.lastSequence = json.value("last_sequence", std::int64_t{0});
    state.lastCommand = json.value("last_command", std::string());
    if (json.contains("pending_reports")) {
      for (const Json& report : json.at("pending_reports")) state.pendingReports.push_back(report);
    }
  } catch (const Json::exception& problem) {
    return corrupt(problem.what());
  }
  if (state.consoleUrl.empty() || state.agentId.empty() || state.secret.empty()) {
    return corrupt("console_url, agent_id or secret is empty");
  }
  return state;
}

Status writeAgentState(const fs::path& stateDir, const AgentState& state) {
  Json json = {{"format", "odscan-agent-state"},
               {"console_url", state.consoleUrl},
               {"agent_id", state.agentId},
               {"secret", state.secret},
               {"ca_file", platform::toUtf8(state.caFile)},
               {"last_sequence", state.lastSequence},
               {"last_command", state.lastCommand},
               {"pending_reports", state.pendingReports}};
  const std::string text = json.dump(2) + "\n";
  return pattern_detail::writeFileAtomically(
      stateDir / std::string(kStateFileName),
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), 0600, true);
}

Result<AgentState> enrollAgent(const EnrollOptions& options) {
  std::string url = options.consoleUrl;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status(StatusCode::kInvalidArgument,
                  "--console '" + url + "' must be an http:// or https:// URL");
  }
  if (url.back() != '/') url.push_back('/');
  auto key = PublicKey::readFile(options.publicKeyFile);
  if (!key.ok()) return key.status().withContext("cannot load --public-key");
  std::error_code error;
  if (fs::exists(options.stateDir / std::string(kStateFileName), error)) {
    return Status(StatusCode::kAlreadyExists, "an agent is enrolled in " +
                                                  inQuotes(options.stateDir) +
                                                  " already; remove that folder to enroll again");
  }
  if (Status created = createStateFolder(options.stateDir); !created.ok()) return created;

  AgentClient client(
      url, "",
      AgentClientOptions{std::chrono::seconds(5), std::chrono::seconds(30), options.caFile});
  Json body = endpointFacts();
  body["token"] = options.token;
  auto answer = client.postJson("api/v1/agent/enroll", body);
  if (!answer.ok()) return answer.status().withContext("enrollment failed");
  AgentState state;
  state.consoleUrl = url;
  state.agentId = answer->value("agent_id", std::string());
  state.secret = answer->value("secret", std::string());
  state.caFile = options.caFile;
  if (state.agentId.empty() || state.secret.empty()) {
    return Status(StatusCode::kCorrupt, "the console's enrollment answer has no credentials");
  }
  if (Status written = key->writeFile(options.stateDir / std::string(kPublicKeyFileName), true);
      !written.ok()) {
    return written;
  }
  if (Status written = writeAgentState(options.stateDir, state); !written.ok()) return written;
  return state;
}

int runAgent(const AgentRunOptions& options, std::ostream& out) {
  auto state = readAgentState(options.stateDir);
  if (!state.ok()) {
    out << "tm-agent: " << state.status().message() << '\n';
    return kAgentSetupError;
  }
  if (Status created = createStateFolder(options.stateDir); !created.ok()) {
    out << "tm-agent: " << created.message() << '\n';
    return kAgentSetupError;
  }
  auto key = PublicKey::readFile(options.stateDir / std::string(kPublicKeyFileName));
  if (!key.ok()) {
    out << "tm-agent: " << key.status().message()
        << "; enroll the agent again with --public-key FILE\n";
    return kAgentSetupError;
  }
  Agent agent(options, std::move(state).value(), std::move(key).value(), out);
  return agent.run();
}

std::chrono::milliseconds retryDelay(int failures, std::chrono::milliseconds min,
                                     std::chrono::milliseconds max, double jitter) {
  std::chrono::milliseconds delay = min;
  for (int i = 1; i < failures && delay < max; ++i) delay *= 2;
  delay = std::min(delay, max);
  return delay + std::chrono::milliseconds(static_cast<std::int64_t>(
                     static_cast<double>(delay.count()) * 0.5 * std::clamp(jitter, 0.0, 1.0)));
}

}  // namespace odscan::agent
