// FileView: part of an open file mapped into memory for reading, so that hashing
// reads the page cache directly instead of copying every byte into a buffer first.
// On the 2-core AMD benchmark machine that copy took about 30% of the CPU time of
// a scan without archives (docs/benchmarks.md).
//
// A mapped file can shrink while it is read, because another program truncates
// it, and a disk error can make a page unreadable. Reading such a page raises
// SIGBUS, which would end the process. visitGuarded() turns that signal into an
// IoError for the thread that read the page, so a file that changes during a
// scan does not crash the scanner.
//
// POSIX only: on Windows fileViewsAvailable() is false and map() fails, so callers
// keep reading with ReadOnlyFile::read().
//
// Thread safety: one thread at a time per FileView. visitGuarded() may run on
// several threads at once, each with its own view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "odscan/platform/io_error.h"
#include "odscan/platform/read_only_file.h"

namespace odscan::platform {

// True where map() works (POSIX).
bool fileViewsAvailable();

// The granularity of map() offsets: the page size.
std::size_t fileViewAlignment();

class FileView {
 public:
  // Maps `length` bytes of `file` from `offset`, a multiple of fileViewAlignment().
  // The pages are mapped at once where the system can (MAP_POPULATE), so that
  // reading them takes no page faults.
  static IoResult<FileView> map(const ReadOnlyFile& file, std::uint64_t offset, std::size_t length);

  FileView(FileView&& other) noexcept;
  FileView& operator=(FileView&& other) noexcept;
  FileView(const FileView&) = delete;
  FileView& operator=(const FileView&) = delete;
  ~FileView();

  // The mapped bytes. Read them only inside visitGuarded().
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }

 private:
  FileView(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  void unmap();

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Calls visit(context, bytes) for `bytes`, which must lie inside `view`. If
// reading the view raises SIGBUS (the file shrank, or a read failed), visit() is
// abandoned midway and the error is returned. The caller must then discard
// whatever visit() was building. For that reason visit() must not allocate,
// take locks or own objects with destructors: hashing a buffer is the intended
// use. A SIGBUS anywhere else still goes to the handler that was installed before.
using ViewVisitor = void (*)(void* context, std::span<const std::uint8_t> bytes);
IoResult<bool> visitGuarded(const FileView& view, std::span<const std::uint8_t> bytes,
                            ViewVisitor visit, void* context);

}  // namespace odscan::platform
