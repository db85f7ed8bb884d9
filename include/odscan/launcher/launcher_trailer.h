// The signed trailer that the console appends to the launcher executable when it
// serves the On-demand Scan link, so one downloaded file carries its console's address:
//
//   CONFIG_JSON                  the launcher config (launcher_config.h)
//   64 bytes                     Ed25519 signature of CONFIG_JSON
//   uint32, little-endian        length of CONFIG_JSON in bytes
//   "ODSCANL1"                   8-byte magic
//
// The signature is made with the publisher's private key and verified with the
// public key inside CONFIG_JSON. That detects a damaged download and an edit of
// part of the trailer, but not someone who replaces the whole trailer with one
// signed by their own key. The trust anchor is the transport: the guest downloads
// the launcher from the console over TLS. Windows runs the executable and ignores
// the bytes after its last section, so the trailer does not change the program.
//
// Thread safety: pure functions; a file is only read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/launcher/launcher_config.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::launcher {

inline constexpr std::string_view kLauncherTrailerMagic = "ODSCANL1";
// Signature, length and magic: the part of the trailer after CONFIG_JSON.
inline constexpr std::size_t kLauncherTrailerFixedSize =
    kEd25519SignatureLength + 4 + kLauncherTrailerMagic.size();

// Returns the trailer for `config`, signed by `key`. An empty config.publicKeyPem is
// filled in with the key's public key. Fails with kInvalidArgument when the config
// does not pass parseLauncherConfig() or names another public key than `key`'s,
// because such a trailer would never verify.
Result<std::vector<std::uint8_t>> makeLauncherTrailer(const LauncherConfig& config,
                                                      const PrivateKey& key);

// Reads and verifies the trailer at the end of `fileBytes`, the whole launcher file
// or any tail of it that contains the trailer. `fileName` names the file in
// messages. Fails with kNotFound when there is no trailer, because the file was not
// downloaded from the On-demand Scan link. Fails with kCorrupt for a damaged length
// or invalid JSON, kTruncated when the file ends inside the trailer, kBadSignature
// when the signature does not verify, and parseLauncherConfig()'s codes otherwise.
Result<LauncherConfig> readLauncherTrailer(std::span<const std::uint8_t> fileBytes,
                                           std::string_view fileName = "the launcher");

// Same as above for the file at `path`. Only the last kLauncherTrailerFixedSize +
// kMaxLauncherConfigSize bytes at most are read, however large the file is.
// Also fails with kNotFound or kIoError when the file cannot be read.
Result<LauncherConfig> readLauncherTrailerFile(const std::filesystem::path& path);

}  // namespace odscan::launcher
