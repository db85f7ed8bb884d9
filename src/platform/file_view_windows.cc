#include <utility>

#include "odscan/platform/file_view.h"

// Windows keeps reading files with ReadFile, because a mapped view there would
// need structured exception handling for EXCEPTION_IN_PAGE_ERROR, which MinGW's
// GCC does not offer. Callers check fileViewsAvailable() and never get here.
namespace odscan::platform {
namespace {

constexpr const char* kUnavailable =
    "memory-mapped reading is not available on Windows; read the file instead";

}  // namespace

bool fileViewsAvailable() { return false; }

std::size_t fileViewAlignment() { return 65536; }

IoResult<FileView> FileView::map(const ReadOnlyFile&, std::uint64_t, std::size_t) {
  return IoError{IoErrorKind::kIoError, 0, kUnavailable};
}

FileView::FileView(FileView&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

FileView& FileView::operator=(FileView&& other) noexcept {
  data_ = std::exchange(other.data_, nullptr);
  size_ = std::exchange(other.size_, 0);
  return *this;
}

FileView::~FileView() = default;

void FileView::unmap() {}

IoResult<bool> visitGuarded(const FileView&, std::span<const std::uint8_t>, ViewVisitor, void*) {
  return IoError{IoErrorKind::kIoError, 0, kUnavailable};
}

}  // namespace odscan::platform
