// Operating-system facts the scanner needs outside of file walking: where the
// user's temporary folder is and how much disk space is free. Each function has a
// POSIX implementation (system_posix.cc) and a Windows one (system_windows.cc).
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::platform {

// Returns %TEMP% on Windows (GetTempPathW); $TMPDIR, or /tmp when it is unset or
// empty, elsewhere.
std::filesystem::path tempDirectory();

// Returns the bytes available to the current user on the file system holding
// `path`, which must exist.
Result<std::uint64_t> freeDiskSpace(const std::filesystem::path& path);

// Returns the name of this host, or "unknown-host".
std::string hostName();

// Returns the login name of the user running the process, or "unknown-user".
std::string userName();

// Returns the IPv4 and IPv6 addresses of this host's network interfaces that are
// up, in numeric form ("192.0.2.15", "2001:db8::7"), without loopback and IPv6
// link-local addresses and without duplicates. Empty when none is configured or the
// system cannot list them. getifaddrs() on POSIX, GetAdaptersAddresses() on Windows.
std::vector<std::string> ipAddresses();

// Returns the operating system and its version, for example "Windows 10.0.19045"
// or "Linux 6.1.0-18-amd64". Windows reads RtlGetVersion(), whose answer does not
// depend on the program's manifest; POSIX reads uname(). "unknown" when neither works.
std::string osVersion();

// Returns the current user's profile folder: %USERPROFILE% on Windows, $HOME (or
// the home folder in the user database when it is unset or empty) elsewhere. An
// empty path when none is known.
std::filesystem::path userProfileDirectory();

// Returns the root folder of every fixed drive on Windows (for example C:\ and
// D:\), and "/" elsewhere, where one tree holds every disk.
std::vector<std::filesystem::path> fixedDrives();

// Returns the program's command-line arguments in UTF-8, the program name first.
// Windows gives main() its arguments in the ANSI code page, which turns the
// characters outside that code page into '?'. There the arguments are read again
// with GetCommandLineW, and `argc` and `argv` serve only when that fails.
#ifdef _WIN32
std::vector<std::string> commandLineArguments(int argc, char** argv);
#else
inline std::vector<std::string> commandLineArguments(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}
#endif

}  // namespace odscan::platform
