// odscan: the On-demand Scan program. It parses the command line and hands over
// to the odscan_scanner library. docs/scanner.md is the operating guide. On
// Windows the same program also opens the scanner's window (docs/window.md).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "command_line_options.h"
#include "odscan/platform/system.h"
#include "odscan/scanner/maintenance_commands.h"
#include "odscan/scanner/scan_command.h"

#ifdef _WIN32
#include "odscan/gui/window_command.h"
#endif

namespace {

using odscan::scanner::CommandIo;
using odscan::tool::addHomeOption;
using odscan::tool::addPathOption;
using odscan::tool::countValue;

constexpr int kUsageError = 2;

const char* const kExitCodesHelp =
    "Exit codes of 'odscan scan' (as clamscan):\n"
    "  0  the scan ran to the end and every object it checked is clean; files left\n"
    "     out on purpose (--exclude, --exclude-ext, the quick profile, symbolic\n"
    "     links not followed) are counted in the summary, not checked\n"
    "  1  at least one threat was found (takes priority over 2)\n"
    "  2  error: the scan did not start (bad option, pattern or key, too little disk\n"
    "     space, --json file not writable), was cancelled, or left objects\n"
    "     unresolved or not scanned\n"
    "Other commands exit with 0 on success and 2 on an error.\n"
    "The operating guide is docs/scanner.md.";

// Set by SIGINT or SIGTERM. The scan monitor polls it and cancels the scan.
std::atomic<bool> interruptRequested{false};

extern "C" void onInterrupt(int) { interruptRequested.store(true); }

bool stderrIsTerminal() {
#ifdef _WIN32
  return ::_isatty(::_fileno(stderr)) != 0;
#else
  return ::isatty(STDERR_FILENO) != 0;
#endif
}

// Every subcommand with the options it parses into; main() runs the one given.
struct Commands {
  odscan::scanner::ScanCommandOptions scanOptions;
  odscan::scanner::CleanupCommandOptions cleanupOptions;
  odscan::scanner::QuarantineListOptions listOptions;
  odscan::scanner::QuarantineRestoreOptions restoreOptions;
  odscan::scanner::ComponentsInstallOptions installOptions;

  CLI::App* scan = nullptr;
  CLI::App* cleanup = nullptr;
  CLI::App* list = nullptr;
  CLI::App* restore = nullptr;
  CLI::App* install = nullptr;

#ifdef _WIN32
  odscan::scanner::ScanCommandOptions windowOptions;
  bool silent = false;
  CLI::App* window = nullptr;
#endif
};

void addCleanupCommand(CLI::App& app, Commands& commands) {
  commands.cleanup = app.add_subcommand(
      "cleanup", "Remove old session folders (quarantine and components are kept)");
  commands.cleanup
      ->add_option("--keep", commands.cleanupOptions.keep,
                   "Newest sessions to keep (default: " +
                       std::to_string(odscan::scanner::kDefaultSessionsKept) + ")")
      ->transform(countValue(0, std::numeric_limits<std::size_t>::max()))
      ->option_text("N");
  addHomeOption(*commands.cleanup, commands.cleanupOptions.home);
}

void addQuarantineCommands(CLI::App& app, Commands& commands) {
  CLI::App* quarantine = app.add_subcommand("quarantine", "List or restore quarantined files");
  quarantine->require_subcommand(1);
  commands.list = quarantine->add_subcommand("list", "List quarantined files");
  addHomeOption(*commands.list, commands.listOptions.home);

  auto& restoreOptions = commands.restoreOptions;
  commands.restore = quarantine->add_subcommand(
      "restore", "Put a quarantined file back byte-exact and remove its quarantine entry");
  commands.restore
      ->add_option("id", restoreOptions.id, "Quarantine id from 'odscan quarantine list'")
      ->required();
  addPathOption(*commands.restore, "--to", restoreOptions.destination,
                "Restore here instead of the original path: a path ending in '/' or an "
                "existing folder receives the file under its original name, any other path "
                "is the file itself; missing folders are created")
      ->option_text("PATH");
  commands.restore->add_flag("--force", restoreOptions.force, "Replace an existing file");
  addHomeOption(*commands.restore, restoreOptions.home);
}

void addComponentsCommands(CLI::App& app, Commands& commands) {
  CLI::App* components = app.add_subcommand(
      "components", "Install the pattern and public key that scans use by default");
  components->require_subcommand(1);

  auto& installOptions = commands.installOptions;
  commands.install = components->add_subcommand(
      "install",
      "Verify a Smart Scan Agent Pattern with a public key and copy both into "
      "<home>/components (the launcher's job in production)");
  addPathOption(*commands.install, "--pattern", installOptions.patternPath,
                "Smart Scan Agent Pattern file")
      ->required()
      ->option_text("FILE");
  addPathOption(*commands.install, "--public-key", installOptions.publicKeyPath,
                "Publisher's public key that verifies the pattern")
      ->required()
      ->option_text("FILE");
  addHomeOption(*commands.install, installOptions.home);
}

#ifdef _WIN32
void addWindowCommand(CLI::App& app, Commands& commands) {
  commands.window = app.add_subcommand(
      "window",
      "Scan with the window that guides the user; 'odscan.exe' without arguments runs it. "
      "Without paths, the targets of the On-demand Scan settings are scanned, or every fixed "
      "drive without those");
  commands.window->footer(std::string(odscan::tool::kSizeHelp) + "\n\n" + kExitCodesHelp);
  odscan::tool::addScanOptions(*commands.window, commands.windowOptions);
  commands.window->get_option("paths")->required(false);
  commands.window->add_flag("--silent", commands.silent,
                            "Scan with no window and no console output, for a remote launch; "
                            "the session folder receives the logs and the report. "
                            "'odscan.exe --silent ...' is the same");
}

int runWindowScan(const Commands& commands) {
  odscan::scanner::ScanCommandOptions options = commands.windowOptions;
  if (odscan::Status applied = odscan::tool::applySettingsFile(*commands.window, options);
      !applied.ok()) {
    std::cerr << "odscan: " << applied.message() << "\n";
    return kUsageError;
  }
  if (options.roots.empty()) options.roots = odscan::gui::fixedDrives();
  if (!commands.silent) return odscan::gui::runWindowCommand(options);
  odscan::gui::releaseOwnConsole();
  return odscan::gui::runSilentScan(options, &interruptRequested);
}

// Returns the command line that CLI11 parses, in UTF-8 (argv is in the ANSI code
// page). Without arguments the program runs `window`, and `--silent` first stands
// for `window --silent`.
std::vector<std::string> windowsArguments(int argc, char** argv) {
  std::vector<std::string> arguments = odscan::platform::commandLineArguments(argc, argv);
  if (arguments.size() == 1) arguments.push_back("window");
  if (arguments.size() > 1 && arguments[1] == "--silent") {
    arguments.insert(arguments.begin() + 1, "window");
  }
  return arguments;
}
#endif

// Applies the settings file, then scans. Without roots from the command line or
// the settings there is nothing to scan, which is a usage error.
int runScan(Commands& commands, CommandIo& io) {
  odscan::scanner::ScanCommandOptions& options = commands.scanOptions;
  if (odscan::Status applied = odscan::tool::applySettingsFile(*commands.scan, options);
      !applied.ok()) {
    io.err << "odscan: " << applied.message() << "\n";
    return kUsageError;
  }
  if (options.roots.empty()) {
    io.err << "odscan: nothing to scan: give the files and folders to scan (odscan scan PATH...), "
              "or a settings file whose targets name them (--settings FILE)\n"
              "Run with --help for more information.\n";
    return kUsageError;
  }
  return odscan::scanner::runScanCommand(options, io);
}

int runCommand(Commands& commands, CommandIo& io) {
  using namespace odscan::scanner;
#ifdef _WIN32
  if (commands.window->parsed()) return runWindowScan(commands);
#endif
  if (commands.scan->parsed()) return runScan(commands, io);
  if (commands.cleanup->parsed()) return runCleanupCommand(commands.cleanupOptions, io);
  if (commands.list->parsed()) return runQuarantineListCommand(commands.listOptions, io);
  if (commands.restore->parsed()) return runQuarantineRestoreCommand(commands.restoreOptions, io);
  if (commands.install->parsed()) return runComponentsInstallCommand(commands.installOptions, io);
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("odscan: on-demand malware scan with the Smart Scan Agent Pattern");
  app.footer(kExitCodesHelp);
  app.set_version_flag("--version", odscan::scanner::scannerVersion());
  app.require_subcommand(1);

  Commands commands;
  commands.scan = app.add_subcommand("scan", "Scan files and folders");
  commands.scan->footer(std::string(odscan::tool::kSizeHelp) + "\n\n" + kExitCodesHelp);
  odscan::tool::addScanOptions(*commands.scan, commands.scanOptions);
  addCleanupCommand(app, commands);
  addQuarantineCommands(app, commands);
  addComponentsCommands(app, commands);
#ifdef _WIN32
  addWindowCommand(app, commands);
#endif

  try {
#ifdef _WIN32
    std::vector<std::string> arguments = windowsArguments(argc, argv);
    std::vector<char*> pointers;
    for (std::string& argument : arguments) pointers.push_back(argument.data());
    app.parse(static_cast<int>(pointers.size()), pointers.data());
#else
    app.parse(argc, argv);
#endif
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kUsageError;
  }

  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  CommandIo io{std::cout, std::cerr, stderrIsTerminal(), &interruptRequested};
  return runCommand(commands, io);
}
