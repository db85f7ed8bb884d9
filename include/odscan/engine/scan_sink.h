// ScanSink: how the engine reports. The engine never logs; the program that owns
// the sink decides what to print, log and store.
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
