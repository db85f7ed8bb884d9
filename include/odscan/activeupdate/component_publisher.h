// Publishing into an ActiveUpdate folder, as `odscan-pattern publish` does.
//
// publishComponents() merges new component files into the folder's signed
// manifest. Pattern files become the components "smart-scan-pattern" and
// "agent-pattern" and take their version from the pattern header, after a full
// check with the public key of the signing key. Other files (a program, for
// example) take the name and version the caller gives.
//
// Each component file is stored as NAME-VERSION.EXT and never changes once a
// manifest lists it, so a reader holding an older manifest still finds its files.
// The steps, in the order that keeps every state a reader can see consistent:
//   1. take an exclusive lock on DIR/.publish.lock (one publisher at a time);
//   2. verify the current manifest, if any, with the same key;
//   3. check each input and write its file through a temporary name and a rename;
//   4. write manifest.json.sig, holding the new signature followed by the previous
//      manifest's, through a temporary name and a rename;
//   5. write manifest.json the same way;
//   6. delete component files beyond the newest `keep` versions.
// Until step 5 the old manifest is current and still verifies with the second
// signature. From step 5 on, the new one verifies with the first. A failure before
// step 4 removes the files this call created.
//
// Thread safety: free functions; the folder lock serializes publishers in this
// and other processes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/activeupdate/manifest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::activeupdate {

inline constexpr std::string_view kSmartScanPatternComponent = "smart-scan-pattern";
inline constexpr std::string_view kAgentPatternComponent = "agent-pattern";
inline constexpr std::string_view kPublishLockFileName = ".publish.lock";
// Two versions are the minimum for a reader that fetched the previous manifest just
// before a publish. The third covers a reader that is one poll further behind.
inline constexpr std::size_t kDefaultKeptVersions = 3;

// Returns the component name under which a pattern of `kind` is published.
std::string_view componentNameOf(PatternKind kind);

// A file published under a name and version the caller chooses.
struct ComponentFile {
  std::string name;
  std::uint64_t version = 0;
  std::filesystem::path path;
};

struct PublishOptions {
  std::filesystem::path outputDirectory;  // created when missing
  std::vector<std::filesystem::path> patternFiles;
  // Non-pattern components. The pattern component names are reserved for
  // patternFiles.
  std::vector<ComponentFile> otherComponents;
  // Versions of each component whose files stay in the folder, the current one
  // included; at least 1.
  std::size_t keep = kDefaultKeptVersions;
  // Allows publishing a version older than the one the manifest lists.
  bool allowDowngrade = false;
  // The manifest's "created" time.
  std::chrono::system_clock::time_point publishTime = std::chrono::system_clock::now();
};

enum class ComponentChange { kAdded, kUpgraded, kUnchanged, kDowngraded };

struct PublishedComponent {
  ManifestEntry entry;
  ComponentChange change = ComponentChange::kAdded;
  std::optional<std::uint64_t> previousVersion;
  std::filesystem::path source;
};

struct PublishReport {
  Manifest manifest;  // the manifest that the folder now contains
  // False when every input was already published; the manifest was then left as
  // it was.
  bool manifestWritten = false;
  std::vector<PublishedComponent> published;  // in the order of the inputs
  std::vector<std::string> removedFiles;      // old versions deleted by `keep`
  // Old versions that could not be deleted. The publish itself succeeded.
  std::vector<std::string> warnings;
};

// Publishes the inputs into options.outputDirectory as described above.
// Fails with kInvalidArgument for no inputs, keep 0, an invalid or reserved
// component name, two inputs for one component, a version older than the
// published one without allowDowngrade, or a version already published with other
// contents. Fails with kAlreadyExists when another publish has the lock, and with
// kBadSignature when the folder's manifest does not verify with this key or a
// pattern is not signed by it. A damaged pattern fails with the code of the
// pattern check, and a failed read or write with its I/O code.
Result<PublishReport> publishComponents(const PublishOptions& options, const PrivateKey& key);

}  // namespace odscan::activeupdate
