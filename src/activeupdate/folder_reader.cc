#include <utility>

#include "file_io.h"
#include "source_reader.h"

namespace odscan::activeupdate {
namespace {

class FolderReader final : public SourceReader {
 public:
  explicit FolderReader(std::filesystem::path folder) : folder_(std::move(folder)) {}

  // A folder has no caches in between, so `revalidate` changes nothing.
  Result<std::vector<std::uint8_t>> read(std::string_view name, std::uint64_t maxSize,
                                         bool) override {
    return pattern_detail::readWholeFile(folder_ / name, maxSize);
  }

 private:
  std::filesystem::path folder_;
};

}  // namespace

std::unique_ptr<SourceReader> makeFolderReader(std::filesystem::path folder) {
  return std::make_unique<FolderReader>(std::move(folder));
}

}  // namespace odscan::activeupdate
