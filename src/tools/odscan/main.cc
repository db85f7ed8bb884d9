// odscan: the On-demand Scan program. It parses the command line and hands over
// to the odscan_scanner library. docs/scanner.md is the operating guide.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "odscan/scanner/maintenance_commands.h"
#include "odscan/scanner/scan_command.h"

namespace {

using odscan::scanner::CommandIo;

constexpr int kUsageError = 2;

const char* const kExitCodesHelp =
    "Exit codes of 'odscan scan' (as clamscan):\n"
    "  0  every object was checked and nothing was found\n"
    "  1  at least one threat was found (takes priority over 2)\n"
    "  2  error: the scan did not start (bad option, pattern or key, too little disk\n"
    "     space), was cancelled, or left objects unresolved or not scanned\n"
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

void addScanOptions(CLI::App& scan, odscan::scanner::ScanCommandOptions& options) {
  auto& engine = options.engine;
  auto& limits = engine.archiveLimits;

  scan.add_option("paths", options.roots, "Files and folders to scan")->required();
  scan.add_option("--home", options.home,
                  "HCEXEC folder for components, sessions and quarantine "
                  "(default: HCEXEC in the temporary folder)");
  scan.add_option("--pattern", options.patternPath,
                  "Smart Scan Agent Pattern file (default: <home>/components/agent-pattern.ptn)");
  scan.add_option("--public-key", options.publicKeyPath,
                  "Publisher's public key that verifies the pattern "
                  "(default: <home>/components/publisher.pub)");
  scan.add_option("--json", options.jsonPath, "Also write the JSON report to this file");
  scan.add_flag("--infected", options.infectedOnly, "Print only infected objects");
  scan.add_flag("--no-summary", options.noSummary, "Do not print the summary at the end");
  scan.add_option("--profile", engine.profile,
                  "quick: executables, scripts and archives only; full: every file")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, odscan::ScanProfile>{{"quick", odscan::ScanProfile::kQuick},
                                                     {"full", odscan::ScanProfile::kFull}}))
      ->option_text("quick|full (default: full)");
  scan.add_option("--action", options.action,
                  "What to do with infected files: report (leave them) or quarantine")
      ->transform(CLI::CheckedTransformer(std::map<std::string, odscan::scanner::ScanAction>{
          {"report", odscan::scanner::ScanAction::kReport},
          {"quarantine", odscan::scanner::ScanAction::kQuarantine}}))
      ->option_text("report|quarantine (default: report)");
  scan.add_option("--exclude", engine.excludePaths, "File or folder not to scan (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  scan.add_option("--exclude-ext", engine.excludeExtensions,
                  "File name extension not to scan, such as iso (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  scan.add_option("--max-file-size", engine.maxFileSize,
                  "Report larger files as not scanned; bytes, or a size such as 100MiB; "
                  "0 (the default) means no limit")
      ->transform(CLI::AsSizeValue(false));
  scan.add_option("--threads", engine.threads, "Worker threads; 0 means one per core")
      ->check(CLI::Range(0u, 256u));
  scan.add_flag("--follow-symlinks", engine.followSymlinks,
                "Follow symbolic links below the given paths");
  scan.add_option("--min-free-space", options.minFreeSpace,
                  "Free disk space needed on the HCEXEC folder's disk before the scan "
                  "starts; bytes, or a size such as 64MiB (the default)")
      ->transform(CLI::AsSizeValue(false));

  scan.add_flag_callback(
      "--no-archives", [&engine] { engine.scanArchives = false; }, "Do not look inside archives");
  scan.add_option("--max-archive-depth", limits.maxDepth, "Nesting levels opened below a file")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  scan.add_option("--max-member-size", limits.maxMemberSize,
                  "Largest archive member extracted; bytes, or a size such as 256MiB "
                  "(the default)")
      ->transform(CLI::AsSizeValue(false));
  scan.add_option("--max-extracted", limits.maxTotalExtracted,
                  "Most bytes extracted from one file at all levels; bytes, or a size "
                  "such as 1GiB (the default)")
      ->transform(CLI::AsSizeValue(false));
  scan.add_option("--max-members", limits.maxMembers, "Most archive members opened in one file")
      ->capture_default_str();
  scan.add_option("--max-ratio", limits.maxCompressionRatio,
                  "Largest compression ratio of a file before it counts as an archive bomb")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("odscan: on-demand malware scan with the Smart Scan Agent Pattern");
  app.footer(kExitCodesHelp);
  app.set_version_flag("--version", odscan::scanner::scannerVersion());
  app.require_subcommand(1);

  odscan::scanner::ScanCommandOptions scanOptions;
  CLI::App* scan = app.add_subcommand("scan", "Scan files and folders");
  scan->footer(kExitCodesHelp);
  addScanOptions(*scan, scanOptions);

  odscan::scanner::CleanupCommandOptions cleanupOptions;
  CLI::App* cleanup = app.add_subcommand(
      "cleanup", "Remove old session folders (quarantine and components are kept)");
  cleanup->add_option("--keep", cleanupOptions.keep, "Newest sessions to keep")
      ->default_val(odscan::scanner::kDefaultSessionsKept);
  cleanup->add_option("--home", cleanupOptions.home, "HCEXEC folder");

  CLI::App* quarantine = app.add_subcommand("quarantine", "List or restore quarantined files");
  quarantine->require_subcommand(1);
  odscan::scanner::QuarantineListOptions listOptions;
  CLI::App* list = quarantine->add_subcommand("list", "List quarantined files");
  list->add_option("--home", listOptions.home, "HCEXEC folder");
  odscan::scanner::QuarantineRestoreOptions restoreOptions;
  CLI::App* restore = quarantine->add_subcommand(
      "restore", "Put a quarantined file back byte-exact and remove its quarantine entry");
  restore->add_option("id", restoreOptions.id, "Quarantine id from 'odscan quarantine list'")
      ->required();
  restore->add_option("--to", restoreOptions.destination,
                      "Restore to this file, or into this existing folder (default: the "
                      "original path)");
  restore->add_flag("--force", restoreOptions.force, "Replace an existing file");
  restore->add_option("--home", restoreOptions.home, "HCEXEC folder");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kUsageError;
  }

  std::signal(SIGINT, onInterrupt);
  std::signal(SIGTERM, onInterrupt);
  CommandIo io{std::cout, std::cerr, stderrIsTerminal(), &interruptRequested};

  if (scan->parsed()) return odscan::scanner::runScanCommand(scanOptions, io);
  if (cleanup->parsed()) return odscan::scanner::runCleanupCommand(cleanupOptions, io);
  if (list->parsed()) return odscan::scanner::runQuarantineListCommand(listOptions, io);
  if (restore->parsed()) return odscan::scanner::runQuarantineRestoreCommand(restoreOptions, io);
  return kUsageError;
}
