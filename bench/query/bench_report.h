// The report of one load generator run: lines for people, then one `result`
// line of key=value fields for scripts (bench/run-query-bench.sh reads it). The
// keys of the result line are stable; a new figure gets a new key.
//
// Thread safety: free functions without shared state.
#pragma once

#include <cstddef>
#include <ostream>

#include "load_runner.h"
#include "odscan/protocol/query_codec.h"

namespace odscan::bench {

struct ReportSettings {
  std::size_t batchSize = 0;
  std::size_t connections = 0;
  unsigned threads = 0;
  double rate = 0;  // 0 for a closed loop
  double warmupSeconds = 0;
  protocol::BodyFormat format = protocol::BodyFormat::kBinary;
  std::size_t poolRequests = 0;
};

// Writes the report. Sorts the latency samples of `result` for the percentiles.
void writeReport(std::ostream& out, const ReportSettings& settings, LoadResult& result);

}  // namespace odscan::bench
