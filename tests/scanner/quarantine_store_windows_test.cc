// Quarantine and restore on Windows paths: drive letters and backslashes, names
// in Cyrillic, Chinese and with emoji, paths longer than MAX_PATH, read-only
// files, and files that another program keeps open.
#include <gtest/gtest.h>
#include <windows.h>

#include <algorithm>
#include <string>

#include "odscan/platform/utf8_path.h"
#include "odscan/platform/windows_files.h"
#include "odscan/scanner/quarantine_store.h"
#include "test_support.h"
#include "windows_test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::TempFolder;

fs::path utf8Path(const char8_t* text) { return fs::path(std::u8string(text)); }

const fs::path kCyrillicFolder = utf8Path(u8"Документы");
const fs::path kChineseName = utf8Path(u8"发票.exe");
const fs::path kEmojiName = utf8Path(u8"invoice-💰.pdf.exe");

std::string everyByteValue() {
  std::string bytes;
  for (int round = 0; round < 40; ++round) {
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

// Writes `contents` to `path` through the Win32 API, which reaches past MAX_PATH.
void writeWide(const fs::path& path, const std::string& contents) {
  testing::UniqueHandle file(::CreateFileW(platform::extendedLengthPath(path).c_str(),
                                           GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                           FILE_ATTRIBUTE_NORMAL, nullptr));
  ASSERT_NE(file.get(), INVALID_HANDLE_VALUE) << path << ": error " << ::GetLastError();
  DWORD written = 0;
  ASSERT_TRUE(::WriteFile(file.get(), contents.data(), static_cast<DWORD>(contents.size()),
                          &written, nullptr));
}

std::string readWide(const fs::path& path) {
  testing::UniqueHandle file(::CreateFileW(platform::extendedLengthPath(path).c_str(), GENERIC_READ,
                                           FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr));
  if (file.get() == INVALID_HANDLE_VALUE) return "<missing>";
  std::string contents;
  char buffer[4096];
  DWORD count = 0;
  while (::ReadFile(file.get(), buffer, sizeof(buffer), &count, nullptr) && count > 0) {
    contents.append(buffer, count);
  }
  return contents;
}

bool existsWide(const fs::path& path) {
  return ::GetFileAttributesW(platform::extendedLengthPath(path).c_str()) !=
         INVALID_FILE_ATTRIBUTES;
}

bool isReadOnly(const fs::path& path) {
  const DWORD attributes = ::GetFileAttributesW(platform::extendedLengthPath(path).c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_READONLY) != 0;
}

class QuarantineStoreWindowsTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(store_.folder()); }
  // Removes what TempFolder cannot: read-only files and paths longer than MAX_PATH.
  void TearDown() override { testing::removeTree(temp_.path()); }

  QuarantineRequest requestFor(const fs::path& file) {
    QuarantineRequest request;
    request.file = file;
    request.threatName = "Eicar-Test-Signature";
    request.detectionPath = platform::toUtf8(file);
    request.sessionId = "0123abcd";
    return request;
  }

  // Quarantines `file`, restores it to its original path, and returns the entry.
  QuarantineEntry roundTrip(const fs::path& file) {
    Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
    EXPECT_TRUE(entry.ok()) << entry.status().toString();
    if (!entry.ok()) return {};
    EXPECT_FALSE(existsWide(file)) << "the original is still there";

    RestoreRequest restore;
    restore.id = entry->id;
    Result<RestoreOutcome> outcome = store_.restore(restore);
    EXPECT_TRUE(outcome.ok()) << outcome.status().toString();
    return *entry;
  }

  TempFolder temp_;
  QuarantineStore store_{temp_ / "HCEXEC" / "quarantine"};
};

TEST_F(QuarantineStoreWindowsTest, NonAsciiPathsRoundTripByteExact) {
  const fs::path folder = temp_ / kCyrillicFolder;
  fs::create_directories(folder);
  const std::string bytes = everyByteValue();

  for (const fs::path& name : {kChineseName, kEmojiName}) {
    const fs::path file = folder / name;
    writeWide(file, bytes);

    const QuarantineEntry entry = roundTrip(file);

    EXPECT_EQ(entry.originalPath, file);
    EXPECT_EQ(readWide(file), bytes) << file;
  }
}

TEST_F(QuarantineStoreWindowsTest, ListShowsNonAsciiOriginalPath) {
  const fs::path file = temp_ / kEmojiName;
  writeWide(file, "x");
  ASSERT_TRUE(store_.quarantine(requestFor(file)).ok());

  Result<QuarantineListing> listing = store_.list();

  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->entries.size(), 1u);
  EXPECT_EQ(listing->entries[0].originalPath, file);
}

TEST_F(QuarantineStoreWindowsTest, OriginalPathHasDriveLetterAndBackslashes) {
  const std::string bytes = "slashes";
  writeWide(temp_ / "forward.bin", bytes);
  std::wstring forward = (temp_ / "forward.bin").wstring();
  std::replace(forward.begin(), forward.end(), L'\\', L'/');

  const QuarantineEntry entry = roundTrip(fs::path(forward));

  const std::wstring recorded = entry.originalPath.wstring();
  ASSERT_GE(recorded.size(), 3u);
  EXPECT_EQ(recorded[1], L':') << entry.originalPath;
  EXPECT_EQ(recorded.find(L'/'), std::wstring::npos) << entry.originalPath;
  EXPECT_EQ(readWide(temp_ / "forward.bin"), bytes);
}

TEST_F(QuarantineStoreWindowsTest, PathLongerThanMaxPathRoundTrips) {
  fs::path folder = temp_.path();
  while (folder.native().size() < 280) {
    folder /= std::wstring(40, L'q');
    ASSERT_TRUE(::CreateDirectoryW(platform::extendedLengthPath(folder).c_str(), nullptr));
  }
  const fs::path file = folder / kChineseName;
  ASSERT_GT(file.native().size(), static_cast<std::size_t>(MAX_PATH));
  const std::string bytes = everyByteValue();
  writeWide(file, bytes);

  roundTrip(file);

  EXPECT_EQ(readWide(file), bytes);
}

TEST_F(QuarantineStoreWindowsTest, ReadOnlyFileIsRestoredReadOnly) {
  const fs::path file = temp_ / "setup.exe";
  writeWide(file, "read only");
  ASSERT_TRUE(::SetFileAttributesW(file.c_str(), FILE_ATTRIBUTE_READONLY));

  const QuarantineEntry entry = roundTrip(file);

  EXPECT_EQ(entry.mode, 0444u);
  EXPECT_EQ(readWide(file), "read only");
  EXPECT_TRUE(isReadOnly(file));
}

TEST_F(QuarantineStoreWindowsTest, RestoreWithOverwriteReplacesFile) {
  const fs::path file = temp_ / kChineseName;
  writeWide(file, "original");
  Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
  ASSERT_TRUE(entry.ok()) << entry.status().toString();
  writeWide(file, "newer file in the way");

  RestoreRequest restore;
  restore.id = entry->id;
  restore.overwrite = true;
  Result<RestoreOutcome> outcome = store_.restore(restore);

  ASSERT_TRUE(outcome.ok()) << outcome.status().toString();
  EXPECT_EQ(readWide(file), "original");
}

TEST_F(QuarantineStoreWindowsTest, RestoreIntoNonAsciiFolderUsesOriginalName) {
  const fs::path file = temp_ / kEmojiName;
  writeWide(file, "evidence");
  Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
  ASSERT_TRUE(entry.ok());

  RestoreRequest restore;
  restore.id = entry->id;
  restore.destination = temp_ / kCyrillicFolder / "";
  Result<RestoreOutcome> outcome = store_.restore(restore);

  ASSERT_TRUE(outcome.ok()) << outcome.status().toString();
  EXPECT_EQ(outcome->restoredTo, temp_ / kCyrillicFolder / kEmojiName);
  EXPECT_EQ(readWide(temp_ / kCyrillicFolder / kEmojiName), "evidence");
}

// --- error paths ------------------------------------------------------------

TEST_F(QuarantineStoreWindowsTest, RestoreDoesNotReplaceExistingFile) {
  const fs::path file = temp_ / kChineseName;
  writeWide(file, "original");
  Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
  ASSERT_TRUE(entry.ok());
  writeWide(file, "keep me");

  RestoreRequest restore;
  restore.id = entry->id;
  Result<RestoreOutcome> outcome = store_.restore(restore);

  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kAlreadyExists) << outcome.status().toString();
  EXPECT_EQ(readWide(file), "keep me");
  EXPECT_TRUE(store_.find(entry->id).ok()) << "the entry must stay";
}

TEST_F(QuarantineStoreWindowsTest, FileHeldWithoutSharingIsLeftInPlace) {
  const fs::path file = temp_ / kEmojiName;
  writeWide(file, "in use");
  testing::UniqueHandle holder = testing::holdWithoutSharing(file);
  ASSERT_NE(holder.get(), INVALID_HANDLE_VALUE);

  Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
  holder.reset();

  ASSERT_FALSE(entry.ok());
  EXPECT_NE(entry.status().message().find(platform::toUtf8(file)), std::string::npos)
      << entry.status().message();
  EXPECT_EQ(readWide(file), "in use");
  Result<QuarantineListing> listing = store_.list();
  ASSERT_TRUE(listing.ok());
  EXPECT_TRUE(listing->entries.empty());
}

}  // namespace
}  // namespace odscan::scanner
