#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <mutex>
#include <utility>

#include "odscan/platform/file_view.h"
#include "posix_error.h"

namespace odscan::platform {
namespace {

// The view that this thread reads, and where to resume if reading it faults.
struct ViewGuard {
  sigjmp_buf resume;
  const std::uint8_t* begin;
  const std::uint8_t* end;
};

// Set only while visitGuarded() runs on this thread. odscan links this library
// into its executables, so the variable has static TLS, which a signal handler
// may read.
thread_local ViewGuard* activeGuard = nullptr;

struct sigaction previousAction {};
std::once_flag handlerInstalled;

void onSigbus(int signal, siginfo_t* info, void* ucontext) {
  ViewGuard* guard = activeGuard;
  const auto* address = static_cast<const std::uint8_t*>(info->si_addr);
  // A positive si_code means that the kernel raised the signal for a memory
  // access. Signals sent with kill() have 0 or less.
  const bool fromKernel = info->si_code > 0;
  if (guard != nullptr && fromKernel && address >= guard->begin && address < guard->end) {
    siglongjmp(guard->resume, 1);
  }

  // Not a read of a guarded view: do what the previous disposition would have
  // done, and keep this handler installed for the next guarded read.
  if ((previousAction.sa_flags & SA_SIGINFO) != 0) {
    if (previousAction.sa_sigaction != nullptr) previousAction.sa_sigaction(signal, info, ucontext);
    return;
  }
  if (previousAction.sa_handler == SIG_IGN && !fromKernel) return;
  if (previousAction.sa_handler != SIG_DFL && previousAction.sa_handler != SIG_IGN &&
      previousAction.sa_handler != nullptr) {
    previousAction.sa_handler(signal);
    return;
  }
  // The process must end, as it would have without this handler: the kernel
  // ends a process whose memory access faults even where SIGBUS is ignored.
  struct sigaction defaultAction {};
  defaultAction.sa_handler = SIG_DFL;
  sigemptyset(&defaultAction.sa_mask);
  ::sigaction(SIGBUS, &defaultAction, nullptr);
  // A faulting access runs again when the handler returns and raises SIGBUS
  // anew; a signal sent by kill() must be raised again.
  if (!fromKernel) ::raise(signal);
}

void installHandler() {
  struct sigaction action {};
  action.sa_sigaction = onSigbus;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  ::sigaction(SIGBUS, &action, &previousAction);
}

}  // namespace

bool fileViewsAvailable() { return true; }

std::size_t fileViewAlignment() {
  static const std::size_t pageSize = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return pageSize;
}

IoResult<FileView> FileView::map(const ReadOnlyFile& file, std::uint64_t offset,
                                 std::size_t length) {
  if (length == 0 || offset % fileViewAlignment() != 0) {
    return IoError{IoErrorKind::kIoError, EINVAL,
                   "cannot map " + std::to_string(length) + " bytes at offset " +
                       std::to_string(offset) + ": the offset must be a multiple of " +
                       std::to_string(fileViewAlignment()) + " and the length above 0"};
  }
  int flags = MAP_SHARED;
#ifdef MAP_POPULATE
  flags |= MAP_POPULATE;
#endif
  void* data = ::mmap(nullptr, length, PROT_READ, flags, static_cast<int>(file.handle_),
                      static_cast<off_t>(offset));
  if (data == MAP_FAILED) return errorFromErrno(errno, "cannot map", "(open file)");
  return FileView(static_cast<const std::uint8_t*>(data), length);
}

FileView::FileView(FileView&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

FileView& FileView::operator=(FileView&& other) noexcept {
  if (this != &other) {
    unmap();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

FileView::~FileView() { unmap(); }

void FileView::unmap() {
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

IoResult<bool> visitGuarded(const FileView& view, std::span<const std::uint8_t> bytes,
                            ViewVisitor visit, void* context) {
  std::call_once(handlerInstalled, installHandler);
  const std::span<const std::uint8_t> mapped = view.bytes();
  ViewGuard guard;
  guard.begin = mapped.data();
  guard.end = mapped.data() + mapped.size();
  activeGuard = &guard;
  // Saving the signal mask (1) means that siglongjmp() unblocks SIGBUS again,
  // which the kernel blocked for the handler. It costs one system call per view.
  if (sigsetjmp(guard.resume, 1) == 0) {
    visit(context, bytes);
    activeGuard = nullptr;
    return true;
  }
  activeGuard = nullptr;
  return IoError{IoErrorKind::kIoError, EIO,
                 "the file could not be read through its memory mapping: it became shorter "
                 "while it was read, or the disk reported an error"};
}

}  // namespace odscan::platform
