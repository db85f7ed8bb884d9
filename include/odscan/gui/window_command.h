// The Windows entry points of odscan.exe that are not console commands:
//
//   odscan.exe                                   the window, scanning every fixed drive
//   odscan.exe window [scan options] [PATH...]   the window for these paths and options
//   odscan.exe --silent [scan options] [PATH...] the same scan with no window and no
//                                                console output, for a remote launch
//
// Both take the options of `odscan scan`, and both return its exit codes. Without
// paths they scan every fixed drive.
//
// Thread safety: call from the program's main thread.
#pragma once

#ifdef _WIN32

#include <atomic>
#include <filesystem>
#include <vector>

#include "odscan/scanner/scan_command.h"

namespace odscan::gui {

// Frees the console when this process is its only user. That is the case when
// Explorer started odscan.exe, and then no empty console window stays open.
void releaseOwnConsole();

// Returns the root folder of every fixed drive, for example C:\ and D:\.
std::vector<std::filesystem::path> fixedDrives();

// Shows the window for a scan with `options` and returns when the user closes it,
// with the exit code of the last scan, or 2 when none finished. Errors before the
// window appears go to standard error and return 2.
int runWindowCommand(const scanner::ScanCommandOptions& options);

// Runs the scan with no window and no output; the session folder receives the
// logs and the report as usual. `interrupt` cancels the scan when it becomes true.
int runSilentScan(const scanner::ScanCommandOptions& options, const std::atomic<bool>* interrupt);

}  // namespace odscan::gui

#endif  // _WIN32
