// Helpers shared by the ActiveUpdate tests: small signed patterns, files to
// publish, and a static web server process on 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "odscan/activeupdate/manifest.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::testing {

inline constexpr std::int64_t kTestCreationTime = 1760000000;  // 2025-10-09 UTC

// Returns a signed Smart Scan Pattern file of `version` with a few signatures.
// Another `creationTime` gives other bytes for the same version.
std::vector<std::uint8_t> smartScanPatternFile(const PrivateKey& key, std::uint64_t version,
                                               std::int64_t creationTime = kTestCreationTime);

// Returns a signed Smart Scan Agent Pattern file of `version`.
std::vector<std::uint8_t> agentPatternFile(const PrivateKey& key, std::uint64_t version);

// Writes both patterns of `version` into `folder` as smart-VERSION.ptn and
// agent-VERSION.ptn and returns their paths, Smart Scan Pattern first.
std::vector<std::filesystem::path> writePatternPair(const std::filesystem::path& folder,
                                                    const PrivateKey& key, std::uint64_t version);

// Signs `manifestText` with `key` and writes it and its signature file into
// `folder`, for manifests that publish would never write.
void writeSignedManifest(const std::filesystem::path& folder, const std::string& manifestText,
                         const PrivateKey& key);

std::vector<std::uint8_t> bytesOf(const std::string& text);

struct StaticServerOptions {
  std::filesystem::path root;
  std::string endlessPath;  // e.g. "/big.bin"
  std::string stallPath;
  std::filesystem::path tlsCertificate;
  std::filesystem::path tlsKey;
};

// tests/activeupdate/static_server.py as a child process serving `root` on
// 127.0.0.1 at a port it picks. The destructor stops it.
class StaticServer {
 public:
  // Starts the server and waits until it listens. Fails the calling test and
  // leaves port() 0 when it does not start within 10 seconds.
  StaticServer(const StaticServerOptions& options, const std::filesystem::path& workFolder);
  ~StaticServer();
  StaticServer(const StaticServer&) = delete;
  StaticServer& operator=(const StaticServer&) = delete;

  // Sends SIGTERM and waits for the process to exit.
  void stop();

  std::uint16_t port() const { return port_; }
  // Returns "http://127.0.0.1:PORT/" (https with a TLS certificate).
  std::string url() const;
  // Returns the lines of the request log: one JSON object per request.
  std::vector<std::string> requests() const;
  // Returns what the server wrote to stderr.
  std::string log() const;

 private:
  std::filesystem::path workFolder_;
  bool tls_ = false;
  pid_t process_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace odscan::testing
