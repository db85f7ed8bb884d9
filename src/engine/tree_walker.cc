#include "tree_walker.h"

#include <algorithm>
#include <cctype>
#include <system_error>
#include <utility>

#include "display_name.h"
#include "odscan/platform/utf8_path.h"

namespace odscan::engine {
namespace {

// Files handed to the queue per lock; small enough that workers start early.
constexpr std::size_t kBatchSize = 64;

bool isSeparator(char c) { return c == '/' || c == '\\'; }

// Returns `path` made absolute and normal (without resolving links) and without a
// trailing separator, as UTF-8: the form that results and exclusions use.
std::string normalPath(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;
  std::string text = platform::toUtf8(absolute.lexically_normal());
  // Keep "/" and "C:\", which are folders only with their separator.
  while (text.size() > 1 && isSeparator(text.back()) && !(text.size() == 3 && text[1] == ':')) {
    text.pop_back();
  }
  return text;
}

std::string joinPath(const std::string& folder, std::string_view name) {
  std::string path;
  path.reserve(folder.size() + 1 + name.size());
  path += folder;
  if (path.empty() || !isSeparator(path.back())) path += platform::kPathSeparator;
  path += name;
  return path;
}

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

TreeWalker::TreeWalker(const ScanContext& context, ScanCounters& counters, WorkQueue& queue,
                       FileScanner* inlineScanner)
    : context_(context),
      counters_(counters),
      reporter_(context.sink, counters),
      queue_(queue),
      inlineScanner_(inlineScanner) {
  for (const std::filesystem::path& path : context.options.excludePaths) {
    excludedPaths_.insert(normalPath(path));
  }
  for (const std::string& extension : context.options.excludeExtensions) {
    if (extension.empty() || extension == ".") continue;
    excludedExtensions_.push_back(
        lowerCase(extension.front() == '.' ? extension : "." + extension));
  }
  batch_.reserve(kBatchSize);
}

void TreeWalker::walk(const std::vector<std::filesystem::path>& roots) {
  for (const std::filesystem::path& root : roots) {
    if (context_.cancelled()) break;
    walkRoot(root);
  }
  flush();
}

void TreeWalker::walkRoot(const std::filesystem::path& root) {
  std::string path = normalPath(root);
  if (isExcludedPath(path)) {
    ++counters_.excluded;
    return;
  }

  // Roots are followed even when links below them are not: the caller named them.
  auto info = platform::statPath(path, true);
  if (!info.ok()) {
    if (info.error().kind == platform::IoErrorKind::kNotFound) {
      reporter_.event(ScanEvent::Kind::kRootNotFound, path, info.error().message);
      reportNotScanned(path, SkipReason::kNotFound, info.error().message);
    } else {
      reportNotScanned(path, skipReasonFor(info.error().kind), info.error().message);
    }
    return;
  }

  switch (info->type) {
    case platform::FileType::kDirectory:
      walkTree(std::move(path));
      break;
    case platform::FileType::kRegular:
      if (hasExcludedExtension(lastPathComponent(path))) {
        ++counters_.excluded;
      } else {
        addFile(std::move(path), true);
      }
      break;
    default:
      ++counters_.specialFiles;
      break;
  }
}

void TreeWalker::walkTree(std::string root) {
  pendingFolders_.push_back(PendingFolder{std::move(root), true});
  while (!pendingFolders_.empty() && !context_.cancelled()) {
    const PendingFolder folder = std::move(pendingFolders_.back());
    pendingFolders_.pop_back();
    listFolder(folder);
  }
  pendingFolders_.clear();
}

void TreeWalker::listFolder(const PendingFolder& folder) {
  auto reader = platform::DirectoryReader::open(folder.path, folder.followSymlink);
  if (!reader.ok()) {
    const platform::IoError& error = reader.error();
    if (error.kind == platform::IoErrorKind::kSymlink) {
      reporter_.event(ScanEvent::Kind::kSymlinkSkipped, folder.path,
                      "the folder was replaced by a symbolic link after it was listed");
    } else {
      reportNotScanned(folder.path, skipReasonFor(error.kind), error.message);
    }
    return;
  }

  if (!visitedFolders_.insert(reader->id()).second) {
    reporter_.event(ScanEvent::Kind::kLoopSkipped, folder.path,
                    "this folder was already scanned under another path (same file ID)");
    return;
  }

  while (!context_.cancelled()) {
    auto entry = reader->next();
    if (!entry.ok()) {
      reportNotScanned(folder.path, skipReasonFor(entry.error().kind),
                       "the listing stopped early: " + entry.error().message);
      break;
    }
    if (!entry->has_value()) break;
    addEntry(folder.path, **entry, *reader);
  }
  // Hand over this folder's files now, so workers do not wait for the next batch.
  flush();
}

void TreeWalker::addEntry(const std::string& folder, const platform::DirectoryEntry& entry,
                          const platform::DirectoryReader& reader) {
  const bool followLinks = context_.options.followSymlinks;
  std::string path = joinPath(folder, entry.name);
  platform::FileType type = entry.type;

  if (type == platform::FileType::kUnknown) {
    auto info = reader.statEntry(std::string(entry.name), false);
    // An entry deleted since the listing is no object any more.
    if (!info.ok() && info.error().kind == platform::IoErrorKind::kNotFound) return;
    if (!info.ok()) {
      reportNotScanned(path, skipReasonFor(info.error().kind), info.error().message);
      return;
    }
    type = info->type;
  }

  if (type == platform::FileType::kSymlink) {
    if (!followLinks) {
      reporter_.event(ScanEvent::Kind::kSymlinkSkipped, path, "symbolic links are not followed");
      return;
    }
    auto target = reader.statEntry(std::string(entry.name), true);
    if (!target.ok()) {
      reporter_.event(ScanEvent::Kind::kSymlinkSkipped, path,
                      "the link target cannot be read: " + target.error().message);
      return;
    }
    type = target->type;
  }

  switch (type) {
    case platform::FileType::kDirectory:
      if (isExcludedPath(path)) {
        ++counters_.excluded;
      } else {
        pendingFolders_.push_back(PendingFolder{std::move(path), followLinks});
      }
      break;
    case platform::FileType::kRegular:
      if (isExcludedPath(path) || hasExcludedExtension(entry.name)) {
        ++counters_.excluded;
      } else {
        addFile(std::move(path), followLinks);
      }
      break;
    default:
      ++counters_.specialFiles;
      break;
  }
}

void TreeWalker::addFile(std::string path, bool followSymlink) {
  if (inlineScanner_ != nullptr) {
    inlineScanner_->scan(WorkItem{std::move(path), followSymlink});
    return;
  }
  batch_.push_back(WorkItem{std::move(path), followSymlink});
  if (batch_.size() >= kBatchSize) flush();
}

void TreeWalker::flush() {
  if (inlineScanner_ == nullptr) queue_.pushBatch(batch_);
}

bool TreeWalker::isExcludedPath(const std::string& path) const {
  return !excludedPaths_.empty() && excludedPaths_.contains(path);
}

bool TreeWalker::hasExcludedExtension(std::string_view name) const {
  for (const std::string& extension : excludedExtensions_) {
    if (name.size() <= extension.size()) continue;
    const std::string_view tail = name.substr(name.size() - extension.size());
    const bool equal = std::equal(tail.begin(), tail.end(), extension.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == b;
    });
    if (equal) return true;
  }
  return false;
}

void TreeWalker::reportNotScanned(const std::string& path, SkipReason reason, std::string detail) {
  ScanResult result;
  appendSanitized(path, result.path);
  result.file = platform::fromUtf8(path);
  result.verdict = Verdict::kNotScanned;
  result.reason = reason;
  result.detail = std::move(detail);
  reporter_.report(result);
}

}  // namespace odscan::engine
