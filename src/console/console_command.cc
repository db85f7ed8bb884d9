#include "odscan/console/console_command.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <ctime>

#include "odscan/console/admin_accounts.h"
#include "odscan/console/component_store.h"
#include "odscan/console/console_config.h"
#include "odscan/console/console_server.h"
#include "odscan/console/console_settings.h"
#include "odscan/http/server_program.h"

namespace odscan::console {
namespace {

constexpr std::string_view kProgram = "threat-mitigator";
// How often the main thread wakes to flush buffered log lines.
constexpr long kLogFlushSeconds = 1;

struct CommonOptions {
  std::string configFile;
  std::string dataDir;
  std::string publisherKey;
  std::string listen;
  std::string consoleUrl;
  std::string portFile;
};

void addCommonOptions(CLI::App& command, CommonOptions& options) {
  command.add_option("--config", options.configFile, "JSON config file; flags override it")
      ->option_text("FILE");
  command.add_option("--data-dir", options.dataDir, "Folder of the database and component store")
      ->option_text("DIR");
  command
      .add_option("--publisher-key", options.publisherKey,
                  "PEM private key that signs the component manifest")
      ->option_text("FILE");
}

Result<ConsoleConfig> loadConfig(const CommonOptions& options) {
  ConsoleConfig config;
  if (!options.configFile.empty()) {
    auto loaded = loadConsoleConfigFile(options.configFile);
    if (!loaded.ok()) return loaded.status();
    config = std::move(loaded).value();
  }
  const std::filesystem::path here = std::filesystem::current_path();
  if (!options.dataDir.empty()) config.dataDir = here / options.dataDir;
  if (!options.publisherKey.empty()) config.publisherKey = here / options.publisherKey;
  if (!options.portFile.empty()) config.portFile = here / options.portFile;
  if (!options.consoleUrl.empty()) config.consoleUrl = options.consoleUrl;
  if (!options.listen.empty()) {
    auto address = http::ListenAddress::parse(options.listen);
    if (!address.ok()) return address.status().withContext("option --listen");
    config.listen = *address;
  }
  if (Status valid = validateConsoleConfig(config); !valid.ok()) return valid;
  return config;
}

Result<std::string> readPassword(const std::string& passwordFile) {
  if (!passwordFile.empty()) {
    auto text = http::readTextFile(passwordFile, "password file");
    if (!text.ok()) return text.status();
    std::string password = *text;
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
      password.pop_back();
    }
    return password;
  }
  const char* fromEnvironment = std::getenv("TM_ADMIN_PASSWORD");
  if (fromEnvironment == nullptr || *fromEnvironment == '\0') {
    return Status(StatusCode::kInvalidArgument,
                  "no password: set TM_ADMIN_PASSWORD or give --password-file FILE (at least 12 "
                  "characters)");
  }
  return std::string(fromEnvironment);
}

// Opens just the database, for the account commands.
Result<std::unique_ptr<Database>> openDatabase(const ConsoleConfig& config) {
  if (Status created = createPrivateFolder(config.dataDir); !created.ok()) return created;
  return Database::open(config.dataDir / "console.db");
}

int accountCommand(bool create, const CommonOptions& common, const std::string& username,
                   const std::string& passwordFile, std::ostream& out, std::ostream& err) {
  auto config = loadConfig(common);
  if (!config.ok()) {
    err << kProgram << ": " << config.status().message() << "\n";
    return kExitConfigError;
  }
  auto password = readPassword(passwordFile);
  auto database =
      password.ok() ? openDatabase(*config) : Result<std::unique_ptr<Database>>(password.status());
  if (!database.ok()) {
    err << kProgram << ": " << database.status().message() << "\n";
    return kExitConfigError;
  }
  AdminAccounts accounts(**database, config->logon);
  const Status done =
      create ? accounts.create(username, *password) : accounts.resetPassword(username, *password);
  if (!done.ok()) {
    err << kProgram << ": " << done.message() << "\n";
    return kExitError;
  }
  out << (create ? "created the administrator '" : "set a new password for '") << username
      << "' in '" << (*database)->file().string() << "'\n";
  return kExitOk;
}

int publishCommand(const CommonOptions& common, const std::string& name, const std::string& file,
                   std::ostream& out, std::ostream& err) {
  auto config = loadConfig(common);
  if (!config.ok()) {
    err << kProgram << ": " << config.status().message() << "\n";
    return kExitConfigError;
  }
  auto key = PrivateKey::readFile(config->publisherKey);
  if (!key.ok()) {
    err << kProgram << ": " << key.status().message() << "\n";
    return kExitConfigError;
  }
  auto store = ComponentStore::open(config->dataDir / "components", std::move(key).value());
  auto entry = store.ok() ? (*store)->publish(name, file)
                          : Result<activeupdate::ManifestEntry>(store.status());
  if (!entry.ok()) {
    err << kProgram << ": " << entry.status().message() << "\n";
    return kExitError;
  }
  out << "published " << entry->name << " version " << entry->version << " as '" << entry->file
      << "' (" << entry->size << " bytes)\n";
  return kExitOk;
}

// Changes a settings group from the command line, as its screen would. The
// members given replace the stored ones; the others keep their values.
int settingsCommand(const CommonOptions& common, const std::string& group, const std::string& json,
                    std::ostream& out, std::ostream& err) {
  auto config = loadConfig(common);
  if (!config.ok()) {
    err << kProgram << ": " << config.status().message() << "\n";
    return kExitConfigError;
  }
  nlohmann::json changes = nlohmann::json::parse(json, nullptr, false);
  if (changes.is_discarded() || !changes.is_object()) {
    err << kProgram << ": --json must be a JSON object, such as "
        << R"('{"smart_scan_server_url": "http://192.0.2.10:8470"}')"
        << "\n";
    return kExitConfigError;
  }
  auto database = openDatabase(*config);
  if (!database.ok()) {
    err << kProgram << ": " << database.status().message() << "\n";
    return kExitConfigError;
  }
  ConsoleSettings settings(**database);
  auto current = settings.get(group);
  if (current.ok()) current->update(changes);
  auto saved = current.ok() ? settings.put(group, *current, "command line") : current;
  if (!saved.ok()) {
    err << kProgram << ": " << saved.status().message() << "\n";
    return kExitError;
  }
  out << "saved the " << group << " settings: " << saved->dump()
      << "\nendpoints get them once threat-mitigator (re)starts and publishes them\n";
  return kExitOk;
}

// Creates the first administrator from the environment, when asked to.
Status bootstrapAdministrator(const ConsoleConfig& config, spdlog::logger& logger) {
  const char* username = std::getenv("TM_ADMIN_USERNAME");
  const char* password = std::getenv("TM_ADMIN_PASSWORD");
  if (username == nullptr || password == nullptr || *username == '\0') return Status::success();
  auto database = openDatabase(config);
  if (!database.ok()) return database.status();
  AdminAccounts accounts(**database, config.logon);
  auto count = accounts.count();
  if (!count.ok() || *count > 0) return count.status();
  if (Status created = accounts.create(username, password); !created.ok()) {
    return created.withContext("cannot create the administrator from TM_ADMIN_USERNAME");
  }
  logger.info("created the first administrator '{}' from TM_ADMIN_USERNAME", username);
  return Status::success();
}

int serveCommand(const CommonOptions& common, std::ostream& out, std::ostream& err) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto config = loadConfig(common);
  if (!config.ok()) {
    err << kProgram << ": " << config.status().message() << "\n";
    return kExitConfigError;
  }
  auto logger = http::makeServerLogger(kProgram, config->logFile, config->logLevel);
  if (!logger.ok()) {
    err << kProgram << ": " << logger.status().message() << "\n";
    return kExitConfigError;
  }
  if (Status created = bootstrapAdministrator(*config, **logger); !created.ok()) {
    err << kProgram << ": " << created.message() << "\n";
    return kExitConfigError;
  }
  auto server = ConsoleServer::start(*config, *logger);
  if (!server.ok()) {
    (*logger)->error("start failed: {}", server.status().toString());
    (*logger)->flush();
    err << kProgram << ": " << server.status().message() << "\n";
    return kExitConfigError;
  }
  out << "threat-mitigator listening on " << (*server)->url() << "\n"
      << "On-demand Scan link: " << (*server)->url() << "ondemand" << std::endl;
  const timespec flushInterval{kLogFlushSeconds, 0};
  while (true) {
    const int signal = sigtimedwait(&signals, nullptr, &flushInterval);
    if (signal == SIGTERM || signal == SIGINT) {
      (*logger)->info("{} received: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
    (*logger)->flush();
  }
  (*server)->stop();
  (*logger)->info("threat-mitigator stopped");
  (*logger)->flush();
  return kExitOk;
}

}  // namespace

int runThreatMitigator(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app("threat-mitigator: the Threat Mitigator console", std::string(kProgram));
  app.require_subcommand(0, 1);
  CommonOptions serveOptions;
  CLI::App* serve = app.add_subcommand("serve", "Run the console (the default)");
  addCommonOptions(*serve, serveOptions);
  serve->add_option("--listen", serveOptions.listen, "HOST:PORT (default 127.0.0.1:8480)");
  serve->add_option("--console-url", serveOptions.consoleUrl,
                    "URL endpoints reach the console at, ending with '/'");
  serve->add_option("--port-file", serveOptions.portFile, "File that receives the bound port");

  CommonOptions accountOptions;
  std::string username;
  std::string passwordFile;
  CLI::App* create = app.add_subcommand("create-admin", "Add an administrator account");
  CLI::App* reset = app.add_subcommand("reset-password", "Set an administrator's password");
  for (CLI::App* command : {create, reset}) {
    addCommonOptions(*command, accountOptions);
    command->add_option("--username", username, "User name")->required();
    command->add_option("--password-file", passwordFile,
                        "File holding the password (default: $TM_ADMIN_PASSWORD)");
  }

  CommonOptions publishOptions;
  std::string component;
  std::string file;
  CLI::App* publish = app.add_subcommand("publish", "Put a component into the component store");
  addCommonOptions(*publish, publishOptions);
  publish->add_option("--component", component, "agent-pattern, scanner-windows or scanner-linux")
      ->required();
  publish->add_option("file", file, "The component file")->required();

  CommonOptions settingsOptions;
  std::string group;
  std::string settingsJson;
  CLI::App* settingsApp =
      app.add_subcommand("settings", "Change On-demand Scan or Smart Scan Server settings");
  addCommonOptions(*settingsApp, settingsOptions);
  settingsApp->add_option("--group", group, "ondemand or smartscan")
      ->required()
      ->check(CLI::IsMember({"ondemand", "smartscan"}));
  settingsApp->add_option("--json", settingsJson, "JSON object of the settings to change")
      ->required();

  // Default to serve when only options are given.
  addCommonOptions(app, serveOptions);
  app.add_option("--listen", serveOptions.listen, "HOST:PORT (default 127.0.0.1:8480)");
  app.add_option("--port-file", serveOptions.portFile, "File that receives the bound port");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, out, err);
    return code == 0 ? kExitOk : kExitConfigError;
  }
  if (create->parsed() || reset->parsed()) {
    return accountCommand(create->parsed(), accountOptions, username, passwordFile, out, err);
  }
  if (publish->parsed()) return publishCommand(publishOptions, component, file, out, err);
  if (settingsApp->parsed()) return settingsCommand(settingsOptions, group, settingsJson, out, err);
  return serveCommand(serveOptions, out, err);
}

}  // namespace odscan::console
