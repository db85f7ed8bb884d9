// The launcher (OnDemandScan) as a library function, so tests can run it with their
// own streams. The program's main() only parses the command line into
// LauncherOptions and calls runLauncher().
//
// A run goes through these steps, and each of the first five stops it with exit
// code 2 and a message that names the failure and the next step:
//  1. read the launcher config: the signed trailer of the launcher's own file, or
//     --config FILE / --console URL with --public-key FILE;
//  2. create the HCEXEC layout (owner-only) and open HCEXEC/launcher.log;
//  3. check free disk space before anything is downloaded;
//  4. fetch and verify <console>/components/manifest.json with the key;
//  5. install the missing or outdated components (component_update.h) and load
//     the installed agent pattern with the key;
//  6. unless --no-start, start the scanner from HCEXEC/components, wait for it and
//     return its exit code.
//
// Thread safety: one run at a time per HCEXEC folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/launcher/launcher_config.h"
#include "odscan/scanner/disk_space.h"

namespace odscan::launcher {

// The launcher's own exit code for every failure before the scanner starts. Once
// the scanner runs, its exit code is returned instead.
inline constexpr int kLauncherSetupError = 2;

struct LauncherOptions {
  std::optional<std::filesystem::path> home;  // default HomeFolder::defaultRoot()
  // The launcher file whose trailer contains the config (default: this executable).
  std::optional<std::filesystem::path> launcherFile;
  std::optional<std::filesystem::path> configFile;     // --config, needs publicKeyFile
  std::optional<std::string> consoleUrl;               // --console, needs publicKeyFile
  std::optional<std::filesystem::path> publicKeyFile;  // --public-key
  std::filesystem::path caFile;                        // --ca-file, for https
  std::uint64_t minFreeSpace = scanner::kDefaultMinFreeSpace;
  bool noStart = false;  // --no-start: download and verify only
  // Pass --console and --settings to the scanner (cleared by --no-console-args).
  bool consoleArguments = true;
  // The arguments after "--" on the launcher's command line.
  std::vector<std::string> scannerArguments;
};

struct LauncherIo {
  std::ostream& out;  // progress lines
  std::ostream& err;  // errors
};

// Returns the launcher's version, for example "0.1.0".
std::string launcherVersion();

// Reads the config from the options: --config with --public-key, --console with
// --public-key, or else the trailer of options.launcherFile (this executable when
// unset). Fails with kInvalidArgument for a wrong combination of options, and with
// the codes of parseLauncherConfig() and readLauncherTrailerFile().
Result<LauncherConfig> loadLauncherConfig(const LauncherOptions& options);

// Returns the scanner's arguments (without the program): the subcommand, --home
// HOME, --console URL and --settings FILE when `consoleArguments` is set, then the
// pass-through arguments. The subcommand is "window" on Windows and "scan"
// elsewhere, unless the first pass-through argument is "scan" or "window".
std::vector<std::string> scannerCommandArguments(const std::filesystem::path& home,
                                                 const std::string& consoleUrl,
                                                 bool consoleArguments,
                                                 const std::vector<std::string>& passThrough);

// Runs the steps above and returns the scanner's exit code, 0 with --no-start, or
// kLauncherSetupError.
int runLauncher(const LauncherOptions& options, LauncherIo& io);

}  // namespace odscan::launcher
