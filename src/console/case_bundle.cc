#include "odscan/console/case_bundle.h"

#include <curl/curl.h>

#include <array>
#include <fstream>
#include <iterator>

#include "odscan/agent/zip_writer.h"
#include "odscan/common/hasher.h"
#include "odscan/console/credentials.h"
#include "request_helpers.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

constexpr int kMaxSessions = 10;
constexpr int kMaxEndpointData = 5;
constexpr int kMaxEvents = 5000;
constexpr long kSubmitTimeoutMs = 60000;

struct Endpoint {
  std::int64_t id = 0;
  Json facts;
};

Result<Endpoint> findEndpoint(Database& database, std::string_view host) {
  auto query = database.prepare(
      "SELECT id, host, ip_addresses, os_version, last_user, first_seen, last_seen FROM "
      "endpoints WHERE host = ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, host).step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status(StatusCode::kNotFound, "there is no endpoint '" +
                                             std::string(host.substr(0, 255)) +
                                             "'; pick one on the Threat Management screen");
  }
  return Endpoint{query->integer(0), Json{{"host", query->text(1)},
                                          {"ip_addresses", query->text(2)},
                                          {"os_version", query->text(3)},
                                          {"last_user", query->text(4)},
                                          {"first_seen", isoTime(query->integer(5))},
                                          {"last_seen", isoTime(query->integer(6))}}};
}

Result<std::string> readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, "cannot open '" + file.string() + "'");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status(StatusCode::kIoError, "cannot read '" + file.string() + "'");
  return data;
}

std::string sha256OfFile(const std::filesystem::path& file) {
  auto data = readFile(file);
  if (!data.ok()) return {};
  return MultiHasher::digestOf(
             DigestKind::kSha256,
             std::span(reinterpret_cast<const std::uint8_t*>(data->data()), data->size()))
      .toHex();
}

// Adds the endpoint's sessions, events, endpoint data and audit lines. Returns
// the member names for case.json.
Status addEndpointRecords(Database& database, agent::ZipWriter& zip, const Endpoint& endpoint,
                          std::string_view host, const std::filesystem::path& dataDir,
                          Json& members) {
  auto sessions = database.prepare(
      "SELECT id, public_id, report, log FROM scan_sessions WHERE endpoint_id = ? ORDER BY id "
      "DESC LIMIT ?");
  if (!sessions.ok()) return sessions.status();
  sessions->bind(1, endpoint.id).bind(2, kMaxSessions);
  auto sessionEvents =
      database.prepare("SELECT body FROM events WHERE session_id = ? ORDER BY line");
  if (!sessionEvents.ok()) return sessionEvents.status();
  while (true) {
    auto row = sessions->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string folder = "sessions/" + sessions->text(1) + "/";
    if (!sessions->isNull(2)) {
      if (Status added = zip.add(folder + "report.json", sessions->text(2)); !added.ok())
        return added;
      members.push_back(folder + "report.json");
    }
    if (!sessions->isNull(3)) {
      if (Status added = zip.add(folder + "scan.log", sessions->text(3)); !added.ok()) return added;
      members.push_back(folder + "scan.log");
    }
    std::string lines;
    sessionEvents->reset();
    sessionEvents->bind(1, sessions->integer(0));
    while (true) {
      auto line = sessionEvents->step();
      if (!line.ok()) return line.status();
      if (!*line) break;
      lines += sessionEvents->text(0) + "\n";
    }
    if (Status added = zip.add(folder + "events.jsonl", lines); !added.ok()) return added;
    members.push_back(folder + "events.jsonl");
  }

  auto events = database.prepare(
      "SELECT ev.time, ev.event, ev.category, ev.path, ev.threat, ev.detail, "
      "COALESCE(s.public_id, '') FROM events ev LEFT JOIN scan_sessions s ON s.id = "
      "ev.session_id WHERE COALESCE(s.endpoint_id, ev.endpoint_id) = ? ORDER BY ev.time DESC, "
      "ev.id DESC LIMIT ?");
  if (!events.ok()) return events.status();
  events->bind(1, endpoint.id).bind(2, kMaxEvents);
  std::string eventLines;
  while (true) {
    auto row = events->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    eventLines +=
        Json{{"time", events->text(0)},   {"event", events->text(1)},  {"type", events->text(2)},
             {"path", events->text(3)},   {"threat", events->text(4)}, {"detail", events->text(5)},
             {"session", events->text(6)}}
            .dump() +
        "\n";
  }
  if (Status added = zip.add("events.jsonl", eventLines); !added.ok()) return added;
  members.push_back("events.jsonl");

  auto data = database.prepare(
      "SELECT public_id, file FROM endpoint_data WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?");
  if (!data.ok()) return data.status();
  data->bind(1, endpoint.id).bind(2, kMaxEndpointData);
  while (true) {
    auto row = data->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string name = "endpoint-data/" + data->text(0) + ".zip";
    const std::filesystem::path source = dataDir / "endpoint-data" / data->text(1);
    if (Status added = zip.addFile(name, source, 256ull << 20); !added.ok()) {
      if (Status noted = zip.add(name + ".missing", added.message() + "\n"); !noted.ok())
        return noted;
      members.push_back(name + ".missing");
      continue;
    }
    members.push_back(name);
  }

  auto audit = database.prepare(
      "SELECT time, actor, action, detail FROM audit_log WHERE instr(detail, ?) > 0 ORDER BY id");
  if (!audit.ok()) return audit.status();
  audit->bind(1, host);
  std::string auditLines;
  while (true) {
    auto row = audit->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auditLines += Json{{"time", isoTime(audit->integer(0))},
                       {"actor", audit->text(1)},
                       {"action", audit->text(2)},
                       {"detail", audit->text(3)}}
                      .dump() +
                  "\n";
  }
  if (Status added = zip.add("audit.jsonl", auditLines); !added.ok()) return added;
  members.push_back("audit.jsonl");
  return Status::success();
}

std::size_t discardBody(char*, std::size_t size, std::size_t count, void*) { return size * count; }

std::string submit(const CaseBundle& bundle, const CaseOptions& options) {
  auto body = readFile(bundle.file);
  if (!body.ok()) return "not sent: " + body.status().message();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return "not sent: libcurl could not start";

  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/zip");
  const std::string caseHeader = "X-Odscan-Case: " + bundle.id;
  headers = curl_slist_append(headers, caseHeader.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, options.supportUrl.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kSubmitTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discardBody);
  if (!options.supportCaFile.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options.supportCaFile.c_str());
  }
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) {
    return std::string("not sent: ") + curl_easy_strerror(result) +
           "; download the bundle and send it by hand, or check support_url";
  }
  if (status < 200 || status >= 300) {
    return "refused with HTTP " + std::to_string(status) +
           "; download the bundle and send it by hand";
  }
  return "accepted (HTTP " + std::to_string(status) + ")";
}

}  // namespace

Result<CaseBundle> buildCaseBundle(Database& database, AgentRegistry& agents, std::string_view host,
                                   const CaseOptions& options) {
  auto agent = agents.agentOfHost(host);
  if (!agent.ok()) return agent.status();
  CaseBundle bundle;
  bundle.id = "k-" + randomToken(8);
  const std::filesystem::path folder = options.dataDir / "cases";
  if (Status created = createPrivateFolder(folder); !created.ok()) return created;
  bundle.file = folder / (bundle.id + ".zip");
  const std::int64_t now = nowSeconds();
  {
    auto guard = database.lock();
    auto endpoint = findEndpoint(database, host);
    if (!endpoint.ok()) return endpoint.status();
    auto zip = agent::ZipWriter::create(bundle.file);
    if (!zip.ok()) return zip.status();
    Json members = Json::array();
    if (Status added =
            addEndpointRecords(database, **zip, *endpoint, host, options.dataDir, members);
        !added.ok()) {
      return added;
    }
    const Json caseJson = {{"format", "odscan-case"},
                           {"format_version", 1},
                           {"case", bundle.id},
                           {"created_at", isoTime(now)},
                           {"created_by", options.createdBy},
                           {"endpoint", endpoint->facts},
                           {"agent", *agent},
                           {"members", members}};
    if (Status added = (*zip)->add("case.json", caseJson.dump(2) + "\n"); !added.ok()) return added;
    if (Status finished = (*zip)->finish(); !finished.ok()) return finished;
    std::error_code error;
    bundle.size = std::filesystem::file_size(bundle.file, error);
    bundle.sha256 = sha256OfFile(bundle.file);
    auto insert = database.prepare(
        "INSERT INTO cases (public_id, endpoint_id, file, size, sha256, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    if (Status stored = insert->bind(1, std::string_view(bundle.id))
                            .bind(2, endpoint->id)
                            .bind(3, std::string_view(bundle.file.filename().string()))
                            .bind(4, static_cast<std::int64_t>(bundle.size))
                            .bind(5, std::string_view(bundle.sha256))
                            .bind(6, std::string_view(options.createdBy))
                            .bind(7, now)
                            .run();
        !stored.ok()) {
      std::filesystem::remove(bundle.file, error);
      return stored;
    }
  }
  if (options.supportUrl.empty()) return bundle;

  // The upload runs without the database lock; it may take a while.
  bundle.submittedTo = options.supportUrl;
  bundle.submitResult = submit(bundle, options);
  auto guard = database.lock();
  auto update =
      database.prepare("UPDATE cases SET submitted_to = ?, submit_result = ? WHERE public_id = ?");
  if (!update.ok()) return update.status();
  if (Status stored = update->bind(1, std::string_view(bundle.submittedTo))
                          .bind(2, std::string_view(bundle.submitResult))
                          .bind(3, std::string_view(bundle.id))
                          .run();
      !stored.ok()) {
    return stored;
  }
  return bundle;
}

Result<std::filesystem::path> caseBundleFile(Database& database,
                                             const std::filesystem::path& dataDir,
                                             std::string_view id) {
  auto guard = database.lock();
  auto query = database.prepare("SELECT file FROM cases WHERE public_id = ?");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, id).step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status(StatusCode::kNotFound, "there is no case '" + std::string(id.substr(0, 64)) +
                                             "'; pick one on the Threat Management screen");
  }
  return dataDir / "cases" / query->text(0);
}

Result<Json> listCases(Database& database, std::string_view host) {
  auto guard = database.lock();
  auto query = database.prepare(
      "SELECT c.public_id, c.size, c.sha256, c.created_by, c.created_at, c.submitted_to, "
      "c.submit_result FROM cases c JOIN endpoints en ON en.id = c.endpoint_id WHERE en.host = "
      "? ORDER BY c.id DESC LIMIT 50");
  if (!query.ok()) return query.status();
  query->bind(1, host);
  Json cases = Json::array();
  while (true) {
    auto row = query->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    cases.push_back({{"id", query->text(0)},
                     {"size", query->integer(1)},
                     {"sha256", query->text(2)},
                     {"created_by", query->text(3)},
                     {"created_at", isoTime(query->integer(4))},
                     {"submitted_to", query->text(5)},
                     {"submit_result", query->text(6)}});
  }
  return cases;
}

Result<Json> pendingEndpointData(Database& database, std::string_view host) {
  auto guard = database.lock();
  auto query = database.prepare(
      "SELECT d.public_id, d.reason, d.received_at, d.size FROM endpoint_data d JOIN endpoints "
      "en ON en.id = d.endpoint_id WHERE en.host = ? AND NOT EXISTS (SELECT 1 FROM cases c "
      "WHERE c.endpoint_id = en.id AND c.created_at >= d.received_at) ORDER BY d.id DESC LIMIT 1");
  if (!query.ok()) return query.status();
  auto row = query->bind(1, host).step();
  if (!row.ok()) return row.status();
  if (!*row) return Json();
  return Json{{"id", query->text(0)},
              {"reason", query->text(1)},
              {"received_at", isoTime(query->integer(2))},
              {"size", query->integer(3)}};
}

}  // namespace odscan::console
