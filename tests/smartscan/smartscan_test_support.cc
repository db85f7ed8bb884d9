#include "smartscan_test_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "odscan/pattern/smart_scan_pattern.h"

extern char** environ;

namespace odscan::smartscan::testing {
namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Signature signatureOf(const char* hex, std::uint64_t size, const std::string& name) {
  auto digest = Digest::fromHex(hex);
  EXPECT_TRUE(digest.ok()) << digest.status().toString();
  return Signature{digest.ok() ? *digest : Digest{}, size, name};
}

}  // namespace

PrivateKey generateKey() {
  auto key = PrivateKey::generate();
  EXPECT_TRUE(key.ok()) << key.status().toString();
  return std::move(key).value();
}

std::vector<Signature> testSignatures(std::size_t extra) {
  std::vector<Signature> signatures{signatureOf(kClamMd5, kClamSize, kClamThreat),
                                    signatureOf(kEicarSha256, kAnySize, kEicarThreat)};
  for (std::size_t i = 0; i < extra; ++i) {
    Digest digest;
    digest.kind = DigestKind::kSha256;
    for (std::size_t b = 0; b < 8; ++b)
      digest.bytes[b] = static_cast<std::uint8_t>((i + 1) >> (8 * b));
    digest.bytes[31] = 0xee;
    signatures.push_back(Signature{digest, kAnySize, "Extra." + std::to_string(i)});
  }
  return signatures;
}

std::vector<std::uint8_t> encodePattern(const PrivateKey& key, std::uint64_t version,
                                        std::vector<Signature> signatures) {
  auto pattern = SmartScanPattern::build(std::move(signatures), version);
  EXPECT_TRUE(pattern.ok()) << pattern.status().toString();
  auto file = pattern->encode(key, 1'700'000'000);
  EXPECT_TRUE(file.ok()) << file.status().toString();
  return file.ok() ? *file : std::vector<std::uint8_t>();
}

void writeBytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

void writePattern(const std::filesystem::path& path, const PrivateKey& key, std::uint64_t version,
                  std::vector<Signature> signatures) {
  const std::filesystem::path temporary = path.string() + ".new";
  writeBytes(temporary, encodePattern(key, version, std::move(signatures)));
  std::filesystem::rename(temporary, path);
}

ServerProcess::ServerProcess(std::filesystem::path folder, std::vector<std::string> arguments)
    : folder_(std::move(folder)) {
  std::filesystem::remove(folder_ / "port");
  arguments.insert(arguments.begin(), ODSCAN_SMARTSCAN_SERVER);
  arguments.push_back("--port-file");
  arguments.push_back((folder_ / "port").string());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (folder_ / "stdout.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (folder_ / "stderr.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_GT(pid_, 0) << "cannot start " << ODSCAN_SMARTSCAN_SERVER;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool ServerProcess::waitUntilListening(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = readFile(folder_ / "port");
    if (!text.empty()) {
      port_ = static_cast<std::uint16_t>(std::stoul(text));
      return true;
    }
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::optional<int> ServerProcess::waitForExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

void ServerProcess::signal(int number) const {
  if (pid_ > 0) ::kill(pid_, number);
}

std::optional<int> ServerProcess::stop() {
  signal(SIGTERM);
  return waitForExit();
}

std::string ServerProcess::url(const std::string& path, const std::string& scheme) const {
  return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string ServerProcess::standardOutput() const { return readFile(folder_ / "stdout.txt"); }
std::string ServerProcess::standardError() const { return readFile(folder_ / "stderr.txt"); }

}  // namespace odscan::smartscan::testing
