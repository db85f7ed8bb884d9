// OnDemandScan: the launcher. It parses the command line and hands over to the
// odscan_launcher library; docs/launcher.md is the guide.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "odscan/launcher/launcher_command.h"
#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/formatting.h"
#include "odscan/scanner/option_values.h"

namespace {

using odscan::launcher::LauncherOptions;

const char* const kFooter =
    "Arguments after '--' go to the scanner: 'OnDemandScan -- --silent' or\n"
    "'OnDemandScan -- scan C:\\Users' (a first argument 'scan' or 'window' picks the\n"
    "scanner's command).\n"
    "Exit codes: the scanner's exit code once it ran; 0 with --no-start when the\n"
    "components are ready; 2 when the launcher stopped before starting the scanner\n"
    "(bad configuration, HCEXEC folder, disk space, console, or a component that\n"
    "failed verification). The guide is docs/launcher.md.";

// Binds a path option to a UTF-8 value, so names outside the ANSI code page
// survive on Windows.
CLI::Option* addPathOption(CLI::App& app, const std::string& name,
                           std::optional<std::filesystem::path>& target,
                           const std::string& description) {
  return app
      .add_option_function<std::string>(
          name, [&target](const std::string& value) { target = odscan::platform::fromUtf8(value); },
          description)
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty() ? std::string("empty path") : std::string();
          },
          "PATH"))
      ->option_text("PATH");
}

void addOptions(CLI::App& app, LauncherOptions& options) {
  addPathOption(app, "--home", options.home,
                "HCEXEC folder to install into and scan from (default: HCEXEC in the user's "
                "temporary folder)");
  addPathOption(app, "--config", options.configFile,
                "Read the console URL from this launcher config (JSON) instead of the trailer; "
                "needs --public-key");
  app.add_option("--console", options.consoleUrl,
                 "Console URL (http:// or https://) instead of the trailer's; needs --public-key")
      ->option_text("URL");
  addPathOption(app, "--public-key", options.publicKeyFile,
                "Publisher's public key (PEM) that verifies the components, with --config or "
                "--console");
  app.add_option_function<std::string>(
         "--ca-file",
         [&options](const std::string& value) {
           options.caFile = odscan::platform::fromUtf8(value);
         },
         "CA certificates (PEM) that verify an https console (default: the system's)")
      ->option_text("FILE");
  app.add_option_function<std::string>(
         "--min-free-space",
         [&options](const std::string& value) {
           auto size = odscan::scanner::parseByteSize(value);
           if (!size.ok()) throw CLI::ValidationError("--min-free-space", size.status().message());
           options.minFreeSpace = *size;
         },
         "Free disk space to keep beyond the downloads, in bytes or with a unit such as 64MiB "
         "(default: " +
             odscan::scanner::formatBytes(odscan::scanner::kDefaultMinFreeSpace) + ")")
      ->option_text("SIZE");
  app.add_flag("--no-start", options.noStart,
               "Download and verify the components, but do not start the scanner");
  app.add_flag_callback(
      "--no-console-args", [&options] { options.consoleArguments = false; },
      "Do not pass --console and --settings to the scanner");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments = odscan::platform::commandLineArguments(argc, argv);

  // Everything after the first "--" belongs to the scanner, so CLI11 never parses it.
  LauncherOptions options;
  const auto separator = std::find(arguments.begin(), arguments.end(), "--");
  if (separator != arguments.end()) {
    options.scannerArguments.assign(separator + 1, arguments.end());
    arguments.erase(separator, arguments.end());
  }

  CLI::App app(
      "OnDemandScan: download the On-demand Scan components from the console into "
      "HCEXEC, verify them and start the scanner");
  app.footer(kFooter);
  app.set_version_flag("--version", odscan::launcher::launcherVersion());
  addOptions(app, options);

  try {
    std::vector<char*> pointers;
    for (std::string& argument : arguments) pointers.push_back(argument.data());
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : odscan::launcher::kLauncherSetupError;
  }

  odscan::launcher::LauncherIo io{std::cout, std::cerr};
  return odscan::launcher::runLauncher(options, io);
}
