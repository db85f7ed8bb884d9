// EventLineReader: reads the complete lines of a session's events.jsonl from a
// given line number on, for the upload to Threat Mitigator. The file may grow
// while it is read, because the scan keeps writing events. A last line without
// its newline is still being written, so it is never returned.
//
// The reader remembers where the last batch ended, so reading on from there costs
// only the new bytes; a read from an earlier line starts again at the top.
//
// Ownership: opens the file for each read and keeps nothing open between reads,
// so the writer is never blocked.
// Thread safety: one thread per reader.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "odscan/common/status.h"

namespace odscan::scanner {

struct EventLineBatch {
  std::uint64_t firstLine = 0;     // 0-based line number of lines[0]
  std::vector<std::string> lines;  // without their newlines
  std::size_t bytes = 0;           // the lines' length together
};

class EventLineReader {
 public:
  explicit EventLineReader(std::filesystem::path file) : file_(std::move(file)) {}

  // Returns up to `maxLines` complete lines starting at line `firstLine`, and stops
  // before the line that would take the batch over `maxBytes` (a first line longer
  // than that comes alone). The batch is empty when the file has no complete line
  // there yet. A missing file reads as empty; other errors name the file.
  Result<EventLineBatch> read(std::uint64_t firstLine, std::size_t maxLines, std::size_t maxBytes);

 private:
  std::filesystem::path file_;
  // The start of line `knownLine_` in the file.
  std::uint64_t knownLine_ = 0;
  std::uint64_t knownOffset_ = 0;
};

}  // namespace odscan::scanner
