// The signed manifest of an ActiveUpdate folder (layout in docs/activeupdate.md).
// manifest.json lists named, versioned components, each with its file name, size
// and SHA-256. manifest.json.sig contains raw 64-byte Ed25519 signatures of the
// exact manifest bytes. The first is the signature of the current manifest. An
// optional second one is the signature of the manifest it replaced, so a reader
// that fetched the manifest just before a publish can still verify it with the
// newer signature file.
//
// verifyManifest() checks a signature before it parses anything, so nothing in an
// unsigned manifest is ever used.
//
// Thread safety: plain values and free functions without shared state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::activeupdate {

inline constexpr std::string_view kManifestFileName = "manifest.json";
inline constexpr std::string_view kManifestSignatureFileName = "manifest.json.sig";
// The manifest format this build reads and writes.
inline constexpr int kManifestFormat = 1;
// A manifest lists a handful of components in a few hundred bytes each, so 1 MiB
// leaves ample room while keeping a hostile source from filling memory.
inline constexpr std::uint64_t kMaxManifestSize = std::uint64_t{1} << 20;
// A signature file contains the current signature and at most one earlier one.
inline constexpr std::size_t kMaxManifestSignatures = 2;
inline constexpr std::size_t kMaxComponentNameLength = 64;
inline constexpr std::size_t kMaxComponentFileNameLength = 128;

struct ManifestEntry {
  std::string name;           // [a-z0-9-], for example "smart-scan-pattern"
  std::uint64_t version = 0;  // larger is newer
  std::string file;           // a plain file name in the same folder
  std::uint64_t size = 0;     // bytes
  std::array<std::uint8_t, 32> sha256{};

  bool operator==(const ManifestEntry&) const = default;
};

struct Manifest {
  int format = kManifestFormat;
  std::string created;  // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  std::vector<ManifestEntry> components;

  // Returns the entry named `name`, or null. The pointer is valid until
  // `components` changes.
  const ManifestEntry* find(std::string_view name) const;

  bool operator==(const Manifest&) const = default;
};

// Returns true for 1 to kMaxComponentNameLength characters of [a-z0-9-] that start
// with a letter or digit.
bool isValidComponentName(std::string_view name);

// Returns true for a plain file name: 1 to kMaxComponentFileNameLength characters
// of [A-Za-z0-9._-] starting with a letter or digit. Such a name cannot contain a
// folder separator, a drive letter or "..", so it never leaves the folder.
bool isValidComponentFileName(std::string_view name);

// Parses manifest bytes strictly: a JSON object with "format" (must be
// kManifestFormat), "created", and "components" (an array of entries with every
// ManifestEntry field). Members that this build does not know are ignored, so a
// publisher can add information without a new format number. Fails with
// kUnsupportedVersion for another format number. Fails with kCorrupt for invalid
// JSON, a repeated member, a missing member or one of the wrong type, an invalid
// name or file name, a malformed SHA-256, or two entries with one name or file.
// Never throws.
Result<Manifest> parseManifest(std::span<const std::uint8_t> bytes);

// Checks that one of the signatures in `signatureFile` (the contents of
// manifest.json.sig) is a valid signature of `bytes` by `key`, then parses `bytes`.
// Fails with kBadSignature when the signature file is empty, is not a whole number
// of signatures, contains more than kMaxManifestSignatures, or none verifies. That
// message names the key by `keyName` (for example its file name), or by its
// fingerprint when `keyName` is empty. Parse errors are as in parseManifest().
Result<Manifest> verifyManifest(std::span<const std::uint8_t> bytes,
                                std::span<const std::uint8_t> signatureFile, const PublicKey& key,
                                std::string_view keyName = {});

// Returns the manifest as publish writes it: indented JSON with members in a fixed
// order and a final newline. parseManifest() of the result returns `manifest`
// unchanged. Precondition: every name and file name is valid.
std::string serializeManifest(const Manifest& manifest);

}  // namespace odscan::activeupdate
