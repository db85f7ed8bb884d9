#include "activeupdate_test_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/smart_scan_pattern.h"
#include "pattern_test_support.h"

extern char** environ;

namespace odscan::testing {
namespace {

std::vector<Signature> sampleSignatures(std::uint64_t version) {
  // The version goes into a digest, so patterns of two versions differ in content
  // and not only in the header.
  std::mt19937_64 random(version);
  std::vector<Signature> signatures;
  for (int i = 0; i < 8; ++i) {
    signatures.push_back(Signature{randomDigest(random, DigestKind::kSha256), 100u + i,
                                   "Test.Threat-" + std::to_string(i)});
  }
  return signatures;
}

}  // namespace

std::vector<std::uint8_t> smartScanPatternFile(const PrivateKey& key, std::uint64_t version,
                                               std::int64_t creationTime) {
  auto pattern = SmartScanPattern::build(sampleSignatures(version), version);
  EXPECT_TRUE(pattern.ok()) << pattern.status().toString();
  if (!pattern.ok()) return {};
  auto file = pattern->encode(key, creationTime);
  EXPECT_TRUE(file.ok()) << file.status().toString();
  return file.ok() ? std::move(file).value() : std::vector<std::uint8_t>();
}

std::vector<std::uint8_t> agentPatternFile(const PrivateKey& key, std::uint64_t version) {
  const std::vector<Signature> signatures = sampleSignatures(version);
  std::vector<Digest> filterKeys;
  for (const Signature& signature : signatures) filterKeys.push_back(signature.digest);
  auto pattern = AgentPattern::build({signatures.front()}, filterKeys, version);
  EXPECT_TRUE(pattern.ok()) << pattern.status().toString();
  if (!pattern.ok()) return {};
  auto file = pattern->encode(key, kTestCreationTime);
  EXPECT_TRUE(file.ok()) << file.status().toString();
  return file.ok() ? std::move(file).value() : std::vector<std::uint8_t>();
}

std::vector<std::filesystem::path> writePatternPair(const std::filesystem::path& folder,
                                                    const PrivateKey& key, std::uint64_t version) {
  const std::string suffix = "-" + std::to_string(version) + ".ptn";
  const auto smartScan = folder / ("smart" + suffix);
  const auto agent = folder / ("agent" + suffix);
  writeBytes(smartScan, smartScanPatternFile(key, version));
  writeBytes(agent, agentPatternFile(key, version));
  return {smartScan, agent};
}

std::vector<std::uint8_t> bytesOf(const std::string& text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

void writeSignedManifest(const std::filesystem::path& folder, const std::string& manifestText,
                         const PrivateKey& key) {
  const auto bytes = bytesOf(manifestText);
  auto signature = key.sign(bytes);
  ASSERT_TRUE(signature.ok()) << signature.status().toString();
  writeBytes(folder / activeupdate::kManifestFileName, bytes);
  writeBytes(folder / activeupdate::kManifestSignatureFileName, *signature);
}

StaticServer::StaticServer(const StaticServerOptions& options,
                           const std::filesystem::path& workFolder)
    : workFolder_(workFolder), tls_(!options.tlsCertificate.empty()) {
  const auto portFile = workFolder_ / "server.port";
  std::filesystem::remove(portFile);
  std::vector<std::string> arguments = {
      "python3",       std::string(ODSCAN_SOURCE_DIR) + "/tests/activeupdate/static_server.py",
      "--root",        options.root.string(),
      "--port-file",   portFile.string(),
      "--request-log", (workFolder_ / "requests.jsonl").string()};
  if (!options.endlessPath.empty())
    arguments.insert(arguments.end(), {"--endless", options.endlessPath});
  if (!options.stallPath.empty()) arguments.insert(arguments.end(), {"--stall", options.stallPath});
  if (tls_) {
    arguments.insert(arguments.end(), {"--tls-cert", options.tlsCertificate.string(), "--tls-key",
                                       options.tlsKey.string()});
  }
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string logPath = (workFolder_ / "server.log").string();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logPath.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int spawned = posix_spawnp(&process_, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    process_ = -1;
    ADD_FAILURE() << "cannot start python3: " << std::strerror(spawned);
    return;
  }

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(portFile);
    int port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<std::uint16_t>(port);
      return;
    }
    int status = 0;
    if (::waitpid(process_, &status, WNOHANG) == process_) {
      process_ = -1;
      ADD_FAILURE() << "static_server.py exited before listening:\n" << log();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "static_server.py did not write its port within 10 seconds:\n" << log();
}

StaticServer::~StaticServer() { stop(); }

void StaticServer::stop() {
  if (process_ <= 0) return;
  ::kill(process_, SIGTERM);
  int status = 0;
  ::waitpid(process_, &status, 0);
  process_ = -1;
}

std::string StaticServer::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/";
}

std::vector<std::string> StaticServer::requests() const {
  std::ifstream in(workFolder_ / "requests.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string StaticServer::log() const { return readText(workFolder_ / "server.log"); }

}  // namespace odscan::testing
