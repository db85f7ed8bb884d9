#include "odscan/scanner/event_line_reader.h"

#include <array>
#include <fstream>
#include <system_error>

#include "odscan/platform/utf8_path.h"

namespace odscan::scanner {

Result<EventLineBatch> EventLineReader::read(std::uint64_t firstLine, std::size_t maxLines,
                                             std::size_t maxBytes) {
  EventLineBatch batch;
  batch.firstLine = firstLine;
  std::error_code error;
  if (maxLines == 0 || !std::filesystem::exists(file_, error)) return batch;

  std::ifstream stream(file_, std::ios::binary);
  if (!stream) {
    return Status(StatusCode::kIoError, "cannot read the event log '" + platform::toUtf8(file_) +
                                            "'; check the permissions of its session folder");
  }
  if (firstLine < knownLine_) {
    knownLine_ = 0;
    knownOffset_ = 0;
  }
  stream.seekg(static_cast<std::streamoff>(knownOffset_));

  // `lineNumber` and `lineStart` describe the line being walked; its bytes are
  // collected in `line` only from firstLine on.
  std::uint64_t lineNumber = knownLine_;
  std::uint64_t lineStart = knownOffset_;
  std::uint64_t chunkStart = knownOffset_;
  std::string line;
  std::array<char, 64 * 1024> buffer{};
  bool full = false;
  while (!full && stream) {
    stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::size_t count = static_cast<std::size_t>(stream.gcount());
    for (std::size_t i = 0; i < count; ++i) {
      const bool collecting = lineNumber >= firstLine;
      if (buffer[i] != '\n') {
        if (collecting) line.push_back(buffer[i]);
        continue;
      }
      if (collecting) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!batch.lines.empty() && batch.bytes + line.size() > maxBytes) {
          full = true;
          break;
        }
        batch.bytes += line.size();
        batch.lines.push_back(std::move(line));
        line.clear();
      }
      ++lineNumber;
      lineStart = chunkStart + i + 1;
      if (batch.lines.size() >= maxLines) {
        full = true;
        break;
      }
    }
    chunkStart += count;
  }

  knownLine_ = lineNumber;
  knownOffset_ = lineStart;
  return batch;
}

}  // namespace odscan::scanner
