// UpdateSource: a client of one ActiveUpdate source, the folder that
// `odscan-pattern publish` writes, read either from disk or from any static web
// server. Smart Scan Servers poll it for new Smart Scan Patterns; Threat Mitigator
// pulls components from it.
//
// fetchManifest() downloads manifest.json and then manifest.json.sig, in that
// order, and verifies the signature before it parses anything. The publisher
// writes the signature file first and keeps the previous signature in it, so this
// order verifies even when one publish completes between the two downloads.
// fetchComponent() checks a component's size and SHA-256 against a verified entry,
// and stops a download as soon as it exceeds the listed size.
//
// Every error message names the location, the file and the reason, and ends with
// what to do next. Credentials in HTTP headers never appear in messages.
//
// Ownership: a source at an http or https location owns one libcurl easy handle,
// reused so that requests to one server share a keep-alive connection.
// Thread safety: one thread at a time per object; distinct objects may be used
// from different threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/activeupdate/manifest.h"
#include "odscan/common/status.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::activeupdate {

// Fetches one file of a source; src/activeupdate has the folder and HTTP forms.
class SourceReader;

// The default component limit is the largest pattern file a loader accepts, so
// every pattern that can be loaded can also be fetched.
inline constexpr std::uint64_t kDefaultMaxComponentSize = kMaxPatternFileSize;

struct UpdateSourceOptions {
  // Time allowed to open the TCP (and TLS) connection.
  std::chrono::milliseconds connectTimeout{std::chrono::seconds(10)};
  // Time allowed for one whole download, including the connection. The default
  // gives a 2 GiB component about 30 minutes, roughly 10 Mbit/s.
  std::chrono::milliseconds transferTimeout{std::chrono::minutes(30)};
  // A download slower than 1 byte per second for this long fails, so a stalled
  // server is found well before transferTimeout. Rounded up to whole seconds.
  // libcurl averages the speed over its last few seconds, so the failure can come
  // a few seconds later than this.
  std::chrono::milliseconds stallTimeout{std::chrono::seconds(60)};
  std::uint64_t maxManifestSize = kMaxManifestSize;
  // Upper bound for any component; a download also stops at the size that its
  // manifest entry lists.
  std::uint64_t maxComponentSize = kDefaultMaxComponentSize;
  // CA certificates (PEM) that verify an https server; empty uses the system's.
  std::filesystem::path caFile;
  // Extra request headers, each "Name: value", for example an Authorization
  // header. They are sent with every request and never appear in messages.
  std::vector<std::string> headers;
  // Names the public key in error messages, for example its file name. The key's
  // fingerprint is used when it is empty.
  std::string publicKeyName;
};

class UpdateSource {
 public:
  // Opens the source at `location`: an "http://" or "https://" URL of the folder,
  // a "file://" URL, or a folder path. Only the location's form and the CA file
  // are checked here, so a source that is not published yet can still be opened.
  // Fails with kInvalidArgument for another scheme, a URL with credentials, a query
  // or a fragment, or a file:// URL of another host. Fails with kNotFound for a
  // missing CA file, and with kInternal when libcurl cannot create a handle.
  static Result<UpdateSource> open(std::string location, PublicKey key,
                                   UpdateSourceOptions options = {});

  UpdateSource(UpdateSource&& other) noexcept;
  UpdateSource& operator=(UpdateSource&& other) noexcept;
  UpdateSource(const UpdateSource&) = delete;
  UpdateSource& operator=(const UpdateSource&) = delete;
  ~UpdateSource();

  // Downloads, verifies and parses the manifest. Fails with the reader's code
  // (kNotFound, kUnreachable, kTimeout, kPermissionDenied, kIoError), with
  // kLimitExceeded for a manifest over maxManifestSize, kBadSignature, or
  // parseManifest()'s codes for a signed manifest that is invalid.
  Result<Manifest> fetchManifest();

  // Downloads the file of `entry` and checks it. Fails with kInvalidArgument for
  // an invalid file name, kLimitExceeded when the entry lists more than
  // maxComponentSize or the download grows past the listed size, kTruncated when
  // it is shorter, kCorrupt when the SHA-256 differs, or the reader's codes.
  Result<std::vector<std::uint8_t>> fetchComponent(const ManifestEntry& entry);

  // Returns the location as given to open().
  const std::string& location() const { return location_; }

 private:
  UpdateSource(std::string location, PublicKey key, UpdateSourceOptions options,
               std::unique_ptr<SourceReader> reader);

  // Returns "ActiveUpdate source '<location>'", the start of every message.
  std::string describe() const;
  Status readError(std::string_view file, const Status& reason) const;
  Result<std::vector<std::uint8_t>> readManifestFile();
  Result<std::vector<std::uint8_t>> readSignatureFile();
  Status checkEntry(const ManifestEntry& entry) const;

  std::string location_;
  PublicKey key_;
  UpdateSourceOptions options_;
  std::unique_ptr<SourceReader> reader_;
};

}  // namespace odscan::activeupdate
