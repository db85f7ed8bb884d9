// PatternSource: where a Smart Scan Server gets newer Smart Scan Patterns from.
// The server verifies everything a source returns, so a source only fetches.
//
// Thread safety: one thread at a time per object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::smartscan {

// A pattern file as fetched, not yet verified.
struct FetchedPattern {
  std::vector<std::uint8_t> bytes;
  // Names the file in logs and errors, for example the source URL and file name.
  std::string origin;
  // The version the source announced for the file, checked against the file's own
  // header after verification; empty when the source announces none.
  std::optional<std::uint64_t> announcedVersion;
};

class PatternSource {
 public:
  virtual ~PatternSource() = default;

  // Returns the location for logs, for example a folder or URL.
  virtual std::string location() const = 0;

  // Fetches the pattern file if the source may hold a version newer than
  // `currentVersion` (0 when no pattern is loaded). Returns nothing when the
  // source lists nothing newer.
  virtual Result<std::optional<FetchedPattern>> fetchNewer(std::uint64_t currentVersion) = 0;
};

// Reads `path` on every check and leaves the version comparison to the caller,
// because a plain file announces no version. For SIGHUP reloads of --pattern.
std::unique_ptr<PatternSource> makeFilePatternSource(std::filesystem::path path);

struct ActiveUpdateSourceOptions {
  std::filesystem::path caFile;  // PEM CA certificates for https; empty: the system's
  std::string publicKeyName;     // names the key in error messages
};

// Reads the "smart-scan-pattern" component of an ActiveUpdate source: a folder,
// a file:// URL or an http(s):// URL with a signed manifest. Fails with
// kInvalidArgument for a location that cannot be a source.
Result<std::unique_ptr<PatternSource>> makeActiveUpdatePatternSource(
    std::string location, PublicKey key, const ActiveUpdateSourceOptions& options);

}  // namespace odscan::smartscan
