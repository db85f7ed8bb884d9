// Brings HCEXEC/components up to date with the console's component store: the
// Smart Scan Agent Pattern, the On-demand Scan settings and the scanner program for
// this platform, each installed under the fixed name the scanner looks for.
//
// A component whose installed file already has the SHA-256 of its manifest entry
// is kept, so a second run downloads nothing, while a newer version on the console
// or an installed file that was changed is downloaded again. Every download is
// checked against its signed manifest entry (size and SHA-256) before it is
// written, written to a temporary file in components/, checked again there and
// only then renamed into place. A component that fails any check is not installed
// and the whole update fails, so the scanner is never started with it.
//
// Thread safety: one update at a time per HCEXEC folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/activeupdate/manifest.h"
#include "odscan/activeupdate/update_source.h"
#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/scanner/home_folder.h"

namespace odscan::launcher {

inline constexpr std::string_view kAgentPatternComponent = "agent-pattern";
inline constexpr std::string_view kSettingsComponent = "ondemand-settings";
inline constexpr std::string_view kWindowsScannerComponent = "scanner-windows";
inline constexpr std::string_view kLinuxScannerComponent = "scanner-linux";
inline constexpr std::string_view kInstalledRecordName = "installed.json";
inline constexpr std::string_view kSettingsFileName = "ondemand-settings.json";
inline constexpr std::string_view kSettingsFormat = "odscan-ondemand-settings";

// One component the launcher installs, and the name it gets in HCEXEC/components.
struct LauncherComponent {
  std::string name;           // the manifest's component name
  std::string installedName;  // file name in HCEXEC/components
  bool executable = false;    // the scanner: mode 0700 instead of 0600 on POSIX
};

// Returns the components for the platform this launcher was built for: the agent
// pattern, the settings, and scanner-windows (as odscan.exe) on Windows or
// scanner-linux (as odscan) elsewhere.
std::vector<LauncherComponent> platformComponents();

// Returns the file name of the scanner in HCEXEC/components on this platform.
std::string_view scannerFileName();

struct ComponentUpdateOptions {
  // The console URL; messages name it, and installed.json records it.
  std::string consoleUrl;
  // The publisher's key that signs the manifest and the agent pattern.
  PublicKey publicKey;
  // Free space that must remain after the downloads (see scanner::checkFreeSpace).
  std::uint64_t minFreeSpace = 0;
  // Receives one line per component: "downloading ..." or "... is up to date".
  std::function<void(const std::string&)> progress;
};

struct ComponentState {
  LauncherComponent component;
  activeupdate::ManifestEntry entry;
  std::filesystem::path installedPath;
  bool downloaded = false;  // false: the installed file was up to date
};

struct ComponentUpdateReport {
  std::vector<ComponentState> components;  // in platformComponents() order
};

// Installs every component of platformComponents() that is missing or differs from
// `manifest` (already verified by `source`) into home.components(), which must
// exist. Writes publisher.pub from options.publicKey and installed.json. Finally
// loads the installed agent pattern with the key.
// Fails with kNotFound when the manifest lacks a component, and with kNoSpace when
// the downloads would leave less than options.minFreeSpace free. A failed download
// returns the source's code (kCorrupt for a SHA-256 mismatch). An agent pattern
// that does not verify fails with kBadSignature or kCorrupt, settings that are not
// a settings object with kCorrupt, and a failed write with its I/O code. Each
// message names the component, the console URL and the next step.
Result<ComponentUpdateReport> updateComponents(activeupdate::UpdateSource& source,
                                               const activeupdate::Manifest& manifest,
                                               const scanner::HomeFolder& home,
                                               const ComponentUpdateOptions& options);

// Returns the SHA-256 of the file at `path`, read in chunks. Fails with kNotFound
// when it does not exist and kIoError when it cannot be read.
Result<std::array<std::uint8_t, 32>> fileSha256(const std::filesystem::path& path);

}  // namespace odscan::launcher
