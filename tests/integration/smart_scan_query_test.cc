// Scan queries end to end: real smartscan-server processes on 127.0.0.1 (a local
// Smart Scan Server and a Global Smart Scan Server holding different patterns),
// the real odscan program, and in-process scans whose servers the test kills and
// restarts while the scan runs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "odscan/common/hasher.h"
#include "odscan/engine/scan_engine.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/query/server_pool.h"
#include "odscan/query/smart_scan_client.h"
#include "odscan/scanner/cloud_scan_sink.h"
#include "odscan/scanner/home_folder.h"
#include "odscan/scanner/result_reporter.h"
#include "odscan/scanner/session.h"
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using odscan::testing::ProgramResult;
using odscan::testing::readText;
using odscan::testing::runProgram;
using odscan::testing::ServerProcess;
using odscan::testing::writeText;

const fs::path kClamavTestfiles = "/usr/share/clamav-testfiles";
constexpr int kTreeFiles = 120;

// Runs `program` with `args`, its output captured in `scratch`.
ProgramResult run(const std::string& program, std::vector<std::string> args,
                  const fs::path& scratch) {
  args.insert(args.begin(), program);
  return runProgram(args, scratch);
}

std::string sha256Hex(const std::string& text) {
  MultiHasher hasher(DigestKindSet::fromBits(4));
  hasher.update({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  return hasher.finish().get(DigestKind::kSha256)->toHex();
}

// Patterns, keys and a tree shared by every test: built once per suite.
class SmartScanQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new fs::path(fs::temp_directory_path() /
                         ("odscan-query-test-" + std::to_string(::getpid())));
    fs::create_directories(scratch());
    buildPatterns();
  }

  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*root_, ignored);
    delete root_;
  }

  static fs::path scratch() { return *root_ / "scratch"; }
  static fs::path publisher() { return *root_ / "publisher"; }
  static fs::path publicKey() { return publisher() / "publisher.pub"; }
  static fs::path localPatterns() { return publisher() / "local"; }
  static fs::path globalPatterns() { return publisher() / "global"; }
  static fs::path agentPattern() { return localPatterns() / "agent-pattern.ptn"; }
  static fs::path tree() { return *root_ / "tree"; }

  // The agent pattern holds EICAR exactly and nothing else. clam.exe and the tree's
  // files are only in the Smart Scan Patterns, under different names in the local
  // and the global one, so each verdict shows which server answered.
  static void buildPatterns() {
    const std::string key = (publisher() / "publisher.key").string();
    fs::create_directories(publisher());
    ProgramResult keygen =
        run(ODSCAN_PATTERN_TOOL, {"keygen", "--private", key, "--public", publicKey().string()},
            scratch());
    ASSERT_EQ(keygen.exitCode, 0) << keygen.err;

    writeText(publisher() / "eicar.hdb",
              "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n");
    std::string local = "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n";
    std::string global = "aa15bcf478d165efd2065190eb473bcb:544:Global.Clamav.Test.File\n";
    std::mt19937_64 random(42);
    for (int i = 0; i < kTreeFiles; ++i) {
      std::string contents = "tree file " + std::to_string(i) + " " + std::to_string(random());
      writeText(tree() / ("file" + std::to_string(i) + ".bin"), contents);
      const std::string digest = sha256Hex(contents);
      const std::string size = std::to_string(contents.size());
      local += digest + ":" + size + ":Test.Local." + std::to_string(i) + "\n";
      global += digest + ":" + size + ":Test.Global." + std::to_string(i) + "\n";
    }
    writeText(publisher() / "local.hsb", local);
    writeText(publisher() / "global.hsb", global);

    for (const auto& [folder, signatures] :
         {std::pair{localPatterns(), publisher() / "local.hsb"},
          std::pair{globalPatterns(), publisher() / "global.hsb"}}) {
      ProgramResult build =
          run(ODSCAN_PATTERN_TOOL,
              {"build", "--key", key, "--output-dir", folder.string(), "--agent-exact",
               (publisher() / "eicar.hdb").string(), signatures.string()},
              scratch());
      ASSERT_EQ(build.exitCode, 0) << build.err;
    }
  }

  void SetUp() override {
    testRoot_ = *root_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(testRoot_);
  }

  // Starts a server on `port` (0 picks one) with the Smart Scan Pattern of
  // `patterns`, plus `extra` arguments.
  void startServer(ServerProcess& server, const fs::path& patterns, const std::string& name,
                   int port = 0, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--pattern",    (patterns / "smart-scan-pattern.ptn").string(),
                                     "--public-key", publicKey().string(),
                                     "--listen",     "127.0.0.1:" + std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(server.start(SMARTSCAN_SERVER, args, testRoot_ / (name + ".log")))
        << "the " << name << " server did not start:\n"
        << server.log();
  }

  ProgramResult scan(std::vector<std::string> args) {
    std::vector<std::string> all = {"scan",
                                    "--home",
                                    (testRoot_ / "HCEXEC").string(),
                                    "--pattern",
                                    agentPattern().string(),
                                    "--public-key",
                                    publicKey().string()};
    all.insert(all.end(), args.begin(), args.end());
    fs::create_directories(testRoot_ / "scratch");
    return run(ODSCAN_TOOL, all, testRoot_ / "scratch");
  }

  static std::set<std::string> pathsWith(const nlohmann::json& report, const std::string& verdict,
                                         const std::string& source, const std::string& prefix) {
    std::set<std::string> paths;
    for (const auto& result : report["results"]) {
      if (result["verdict"] != verdict) continue;
      if (!source.empty() && result.value("source", "") != source) continue;
      std::string path = result["path"];
      if (path.rfind(prefix, 0) == 0) path.erase(0, prefix.size());
      paths.insert(path);
    }
    return paths;
  }

  static inline fs::path* root_ = nullptr;
  fs::path testRoot_;
};

// The files and members of clamav-testfiles that hold clam.exe, as the engine
// names them. The deepest copy in clam_cache_emax.tgz is one level beyond the
// default depth limit and is therefore not among them.
std::set<std::string> clamExeHolders() {
  const std::string emax = "clam_cache_emax.tgz";
  const std::string chain = "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz!clam06.tgz!clam07.tgz";
  return {"clam.exe",
          "clam.zip",
          "clam.zip!clam.exe",
          "clam.tar.gz",
          "clam.tar.gz!clam.exe",
          "clam.exe.bz2",
          "clam.exe.bz2!clam.exe",
          "clam.7z",
          "clam.7z!clam.exe",
          "clam.bin-be.cpio",
          "clam.bin-be.cpio!clam.exe",
          "clam.bin-le.cpio",
          "clam.bin-le.cpio!clam.exe",
          "clam.newc.cpio",
          "clam.newc.cpio!clam.exe",
          "clam.odc.cpio",
          "clam.odc.cpio!clam.exe",
          "clam.cab",
          "clam.cab!clam.exe",
          "clam.bz2.zip",
          "clam.bz2.zip!clam.exe",
          emax,
          emax + "!clam02.tgz",
          emax + "!clam02.tgz!clam03.tgz",
          emax + "!clam02.tgz!clam03.tgz!clam04.tgz",
          emax + "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz",
          emax + "!clam02.tgz!clam03.tgz!clam04.tgz!clam05.tgz!clam06.tgz",
          emax + chain,
          emax + chain + "!clam08.tgz",
          emax + chain + "!clam08.tgz!clam.exe"};
}

TEST_F(SmartScanQueryTest, LocalServerFindsClamExeThroughQueries) {
  if (!fs::exists(kClamavTestfiles / "clam.exe")) GTEST_SKIP() << "clamav-testfiles missing";
  ServerProcess local;
  ServerProcess global;
  startServer(local, localPatterns(), "local");
  startServer(global, globalPatterns(), "global");

  const fs::path json = testRoot_ / "report.json";
  ProgramResult result = scan({"--server", local.url(), "--global-server", global.url(), "--json",
                               json.string(), kClamavTestfiles.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;
  ASSERT_TRUE(fs::exists(json)) << result.out << result.err;
  nlohmann::json report = nlohmann::json::parse(readText(json));
  const std::string prefix = kClamavTestfiles.string() + "/";

  EXPECT_EQ(pathsWith(report, "infected", "smart_scan_server", prefix), clamExeHolders());
  EXPECT_EQ(pathsWith(report, "infected", "global_smart_scan_server", prefix).size(), 0u);
  EXPECT_EQ(report["counts"]["unresolved"], 0);
  EXPECT_EQ(report["counts"]["bypassed"], 0);
  EXPECT_GT(report["smart_scan"]["verdicts_by_server"]["smart_scan_server"].get<int>(), 0);
  EXPECT_NE(result.out.find("clam.exe: Clamav.Test.File-6 FOUND"), std::string::npos) << result.out;
}

TEST_F(SmartScanQueryTest, GlobalAnswersWhenLocalDown) {
  if (!fs::exists(kClamavTestfiles / "clam.exe")) GTEST_SKIP() << "clamav-testfiles missing";
  ServerProcess global;
  startServer(global, globalPatterns(), "global");
  const std::string deadLocal = "http://127.0.0.1:" + std::to_string(testing::unusedLocalPort());

  const fs::path json = testRoot_ / "report.json";
  ProgramResult result = scan({"--server", deadLocal, "--global-server", global.url(), "--json",
                               json.string(), kClamavTestfiles.string()});
  ASSERT_EQ(result.exitCode, 1) << result.err;
  ASSERT_TRUE(fs::exists(json)) << result.out << result.err;
  nlohmann::json report = nlohmann::json::parse(readText(json));
  const std::string prefix = kClamavTestfiles.string() + "/";
  EXPECT_EQ(pathsWith(report, "infected", "global_smart_scan_server", prefix), clamExeHolders());
  EXPECT_NE(result.out.find("clam.exe: Global.Clamav.Test.File FOUND"), std::string::npos);
}

TEST_F(SmartScanQueryTest, ScanDoesNotStartWhenNoServerAnswers) {
  const std::string deadLocal = "http://127.0.0.1:" + std::to_string(testing::unusedLocalPort());
  const std::string deadGlobal = "http://127.0.0.1:" + std::to_string(testing::unusedLocalPort());
  ProgramResult result =
      scan({"--server", deadLocal, "--global-server", deadGlobal, tree().string()});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find(deadLocal), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(deadGlobal), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("The scan did not start"), std::string::npos) << result.err;

  bool logged = false;
  for (const auto& session : fs::directory_iterator(testRoot_ / "HCEXEC" / "sessions")) {
    logged = logged ||
             readText(session.path() / "events.jsonl").find("\"smart_scan_servers_unreachable\"") !=
                 std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(SmartScanQueryTest, NoGlobalKeepsQueriesLocal) {
  ServerProcess global;
  startServer(global, globalPatterns(), "global");
  const std::string deadLocal = "http://127.0.0.1:" + std::to_string(testing::unusedLocalPort());
  ProgramResult result = scan(
      {"--server", deadLocal, "--global-server", global.url(), "--no-global", tree().string()});
  EXPECT_EQ(result.exitCode, 2) << result.out;
  EXPECT_EQ(result.err.find(global.url()), std::string::npos) << result.err;
}

// ---- servers lost while a scan runs (in-process scanner, real servers) --------

// Passes results on to the CloudScanSink and runs `action` once, on the engine
// thread, after `after` results.
class TriggerSink : public ScanSink {
 public:
  TriggerSink(ScanSink& next, int after, std::function<void()> action)
      : next_(next), after_(after), action_(std::move(action)) {}
  void onResult(const ScanResult& result) override {
    next_.onResult(result);
    if (++count_ == after_) action_();
  }
  void onEvent(const ScanEvent& event) override { next_.onEvent(event); }

 private:
  ScanSink& next_;
  int after_;
  std::atomic<int> count_{0};
  std::function<void()> action_;
};

class MidScanTest : public SmartScanQueryTest {
 protected:
  void SetUp() override {
    SmartScanQueryTest::SetUp();
    home_ = std::make_unique<scanner::HomeFolder>(testRoot_ / "HCEXEC");
    ASSERT_TRUE(home_->createLayout().ok());
    auto session = scanner::Session::create(*home_, "scan");
    ASSERT_TRUE(session.ok());
    session_ = std::move(*session);
    reporter_ = std::make_unique<scanner::ResultReporter>(console_, *session_, false);

    auto key = PublicKey::readFile(publicKey());
    ASSERT_TRUE(key.ok());
    auto pattern = AgentPattern::load(agentPattern(), *key);
    ASSERT_TRUE(pattern.ok()) << pattern.status().toString();
    pattern_ = std::make_shared<const AgentPattern>(std::move(*pattern));
  }

  std::unique_ptr<query::ServerPool> makePool(const std::string& localUrl,
                                              const std::string& globalUrl) {
    query::SmartScanClientOptions client;
    client.requestTimeout = std::chrono::seconds(5);
    std::vector<std::unique_ptr<query::QueryTransport>> servers;
    servers.push_back(std::make_unique<query::SmartScanClient>(query::ServerRole::kSmartScanServer,
                                                               localUrl, client));
    servers.push_back(std::make_unique<query::SmartScanClient>(
        query::ServerRole::kGlobalSmartScanServer, globalUrl, client));
    query::ServerPoolOptions options;
    options.initialBackoff = std::chrono::milliseconds(20);
    options.offlineProbeInterval = std::chrono::milliseconds(100);
    return std::make_unique<query::ServerPool>(std::move(servers), options, nullptr);
  }

  // Scans the tree one file at a time, with one-digest batches, so that queries
  // go out all through the scan and the trigger fires between them.
  scanner::CloudStats scanTree(query::ServerPool& pool, int after, std::function<void()> action,
                               std::chrono::milliseconds requeryWait) {
    scanner::CloudScanOptions options;
    options.maxBatch = 1;
    options.batchDelay = std::chrono::milliseconds(1);
    options.requeryWait = requeryWait;
    scanner::CloudScanSink cloud(pool, *reporter_, *session_, options);
    TriggerSink trigger(cloud, after, std::move(action));
    ScanOptions engineOptions;
    engineOptions.threads = 1;
    ScanEngine engine(pattern_, engineOptions);
    engine.scan({tree()}, trigger);
    return cloud.finish();
  }

  // Waits until the reporter has seen `count` results of `verdict`.
  bool waitForVerdicts(Verdict verdict, std::uint64_t count) {
    for (int i = 0; i < 1000; ++i) {
      const scanner::VerdictCounts counts = reporter_->counts();
      const std::uint64_t seen = verdict == Verdict::kInfected   ? counts.infected
                                 : verdict == Verdict::kBypassed ? counts.bypassed
                                                                 : counts.clean;
      if (seen >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::ostringstream out_;
  std::ostringstream err_;
  scanner::Console console_{out_, err_, false};
  std::unique_ptr<scanner::HomeFolder> home_;
  std::unique_ptr<scanner::Session> session_;
  std::unique_ptr<scanner::ResultReporter> reporter_;
  std::shared_ptr<const AgentPattern> pattern_;
};

TEST_F(MidScanTest, GlobalTakesOverWhenLocalIsKilled) {
  ServerProcess local;
  ServerProcess global;
  startServer(local, localPatterns(), "local");
  startServer(global, globalPatterns(), "global");
  auto pool = makePool(local.url(), global.url());
  ASSERT_TRUE(pool->checkServers().ok());

  scanner::CloudStats stats = scanTree(
      *pool, kTreeFiles / 3,
      [&] {
        // Let the local server answer some queries first.
        ASSERT_TRUE(waitForVerdicts(Verdict::kInfected, 5));
        local.kill();
      },
      std::chrono::milliseconds(0));

  const scanner::VerdictCounts counts = reporter_->counts();
  EXPECT_EQ(counts.infected, static_cast<std::uint64_t>(kTreeFiles));
  EXPECT_EQ(counts.unresolved + counts.bypassed + counts.notScanned + counts.clean, 0u);
  EXPECT_GT(stats.localVerdicts, 0u);
  EXPECT_GT(stats.globalVerdicts, 0u);
  std::set<std::string> threats;
  for (const ScanResult& result : reporter_->findings()) threats.insert(result.threatName);
  EXPECT_EQ(threats.size(), static_cast<std::size_t>(kTreeFiles)) << "one verdict per file";
}

TEST_F(MidScanTest, BypassedFilesAreQueriedAgainWhenAServerReturns) {
  ServerProcess local;
  ServerProcess global;
  startServer(local, localPatterns(), "local");
  startServer(global, globalPatterns(), "global");
  const int localPort = local.port();
  auto pool = makePool(local.url(), global.url());
  ASSERT_TRUE(pool->checkServers().ok());

  std::thread restarter;
  scanner::CloudStats stats = scanTree(
      *pool, kTreeFiles / 3,
      [&] {
        ASSERT_TRUE(waitForVerdicts(Verdict::kInfected, 5));
        local.kill();
        global.kill();
        // Bring the local server back on its port once files are bypassed; the
        // scan's end waits for it.
        restarter = std::thread([&] {
          ASSERT_TRUE(waitForVerdicts(Verdict::kBypassed, 1));
          startServer(local, localPatterns(), "local-restarted", localPort);
        });
      },
      std::chrono::seconds(30));
  if (restarter.joinable()) restarter.join();

  const scanner::VerdictCounts counts = reporter_->counts();
  EXPECT_GT(stats.bypassed, 0u);
  EXPECT_EQ(stats.requeried, stats.bypassed);
  EXPECT_EQ(stats.stillBypassed, 0u);
  EXPECT_EQ(counts.bypassed, 0u);
  EXPECT_EQ(counts.infected, static_cast<std::uint64_t>(kTreeFiles));

  std::size_t requeried = 0;
  for (const ScanResult& result : reporter_->findings()) requeried += result.wasBypassed ? 1 : 0;
  EXPECT_EQ(requeried, stats.bypassed);

  // Each bypass was logged, and so was each update.
  const std::string events = readText(session_->eventsPath());
  EXPECT_NE(events.find("\"verdict\":\"bypassed\""), std::string::npos);
  EXPECT_NE(events.find("\"verdict_updated\""), std::string::npos);
}

TEST_F(MidScanTest, OverloadedServerAnswersAfterBackoff) {
  ServerProcess local;
  startServer(local, localPatterns(), "local", 0, {"--max-in-flight", "1"});

  // Eight scanners' query threads against a server that runs one request at a
  // time: some requests get 503 and are retried, none fails.
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int client = 0; client < 8; ++client) {
    clients.emplace_back([&] {
      query::SmartScanClientOptions options;
      std::vector<std::unique_ptr<query::QueryTransport>> servers;
      servers.push_back(std::make_unique<query::SmartScanClient>(
          query::ServerRole::kSmartScanServer, local.url(), options));
      query::ServerPoolOptions poolOptions;
      poolOptions.initialBackoff = std::chrono::milliseconds(5);
      poolOptions.overloadAttempts = 1000;
      query::ServerPool pool(std::move(servers), poolOptions, nullptr);
      protocol::QueryRequest request;
      for (int i = 0; i < 1000; ++i)
        request.items.push_back({Digest{}, static_cast<std::uint64_t>(i)});
      for (int round = 0; round < 30; ++round) {
        if (!pool.query(request).ok()) ++failures;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(failures.load(), 0);

  // The server's metrics show the rejections the clients waited out.
  ProgramResult metrics = run("curl", {"-s", local.url() + "/metrics"}, testRoot_);
  EXPECT_NE(metrics.out.find("overloaded"), std::string::npos) << metrics.out;
}

}  // namespace
}  // namespace odscan
