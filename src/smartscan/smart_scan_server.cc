#include "odscan/smartscan/smart_scan_server.h"

#include <spdlog/spdlog.h>

#include <fstream>

#include "odscan/http/http_server.h"
#include "odscan/http/metrics_registry.h"
#include "odscan/http/server_program.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/smartscan/api_key_check.h"
#include "odscan/smartscan/pattern_source.h"
#include "odscan/smartscan/pattern_store.h"
#include "odscan/smartscan/pattern_updater.h"
#include "odscan/smartscan/query_service.h"

namespace odscan::smartscan {
namespace {

double secondsSinceEpoch(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

// Adds the gauges that describe the current pattern. They read the store at
// render time and share its ownership, so they stay valid in any order of
// destruction.
void addPatternGauges(http::MetricsRegistry& metrics, const std::shared_ptr<PatternStore>& store) {
  metrics.gaugeFunction("odscan_smartscan_pattern_version",
                        "Version of the loaded Smart Scan Pattern, 0 when none is loaded", {},
                        [store] {
                          const auto current = store->current();
                          return current ? static_cast<double>(current->pattern.version()) : 0.0;
                        });
  metrics.gaugeFunction("odscan_smartscan_pattern_signatures",
                        "Signatures in the loaded Smart Scan Pattern", {}, [store] {
                          const auto current = store->current();
                          return current ? static_cast<double>(current->pattern.signatureCount())
                                         : 0.0;
                        });
  metrics.gaugeFunction(
      "odscan_smartscan_pattern_age_seconds",
      "Seconds since the loaded Smart Scan Pattern was created (its header's time)", {}, [store] {
        const auto current = store->current();
        if (!current || current->pattern.creationTime() <= 0) return 0.0;
        const double now = secondsSinceEpoch(std::chrono::system_clock::now());
        return std::max(0.0, now - static_cast<double>(current->pattern.creationTime()));
      });
  metrics.gaugeFunction("odscan_smartscan_pattern_loaded_timestamp_seconds",
                        "Unix time at which the loaded Smart Scan Pattern was swapped in", {},
                        [store] {
                          const auto current = store->current();
                          return current ? secondsSinceEpoch(current->loadedAt) : 0.0;
                        });
}

Result<std::vector<ApiKey>> collectApiKeys(const ServerConfig& config) {
  std::vector<ApiKey> keys = config.apiKeys;
  if (!config.apiKeysFile.empty()) {
    auto fromFile = loadApiKeysFile(config.apiKeysFile);
    if (!fromFile.ok()) return fromFile.status();
    keys.insert(keys.end(), fromFile->begin(), fromFile->end());
  }
  ServerConfig merged;
  merged.publicKeyFile = config.publicKeyFile;
  merged.patternFile = config.patternFile;
  merged.updateSource = config.updateSource;
  merged.apiKeys = keys;
  if (Status status = validateServerConfig(merged); !status.ok()) return status;
  return keys;
}

Result<std::unique_ptr<PatternSource>> makeSource(const ServerConfig& config,
                                                  const PublicKey& key) {
  if (config.updateSource.empty()) return makeFilePatternSource(config.patternFile);
  ActiveUpdateSourceOptions options;
  options.caFile = config.updateCaFile;
  options.publicKeyName = config.publicKeyFile.filename().string();
  return makeActiveUpdatePatternSource(config.updateSource, key, options);
}

}  // namespace

struct SmartScanServer::Impl {
  ~Impl() { stop(); }

  void stop() {
    if (updater) updater->stop();
    if (server) server->stop();
  }

  std::shared_ptr<spdlog::logger> logger;
  // The registry outlives the HTTP server and the service, which hold references.
  std::unique_ptr<http::MetricsRegistry> metrics = std::make_unique<http::MetricsRegistry>();
  std::shared_ptr<PatternStore> store = std::make_shared<PatternStore>();
  std::unique_ptr<QueryService> service;
  std::unique_ptr<PatternUpdater> updater;
  std::unique_ptr<http::HttpServer> server;
};

Result<std::unique_ptr<SmartScanServer>> SmartScanServer::start(
    const ServerConfig& config, std::shared_ptr<spdlog::logger> logger) {
  if (Status status = validateServerConfig(config); !status.ok()) return status;
  auto key = PublicKey::readFile(config.publicKeyFile);
  if (!key.ok()) return key.status();
  auto apiKeys = collectApiKeys(config);
  if (!apiKeys.ok()) return apiKeys.status();

  auto impl = std::make_unique<Impl>();
  impl->logger = logger;
  if (!config.patternFile.empty()) {
    auto pattern = SmartScanPattern::load(config.patternFile, *key);
    if (!pattern.ok()) {
      return pattern.status().withContext("the Smart Scan Pattern was rejected");
    }
    logger->info("loaded Smart Scan Pattern version {} ({} signatures) from '{}'",
                 pattern->version(), pattern->signatureCount(), config.patternFile.string());
    impl->store->replace(std::make_shared<const LoadedPattern>(
        LoadedPattern{std::move(pattern).value(), config.patternFile.string(),
                      std::chrono::system_clock::now()}));
  }

  auto source = makeSource(config, *key);
  if (!source.ok()) return source.status();
  impl->updater = std::make_unique<PatternUpdater>(impl->store, *key, std::move(source).value(),
                                                   logger, *impl->metrics);
  addPatternGauges(*impl->metrics, impl->store);
  impl->service = std::make_unique<QueryService>(impl->store, ApiKeyCheck(*apiKeys),
                                                 config.maxDigestsPerQuery, *impl->metrics, logger);
  http::Router router;
  if (Status status = impl->service->addRoutes(router); !status.ok()) return status;

  auto server =
      http::HttpServer::start(httpOptionsOf(config), std::move(router), logger, *impl->metrics);
  if (!server.ok()) return server.status();
  impl->server = std::move(server).value();

  // The file source has no interval: a plain file announces nothing, so it is
  // read again only on request (SIGHUP).
  const bool activeUpdate = !config.updateSource.empty();
  impl->updater->start(activeUpdate ? config.updateInterval : std::chrono::seconds(0),
                       activeUpdate);
  if (activeUpdate) {
    logger->info("checking ActiveUpdate source '{}' every {} s and on SIGHUP", config.updateSource,
                 config.updateInterval.count());
  }

  if (!config.portFile.empty()) {
    if (Status status = http::writePortFile(config.portFile, impl->server->port()); !status.ok()) {
      return status;
    }
  }
  return std::unique_ptr<SmartScanServer>(new SmartScanServer(std::move(impl)));
}

SmartScanServer::SmartScanServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SmartScanServer::~SmartScanServer() = default;

std::uint16_t SmartScanServer::port() const { return impl_->server->port(); }

std::string SmartScanServer::url() const {
  const http::ListenAddress address = impl_->server->address();
  return std::string(impl_->server->usesTls() ? "https://" : "http://") + address.toString();
}

std::optional<std::uint64_t> SmartScanServer::patternVersion() const {
  const auto current = impl_->store->current();
  if (!current) return std::nullopt;
  return current->pattern.version();
}

void SmartScanServer::requestUpdate() { impl_->updater->requestCheck(); }

void SmartScanServer::stop() { impl_->stop(); }

}  // namespace odscan::smartscan
