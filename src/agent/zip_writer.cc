#include "odscan/agent/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "odscan/platform/utf8_path.h"

namespace odscan::agent {
namespace {

Status archiveError(archive* writer, const std::filesystem::path& file, std::string_view what) {
  const char* message = writer != nullptr ? archive_error_string(writer) : nullptr;
  return Status(StatusCode::kIoError, "cannot " + std::string(what) + " the archive '" +
                                          platform::toUtf8(file) +
                                          "': " + (message != nullptr ? message : "unknown error"));
}

}  // namespace

ZipWriter::ZipWriter(archive* writer, std::filesystem::path file, std::filesystem::path partial)
    : writer_(writer), file_(std::move(file)), partial_(std::move(partial)) {}

ZipWriter::~ZipWriter() {
  if (writer_ != nullptr) archive_write_free(writer_);
  if (!finished_) {
    std::error_code ignored;
    std::filesystem::remove(partial_, ignored);
  }
}

Result<std::unique_ptr<ZipWriter>> ZipWriter::create(const std::filesystem::path& file) {
  std::filesystem::path partial = file;
  partial += ".partial";
  archive* writer = archive_write_new();
  if (writer == nullptr) return Status(StatusCode::kInternal, "libarchive is out of memory");
  std::unique_ptr<ZipWriter> zip(new ZipWriter(writer, file, partial));
  if (archive_write_set_format_zip(writer) != ARCHIVE_OK) {
    return archiveError(writer, file, "start");
  }
#ifdef _WIN32
  const int opened = archive_write_open_filename_w(writer, partial.c_str());
#else
  const int opened = archive_write_open_filename(writer, partial.c_str());
#endif
  if (opened != ARCHIVE_OK) return archiveError(writer, partial, "create");
  return zip;
}

Status ZipWriter::add(std::string_view name, std::string_view data) {
  archive_entry* entry = archive_entry_new();
  if (entry == nullptr) return Status(StatusCode::kInternal, "libarchive is out of memory");
  archive_entry_set_pathname_utf8(entry, std::string(name).c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0600);
  archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
  archive_entry_set_mtime(entry, std::time(nullptr), 0);
  Status status;
  if (archive_write_header(writer_, entry) != ARCHIVE_OK) {
    status = archiveError(writer_, file_, "add '" + std::string(name) + "' to");
  } else if (!data.empty() && archive_write_data(writer_, data.data(), data.size()) !=
                                  static_cast<la_ssize_t>(data.size())) {
    status = archiveError(writer_, file_, "write '" + std::string(name) + "' into");
  }
  archive_entry_free(entry);
  if (status.ok()) bytesAdded_ += data.size();
  return status;
}

Status ZipWriter::addFile(std::string_view name, const std::filesystem::path& source,
                          std::uint64_t maxBytes) {
  std::ifstream in(source, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kIoError,
                  "cannot open '" + platform::toUtf8(source) + "' to add it to the archive");
  }
  std::string data;
  std::vector<char> chunk(64 * 1024);
  while (data.size() < maxBytes && in) {
    const std::uint64_t wanted = std::min<std::uint64_t>(chunk.size(), maxBytes - data.size());
    in.read(chunk.data(), static_cast<std::streamsize>(wanted));
    data.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    return Status(StatusCode::kIoError,
                  "cannot read '" + platform::toUtf8(source) + "' to add it to the archive");
  }
  const bool cut = data.size() >= maxBytes && in.peek() != std::char_traits<char>::eof();
  if (Status added = add(name, data); !added.ok()) return added;
  if (cut) {
    return add(std::string(name) + ".truncated",
               "only the first " + std::to_string(maxBytes) + " bytes of this file are kept\n");
  }
  return Status::success();
}

Status ZipWriter::finish() {
  if (archive_write_close(writer_) != ARCHIVE_OK) return archiveError(writer_, file_, "complete");
  archive_write_free(writer_);
  writer_ = nullptr;
  std::error_code error;
  std::filesystem::rename(partial_, file_, error);
  if (error) {
    return Status(StatusCode::kIoError, "cannot rename '" + platform::toUtf8(partial_) + "' to '" +
                                            platform::toUtf8(file_) + "': " + error.message());
  }
  finished_ = true;
  return Status::success();
}

}  // namespace odscan::agent
