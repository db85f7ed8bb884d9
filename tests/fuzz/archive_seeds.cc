#include "archive_seeds.h"

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "archive_fuzz_members.h"

namespace odscan::fuzz {
namespace {

namespace fs = std::filesystem;

struct SeedMember {
  std::string name;
  std::string data;
  unsigned fileType = AE_IFREG;
  std::string linkTarget;  // for AE_IFLNK
};

// How to write one seed archive: a format, compression filters applied in order,
// libarchive writer options, and a passphrase when the options turn on encryption.
struct SeedFormat {
  int (*setFormat)(archive*) = archive_write_set_format_zip;
  std::vector<int> filters;
  const char* options = nullptr;
  const char* passphrase = nullptr;
};

struct ArchiveWriterDeleter {
  void operator()(archive* writer) const { archive_write_free(writer); }
};
using ArchiveWriter = std::unique_ptr<archive, ArchiveWriterDeleter>;

la_ssize_t appendToString(archive*, void* output, const void* data, size_t size) {
  static_cast<std::string*>(output)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

bool writeMember(archive* writer, const SeedMember& member) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      archive_entry_free);
  archive_entry_set_pathname(entry.get(), member.name.c_str());
  archive_entry_set_filetype(entry.get(), member.fileType);
  archive_entry_set_perm(entry.get(), member.fileType == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_mtime(entry.get(), 1700000000, 0);
  if (member.fileType == AE_IFLNK) {
    archive_entry_set_symlink(entry.get(), member.linkTarget.c_str());
  }
  // cpio needs a size on every entry, folders and links included.
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(member.data.size()));

  if (archive_write_header(writer, entry.get()) < ARCHIVE_WARN) return false;
  if (!member.data.empty() &&
      archive_write_data(writer, member.data.data(), member.data.size()) < 0) {
    return false;
  }
  return archive_write_finish_entry(writer) >= ARCHIVE_WARN;
}

// Returns the archive, or nothing after printing libarchive's error.
std::optional<std::string> writeArchive(const SeedFormat& format,
                                        const std::vector<SeedMember>& members) {
  std::string output;
  ArchiveWriter writer(archive_write_new());
  if (writer == nullptr) return std::nullopt;

  // A filter that libarchive would run as an outside program returns ARCHIVE_WARN,
  // and seeds are written without starting programs.
  bool ok = format.setFormat(writer.get()) == ARCHIVE_OK;
  for (const int filter : format.filters) {
    ok = ok && archive_write_add_filter(writer.get(), filter) == ARCHIVE_OK;
  }
  if (ok && format.options != nullptr) {
    ok = archive_write_set_options(writer.get(), format.options) == ARCHIVE_OK;
  }
  if (ok && format.passphrase != nullptr) {
    ok = archive_write_set_passphrase(writer.get(), format.passphrase) == ARCHIVE_OK;
  }
  ok = ok && archive_write_set_bytes_in_last_block(writer.get(), 1) == ARCHIVE_OK;
  ok = ok &&
       archive_write_open(writer.get(), &output, nullptr, appendToString, nullptr) == ARCHIVE_OK;
  for (const SeedMember& member : members) ok = ok && writeMember(writer.get(), member);
  ok = ok && archive_write_close(writer.get()) == ARCHIVE_OK;

  if (!ok) {
    const char* error = archive_error_string(writer.get());
    std::cerr << "libarchive cannot write a seed archive: "
              << (error != nullptr ? error : "unknown error") << "\n";
    return std::nullopt;
  }
  return output;
}

std::vector<SeedMember> commonMembers() {
  return {
      {"docs/", "", AE_IFDIR, ""},
      {"docs/readme.txt", "a clean text member\n", AE_IFREG, ""},
      {"bin/tool.exe", std::string(kThreatMember), AE_IFREG, ""},
      {"data/lookup.bin", std::string(kQueryMember), AE_IFREG, ""},
      {"scripts/start.ps1", "Write-Output 'clean'\n", AE_IFREG, ""},
  };
}

std::vector<SeedMember> untrustedNames() {
  return {
      {"../x", std::string(kThreatMember), AE_IFREG, ""},
      {"../../etc/x", "parent folders\n", AE_IFREG, ""},
      {"/absolute/x", "absolute path\n", AE_IFREG, ""},
      {"a/../../x", "dot-dot inside\n", AE_IFREG, ""},
      {"escape\x1b[31m\rname\n.txt", "control characters\n", AE_IFREG, ""},
      {"invalid-\xff\xfe-utf8.txt", "not UTF-8\n", AE_IFREG, ""},
      {"link", "", AE_IFLNK, "../../etc/passwd"},
  };
}

// A member larger than the fuzzer's 1 MiB member limit, placed before a threat so
// the scan must get past it.
std::vector<SeedMember> oversizedMembers() {
  return {
      {"zeros.bin", std::string(2u << 20, '\0'), AE_IFREG, ""},
      {"after.exe", std::string(kThreatMember), AE_IFREG, ""},
  };
}

// More members than the fuzzer's limit of 64.
std::vector<SeedMember> manyMembers() {
  std::vector<SeedMember> members;
  for (int i = 0; i < 70; ++i) {
    members.push_back({"m" + std::to_string(i), "member " + std::to_string(i), AE_IFREG, ""});
  }
  return members;
}

struct Seed {
  std::string fileName;
  SeedFormat format;
  std::vector<SeedMember> members;
  bool optional = false;  // libarchive may be built without the filter
};

std::vector<Seed> plainSeeds() {
  const SeedMember threatExe{"threat.exe", std::string(kThreatMember), AE_IFREG, ""};
  return {
      {"members.zip", {archive_write_set_format_zip, {}, nullptr, nullptr}, commonMembers()},
      {"stored.zip",
       {archive_write_set_format_zip, {}, "zip:compression=store", nullptr},
       commonMembers()},
      {"encrypted.zip",
       {archive_write_set_format_zip, {}, "zip:encryption=zipcrypt", "fuzz-password"},
       commonMembers()},
      {"empty.zip", {archive_write_set_format_zip, {}, nullptr, nullptr}, {}},
      {"members.tar", {archive_write_set_format_ustar, {}, nullptr, nullptr}, commonMembers()},
      {"members.tar.gz",
       {archive_write_set_format_gnutar, {ARCHIVE_FILTER_GZIP}, nullptr, nullptr},
       commonMembers()},
      {"members.tar.bz2",
       {archive_write_set_format_pax_restricted, {ARCHIVE_FILTER_BZIP2}, nullptr, nullptr},
       commonMembers()},
      {"members.tar.zst",
       {archive_write_set_format_pax_restricted, {ARCHIVE_FILTER_ZSTD}, nullptr, nullptr},
       commonMembers(),
       true},
      {"members.7z", {archive_write_set_format_7zip, {}, nullptr, nullptr}, commonMembers()},
      {"stored.7z",
       {archive_write_set_format_7zip, {}, "7zip:compression=store", nullptr},
       commonMembers()},
      {"members.cpio", {archive_write_set_format_cpio_newc, {}, nullptr, nullptr}, commonMembers()},
      {"odc.cpio", {archive_write_set_format_cpio_odc, {}, nullptr, nullptr}, commonMembers()},
      {"members.cpio.xz",
       {archive_write_set_format_cpio_newc, {ARCHIVE_FILTER_XZ}, nullptr, nullptr},
       commonMembers()},
      {"members.a", {archive_write_set_format_ar_svr4, {}, nullptr, nullptr}, {threatExe}},
      {"members.warc", {archive_write_set_format_warc, {}, nullptr, nullptr}, {threatExe}},
      {"threat.exe.gz",
       {archive_write_set_format_raw, {ARCHIVE_FILTER_GZIP}, nullptr, nullptr},
       {threatExe}},
      {"threat.exe.bz2",
       {archive_write_set_format_raw, {ARCHIVE_FILTER_BZIP2}, nullptr, nullptr},
       {threatExe}},
      {"threat.exe.xz",
       {archive_write_set_format_raw, {ARCHIVE_FILTER_XZ}, nullptr, nullptr},
       {threatExe}},
      {"threat.exe.lzma",
       {archive_write_set_format_raw, {ARCHIVE_FILTER_LZMA}, nullptr, nullptr},
       {threatExe}},
      {"threat.exe.Z",
       {archive_write_set_format_raw, {ARCHIVE_FILTER_COMPRESS}, nullptr, nullptr},
       {threatExe}},
      {"threat.exe.lz4",
       {archive_write_set_format_raw, {ARCHIVE_FILTER_LZ4}, nullptr, nullptr},
       {threatExe},
       true},
      {"traversal.tar",
       {archive_write_set_format_pax_restricted, {}, nullptr, nullptr},
       untrustedNames()},
      {"traversal.zip", {archive_write_set_format_zip, {}, nullptr, nullptr}, untrustedNames()},
      {"oversized.tar.gz",
       {archive_write_set_format_ustar, {ARCHIVE_FILTER_GZIP}, nullptr, nullptr},
       oversizedMembers()},
      {"oversized.zip", {archive_write_set_format_zip, {}, nullptr, nullptr}, oversizedMembers()},
      {"many.cpio.gz",
       {archive_write_set_format_cpio_newc, {ARCHIVE_FILTER_GZIP}, nullptr, nullptr},
       manyMembers()},
  };
}

bool writeSeedFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.good()) std::cerr << "cannot write the seed file " << path << "\n";
  return out.good();
}

// Writes a zip inside a tar.gz, and zips nested one level deeper than the
// fuzzer's depth limit of 4.
bool writeNestedSeeds(const fs::path& folder) {
  const SeedFormat zip{archive_write_set_format_zip, {}, nullptr, nullptr};
  auto inner = writeArchive(zip, commonMembers());
  if (!inner) return false;
  auto nested = writeArchive(
      {archive_write_set_format_ustar, {ARCHIVE_FILTER_GZIP}, nullptr, nullptr},
      {{"readme.txt", "outer member\n", AE_IFREG, ""}, {"inner.zip", *inner, AE_IFREG, ""}});
  if (!nested || !writeSeedFile(folder / "nested.tar.gz", *nested)) return false;

  std::string deep(kThreatMember);
  std::string deepName = "threat.exe";
  for (int level = 1; level <= 5; ++level) {
    auto wrapped = writeArchive(zip, {{deepName, deep, AE_IFREG, ""}});
    if (!wrapped) return false;
    deep = std::move(*wrapped);
    deepName = "level" + std::to_string(level) + ".zip";
  }
  return writeSeedFile(folder / "deep.zip", deep);
}

// Writes each seed whose file name `wanted` accepts.
template <typename Filter>
bool writeSeeds(const fs::path& folder, const std::vector<Seed>& seeds, Filter wanted) {
  bool ok = true;
  for (const Seed& seed : seeds) {
    if (!wanted(seed.fileName)) continue;
    auto bytes = writeArchive(seed.format, seed.members);
    if (!bytes) {
      std::cerr << "  while writing " << seed.fileName
                << (seed.optional ? "; left out of the seed corpus\n" : "\n");
      ok = ok && seed.optional;
      continue;
    }
    ok = writeSeedFile(folder / seed.fileName, *bytes) && ok;
  }
  return ok;
}

}  // namespace

bool writeArchiveSeeds(const fs::path& folder) {
  const bool ok = writeSeeds(folder, plainSeeds(), [](const std::string&) { return true; });
  return writeNestedSeeds(folder) && ok;
}

bool writeZipReaderSeeds(const fs::path& folder) {
  std::vector<Seed> seeds = plainSeeds();
  seeds.push_back({"zip64.zip",
                   {archive_write_set_format_zip, {}, "zip:zip64", nullptr},
                   commonMembers(),
                   true});
  const bool ok = writeSeeds(folder, seeds, [](const std::string& name) {
    return name.ends_with(".zip") || name.ends_with(".gz");
  });
  return writeNestedSeeds(folder) && ok;
}

}  // namespace odscan::fuzz
