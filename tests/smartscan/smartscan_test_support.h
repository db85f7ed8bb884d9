// Helpers for the Smart Scan Server tests: signed test patterns and the real
// smartscan-server program run as a child process on 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "odscan/pattern/signature.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::smartscan::testing {

// clam.exe from Debian's clamav-testfiles: 544 bytes.
inline constexpr const char* kClamMd5 = "aa15bcf478d165efd2065190eb473bcb";
inline constexpr std::uint64_t kClamSize = 544;
inline constexpr const char* kClamThreat = "Clamav.Test.File-6";
// The 68-byte EICAR test file.
inline constexpr const char* kEicarSha256 =
    "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
inline constexpr std::uint64_t kEicarSize = 68;
inline constexpr const char* kEicarThreat = "Eicar-Test-Signature";

// A new Ed25519 key; fails the calling test if OpenSSL cannot make one.
PrivateKey generateKey();

// The two signatures above, plus `extra` signatures named "Extra.N".
std::vector<Signature> testSignatures(std::size_t extra = 0);

// Returns a signed Smart Scan Pattern file.
std::vector<std::uint8_t> encodePattern(const PrivateKey& key, std::uint64_t version,
                                        std::vector<Signature> signatures = testSignatures());

// Writes a signed pattern through a temporary file and a rename, as a publisher
// replacing a live pattern would.
void writePattern(const std::filesystem::path& path, const PrivateKey& key, std::uint64_t version,
                  std::vector<Signature> signatures = testSignatures());

void writeBytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes);

// The built smartscan-server, started with `arguments` plus --port-file. Its
// standard output and error go to files in `folder`.
class ServerProcess {
 public:
  ServerProcess(std::filesystem::path folder, std::vector<std::string> arguments);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Waits until the port file appears; returns false if the program exits or
  // `timeout` passes first.
  bool waitUntilListening(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for the program to exit and returns its exit code, or nothing after
  // `timeout` (the program is then killed).
  std::optional<int> waitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  void signal(int number) const;
  // Sends SIGTERM and returns the exit code.
  std::optional<int> stop();

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path, const std::string& scheme = "http") const;
  std::string standardOutput() const;
  std::string standardError() const;

 private:
  std::filesystem::path folder_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace odscan::smartscan::testing
