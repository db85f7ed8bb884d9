// tm-agent: the Threat Management Agent. It parses the command line and hands
// over to the odscan_agent library; docs/agent.md is the guide.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "odscan/agent/agent.h"
#include "odscan/launcher/process.h"
#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"

#ifdef _WIN32
#include "windows_service.h"
#endif

namespace {

namespace agent = odscan::agent;

std::atomic<bool> interrupted{false};

void onSignal(int) { interrupted = true; }

const char* const kFooter =
    "Exit codes: 0 when the agent stopped or the command succeeded; 2 for a usage error,\n"
    "a failed enrollment or a state folder that cannot be used. The guide is docs/agent.md.";

void addStateOption(CLI::App& command, std::filesystem::path& stateDir) {
  command
      .add_option_function<std::string>(
          "--state-dir",
          [&stateDir](const std::string& value) { stateDir = odscan::platform::fromUtf8(value); },
          "Folder for agent.json, publisher.pub and agent.log (default: " +
              odscan::platform::toUtf8(agent::defaultStateDirectory()) + ")")
      ->option_text("DIR");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments = odscan::platform::commandLineArguments(argc, argv);
  CLI::App app(
      "tm-agent: the Threat Management Agent, which runs On-demand Scans that an "
      "administrator launches from Threat Mitigator");
  app.footer(kFooter);
  app.set_version_flag("--version", agent::agentVersion());
  app.require_subcommand(1);

  std::filesystem::path stateDir = agent::defaultStateDirectory();
  agent::EnrollOptions enroll;
  auto* enrollCommand =
      app.add_subcommand("enroll", "Enroll with the console using an enrollment token");
  enrollCommand->add_option("--console", enroll.consoleUrl, "Console URL, such as https://tm:8480/")
      ->required()
      ->option_text("URL");
  enrollCommand->add_option("--token", enroll.token, "Enrollment token from the console")
      ->required()
      ->option_text("TOKEN");
  enrollCommand
      ->add_option_function<std::string>(
          "--public-key",
          [&enroll](const std::string& value) {
            enroll.publicKeyFile = odscan::platform::fromUtf8(value);
          },
          "Publisher's public key (PEM) that verifies commands and components")
      ->required()
      ->option_text("FILE");
  enrollCommand
      ->add_option_function<std::string>(
          "--ca-file",
          [&enroll](const std::string& value) {
            enroll.caFile = odscan::platform::fromUtf8(value);
          },
          "CA certificates (PEM) that verify an https console (default: the system's)")
      ->option_text("FILE");
  addStateOption(*enrollCommand, stateDir);

  agent::AgentRunOptions run;
  int retryMinMs = 2000;
  int retryMaxMs = 300000;
  auto* runCommand = app.add_subcommand("run",
                                        "Check in with the console and run its commands, "
                                        "in the foreground until Ctrl+C");
  addStateOption(*runCommand, stateDir);
  const auto addHomeOption = [&run](CLI::App& command) {
    command
        .add_option_function<std::string>(
            "--home",
            [&run](const std::string& value) { run.home = odscan::platform::fromUtf8(value); },
            "HCEXEC folder for the scans (default: HCEXEC in the temporary folder)")
        ->option_text("DIR");
  };
  addHomeOption(*runCommand);
  runCommand->add_option("--check-ins", run.maxCheckIns,
                         "Stop after this many successful check-ins (default: run until stopped)");
  runCommand->add_option("--retry-min-ms", retryMinMs,
                         "First wait after a failed check-in, doubled up to --retry-max-ms");
  runCommand->add_option("--retry-max-ms", retryMaxMs, "Longest wait between check-in attempts");
  auto* statusCommand = app.add_subcommand("status", "Show the enrolled agent and its console");
  addStateOption(*statusCommand, stateDir);
#ifdef _WIN32
  bool asService = false;
  auto* installCommand = app.add_subcommand(
      "install", "Start the agent at logon of the current user, or with --service at boot");
  installCommand->add_flag("--service", asService,
                           "Install the Windows service tm-agent (needs an administrator)");
  addStateOption(*installCommand, stateDir);
  addHomeOption(*installCommand);
  auto* uninstallCommand =
      app.add_subcommand("uninstall", "Remove the logon entry and the service");
  auto* serviceCommand =
      app.add_subcommand("service", "Run under the Windows service manager (used by install)");
  addStateOption(*serviceCommand, stateDir);
  addHomeOption(*serviceCommand);
#endif

  try {
    std::vector<char*> pointers;
    for (std::string& argument : arguments) pointers.push_back(argument.data());
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : agent::kAgentSetupError;
  }
  run.stateDir = stateDir;
  run.retryMin = std::chrono::milliseconds(std::max(retryMinMs, 10));
  run.retryMax = std::chrono::milliseconds(std::max(retryMaxMs, retryMinMs));

  if (enrollCommand->parsed()) {
    enroll.stateDir = stateDir;
    auto state = agent::enrollAgent(enroll);
    if (!state.ok()) {
      std::cerr << "tm-agent: " << state.status().message() << '\n';
      return agent::kAgentSetupError;
    }
    std::cout << "tm-agent: enrolled as " << state->agentId << " with " << state->consoleUrl
              << "; state in '" << odscan::platform::toUtf8(stateDir)
              << "'. Start it with `tm-agent run`.\n";
    return 0;
  }
  if (statusCommand->parsed()) {
    auto state = agent::readAgentState(stateDir);
    if (!state.ok()) {
      std::cerr << "tm-agent: " << state.status().message() << '\n';
      return agent::kAgentSetupError;
    }
    std::cout << "agent " << state->agentId << "\nconsole " << state->consoleUrl
              << "\nlast command " << (state->lastCommand.empty() ? "none" : state->lastCommand)
              << "\nreports waiting for the console " << state->pendingReports.size() << '\n';
    return 0;
  }
#ifdef _WIN32
  if (installCommand->parsed() || uninstallCommand->parsed()) {
    auto program = odscan::launcher::currentExecutablePath();
    odscan::Status done = !program.ok()                ? program.status()
                          : uninstallCommand->parsed() ? agent::uninstall()
                          : asService ? agent::installService(*program, stateDir, run.home)
                                      : agent::installAtLogon(*program, stateDir, run.home);
    if (!done.ok()) {
      std::cerr << "tm-agent: " << done.message() << '\n';
      return agent::kAgentSetupError;
    }
    std::cout << "tm-agent: done\n";
    return 0;
  }
  if (serviceCommand->parsed()) return agent::runAsService(run);
#endif
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  run.stopRequested = [] { return interrupted.load(); };
  return agent::runAgent(run, std::cout);
}
