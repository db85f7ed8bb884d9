// Installs the scanner's two components, the Smart Scan Agent Pattern and the
// publisher's public key, into HCEXEC/components (`odscan components install`).
// In production the launcher does this. Until it exists, an operator runs this
// command instead of copying files by hand, so the HCEXEC folder gets its
// owner-only permissions and a pattern that does not verify is never installed.
//
// Thread safety: one call at a time per HCEXEC folder.
#pragma once

#include <cstdint>
#include <filesystem>

#include "odscan/common/status.h"
#include "odscan/scanner/home_folder.h"

namespace odscan::scanner {

struct InstalledComponents {
  std::uint64_t patternVersion = 0;
  std::uint64_t exactSignatures = 0;
  std::uint64_t filterKeys = 0;
  std::string keyFingerprint;
  std::filesystem::path patternPath;    // home.defaultPatternPath()
  std::filesystem::path publicKeyPath;  // home.defaultPublicKeyPath()
};

// Verifies `pattern` with `publicKey` and copies both into home.components(),
// which HomeFolder::createLayout() must have created. Each file goes through a
// temporary file and a rename and gets mode 0600 on POSIX. Existing components
// are replaced. Nothing is copied when the key or the pattern does not load.
Result<InstalledComponents> installComponents(const HomeFolder& home,
                                              const std::filesystem::path& pattern,
                                              const std::filesystem::path& publicKey);

}  // namespace odscan::scanner
