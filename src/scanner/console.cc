#include "odscan/scanner/console.h"

namespace odscan::scanner {
namespace {

// Carriage return, then "erase to end of line" (ANSI, also honored by the Windows
// 10 console with virtual terminal processing).
constexpr std::string_view kEraseLine = "\r\x1b[K";

}  // namespace

void Console::printLine(std::string_view line) {
  std::lock_guard lock(mutex_);
  clearProgressLocked();
  out_ << line << '\n';
  out_.flush();
}

void Console::printError(std::string_view line) {
  std::lock_guard lock(mutex_);
  clearProgressLocked();
  err_ << line << '\n';
  err_.flush();
}

void Console::showProgress(std::string_view line) {
  if (!showProgress_) return;
  std::lock_guard lock(mutex_);
  // Standard output may share the terminal; flush it so its lines come first.
  out_.flush();
  err_ << kEraseLine << line;
  err_.flush();
  progressVisible_ = true;
}

void Console::clearProgress() {
  std::lock_guard lock(mutex_);
  clearProgressLocked();
}

void Console::clearProgressLocked() {
  if (!progressVisible_) return;
  err_ << kEraseLine;
  err_.flush();
  progressVisible_ = false;
}

}  // namespace odscan::scanner
