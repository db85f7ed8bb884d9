#include "windows_service.h"

#include <windows.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <vector>

#include "odscan/launcher/process.h"
#include "odscan/platform/utf8_path.h"

namespace odscan::agent {
namespace {

constexpr wchar_t kServiceName[] = L"tm-agent";
constexpr wchar_t kRunKey[] = L"Software\\Microsoft\\Windows\\CurrentVersion\\Run";

std::atomic<bool> serviceStopping{false};
SERVICE_STATUS_HANDLE serviceHandle = nullptr;
const AgentRunOptions* serviceOptions = nullptr;
int serviceExitCode = kAgentStopped;

Status windowsError(const std::string& what, DWORD code) {
  return Status(code == ERROR_ACCESS_DENIED ? StatusCode::kPermissionDenied : StatusCode::kIoError,
                what + " (Windows error " + std::to_string(code) + ")" +
                    (code == ERROR_ACCESS_DENIED ? "; run the command as an administrator" : ""));
}

std::wstring commandLine(const std::filesystem::path& program, const char* command,
                         const std::filesystem::path& stateDir,
                         const std::optional<std::filesystem::path>& home) {
  std::vector<std::string> arguments{command, "--state-dir", platform::toUtf8(stateDir)};
  if (home) arguments.insert(arguments.end(), {"--home", platform::toUtf8(*home)});
  const std::string line = launcher::windowsCommandLine(platform::toUtf8(program), arguments);
  return platform::fromUtf8(line).wstring();
}

void reportState(DWORD state, DWORD exitCode = NO_ERROR) {
  SERVICE_STATUS status{};
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted =
      state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  status.dwWin32ExitCode = exitCode;
  status.dwWaitHint = state == SERVICE_STOP_PENDING ? 30000 : 0;
  SetServiceStatus(serviceHandle, &status);
}

DWORD WINAPI controlHandler(DWORD control, DWORD, void*, void*) {
  if (control == SERVICE_CONTROL_STOP || control == SERVICE_CONTROL_SHUTDOWN) {
    serviceStopping = true;
    reportState(SERVICE_STOP_PENDING);
    return NO_ERROR;
  }
  return control == SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
}

void WINAPI serviceMain(DWORD, wchar_t**) {
  serviceHandle = RegisterServiceCtrlHandlerExW(kServiceName, controlHandler, nullptr);
  if (serviceHandle == nullptr) return;
  reportState(SERVICE_RUNNING);
  AgentRunOptions options = *serviceOptions;
  options.stopRequested = [] { return serviceStopping.load(); };
  // A service has no console; the output goes to a file next to agent.log.
  std::ofstream out(options.stateDir / "service-output.log", std::ios::app);
  serviceExitCode = runAgent(options, out);
  reportState(SERVICE_STOPPED,
              serviceExitCode == kAgentStopped ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR);
}

}  // namespace

Status installService(const std::filesystem::path& program, const std::filesystem::path& stateDir,
                      const std::optional<std::filesystem::path>& home) {
  SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE);
  if (manager == nullptr) return windowsError("cannot open the service manager", GetLastError());
  const std::wstring binary = commandLine(program, "service", stateDir, home);
  SC_HANDLE service =
      CreateServiceW(manager, kServiceName, L"Threat Management Agent", SERVICE_ALL_ACCESS,
                     SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                     binary.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr);
  const DWORD error = service == nullptr ? GetLastError() : NO_ERROR;
  if (service != nullptr) CloseServiceHandle(service);
  CloseServiceHandle(manager);
  if (service == nullptr) {
    if (error == ERROR_SERVICE_EXISTS) {
      return Status(StatusCode::kAlreadyExists,
                    "the service tm-agent exists already; run `tm-agent uninstall` first");
    }
    return windowsError("cannot create the service tm-agent", error);
  }
  return Status::success();
}

Status installAtLogon(const std::filesystem::path& program, const std::filesystem::path& stateDir,
                      const std::optional<std::filesystem::path>& home) {
  const std::wstring value = commandLine(program, "run", stateDir, home);
  const LSTATUS result =
      RegSetKeyValueW(HKEY_CURRENT_USER, kRunKey, kServiceName, REG_SZ, value.c_str(),
                      static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
  if (result != ERROR_SUCCESS) {
    return windowsError("cannot write the Run key of the current user", static_cast<DWORD>(result));
  }
  return Status::success();
}

Status uninstall() {
  const LSTATUS removed = RegDeleteKeyValueW(HKEY_CURRENT_USER, kRunKey, kServiceName);
  if (removed != ERROR_SUCCESS && removed != ERROR_FILE_NOT_FOUND) {
    return windowsError("cannot remove the Run key value tm-agent", static_cast<DWORD>(removed));
  }
  SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (manager == nullptr) return Status::success();  // no service was installed by this user
  SC_HANDLE service = OpenServiceW(manager, kServiceName, SERVICE_STOP | DELETE);
  Status result = Status::success();
  if (service != nullptr) {
    SERVICE_STATUS status{};
    ControlService(service, SERVICE_CONTROL_STOP, &status);
    if (!DeleteService(service)) result = windowsError("cannot delete the service", GetLastError());
    CloseServiceHandle(service);
  } else if (GetLastError() == ERROR_ACCESS_DENIED) {
    result = windowsError("cannot open the service tm-agent", ERROR_ACCESS_DENIED);
  }
  CloseServiceHandle(manager);
  return result;
}

int runAsService(const AgentRunOptions& options) {
  serviceOptions = &options;
  wchar_t name[] = L"tm-agent";
  const SERVICE_TABLE_ENTRYW table[] = {{name, serviceMain}, {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherW(table)) return kAgentSetupError;
  return serviceExitCode;
}

}  // namespace odscan::agent
