// ScanSink: how the engine reports. The engine never logs; the program that owns
// the sink decides what to print, log and store.
//
// Order: the results of one file on disk (its archive members at every depth, then
// the file itself, depth 0) arrive from one thread, one after another, with no
// result of another file in between on that thread. A sink may therefore collect a
// file's results per thread until the depth-0 result closes the file.
//
// Thread safety: the engine calls onResult() and onEvent() from its worker threads,
// possibly at the same time, so implementations must synchronize themselves.
#pragma once

#include "odscan/engine/scan_result.h"

namespace odscan {

class ScanSink {
 public:
  virtual ~ScanSink() = default;

  // Called once for every scanned object, clean ones included.
  virtual void onResult(const ScanResult& result) = 0;

  virtual void onEvent(const ScanEvent& event) { (void)event; }
};

}  // namespace odscan
