#include "odscan/gui/window_command.h"

#include <windows.h>

#include <iostream>
#include <ostream>

#include "odscan/gui/command_scan_jobs.h"
#include "odscan/gui/scan_window.h"
#include "odscan/gui/scan_wizard.h"

namespace odscan::gui {

void releaseOwnConsole() {
  DWORD processes[2];
  if (GetConsoleProcessList(processes, 2) == 1) FreeConsole();
}

std::vector<std::filesystem::path> fixedDrives() {
  std::vector<std::filesystem::path> drives;
  wchar_t buffer[128];
  const DWORD length = GetLogicalDriveStringsW(static_cast<DWORD>(std::size(buffer)), buffer);
  if (length == 0 || length >= std::size(buffer)) return drives;

  // The buffer contains "C:\<NUL>D:\<NUL>...<NUL>".
  for (const wchar_t* drive = buffer; *drive != L'\0'; drive += wcslen(drive) + 1) {
    if (GetDriveTypeW(drive) == DRIVE_FIXED) drives.emplace_back(drive);
  }
  return drives;
}

int runWindowCommand(const scanner::ScanCommandOptions& options) {
  CommandScanJobs jobs(options);
  ScanWindow window(ScanWizard(jobs.options(), jobs.home().root()), jobs, desktopShell());
  if (Status created = window.create(SW_SHOWNORMAL); !created.ok()) {
    std::cerr << "odscan: " << created.message() << "\n";
    return static_cast<int>(scanner::ExitCode::kError);
  }
  releaseOwnConsole();
  return runMessageLoop(window);
}

int runSilentScan(const scanner::ScanCommandOptions& options, const std::atomic<bool>* interrupt) {
  // A stream without a buffer drops everything written to it.
  std::ostream discard(nullptr);
  scanner::CommandIo io{discard, discard, false, interrupt};
  return scanner::runScanCommand(options, io);
}

}  // namespace odscan::gui
