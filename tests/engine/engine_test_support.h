// Helpers for the scan engine tests: a temporary folder, a sink that collects
// everything, patterns built in memory, and archives written with libarchive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/digest.h"
#include "odscan/engine/scan_engine.h"
#include "odscan/engine/scan_sink.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/signature.h"

namespace odscan::testing {

// A fresh folder under the temporary directory, removed (with its permissions
// restored first) when the object goes away.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to `relative` (creating parent folders) and returns its path.
  std::filesystem::path write(const std::string& relative, std::string_view contents) const;
  std::filesystem::path makeFolder(const std::string& relative) const;

 private:
  std::filesystem::path path_;
};

// Collects results and events from any thread.
class CollectingSink : public ScanSink {
 public:
  void onResult(const ScanResult& result) override;
  void onEvent(const ScanEvent& event) override;

  std::vector<ScanResult> results() const;
  std::vector<ScanEvent> events() const;
  // Returns the first result whose display path is `path`, or nullptr.
  const ScanResult* find(std::string_view path) const;
  std::size_t countOf(std::string_view path) const;
  std::size_t countEvents(ScanEvent::Kind kind) const;

 private:
  mutable std::mutex mutex_;
  std::vector<ScanResult> results_;
  std::vector<ScanEvent> events_;
};

std::span<const std::uint8_t> bytesOf(std::string_view text);
Digest digestOf(DigestKind kind, std::string_view data);
Signature signatureOf(DigestKind kind, std::string_view data, std::string threatName,
                      std::uint64_t size = kAnySize);
std::shared_ptr<const AgentPattern> makePattern(std::vector<Signature> exact,
                                                std::vector<Digest> filterKeys = {});

// A pattern that needs all three digest kinds, with one unrelated key per kind.
std::shared_ptr<const AgentPattern> makeAllKindsPattern(std::vector<Signature> exact);

// Runs one scan of `roots` and returns its summary.
ScanSummary runScan(std::shared_ptr<const AgentPattern> pattern, ScanOptions options,
                    const std::vector<std::filesystem::path>& roots, CollectingSink& sink);

// The path string the engine reports for a file on disk.
std::string displayPath(const std::filesystem::path& path);

// Bytes that the quick profile and the content sniffing see as a PE executable.
std::string fakeExecutable(std::string_view tag);

struct ArchiveMember {
  std::string name;
  std::string data;
  std::uint64_t zeroBytes = 0;  // when set, the member is this many zero bytes instead
};

// Writes an archive in memory with libarchive: `format` is an ARCHIVE_FORMAT_*
// code, `filter` an ARCHIVE_FILTER_* code, `options` libarchive writer options.
std::string makeArchive(int format, int filter, const std::vector<ArchiveMember>& members,
                        const char* options = nullptr);

// Writes a Microsoft cabinet with one uncompressed folder; libarchive cannot
// write that format.
std::string makeStoredCab(const std::vector<ArchiveMember>& members);

}  // namespace odscan::testing
