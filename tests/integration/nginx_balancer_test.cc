// Runs the sample nginx configuration (deploy/nginx/smartscan-replicas.conf) on
// 127.0.0.1 in front of two real smartscan-server replicas, and checks that it
// balances scan queries over both and keeps answering when one replica dies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "odscan/query/smart_scan_client.h"
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using odscan::testing::readText;
using odscan::testing::ServerProcess;

const fs::path kNginx = "/usr/sbin/nginx";

std::string shellRun(const std::string& command) {
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t count = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, count);
    pclose(pipe);
  }
  return output;
}

// Returns the number of digests a replica looked up, from its metrics.
double queriesAnswered(const ServerProcess& replica) {
  const std::string metrics = shellRun("curl -s " + replica.url() + "/metrics");
  double total = 0;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("odscan_smartscan_digests_total", 0) != 0) continue;
    total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

class NginxBalancerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kNginx)) GTEST_SKIP() << "nginx is not installed (package nginx-light)";
    root_ = fs::temp_directory_path() / ("odscan-nginx-test-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "logs");
    buildPattern();
  }

  void TearDown() override {
    nginx_.stop();
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  void buildPattern() {
    const std::string tool = ODSCAN_PATTERN_TOOL;
    const fs::path key = root_ / "publisher.key";
    {
      std::ofstream(root_ / "sigs.hdb")
          << "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n";
    }
    ASSERT_EQ(std::system((tool + " keygen --private " + key.string() + " --public " +
                           (root_ / "publisher.pub").string() + " >/dev/null")
                              .c_str()),
              0);
    ASSERT_EQ(std::system((tool + " build --key " + key.string() + " --output-dir " +
                           root_.string() + " " + (root_ / "sigs.hdb").string() + " >/dev/null")
                              .c_str()),
              0);
  }

  void startReplica(ServerProcess& replica, const std::string& name) {
    ASSERT_TRUE(
        replica.start(SMARTSCAN_SERVER,
                      {"--pattern", (root_ / "smart-scan-pattern.ptn").string(), "--public-key",
                       (root_ / "publisher.pub").string(), "--listen", "127.0.0.1:0"},
                      root_ / (name + ".log")))
        << replica.log();
  }

  // Writes nginx.conf around the sample file, with the test's ports in place of
  // the sample's, and starts nginx in the foreground.
  void startNginx(int port, int first, int second) {
    std::string sample =
        readText(fs::path(ODSCAN_SOURCE_DIR) / "deploy/nginx/smartscan-replicas.conf");
    sample = std::regex_replace(sample, std::regex("127\\.0\\.0\\.1:8470"),
                                "127.0.0.1:" + std::to_string(port));
    sample = std::regex_replace(sample, std::regex("127\\.0\\.0\\.1:8471"),
                                "127.0.0.1:" + std::to_string(first));
    sample = std::regex_replace(sample, std::regex("127\\.0\\.0\\.1:8472"),
                                "127.0.0.1:" + std::to_string(second));
    std::ofstream(root_ / "smartscan-replicas.conf") << sample;

    const std::string prefix = root_.string() + "/";
    std::ofstream(root_ / "nginx.conf") << "pid " << prefix << "nginx.pid;\n"
                                        << "error_log " << prefix << "logs/error.log;\n"
                                        << "events { worker_connections 256; }\n"
                                        << "http {\n"
                                        << "  access_log " << prefix << "logs/access.log;\n"
                                        << "  client_body_temp_path " << prefix << "client_body;\n"
                                        << "  proxy_temp_path " << prefix << "proxy;\n"
                                        << "  include " << prefix << "smartscan-replicas.conf;\n"
                                        << "}\n";
    ASSERT_TRUE(nginx_.spawn(
        kNginx, {"-p", root_.string(), "-c", (root_ / "nginx.conf").string(), "-g", "daemon off;"},
        root_ / "nginx.log"));
    ASSERT_TRUE(testing::waitForLocalPort(port, std::chrono::seconds(10)))
        << readText(root_ / "nginx.log") << readText(root_ / "logs/error.log");
  }

  fs::path root_;
  ServerProcess nginx_;
};

protocol::QueryRequest clamExeQuery() {
  protocol::QueryRequest request;
  request.items.push_back({*Digest::fromHex("aa15bcf478d165efd2065190eb473bcb"), 544});
  return request;
}

TEST_F(NginxBalancerTest, BalancesAndSurvivesALostReplica) {
  ServerProcess first;
  ServerProcess second;
  startReplica(first, "replica1");
  startReplica(second, "replica2");
  const int port = testing::unusedLocalPort();
  startNginx(port, first.port(), second.port());

  query::SmartScanClient client(query::ServerRole::kSmartScanServer,
                                "http://127.0.0.1:" + std::to_string(port), {});
  for (int i = 0; i < 40; ++i) {
    query::QueryAttempt attempt = client.query(clamExeQuery());
    ASSERT_TRUE(attempt.status.ok()) << attempt.status.toString();
    EXPECT_EQ(attempt.response->results[0].threatName, "Clamav.Test.File-6");
  }
  EXPECT_GT(queriesAnswered(first), 0) << "least_conn spreads queries over both replicas";
  EXPECT_GT(queriesAnswered(second), 0);

  first.kill();
  int failures = 0;
  for (int i = 0; i < 40; ++i) failures += client.query(clamExeQuery()).status.ok() ? 0 : 1;
  EXPECT_EQ(failures, 0) << readText(root_ / "logs/error.log");
  EXPECT_TRUE(client.checkHealth().status.ok());
}

}  // namespace
}  // namespace odscan
