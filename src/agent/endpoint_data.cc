#include "odscan/agent/endpoint_data.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#ifdef _WIN32
#include <windows.h>
// windows.h first: tlhelp32.h needs its types.
#include <tlhelp32.h>
#else
#include <sys/sysinfo.h>
#endif

#include "odscan/agent/agent.h"
#include "odscan/agent/zip_writer.h"
#include "odscan/common/digest.h"
#include "odscan/launcher/component_update.h"
#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/ondemand_settings.h"

namespace odscan::agent {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// Session files are cut at this size; the newest sessions matter most.
constexpr std::uint64_t kMaxSessionFileBytes = 8ull << 20;
constexpr std::uint64_t kMaxLogBytes = 4ull << 20;
constexpr std::size_t kLatestSessions = 3;

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
#ifdef _WIN32
  gmtime_s(&parts, &now);
#else
  gmtime_r(&now, &parts);
#endif
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// Adds `source` as `name`, or NAME.error with the reason it could not be read.
Status addOrNote(ZipWriter& zip, const std::string& name, const fs::path& source,
                 std::uint64_t maxBytes) {
  std::error_code error;
  if (!fs::exists(source, error)) {
    return zip.add(name + ".error", platform::toUtf8(source) + " does not exist\n");
  }
  if (Status added = zip.addFile(name, source, maxBytes); !added.ok()) {
    return zip.add(name + ".error", added.message() + "\n");
  }
  return Status::success();
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

Json probe(const std::string& role, const std::string& url, const fs::path& caFile) {
  Json result = {{"role", role}, {"url", url}};
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result["reachable"] = false;
    result["error"] = "libcurl could not start";
    return result;
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  const std::string ca = caFile.string();
  if (!ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca.c_str());
  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  result["elapsed_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  result["reachable"] = code == CURLE_OK;
  if (code != CURLE_OK) {
    result["error"] = curl_easy_strerror(code);
  } else {
    result["http_status"] = status;
  }
  return result;
}

std::string withSlash(std::string url) {
  if (!url.empty() && url.back() != '/') url.push_back('/');
  return url;
}

Json networkReport(const EndpointDataRequest& request) {
  Json probes = Json::array();
  probes.push_back(probe("console", request.consoleUrl + "api/v1/health", request.caFile));
  auto settings = scanner::readOndemandSettings(request.home / "components" /
                                                std::string(launcher::kSettingsFileName));
  if (!settings.ok()) {
    return Json{{"probes", probes}, {"settings_error", settings.status().message()}};
  }
  if (settings->smartScanServerUrl) {
    probes.push_back(
        probe("smart_scan_server", withSlash(*settings->smartScanServerUrl) + "v1/health", {}));
  }
  if (settings->globalServerUrl) {
    probes.push_back(
        probe("global_smart_scan_server", withSlash(*settings->globalServerUrl) + "v1/health", {}));
  }
  return Json{{"probes", probes}};
}

Status addComponents(ZipWriter& zip, const fs::path& components) {
  if (Status added =
          addOrNote(zip, "components/installed.json", components / "installed.json", kMaxLogBytes);
      !added.ok()) {
    return added;
  }
  Json files = Json::array();
  std::error_code error;
  for (fs::directory_iterator it(components, error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    auto digest = launcher::fileSha256(it->path());
    Json entry = {{"name", platform::toUtf8(it->path().filename())},
                  {"size", it->file_size(error)}};
    if (digest.ok()) {
      entry["sha256"] = hexOf(*digest);
    } else {
      entry["error"] = digest.status().message();
    }
    files.push_back(std::move(entry));
  }
  if (error) files.push_back({{"error", "cannot list the components folder: " + error.message()}});
  return zip.add("components/files.json", files.dump(2) + "\n");
}

Status addSessions(ZipWriter& zip, const fs::path& sessions) {
  std::vector<fs::path> folders;
  std::error_code error;
  for (fs::directory_iterator it(sessions, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error)) folders.push_back(it->path());
  }
  if (error) return zip.add("sessions.error", "cannot list " + platform::toUtf8(sessions) + "\n");
  // Session folder names start with the time the run started.
  std::sort(folders.begin(), folders.end(), std::greater<>());
  if (folders.size() > kLatestSessions) folders.resize(kLatestSessions);
  for (const fs::path& folder : folders) {
    const std::string prefix = "sessions/" + platform::toUtf8(folder.filename()) + "/";
    for (const char* name : {"scan.log", "report.json", "events.jsonl", "upload.json"}) {
      if (!fs::exists(folder / name, error)) continue;
      if (Status added = addOrNote(zip, prefix + name, folder / name, kMaxSessionFileBytes);
          !added.ok()) {
        return added;
      }
    }
  }
  return Status::success();
}

}  // namespace

std::string hardwareSummary() {
  Json summary = {{"cpus", std::thread::hardware_concurrency()}};
#ifdef _WIN32
  MEMORYSTATUSEX memory{};
  memory.dwLength = sizeof memory;
  if (GlobalMemoryStatusEx(&memory)) {
    summary["memory_bytes"] = memory.ullTotalPhys;
    summary["memory_available_bytes"] = memory.ullAvailPhys;
  }
  SYSTEM_INFO system{};
  GetNativeSystemInfo(&system);
  summary["architecture"] = system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_AMD64 ? "x64"
                            : system.wProcessorArchitecture == PROCESSOR_ARCHITECTURE_INTEL
                                ? "x86"
                                : "other";
#else
  struct sysinfo info {};
  if (sysinfo(&info) == 0) {
    summary["memory_bytes"] = static_cast<std::uint64_t>(info.totalram) * info.mem_unit;
    summary["memory_available_bytes"] = static_cast<std::uint64_t>(info.freeram) * info.mem_unit;
  }
#endif
  return summary.dump();
}

std::vector<std::string> processList() {
  std::vector<std::string> lines;
#ifdef _WIN32
  HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return lines;
  PROCESSENTRY32W entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = Process32FirstW(snapshot, &entry); more;
       more = Process32NextW(snapshot, &entry)) {
    lines.push_back(std::to_string(entry.th32ProcessID) + " " +
                    platform::toUtf8(fs::path(entry.szExeFile)));
  }
  CloseHandle(snapshot);
#else
  std::error_code error;
  for (fs::directory_iterator it("/proc", error), end; !error && it != end; it.increment(error)) {
    const std::string pid = it->path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::ifstream comm(it->path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (!name.empty()) lines.push_back(pid + " " + name);
  }
#endif
  return lines;
}

Status collectEndpointData(const EndpointDataRequest& request) {
  auto zip = ZipWriter::create(request.output);
  if (!zip.ok()) return zip.status();
  ZipWriter& writer = **zip;

  Json summary = {{"format", "odscan-endpoint-data"},
                  {"format_version", 1},
                  {"reason", request.reason},
                  {"command", request.command},
                  {"collected_at", utcNow()},
                  {"agent_version", agentVersion()},
                  {"host", platform::hostName()},
                  {"user", platform::userName()},
                  {"os_version", platform::osVersion()},
                  {"ip_addresses", platform::ipAddresses()},
                  {"hardware", Json::parse(hardwareSummary())},
                  {"hcexec", platform::toUtf8(request.home)}};
  if (auto space = platform::freeDiskSpace(request.home); space.ok()) {
    summary["hcexec_free_bytes"] = *space;
  } else {
    summary["hcexec_free_error"] = space.status().message();
  }
  std::string processes;
  for (const auto& line : processList()) processes += line + "\n";
  const std::initializer_list<std::function<Status()>> steps = {
      [&] { return writer.add("summary.json", summary.dump(2) + "\n"); },
      [&] { return addComponents(writer, request.home / "components"); },
      [&] { return addSessions(writer, request.home / "sessions"); },
      [&] {
        return addOrNote(writer, "launcher.log", request.home / "launcher.log", kMaxLogBytes);
      },
      [&] { return addOrNote(writer, "agent.log", request.stateDir / "agent.log", kMaxLogBytes); },
      [&] { return writer.add("network.json", networkReport(request).dump(2) + "\n"); },
      [&] { return writer.add("processes.txt", processes); },
  };
  for (const auto& step : steps) {
    if (Status done = step(); !done.ok()) return done;
  }
  return writer.finish();
}

}  // namespace odscan::agent
