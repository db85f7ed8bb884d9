// Console: the scanner's terminal output. Result lines and the summary go to
// standard output; errors and the progress line go to standard error. The progress
// line is redrawn in place with a carriage return, and it is cleared before any
// other line is printed, so the two never interleave on one terminal line.
//
// Ownership: refers to the streams it is given; they must outlive it.
// Thread safety: every method may be called from many threads at once.
#pragma once

#include <mutex>
#include <ostream>
#include <string_view>

namespace odscan::scanner {

class Console {
 public:
  // `showProgress` enables the progress line. Callers set it only when standard
  // error is a terminal, because a redrawn line is noise in a file or a pipe.
  Console(std::ostream& out, std::ostream& err, bool showProgress)
      : out_(out), err_(err), showProgress_(showProgress) {}

  bool showsProgress() const { return showProgress_; }

  // Prints one line (a newline is appended) to standard output.
  void printLine(std::string_view line);
  // Prints one line to standard error.
  void printError(std::string_view line);
  // Replaces the progress line when showsProgress() is true.
  void showProgress(std::string_view line);
  // Removes the progress line, for the end of the scan.
  void clearProgress();

 private:
  void clearProgressLocked();

  std::mutex mutex_;
  std::ostream& out_;
  std::ostream& err_;
  const bool showProgress_;
  bool progressVisible_ = false;
};

}  // namespace odscan::scanner
