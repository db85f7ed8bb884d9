// The POSIX platform layer: opening read-only, file IDs, listing folders and the
// classified errors the engine turns into skip reasons.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "odscan/platform/directory_reader.h"
#include "odscan/platform/file_info.h"
#include "odscan/platform/read_only_file.h"
#include "odscan/platform/system.h"
#include "posix_error.h"

namespace odscan::platform {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (tempDirectory() / "odscan-platform-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }

  std::string write(const std::string& name, const std::string& contents) {
    const std::filesystem::path file = root_ / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
  }

  std::filesystem::path root_;
};

TEST_F(FileSystemTest, OpenedFileReportsSizeAndContents) {
  const std::string path = write("data.bin", "0123456789");

  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto info = file->info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type, FileType::kRegular);
  EXPECT_EQ(info->size, 10u);

  std::uint8_t buffer[16] = {};
  auto count = file->read(buffer);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 10u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), 10), "0123456789");
  auto end = file->read(buffer);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 0u);
}

TEST_F(FileSystemTest, SeekMovesReadPosition) {
  const std::string path = write("data.bin", "abcdef");
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok());

  auto position = file->seek(-2, SeekOrigin::kEnd);
  std::uint8_t buffer[4] = {};
  auto count = file->read(buffer);

  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, 4u);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), *count), "ef");
}

TEST_F(FileSystemTest, OpenDoesNotCreateOrChangeFile) {
  const std::string path = write("data.bin", "unchanged");
  const auto before = std::filesystem::last_write_time(path);

  {
    auto file = ReadOnlyFile::open(path, false);
    ASSERT_TRUE(file.ok());
  }

  EXPECT_EQ(std::filesystem::last_write_time(path), before);
  EXPECT_EQ(std::filesystem::file_size(path), 9u);
}

TEST_F(FileSystemTest, FileIdMatchesStatPath) {
  const std::string path = write("data.bin", "x");
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok());

  auto fromHandle = file->info();
  auto fromPath = statPath(path, false);

  ASSERT_TRUE(fromHandle.ok());
  ASSERT_TRUE(fromPath.ok());
  EXPECT_EQ(fromHandle->id, fromPath->id);
}

TEST_F(FileSystemTest, SymlinkIsRejectedUnlessFollowed) {
  const std::string target = write("target.bin", "behind");
  const std::string link = (root_ / "link.bin").string();
  std::filesystem::create_symlink(target, link);

  auto rejected = ReadOnlyFile::open(link, false);
  auto followed = ReadOnlyFile::open(link, true);

  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().kind, IoErrorKind::kSymlink);
  EXPECT_TRUE(followed.ok());
}

TEST_F(FileSystemTest, StatPathDescribesLinkOrTarget) {
  const std::string target = write("target.bin", "behind");
  const std::string link = (root_ / "link.bin").string();
  std::filesystem::create_symlink(target, link);

  auto itself = statPath(link, false);
  auto resolved = statPath(link, true);

  ASSERT_TRUE(itself.ok());
  EXPECT_EQ(itself->type, FileType::kSymlink);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->type, FileType::kRegular);
}

TEST_F(FileSystemTest, FifoOpensWithoutBlockingAndIsSpecial) {
  const std::string fifo = (root_ / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);

  auto file = ReadOnlyFile::open(fifo, false);

  ASSERT_TRUE(file.ok());
  auto info = file->info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type, FileType::kSpecial);
}

TEST_F(FileSystemTest, DirectoryListingHasTypesAndNoDots) {
  write("file.bin", "x");
  std::filesystem::create_directory(root_ / "sub");
  std::filesystem::create_symlink("file.bin", root_ / "link");

  auto reader = DirectoryReader::open(root_.string(), false);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  std::map<std::string, FileType> entries;
  while (true) {
    auto entry = reader->next();
    ASSERT_TRUE(entry.ok());
    if (!entry->has_value()) break;
    FileType type = (*entry)->type;
    if (type == FileType::kUnknown)
      type = reader->statEntry(std::string((*entry)->name), false)->type;
    entries[std::string((*entry)->name)] = type;
  }

  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries["file.bin"], FileType::kRegular);
  EXPECT_EQ(entries["sub"], FileType::kDirectory);
  EXPECT_EQ(entries["link"], FileType::kSymlink);
}

TEST_F(FileSystemTest, DirectoryIdMatchesStatPath) {
  auto reader = DirectoryReader::open(root_.string(), false);
  auto info = statPath(root_.string(), false);

  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(reader->id(), info->id);
}

// --- error paths ---------------------------------------------------------------

TEST_F(FileSystemTest, MissingFileIsNotFound) {
  auto file = ReadOnlyFile::open((root_ / "missing").string(), false);

  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, IoErrorKind::kNotFound);
  EXPECT_NE(file.error().message.find("missing"), std::string::npos) << file.error().message;
}

TEST_F(FileSystemTest, FileAsFolderIsNotFound) {
  const std::string path = write("plain", "x");

  auto reader = DirectoryReader::open(path, false);

  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().kind, IoErrorKind::kNotFound);
}

TEST_F(FileSystemTest, FolderSymlinkIsRejectedUnlessFollowed) {
  std::filesystem::create_directory(root_ / "real");
  std::filesystem::create_directory_symlink(root_ / "real", root_ / "alias");

  auto rejected = DirectoryReader::open((root_ / "alias").string(), false);
  auto followed = DirectoryReader::open((root_ / "alias").string(), true);

  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().kind, IoErrorKind::kSymlink);
  EXPECT_TRUE(followed.ok());
}

TEST(PosixErrorTest, ErrnoValuesAreClassified) {
  EXPECT_EQ(errorFromErrno(EACCES, "open", "x").kind, IoErrorKind::kAccessDenied);
  EXPECT_EQ(errorFromErrno(EPERM, "open", "x").kind, IoErrorKind::kAccessDenied);
  EXPECT_EQ(errorFromErrno(ENOENT, "open", "x").kind, IoErrorKind::kNotFound);
  EXPECT_EQ(errorFromErrno(ENOTDIR, "open", "x").kind, IoErrorKind::kNotFound);
  EXPECT_EQ(errorFromErrno(EWOULDBLOCK, "open", "x").kind, IoErrorKind::kLocked);
  EXPECT_EQ(errorFromErrno(ETXTBSY, "open", "x").kind, IoErrorKind::kLocked);
  EXPECT_EQ(errorFromErrno(EIO, "open", "x").kind, IoErrorKind::kIoError);
}

TEST(PosixErrorTest, MessageNamesOperationPathAndCause) {
  const IoError error = errorFromErrno(EACCES, "cannot open", "/data/file");

  EXPECT_EQ(error.systemCode, EACCES);
  EXPECT_EQ(error.message, "cannot open '/data/file': Permission denied");
}

}  // namespace
}  // namespace odscan::platform
