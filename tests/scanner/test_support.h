// Helpers shared by the scanner tests: temporary folders, file I/O, the EICAR test
// file and a signed test pattern.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace odscan::scanner::testing {

// A fresh folder under the system's temporary folder, removed with everything in
// it when the object goes away.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Sets the process's umask for the lifetime of the object, so a test can show
// that a mode does not depend on it.
class ScopedUmask {
 public:
  explicit ScopedUmask(unsigned mask);
  ~ScopedUmask();
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  unsigned previous_;
};

// Returns the permission bits of `path` (of a symbolic link itself, not its
// target), for example 0700.
unsigned modeOf(const std::filesystem::path& path);

void writeFile(const std::filesystem::path& path, const std::string& contents);
std::string readFile(const std::filesystem::path& path);
std::vector<std::string> readLines(const std::filesystem::path& path);

// Returns the 68-byte EICAR anti-virus test file. It is assembled at run time so
// that no file in the repository contains it.
std::string eicarText();

// Contents that the test pattern of writeTestPattern() flags as kTestThreatName.
// Harmless text, used where a test needs a detection but not EICAR.
std::string testThreatText();
inline constexpr const char* kTestThreatName = "Odscan.Test.Threat";

struct TestPattern {
  std::filesystem::path pattern;    // agent-pattern.ptn
  std::filesystem::path publicKey;  // publisher.pub
  std::uint64_t version = 0;
};

// Generates a key pair and builds a signed Smart Scan Agent Pattern into `folder`
// whose exact signatures are EICAR and testThreatText().
TestPattern writeTestPattern(const std::filesystem::path& folder);

}  // namespace odscan::scanner::testing
