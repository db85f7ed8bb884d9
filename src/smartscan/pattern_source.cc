#include "odscan/smartscan/pattern_source.h"

#include <fstream>
#include <iterator>

#include "odscan/activeupdate/component_publisher.h"
#include "odscan/activeupdate/update_source.h"
#include "odscan/pattern/pattern_file.h"

namespace odscan::smartscan {
namespace {

class FilePatternSource final : public PatternSource {
 public:
  explicit FilePatternSource(std::filesystem::path path) : path_(std::move(path)) {}

  std::string location() const override { return path_.string(); }

  Result<std::optional<FetchedPattern>> fetchNewer(std::uint64_t) override {
    std::error_code error;
    const auto size = std::filesystem::file_size(path_, error);
    if (error) {
      return Status(StatusCode::kNotFound,
                    "cannot read the pattern file '" + path_.string() + "': " + error.message());
    }
    if (size > kMaxPatternFileSize) {
      return Status(StatusCode::kLimitExceeded, "the pattern file '" + path_.string() + "' has " +
                                                    std::to_string(size) +
                                                    " bytes, more than any valid pattern");
    }
    std::ifstream in(path_, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
      return Status(StatusCode::kIoError, "cannot read the pattern file '" + path_.string() + "'");
    }
    return std::optional<FetchedPattern>(FetchedPattern{std::move(bytes), path_.string(), {}});
  }

 private:
  std::filesystem::path path_;
};

class ActiveUpdatePatternSource final : public PatternSource {
 public:
  explicit ActiveUpdatePatternSource(activeupdate::UpdateSource source)
      : source_(std::move(source)) {}

  std::string location() const override { return source_.location(); }

  Result<std::optional<FetchedPattern>> fetchNewer(std::uint64_t currentVersion) override {
    auto manifest = source_.fetchManifest();
    if (!manifest.ok()) return manifest.status();
    const activeupdate::ManifestEntry* entry =
        manifest->find(activeupdate::kSmartScanPatternComponent);
    if (entry == nullptr) {
      return Status(StatusCode::kNotFound,
                    "the ActiveUpdate source '" + source_.location() + "' lists no " +
                        std::string(activeupdate::kSmartScanPatternComponent) +
                        " component; publish one with `odscan-pattern publish`");
    }
    if (entry->version <= currentVersion) return std::optional<FetchedPattern>();

    auto bytes = source_.fetchComponent(*entry);
    if (!bytes.ok()) return bytes.status();
    return std::optional<FetchedPattern>(FetchedPattern{
        std::move(bytes).value(), source_.location() + " " + entry->file, entry->version});
  }

 private:
  activeupdate::UpdateSource source_;
};

}  // namespace

std::unique_ptr<PatternSource> makeFilePatternSource(std::filesystem::path path) {
  return std::make_unique<FilePatternSource>(std::move(path));
}

Result<std::unique_ptr<PatternSource>> makeActiveUpdatePatternSource(
    std::string location, PublicKey key, const ActiveUpdateSourceOptions& options) {
  activeupdate::UpdateSourceOptions sourceOptions;
  sourceOptions.caFile = options.caFile;
  sourceOptions.publicKeyName = options.publicKeyName;
  auto source =
      activeupdate::UpdateSource::open(std::move(location), std::move(key), sourceOptions);
  if (!source.ok()) return source.status();
  return std::unique_ptr<PatternSource>(
      std::make_unique<ActiveUpdatePatternSource>(std::move(source).value()));
}

}  // namespace odscan::smartscan
