// ComponentStore: the console's component store, an ActiveUpdate folder
// (docs/activeupdate.md) in DATA/components that the console serves under
// /components/ to launchers and agents. Its manifest is signed with the
// publisher key, so an endpoint trusts a component only through that signature.
//
// Components (docs/console-protocol.md): agent-pattern, scanner-windows,
// scanner-linux and ondemand-settings. Publishing keeps the earlier versions'
// files (kDefaultKeptVersions), which is what rollback() goes back to.
//
// Ownership: owns the publisher key.
// Thread safety: publishing methods serialize on an internal mutex (and the
// folder lock against other processes); readers only read files that never
// change once listed, and the manifest, which is replaced by a rename.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/activeupdate/manifest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::console {

inline constexpr std::string_view kScannerWindowsComponent = "scanner-windows";
inline constexpr std::string_view kScannerLinuxComponent = "scanner-linux";
inline constexpr std::string_view kSettingsComponent = "ondemand-settings";

struct ComponentVersions {
  std::string name;
  std::optional<activeupdate::ManifestEntry> current;
  std::vector<std::uint64_t> available;  // versions whose files are kept, newest first
};

class ComponentStore {
 public:
  // Uses `folder` (created when missing) and signs with `key`.
  static Result<std::unique_ptr<ComponentStore>> open(std::filesystem::path folder, PrivateKey key);

  // Publishes `file` as component `name`. The agent pattern takes its version
  // from its header and must verify with the publisher key; other components get
  // `version`, or one more than the current one when it is not given.
  Result<activeupdate::ManifestEntry> publish(std::string_view name,
                                              const std::filesystem::path& file,
                                              std::optional<std::uint64_t> version = {});
  // Publishes `bytes` the same way, through a temporary file in the store.
  Result<activeupdate::ManifestEntry> publishBytes(std::string_view name, std::string_view bytes,
                                                   std::string_view extension,
                                                   std::optional<std::uint64_t> version = {});
  // Makes the newest kept version older than the current one current again.
  // Fails with kNotFound when no older version is kept.
  Result<activeupdate::ManifestEntry> rollback(std::string_view name);

  // Returns the verified current manifest; an empty one when nothing is published.
  Result<activeupdate::Manifest> manifest() const;
  // Returns every component the store knows with its kept versions.
  Result<std::vector<ComponentVersions>> versions() const;

  // Returns the bytes of a file that the store serves: manifest.json,
  // manifest.json.sig or a component file. Fails with kNotFound for any other name.
  Result<std::string> readServedFile(std::string_view name) const;

  const std::filesystem::path& folder() const { return folder_; }
  const PublicKey& publicKey() const { return publicKey_; }
  const PrivateKey& privateKey() const { return key_; }

 private:
  ComponentStore(std::filesystem::path folder, PrivateKey key);
  Result<activeupdate::ManifestEntry> publishLocked(std::string_view name,
                                                    const std::filesystem::path& file,
                                                    std::optional<std::uint64_t> version,
                                                    bool allowDowngrade);

  std::filesystem::path folder_;
  PrivateKey key_;
  PublicKey publicKey_;
  std::mutex publishMutex_;
};

// Returns true for the components the console hands out.
bool isStoreComponent(std::string_view name);

}  // namespace odscan::console
