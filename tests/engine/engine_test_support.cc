#include "engine_test_support.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <system_error>

#include "odscan/common/hasher.h"
#include "odscan/platform/system.h"

namespace odscan::testing {

#ifdef _WIN32
// MinGW has no mkdtemp(). create_directory() fails on an existing name, so a
// random name that it creates belongs to this object alone.
TempFolder::TempFolder() {
  std::random_device seed;
  std::mt19937_64 random(seed());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto candidate =
        platform::tempDirectory() / ("odscan-engine-test-" + std::to_string(random()));
    std::error_code error;
    if (std::filesystem::create_directory(candidate, error)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a folder in " + platform::tempDirectory().string());
}
#else
TempFolder::TempFolder() {
  std::string pattern = (platform::tempDirectory() / "odscan-engine-test-XXXXXX").string();
  const char* created = ::mkdtemp(pattern.data());
  if (created == nullptr) throw std::runtime_error("cannot create a folder from " + pattern);
  path_ = created;
}
#endif

TempFolder::~TempFolder() {
  std::error_code error;
  // Tests lock files and folders with chmod; give the owner access back first.
  for (auto it = std::filesystem::recursive_directory_iterator(
           path_, std::filesystem::directory_options::skip_permission_denied, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_symlink()) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, error);
    }
  }
  std::filesystem::remove_all(path_, error);
}

std::filesystem::path TempFolder::write(const std::string& relative,
                                        std::string_view contents) const {
  const std::filesystem::path file = path_ / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  return file;
}

std::filesystem::path TempFolder::makeFolder(const std::string& relative) const {
  const std::filesystem::path folder = path_ / relative;
  std::filesystem::create_directories(folder);
  return folder;
}

void CollectingSink::onResult(const ScanResult& result) {
  std::lock_guard lock(mutex_);
  results_.push_back(result);
}

void CollectingSink::onEvent(const ScanEvent& event) {
  std::lock_guard lock(mutex_);
  events_.push_back(event);
}

std::vector<ScanResult> CollectingSink::results() const {
  std::lock_guard lock(mutex_);
  return results_;
}

std::vector<ScanEvent> CollectingSink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

const ScanResult* CollectingSink::find(std::string_view path) const {
  std::lock_guard lock(mutex_);
  for (const ScanResult& result : results_) {
    if (result.path == path) return &result;
  }
  return nullptr;
}

std::size_t CollectingSink::countOf(std::string_view path) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(
      results_.begin(), results_.end(), [path](const ScanResult& r) { return r.path == path; }));
}

std::size_t CollectingSink::countEvents(ScanEvent::Kind kind) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(
      events_.begin(), events_.end(), [kind](const ScanEvent& e) { return e.kind == kind; }));
}

std::span<const std::uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Digest digestOf(DigestKind kind, std::string_view data) {
  return MultiHasher::digestOf(kind, bytesOf(data));
}

Signature signatureOf(DigestKind kind, std::string_view data, std::string threatName,
                      std::uint64_t size) {
  return Signature{digestOf(kind, data), size, std::move(threatName)};
}

std::shared_ptr<const AgentPattern> makePattern(std::vector<Signature> exact,
                                                std::vector<Digest> filterKeys) {
  auto built = AgentPattern::build(std::move(exact), filterKeys, 1);
  if (!built.ok()) throw std::runtime_error("cannot build a pattern: " + built.status().toString());
  return std::make_shared<const AgentPattern>(std::move(built).value());
}

std::shared_ptr<const AgentPattern> makeAllKindsPattern(std::vector<Signature> exact) {
  std::vector<Digest> keys = {digestOf(DigestKind::kMd5, "unrelated key"),
                              digestOf(DigestKind::kSha1, "unrelated key"),
                              digestOf(DigestKind::kSha256, "unrelated key")};
  return makePattern(std::move(exact), std::move(keys));
}

ScanSummary runScan(std::shared_ptr<const AgentPattern> pattern, ScanOptions options,
                    const std::vector<std::filesystem::path>& roots, CollectingSink& sink) {
  ScanEngine engine(std::move(pattern), std::move(options));
  return engine.scan(roots, sink);
}

std::string displayPath(const std::filesystem::path& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

std::string fakeExecutable(std::string_view tag) {
  std::string data = "MZ";
  data += std::string(62, '\0');
  data += "PE test body: ";
  data += tag;
  return data;
}

namespace {

la_ssize_t appendToString(archive*, void* data, const void* buffer, size_t length) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

void writeMember(archive* writer, const ArchiveMember& member) {
  const std::uint64_t size = member.zeroBytes != 0 ? member.zeroBytes : member.data.size();
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, member.name.c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_size(entry, static_cast<la_int64_t>(size));
  if (archive_write_header(writer, entry) != ARCHIVE_OK) {
    ADD_FAILURE() << "archive_write_header: " << archive_error_string(writer);
  }
  if (member.zeroBytes == 0) {
    archive_write_data(writer, member.data.data(), member.data.size());
  } else {
    const std::string zeros(1 << 20, '\0');
    for (std::uint64_t left = size; left > 0;) {
      const std::size_t count =
          static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
      archive_write_data(writer, zeros.data(), count);
      left -= count;
    }
  }
  archive_entry_free(entry);
}

void putLe16(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}

void putLe32(std::string& out, std::uint32_t value) {
  putLe16(out, value & 0xFFFF);
  putLe16(out, value >> 16);
}

}  // namespace

std::string makeArchive(int format, int filter, const std::vector<ArchiveMember>& members,
                        const char* options) {
  std::string out;
  archive* writer = archive_write_new();
  archive_write_set_format(writer, format);
  archive_write_add_filter(writer, filter);
  if (options != nullptr && archive_write_set_options(writer, options) != ARCHIVE_OK) {
    ADD_FAILURE() << "archive_write_set_options: " << archive_error_string(writer);
  }
  // Used only when `options` turn encryption on.
  archive_write_set_passphrase(writer, "test-password");
  archive_write_set_bytes_in_last_block(writer, 1);
  if (archive_write_open(writer, &out, nullptr, appendToString, nullptr) != ARCHIVE_OK) {
    ADD_FAILURE() << "archive_write_open: " << archive_error_string(writer);
  }
  for (const ArchiveMember& member : members) writeMember(writer, member);
  archive_write_close(writer);
  archive_write_free(writer);
  return out;
}

std::string makeStoredCab(const std::vector<ArchiveMember>& members) {
  constexpr std::uint32_t kHeaderSize = 36;
  constexpr std::uint32_t kFolderSize = 8;
  std::string files;
  std::string data;
  for (const ArchiveMember& member : members) {
    putLe32(files, static_cast<std::uint32_t>(member.data.size()));
    putLe32(files, static_cast<std::uint32_t>(data.size()));  // offset in the folder
    putLe16(files, 0);                                        // folder index
    putLe16(files, 0x5A21);                                   // date
    putLe16(files, 0);                                        // time
    putLe16(files, 0x20);                                     // "archive" attribute
    files += member.name;
    files.push_back('\0');
    data += member.data;
  }
  const auto filesOffset = kHeaderSize + kFolderSize;
  const auto dataOffset = static_cast<std::uint32_t>(filesOffset + files.size());
  const auto total = static_cast<std::uint32_t>(dataOffset + 8 + data.size());

  std::string cab = "MSCF";
  putLe32(cab, 0);
  putLe32(cab, total);
  putLe32(cab, 0);
  putLe32(cab, filesOffset);
  putLe32(cab, 0);
  cab.push_back(3);  // version 1.3
  cab.push_back(1);
  putLe16(cab, 1);  // folders
  putLe16(cab, static_cast<std::uint32_t>(members.size()));
  putLe16(cab, 0);  // flags
  putLe16(cab, 0);  // set ID
  putLe16(cab, 0);  // cabinet number
  putLe32(cab, dataOffset);
  putLe16(cab, 1);  // data blocks
  putLe16(cab, 0);  // no compression
  cab += files;
  putLe32(cab, 0);  // no checksum
  putLe16(cab, static_cast<std::uint32_t>(data.size()));
  putLe16(cab, static_cast<std::uint32_t>(data.size()));
  cab += data;
  return cab;
}

}  // namespace odscan::testing
