// LauncherConfig: what the launcher (OnDemandScan) needs to know about its console,
// the console URL and the publisher's public key. The console writes it as
// CONFIG_JSON into the signed trailer of every launcher it serves
// (launcher_trailer.h). Contractors and tests can give the same JSON in a file
// with --config.
//
//   {"format": "odscan-launcher-config", "format_version": 1,
//    "console_url": "http://127.0.0.1:8480/", "public_key": "<PEM text>",
//    "issued_at": "2026-12-05T06:00:00Z"}
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "odscan/common/status.h"

namespace odscan::launcher {

inline constexpr std::string_view kLauncherConfigFormat = "odscan-launcher-config";
inline constexpr int kLauncherConfigFormatVersion = 1;
// A config contains a URL and a PEM key of about 110 bytes, so 64 KiB is generous
// and still keeps a damaged length field from making a reader allocate much.
inline constexpr std::size_t kMaxLauncherConfigSize = 64 * 1024;
inline constexpr std::size_t kMaxConsoleUrlLength = 2048;

struct LauncherConfig {
  // The console's http:// or https:// URL, ending with '/'.
  std::string consoleUrl;
  // The publisher's Ed25519 public key as PEM (SubjectPublicKeyInfo).
  std::string publicKeyPem;
  // When the console issued the launcher, "YYYY-MM-DDTHH:MM:SSZ"; informational.
  std::string issuedAt;

  bool operator==(const LauncherConfig&) const = default;
};

// The rule for "public_key" in parseLauncherConfig().
enum class PublicKeyMember {
  kRequired,  // a trailer's config: the key verifies the trailer
  kOptional,  // a --config file, which comes with --public-key FILE
};

// Checks a console URL and returns it with a final '/'. It must be an http:// or
// https:// URL with a host and without credentials, a query, a fragment, spaces or
// control characters, at most kMaxConsoleUrlLength bytes. Fails with
// kInvalidArgument naming the URL.
Result<std::string> normalizeConsoleUrl(std::string_view url);

// Parses CONFIG_JSON strictly: a JSON object with "format" (kLauncherConfigFormat),
// "format_version" (kLauncherConfigFormatVersion), "console_url" (checked by
// normalizeConsoleUrl()), "public_key" (PEM text that must load as an Ed25519
// public key) and the optional "issued_at". Unknown members are ignored. `source`
// names the config in every message, for example "the launcher 'OnDemandScan.exe'".
// Fails with kCorrupt for invalid JSON, a missing member or one of the wrong type,
// kUnsupportedVersion for a newer format_version, and kInvalidArgument for a bad
// URL or key. JSON exceptions are caught, so it does not throw.
Result<LauncherConfig> parseLauncherConfig(std::span<const std::uint8_t> bytes,
                                           std::string_view source,
                                           PublicKeyMember keyMember = PublicKeyMember::kRequired);

// Returns the config as compact JSON with the members in the order shown above.
// parseLauncherConfig() of the result returns `config`.
std::string serializeLauncherConfig(const LauncherConfig& config);

}  // namespace odscan::launcher
