// UpdateSource against a real web server: tests/activeupdate/static_server.py,
// started on 127.0.0.1 at a port it picks.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "activeupdate_test_support.h"
#include "odscan/activeupdate/component_publisher.h"
#include "odscan/activeupdate/update_source.h"
#include "pattern_test_support.h"

namespace odscan::activeupdate {
namespace {

using testing::readBytes;
using testing::StaticServer;
using testing::StaticServerOptions;
using testing::TempDir;

class HttpUpdateSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PublishOptions options;
    options.outputDirectory = folder();
    inputs_ = testing::writePatternPair(dir_.path(), key_, 5);
    options.patternFiles = inputs_;
    auto report = publishComponents(options, key_);
    ASSERT_TRUE(report.ok()) << report.status().toString();
  }

  std::filesystem::path folder() const { return dir_ / "au"; }

  StaticServerOptions serverOptions() const {
    StaticServerOptions options;
    options.root = folder();
    return options;
  }

  UpdateSource openSource(const std::string& url, UpdateSourceOptions options = {}) {
    auto source = UpdateSource::open(url, key_.publicKey(), std::move(options));
    EXPECT_TRUE(source.ok()) << source.status().toString();
    return std::move(source).value();
  }

  static void expectMessageHas(const Status& status, const std::string& text) {
    EXPECT_NE(status.message().find(text), std::string::npos) << status.message();
  }

  std::filesystem::path certificate() const { return dir_ / "server.pem"; }

  // Writes a self-signed certificate for 127.0.0.1 and its key with the openssl
  // program. Returns false when that fails.
  bool writeCertificate() const {
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
        (dir_ / "server.key").string() + "' -out '" + certificate().string() + "' 2>/dev/null";
    return std::system(command.c_str()) == 0;
  }

  static std::vector<nlohmann::json> parsedRequests(const StaticServer& server) {
    std::vector<nlohmann::json> requests;
    for (const std::string& line : server.requests())
      requests.push_back(nlohmann::json::parse(line));
    return requests;
  }

  TempDir dir_;
  PrivateKey key_ = testing::generateKey();
  std::vector<std::filesystem::path> inputs_;
};

TEST_F(HttpUpdateSourceTest, FetchesManifestAndComponents) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSource source = openSource(server.url());

  auto manifest = source.fetchManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status().toString();
  auto smartScan = source.fetchComponent(*manifest->find(kSmartScanPatternComponent));
  ASSERT_TRUE(smartScan.ok()) << smartScan.status().toString();
  EXPECT_EQ(*smartScan, readBytes(inputs_[0]));
  auto agent = source.fetchComponent(*manifest->find(kAgentPatternComponent));
  ASSERT_TRUE(agent.ok()) << agent.status().toString();
  EXPECT_EQ(*agent, readBytes(inputs_[1]));
}

TEST_F(HttpUpdateSourceTest, UrlWithoutFinalSlashWorks) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  std::string url = server.url();
  url.pop_back();
  EXPECT_TRUE(openSource(url).fetchManifest().ok());
}

TEST_F(HttpUpdateSourceTest, RequestsShareOneConnection) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSource source = openSource(server.url());
  for (int i = 0; i < 2; ++i) {
    auto manifest = source.fetchManifest();
    ASSERT_TRUE(manifest.ok()) << manifest.status().toString();
    ASSERT_TRUE(source.fetchComponent(*manifest->find(kAgentPatternComponent)).ok());
  }

  std::set<int> clientPorts;
  const auto requests = parsedRequests(server);
  for (const auto& request : requests) clientPorts.insert(request["client_port"].get<int>());
  EXPECT_EQ(requests.size(), 6u);
  EXPECT_EQ(clientPorts.size(), 1u);
}

TEST_F(HttpUpdateSourceTest, ManifestRequestsAskCachesToRevalidate) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSource source = openSource(server.url());
  auto manifest = source.fetchManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status().toString();
  ASSERT_TRUE(source.fetchComponent(*manifest->find(kAgentPatternComponent)).ok());

  const auto requests = parsedRequests(server);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["path"], "/manifest.json");
  EXPECT_EQ(requests[0]["headers"].value("Cache-Control", ""), "no-cache");
  EXPECT_EQ(requests[1]["path"], "/manifest.json.sig");
  EXPECT_EQ(requests[1]["headers"].value("Cache-Control", ""), "no-cache");
  EXPECT_FALSE(requests[2]["headers"].contains("Cache-Control"));
}

TEST_F(HttpUpdateSourceTest, ConfiguredHeadersAreSent) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSourceOptions options;
  options.headers = {"Authorization: Bearer test-token"};
  ASSERT_TRUE(openSource(server.url(), options).fetchManifest().ok());

  const auto requests = parsedRequests(server);
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0]["headers"].value("Authorization", ""), "Bearer test-token");
}

TEST_F(HttpUpdateSourceTest, HttpsVerifiesWithCaFile) {
  if (!writeCertificate()) GTEST_SKIP() << "the openssl program cannot make a certificate";
  StaticServerOptions serverSettings = serverOptions();
  serverSettings.tlsCertificate = certificate();
  serverSettings.tlsKey = dir_ / "server.key";
  StaticServer server(serverSettings, dir_.path());
  ASSERT_NE(server.port(), 0);

  UpdateSourceOptions options;
  options.caFile = certificate();
  auto manifest = openSource(server.url(), options).fetchManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status().toString();
  EXPECT_EQ(manifest->components.size(), 2u);
}

// --- Error paths ---

TEST_F(HttpUpdateSourceTest, MissingFolderIsNotFound) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string url = server.url() + "absent/";
  const Status status = openSource(url).fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  expectMessageHas(status,
                   "ActiveUpdate source '" + url +
                       "': cannot fetch manifest.json: the server returned HTTP status 404");
  expectMessageHas(status, "check the location");
}

TEST_F(HttpUpdateSourceTest, ServerThatIsDownIsUnreachable) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string url = server.url();
  server.stop();

  const Status status = openSource(url).fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kUnreachable);
  expectMessageHas(status, "ActiveUpdate source '" + url + "': cannot fetch manifest.json: ");
  expectMessageHas(status, "check that the server is running");
}

TEST_F(HttpUpdateSourceTest, ComponentLongerThanManifestSizeIsCutOff) {
  StaticServerOptions settings = serverOptions();
  settings.endlessPath = "/smart-scan-pattern-5.ptn";
  StaticServer server(settings, dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSource source = openSource(server.url());
  auto manifest = source.fetchManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status().toString();

  // The body never ends, so only the size limit can end this download.
  const auto start = std::chrono::steady_clock::now();
  const Status status = source.fetchComponent(*manifest->find(kSmartScanPatternComponent)).status();
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  expectMessageHas(status, "so the download was stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(HttpUpdateSourceTest, EndlessManifestIsCutOff) {
  StaticServerOptions settings = serverOptions();
  settings.endlessPath = "/manifest.json";
  StaticServer server(settings, dir_.path());
  ASSERT_NE(server.port(), 0);

  const Status status = openSource(server.url()).fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  expectMessageHas(status, "larger than the maximum of 1048576 bytes");
}

TEST_F(HttpUpdateSourceTest, StalledDownloadTimesOut) {
  StaticServerOptions settings = serverOptions();
  settings.stallPath = "/manifest.json";
  StaticServer server(settings, dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSourceOptions options;
  options.stallTimeout = std::chrono::seconds(1);

  const Status status = openSource(server.url(), options).fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kTimeout);
  expectMessageHas(status, "raise the timeout");
}

TEST_F(HttpUpdateSourceTest, TransferTimeoutEndsSlowDownload) {
  StaticServerOptions settings = serverOptions();
  settings.stallPath = "/manifest.json";
  StaticServer server(settings, dir_.path());
  ASSERT_NE(server.port(), 0);
  UpdateSourceOptions options;
  options.transferTimeout = std::chrono::milliseconds(500);

  const Status status = openSource(server.url(), options).fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kTimeout);
}

TEST_F(HttpUpdateSourceTest, OtherKeyOverHttpIsRejected) {
  StaticServer server(serverOptions(), dir_.path());
  ASSERT_NE(server.port(), 0);
  auto source = UpdateSource::open(server.url(), testing::generateKey().publicKey());
  ASSERT_TRUE(source.ok());
  const Status status = source->fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kBadSignature);
  expectMessageHas(status, "check the key or the source");
}

TEST_F(HttpUpdateSourceTest, UntrustedCertificateIsUnreachable) {
  if (!writeCertificate()) GTEST_SKIP() << "the openssl program cannot make a certificate";
  StaticServerOptions settings = serverOptions();
  settings.tlsCertificate = certificate();
  settings.tlsKey = dir_ / "server.key";
  StaticServer server(settings, dir_.path());
  ASSERT_NE(server.port(), 0);

  // Without the CA file the system's CAs apply, and none of them signed this one.
  const Status status = openSource(server.url()).fetchManifest().status();
  EXPECT_EQ(status.code(), StatusCode::kUnreachable);
  expectMessageHas(status, "certificate");
}

}  // namespace
}  // namespace odscan::activeupdate
