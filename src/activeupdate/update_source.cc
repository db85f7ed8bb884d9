#include "odscan/activeupdate/update_source.h"

#include <algorithm>
#include <cctype>
#include <system_error>
#include <utility>

#include "odscan/common/hasher.h"
#include "source_reader.h"

namespace odscan::activeupdate {
namespace {

constexpr std::string_view kTamperedAdvice =
    "the file was replaced after publishing or changed in transit; republish the folder or "
    "check the server's copy";

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

Status invalidLocation(const std::string& location, const std::string& reason) {
  return Status(StatusCode::kInvalidArgument, "ActiveUpdate source '" + location + "' " + reason);
}

// Returns the URL of the folder with a final '/', after rejecting the parts that
// would break joining file names to it or leak into messages.
Result<std::string> httpBaseUrl(const std::string& location) {
  const std::size_t hostStart = location.find("://") + 3;
  const std::size_t pathStart = location.find('/', hostStart);
  const std::string_view authority =
      std::string_view(location).substr(hostStart, pathStart - hostStart);
  if (authority.empty()) return invalidLocation(location, "has no host name");
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    // The message shows the URL without the credentials it rejects.
    const std::string shown =
        location.substr(0, hostStart) + "***" + location.substr(hostStart + at);
    return invalidLocation(shown,
                           "contains credentials, which would appear in messages; send them "
                           "in an HTTP header option such as 'Authorization: ...' instead");
  }
  if (location.find_first_of("?#") != std::string::npos) {
    return invalidLocation(location,
                           "has a query or fragment; give the URL of the folder that "
                           "contains manifest.json");
  }
  const bool hasControl = std::any_of(location.begin(), location.end(),
                                      [](unsigned char c) { return c <= ' ' || c == 0x7f; });
  if (hasControl) {
    return invalidLocation(location, "contains spaces or control characters; encode them");
  }
  return location.back() == '/' ? location : location + "/";
}

// Returns the folder of a file:// URL. Only local URLs (an empty host or
// "localhost") are accepted, and the path is used as written.
Result<std::filesystem::path> fileUrlFolder(const std::string& location) {
  std::string_view rest = std::string_view(location).substr(std::string_view("file://").size());
  if (startsWith(lowerCase(rest), "localhost/")) {
    rest.remove_prefix(std::string_view("localhost").size());
  }
  if (!startsWith(rest, "/")) {
    return invalidLocation(location,
                           "names another host; a file:// URL must be file:///FOLDER or "
                           "file://localhost/FOLDER");
  }
  if (rest.find('%') != std::string_view::npos) {
    return invalidLocation(location,
                           "contains percent-encoding, which is not decoded; give the folder "
                           "path instead");
  }
  return std::filesystem::path(rest);
}

bool hasUrlScheme(std::string_view location) {
  const std::size_t separator = location.find("://");
  if (separator == std::string_view::npos || separator == 0) return false;
  return std::all_of(
      location.begin(), location.begin() + static_cast<std::ptrdiff_t>(separator),
      [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; });
}

Result<std::unique_ptr<SourceReader>> makeReader(const std::string& location,
                                                 const UpdateSourceOptions& options) {
  const std::string lower = lowerCase(location);
  if (startsWith(lower, "http://") || startsWith(lower, "https://")) {
    auto base = httpBaseUrl(location);
    if (!base.ok()) return base.status();
    auto reader = makeHttpReader(std::move(base).value(), options);
    if (!reader.ok()) return reader.status().withContext("ActiveUpdate source '" + location + "'");
    return reader;
  }
  if (startsWith(lower, "file://")) {
    auto folder = fileUrlFolder(location);
    if (!folder.ok()) return folder.status();
    return makeFolderReader(std::move(folder).value());
  }
  if (hasUrlScheme(location)) {
    return invalidLocation(location,
                           "has an unsupported scheme; use http://, https://, file:// or a "
                           "folder path");
  }
  if (location.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "the ActiveUpdate source location is empty; give a URL or a folder path");
  }
  return makeFolderReader(location);
}

// Returns what to do about a failed download, by the kind of failure.
std::string_view readAdvice(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound:
      return "check the location, and that odscan-pattern publish has written the folder there";
    case StatusCode::kPermissionDenied:
      return "check the folder's permissions or the credentials in the HTTP headers";
    case StatusCode::kUnreachable:
      return "check that the server is running and reachable, then try again";
    case StatusCode::kTimeout:
      return "check the server and the network, or raise the timeout";
    default:
      return "check the source, then try again";
  }
}

std::string sha256Hex(const std::array<std::uint8_t, 32>& bytes) {
  Digest digest;
  digest.kind = DigestKind::kSha256;
  std::copy(bytes.begin(), bytes.end(), digest.bytes.begin());
  return digest.toHex();
}

}  // namespace

Result<UpdateSource> UpdateSource::open(std::string location, PublicKey key,
                                        UpdateSourceOptions options) {
  // The location is checked first, so that no later message shows credentials
  // that it rejects.
  auto reader = makeReader(location, options);
  if (!reader.ok()) return reader.status();
  if (!options.caFile.empty()) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(options.caFile, error)) {
      return Status(StatusCode::kNotFound, "CA file '" + options.caFile.string() +
                                               "' for ActiveUpdate source '" + location +
                                               "' does not exist; check the path");
    }
  }
  return UpdateSource(std::move(location), std::move(key), std::move(options),
                      std::move(reader).value());
}

UpdateSource::UpdateSource(std::string location, PublicKey key, UpdateSourceOptions options,
                           std::unique_ptr<SourceReader> reader)
    : location_(std::move(location)),
      key_(std::move(key)),
      options_(std::move(options)),
      reader_(std::move(reader)) {}

UpdateSource::UpdateSource(UpdateSource&& other) noexcept = default;
UpdateSource& UpdateSource::operator=(UpdateSource&& other) noexcept = default;
UpdateSource::~UpdateSource() = default;

std::string UpdateSource::describe() const { return "ActiveUpdate source '" + location_ + "'"; }

Status UpdateSource::readError(std::string_view file, const Status& reason) const {
  return Status(reason.code(), describe() + ": cannot fetch " + std::string(file) + ": " +
                                   reason.message() + "; " +
                                   std::string(readAdvice(reason.code())));
}

Result<std::vector<std::uint8_t>> UpdateSource::readManifestFile() {
  auto bytes = reader_->read(kManifestFileName, options_.maxManifestSize, true);
  if (bytes.ok()) return bytes;
  if (bytes.status().code() == StatusCode::kLimitExceeded) {
    return Status(StatusCode::kLimitExceeded,
                  describe() + ": " + std::string(kManifestFileName) +
                      " is larger than the maximum of " + std::to_string(options_.maxManifestSize) +
                      " bytes; check that the location is an ActiveUpdate folder, or raise the "
                      "manifest size limit");
  }
  return readError(kManifestFileName, bytes.status());
}

Result<std::vector<std::uint8_t>> UpdateSource::readSignatureFile() {
  const std::string name(kManifestSignatureFileName);
  auto bytes = reader_->read(name, kMaxManifestSignatures * kEd25519SignatureLength, true);
  if (bytes.ok()) return bytes;
  const StatusCode code = bytes.status().code();
  if (code == StatusCode::kLimitExceeded) {
    return Status(StatusCode::kBadSignature,
                  describe() + ": " + name + " is larger than " +
                      std::to_string(kMaxManifestSignatures * kEd25519SignatureLength) +
                      " bytes, so it is not a manifest signature file; republish the folder with "
                      "odscan-pattern publish");
  }
  // The manifest itself was found, so a missing signature means an incomplete or
  // unsigned folder rather than a wrong location.
  if (code == StatusCode::kNotFound) {
    return Status(StatusCode::kBadSignature,
                  describe() + ": " + name + " is missing (" + bytes.status().message() +
                      "), so the manifest cannot be verified; publish the folder with "
                      "odscan-pattern publish, which signs it");
  }
  return readError(name, bytes.status());
}

Result<Manifest> UpdateSource::fetchManifest() {
  // The manifest comes first, because only this order verifies while a publish
  // is running; the header explains why.
  auto manifest = readManifestFile();
  if (!manifest.ok()) return manifest.status();
  auto signature = readSignatureFile();
  if (!signature.ok()) return signature.status();

  auto verified = verifyManifest(*manifest, *signature, key_, options_.publicKeyName);
  if (verified.ok()) return verified;
  const Status& error = verified.status();
  if (error.code() == StatusCode::kBadSignature) {
    return Status(error.code(), describe() + ": " + error.message() +
                                    ": the source was published with another key or changed in "
                                    "transit; check the key or the source");
  }
  if (error.code() == StatusCode::kCorrupt) {
    return Status(error.code(), describe() +
                                    ": the manifest is signed but invalid: " + error.message() +
                                    "; republish the folder with odscan-pattern publish");
  }
  return error.withContext(describe());
}

Status UpdateSource::checkEntry(const ManifestEntry& entry) const {
  const std::string component =
      "component '" + entry.name + "' version " + std::to_string(entry.version);
  if (!isValidComponentFileName(entry.file)) {
    return Status(StatusCode::kInvalidArgument,
                  describe() + ": " + component +
                      " does not name a plain file; fetch only entries of a verified manifest");
  }
  if (entry.size > options_.maxComponentSize) {
    return Status(StatusCode::kLimitExceeded,
                  describe() + ": " + component + " (" + entry.file + ") lists " +
                      std::to_string(entry.size) + " bytes, more than the limit of " +
                      std::to_string(options_.maxComponentSize) +
                      " bytes for a component; raise the component size limit if the file is "
                      "genuine");
  }
  return Status::success();
}

Result<std::vector<std::uint8_t>> UpdateSource::fetchComponent(const ManifestEntry& entry) {
  const Status valid = checkEntry(entry);
  if (!valid.ok()) return valid;

  auto bytes = reader_->read(entry.file, entry.size, false);
  if (!bytes.ok() && bytes.status().code() == StatusCode::kLimitExceeded) {
    return Status(StatusCode::kLimitExceeded,
                  describe() + ": " + entry.file + " is larger than the " +
                      std::to_string(entry.size) +
                      " bytes its manifest entry lists, so the download was stopped: " +
                      std::string(kTamperedAdvice));
  }
  if (!bytes.ok()) return readError(entry.file, bytes.status());

  if (bytes->size() != entry.size) {
    return Status(StatusCode::kTruncated,
                  describe() + ": " + entry.file + " has " + std::to_string(bytes->size()) +
                      " bytes, but its manifest entry lists " + std::to_string(entry.size) + ": " +
                      std::string(kTamperedAdvice));
  }
  const Digest actual = MultiHasher::digestOf(DigestKind::kSha256, *bytes);
  const std::string expected = sha256Hex(entry.sha256);
  if (actual.toHex() != expected) {
    return Status(StatusCode::kCorrupt, describe() + ": " + entry.file + " has SHA-256 " +
                                            actual.toHex() + ", but its manifest entry lists " +
                                            expected + ": " + std::string(kTamperedAdvice));
  }
  return bytes;
}

}  // namespace odscan::activeupdate
