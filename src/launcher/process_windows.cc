#include <windows.h>

#include <string>

#include "odscan/launcher/process.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/platform/windows_files.h"

namespace odscan::launcher {
namespace {

// Converts UTF-8 text to UTF-16; an invalid byte becomes U+FFFD.
std::wstring toWide(const std::string& text) {
  if (text.empty()) return std::wstring();
  const int length =
      ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<std::size_t>(length), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(),
                        length);
  return wide;
}

// Closes a process or thread handle when the scope ends.
class HandleCloser {
 public:
  explicit HandleCloser(HANDLE handle) : handle_(handle) {}
  ~HandleCloser() {
    if (handle_ != nullptr) ::CloseHandle(handle_);
  }
  HandleCloser(const HandleCloser&) = delete;
  HandleCloser& operator=(const HandleCloser&) = delete;

 private:
  HANDLE handle_;
};

}  // namespace

Result<int> runProcess(const std::filesystem::path& program,
                       const std::vector<std::string>& arguments) {
  return runProcess(program, arguments, {});
}

Result<int> runProcess(const std::filesystem::path& program,
                       const std::vector<std::string>& arguments,
                       const std::function<bool()>& stopRequested) {
  // CreateProcessW may write into the command line buffer, so it must be mutable.
  std::wstring commandLine = toWide(windowsCommandLine(platform::toUtf8(program), arguments));

  // The scanner writes to the launcher's console, or to the pipes a test gave it.
  // NOTE: the scanner also inherits the launcher's other inheritable handles, such
  // as its open log file. Both run as the same user.
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = ::GetStdHandle(STD_INPUT_HANDLE);
  startup.hStdOutput = ::GetStdHandle(STD_OUTPUT_HANDLE);
  startup.hStdError = ::GetStdHandle(STD_ERROR_HANDLE);

  PROCESS_INFORMATION process{};
  if (!::CreateProcessW(program.c_str(), commandLine.data(), nullptr, nullptr, TRUE, 0, nullptr,
                        nullptr, &startup, &process)) {
    return platform::windowsStatus(::GetLastError(), "starting", program);
  }
  HandleCloser processCloser(process.hProcess);
  HandleCloser threadCloser(process.hThread);

  const DWORD pollMs = stopRequested ? 100 : INFINITE;
  bool stopped = false;
  while (true) {
    const DWORD waited = ::WaitForSingleObject(process.hProcess, pollMs);
    if (waited == WAIT_OBJECT_0) break;
    if (waited != WAIT_TIMEOUT) {
      return platform::windowsStatus(::GetLastError(), "waiting for", program);
    }
    if (!stopped && stopRequested()) {
      ::TerminateProcess(process.hProcess, static_cast<UINT>(kStoppedExitCode));
      stopped = true;
    }
  }
  DWORD exitCode = 0;
  if (!::GetExitCodeProcess(process.hProcess, &exitCode)) {
    return platform::windowsStatus(::GetLastError(), "reading the exit code of", program);
  }
  return static_cast<int>(exitCode);
}

Result<std::filesystem::path> currentExecutablePath() {
  // Paths longer than MAX_PATH need a larger buffer; the loop doubles it until the
  // name fits.
  std::wstring buffer(MAX_PATH, L'\0');
  for (;;) {
    const DWORD length =
        ::GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
    if (length == 0) {
      return Status(
          StatusCode::kIoError,
          "cannot find the launcher's own file: " + platform::windowsErrorText(::GetLastError()) +
              "; give --config FILE or --console URL with --public-key FILE");
    }
    if (length < buffer.size()) {
      buffer.resize(length);
      return std::filesystem::path(buffer);
    }
    buffer.resize(buffer.size() * 2);
  }
}

}  // namespace odscan::launcher
