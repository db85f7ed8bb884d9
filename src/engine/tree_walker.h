// TreeWalker: lists the folders under the scan roots on the calling thread and
// hands every regular file to the workers, in batches. It applies exclusions,
// decides what to do with symbolic links, skips devices, FIFOs and sockets without
// opening them, and detects directory loops by file ID.
//
// Thread safety: one thread; it reports through the (thread-safe) sink.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "file_scanner.h"
#include "odscan/platform/directory_reader.h"
#include "odscan/platform/file_info.h"
#include "scan_context.h"
#include "work_queue.h"

namespace odscan::engine {

class TreeWalker {
 public:
  // Files go to `queue`, or straight to `inlineScanner` when it is set (used when
  // no worker thread could be started).
  TreeWalker(const ScanContext& context, ScanCounters& counters, WorkQueue& queue,
             FileScanner* inlineScanner);

  void walk(const std::vector<std::filesystem::path>& roots);

 private:
  struct PendingFolder {
    std::string path;
    bool followSymlink = false;
  };

  void walkRoot(const std::filesystem::path& root);
  void walkTree(std::string root);
  void listFolder(const PendingFolder& folder);
  void addEntry(const std::string& folder, const platform::DirectoryEntry& entry,
                const platform::DirectoryReader& reader);
  void addFile(std::string path, bool followSymlink);
  void flush();

  bool isExcludedPath(const std::string& path) const;
  bool hasExcludedExtension(std::string_view name) const;
  void reportNotScanned(const std::string& path, SkipReason reason, std::string detail);

  const ScanContext& context_;
  ScanCounters& counters_;
  ResultReporter reporter_;
  WorkQueue& queue_;
  FileScanner* inlineScanner_;
  std::unordered_set<std::string> excludedPaths_;
  std::vector<std::string> excludedExtensions_;  // lower case, with the leading dot
  std::unordered_set<platform::FileId, platform::FileIdHash> visitedFolders_;
  std::vector<PendingFolder> pendingFolders_;  // a stack: depth first
  std::vector<WorkItem> batch_;
};

}  // namespace odscan::engine
