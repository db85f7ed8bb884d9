// The Windows platform layer: UTF-16 names reported as UTF-8, extended-length
// paths, files opened without locking others out, sharing violations reported as
// locks, file IDs, the temporary folder and free disk space. Runs on Windows and
// under wine.
#include <gtest/gtest.h>
#include <windows.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "odscan/platform/directory_reader.h"
#include "odscan/platform/file_info.h"
#include "odscan/platform/read_only_file.h"
#include "odscan/platform/system.h"
#include "odscan/platform/utf8_path.h"
#include "odscan/platform/windows_files.h"
#include "windows_support.h"

namespace odscan::platform {
namespace {

namespace fs = std::filesystem;

// Names in three scripts and one outside the Basic Multilingual Plane, which
// UTF-16 stores as a surrogate pair.
const std::string kCyrillicName = reinterpret_cast<const char*>(u8"Отчёт за март.txt");
const std::string kChineseName = reinterpret_cast<const char*>(u8"年度报告.txt");
const std::string kEmojiName = reinterpret_cast<const char*>(u8"notes-😀.txt");
const std::string kCyrillicFolder = reinterpret_cast<const char*>(u8"Папка");

struct HandleCloser {
  void operator()(HANDLE handle) const {
    if (handle != INVALID_HANDLE_VALUE) ::CloseHandle(handle);
  }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

// Deletes `folder` and everything below it with extended-length paths, which
// std::filesystem::remove_all cannot do for paths longer than MAX_PATH.
void removeTree(const std::wstring& folder) {
  WIN32_FIND_DATAW data{};
  HANDLE find = ::FindFirstFileW((folder + L"\\*").c_str(), &data);
  if (find != INVALID_HANDLE_VALUE) {
    do {
      const std::wstring name = data.cFileName;
      if (name == L"." || name == L"..") continue;
      const std::wstring child = folder + L"\\" + name;
      if ((data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        removeTree(child);
      } else {
        ::SetFileAttributesW(child.c_str(), FILE_ATTRIBUTE_NORMAL);
        ::DeleteFileW(child.c_str());
      }
    } while (::FindNextFileW(find, &data));
    ::FindClose(find);
  }
  ::RemoveDirectoryW(folder.c_str());
}

class WindowsFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = "odscan-platform-test-" + std::to_string(::GetCurrentProcessId()) +
                             "-" + std::to_string(::GetTickCount());
    root_ = toUtf8(tempDirectory() / name);
    ASSERT_TRUE(::CreateDirectoryW(toWindowsPath(root_).c_str(), nullptr)) << root_;
  }

  void TearDown() override { removeTree(toWindowsPath(root_)); }

  // Returns root_\name as UTF-8, the form the platform layer takes.
  std::string pathOf(const std::string& name) const { return root_ + "\\" + name; }

  std::string makeFolder(const std::string& name) {
    const std::string path = pathOf(name);
    EXPECT_TRUE(::CreateDirectoryW(toWindowsPath(path).c_str(), nullptr)) << path;
    return path;
  }

  // Creates the file `path` (UTF-8, any length) with `contents`.
  static std::string writeFile(const std::string& path, const std::string& contents) {
    UniqueHandle file(::CreateFileW(toWindowsPath(path).c_str(), GENERIC_WRITE, 0, nullptr,
                                    CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    EXPECT_NE(file.get(), INVALID_HANDLE_VALUE) << path << ": error " << ::GetLastError();
    DWORD written = 0;
    EXPECT_TRUE(::WriteFile(file.get(), contents.data(), static_cast<DWORD>(contents.size()),
                            &written, nullptr));
    return path;
  }

  static std::string readAll(const std::string& path) {
    auto file = ReadOnlyFile::open(path, false);
    if (!file.ok()) return "<" + file.error().message + ">";
    std::string contents;
    std::uint8_t buffer[4096];
    while (true) {
      auto count = file->read(buffer);
      if (!count.ok() || *count == 0) break;
      contents.append(reinterpret_cast<const char*>(buffer), *count);
    }
    return contents;
  }

  // Lists `folder` with DirectoryReader: UTF-8 name to type.
  static std::map<std::string, FileType> list(const std::string& folder) {
    std::map<std::string, FileType> entries;
    auto reader = DirectoryReader::open(folder, false);
    EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().message);
    if (!reader.ok()) return entries;
    while (true) {
      auto entry = reader->next();
      EXPECT_TRUE(entry.ok());
      if (!entry.ok() || !entry->has_value()) break;
      entries[std::string((*entry)->name)] = (*entry)->type;
    }
    return entries;
  }

  std::string root_;
};

// --- names and paths --------------------------------------------------------

TEST_F(WindowsFileSystemTest, NonAsciiNamesAreListedAsUtf8) {
  writeFile(pathOf(kCyrillicName), "a");
  writeFile(pathOf(kChineseName), "b");
  writeFile(pathOf(kEmojiName), "c");
  makeFolder(kCyrillicFolder);

  const std::map<std::string, FileType> entries = list(root_);

  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries.count(kCyrillicName), 1u);
  EXPECT_EQ(entries.count(kChineseName), 1u);
  EXPECT_EQ(entries.count(kEmojiName), 1u);
  ASSERT_EQ(entries.count(kCyrillicFolder), 1u);
  EXPECT_EQ(entries.at(kCyrillicFolder), FileType::kDirectory);
}

TEST_F(WindowsFileSystemTest, NonAsciiNamesOpenAndRead) {
  writeFile(pathOf(kCyrillicName), "cyrillic");
  writeFile(pathOf(kChineseName), "chinese");
  writeFile(pathOf(kEmojiName), "emoji");

  EXPECT_EQ(readAll(pathOf(kCyrillicName)), "cyrillic");
  EXPECT_EQ(readAll(pathOf(kChineseName)), "chinese");
  EXPECT_EQ(readAll(pathOf(kEmojiName)), "emoji");
}

TEST_F(WindowsFileSystemTest, LongPathIsListedAndRead) {
  std::string folder = root_;
  const std::string component(50, 'd');
  while (folder.size() < 320) {
    folder += "\\" + component;
    ASSERT_TRUE(::CreateDirectoryW(toWindowsPath(folder).c_str(), nullptr)) << folder;
  }
  const std::string file = writeFile(folder + "\\" + kCyrillicName, "far away");
  ASSERT_GT(file.size(), static_cast<std::size_t>(MAX_PATH));

  auto info = statPath(file, false);
  const std::map<std::string, FileType> entries = list(folder);

  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->type, FileType::kRegular);
  EXPECT_EQ(info->size, 8u);
  ASSERT_EQ(entries.count(kCyrillicName), 1u);
  EXPECT_EQ(readAll(file), "far away");
}

TEST_F(WindowsFileSystemTest, ForwardSlashesAndDotComponentsAreAccepted) {
  makeFolder("sub");
  writeFile(pathOf("file.txt"), "slashes");
  std::string path = root_ + "/sub/../file.txt";

  EXPECT_EQ(readAll(path), "slashes");
}

TEST(WindowsPathTest, DrivePathGetsExtendedPrefix) {
  EXPECT_EQ(toWindowsPath("C:\\Users\\guest\\file.txt"), L"\\\\?\\C:\\Users\\guest\\file.txt");
}

TEST(WindowsPathTest, DriveRootKeepsItsSeparator) {
  EXPECT_EQ(toWindowsPath("D:\\"), L"\\\\?\\D:\\");
}

TEST(WindowsPathTest, SlashesDotsAndRepeatedSeparatorsAreResolved) {
  EXPECT_EQ(toWindowsPath("C:/data//a/./b/../c/"), L"\\\\?\\C:\\data\\a\\c");
}

TEST(WindowsPathTest, DotDotStopsAtTheDriveRoot) {
  EXPECT_EQ(toWindowsPath("C:\\a\\..\\..\\b"), L"\\\\?\\C:\\b");
}

TEST(WindowsPathTest, NetworkPathGetsUncPrefix) {
  EXPECT_EQ(toWindowsPath("\\\\fileserver\\share\\dir\\..\\x.doc"),
            L"\\\\?\\UNC\\fileserver\\share\\x.doc");
}

TEST(WindowsPathTest, PrefixedPathIsKept) {
  EXPECT_EQ(toWindowsPath("\\\\?\\C:\\a\\..\\b"), L"\\\\?\\C:\\a\\..\\b");
}

TEST(WindowsPathTest, RelativePathBecomesAbsolute) {
  const std::wstring path = toWindowsPath("relative-name.txt");

  EXPECT_EQ(path.rfind(L"\\\\?\\", 0), 0u) << narrow(path);
  EXPECT_NE(path.find(L"\\relative-name.txt"), std::wstring::npos) << narrow(path);
}

TEST(WindowsPathTest, NonAsciiSurvivesTheRoundTrip) {
  const std::string name = "C:\\" + kEmojiName;

  EXPECT_EQ(narrow(toWindowsPath(name)), "\\\\?\\" + name);
}

TEST(Utf8PathTest, UnpairedSurrogateSurvivesTheRoundTrip) {
  const std::wstring name = L"hidden-\xD800-name.exe";

  const std::string utf8 = toUtf8(fs::path(name));

  EXPECT_EQ(utf8, "hidden-\xED\xA0\x80-name.exe");
  EXPECT_EQ(fromUtf8(utf8).wstring(), name);
}

TEST(Utf8PathTest, SurrogatePairBecomesOneFourByteSequence) {
  EXPECT_EQ(toUtf8(fs::path(L"\xD83D\xDE00")), "\xF0\x9F\x98\x80");
}

TEST(Utf8PathTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  const std::string bytes = {'a', '\xFF', 'b', '\xC3'};  // a stray byte, then a cut sequence

  EXPECT_EQ(fromUtf8(bytes).wstring(), std::wstring({L'a', 0xFFFD, L'b', 0xFFFD}));
}

TEST(Utf8PathTest, OverlongEncodingIsRejected) {
  EXPECT_EQ(fromUtf8("\xC0\xAF").wstring(), L"\xFFFD\xFFFD");
}

TEST_F(WindowsFileSystemTest, NameWithUnpairedSurrogateIsListedAndReopened) {
  const std::wstring wideName = L"odd-\xDC00-name.bin";
  const std::wstring wideFile = toWindowsPath(root_) + L"\\" + wideName;
  UniqueHandle created(::CreateFileW(wideFile.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                     FILE_ATTRIBUTE_NORMAL, nullptr));
  if (created.get() == INVALID_HANDLE_VALUE) {
    GTEST_SKIP() << "this file system rejects unpaired surrogates in names (error "
                 << ::GetLastError() << "), as wine does";
  }
  DWORD written = 0;
  ASSERT_TRUE(::WriteFile(created.get(), "odd", 3, &written, nullptr));
  created.reset();

  const std::map<std::string, FileType> entries = list(root_);

  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(readAll(pathOf(entries.begin()->first)), "odd");
}

// Creates a junction (a mount-point reparse point) at `link` that leads to
// `target`. Returns the error code, or 0 on success. Junctions need no
// administrator rights, unlike symbolic links.
DWORD createJunction(const std::wstring& link, const std::wstring& target) {
  if (!::CreateDirectoryW(link.c_str(), nullptr)) return ::GetLastError();
  UniqueHandle handle(::CreateFileW(link.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
                                    nullptr));
  if (handle.get() == INVALID_HANDLE_VALUE) return ::GetLastError();

  // REPARSE_DATA_BUFFER for IO_REPARSE_TAG_MOUNT_POINT: a header, four 16-bit
  // offsets and lengths, then the NT path ("\??\C:\...") and an empty print name,
  // each followed by a null character.
  const std::wstring ntTarget = L"\\??\\" + target.substr(4);  // replaces the \\?\ prefix
  const auto substituteBytes = static_cast<WORD>(ntTarget.size() * sizeof(wchar_t));
  std::vector<std::uint8_t> buffer(8 + 8 + substituteBytes + 2 * sizeof(wchar_t), 0);
  const auto put16 = [&buffer](std::size_t offset, WORD value) {
    std::memcpy(buffer.data() + offset, &value, sizeof(value));
  };
  const DWORD tag = IO_REPARSE_TAG_MOUNT_POINT;
  std::memcpy(buffer.data(), &tag, sizeof(tag));
  put16(4, static_cast<WORD>(buffer.size() - 8));                   // ReparseDataLength
  put16(8, 0);                                                      // SubstituteNameOffset
  put16(10, substituteBytes);                                       // SubstituteNameLength
  put16(12, static_cast<WORD>(substituteBytes + sizeof(wchar_t)));  // PrintNameOffset
  put16(14, 0);                                                     // PrintNameLength
  std::memcpy(buffer.data() + 16, ntTarget.data(), substituteBytes);

  DWORD returned = 0;
  if (!::DeviceIoControl(handle.get(), FSCTL_SET_REPARSE_POINT, buffer.data(),
                         static_cast<DWORD>(buffer.size()), nullptr, 0, &returned, nullptr)) {
    const DWORD code = ::GetLastError();
    handle.reset();
    ::RemoveDirectoryW(link.c_str());
    return code;
  }
  return 0;
}

TEST_F(WindowsFileSystemTest, JunctionIsReportedAsLinkUnlessFollowed) {
  const std::string target = makeFolder("target");
  const std::string link = pathOf("junction");
  const DWORD created = createJunction(toWindowsPath(link), toWindowsPath(target));
  if (created != 0) {
    GTEST_SKIP() << "cannot create a junction here (error " << created
                 << "); wine 8 does not support them";
  }

  const std::map<std::string, FileType> entries = list(root_);
  auto itself = statPath(link, false);
  auto rejected = DirectoryReader::open(link, false);
  auto followed = DirectoryReader::open(link, true);

  ASSERT_EQ(entries.count("junction"), 1u);
  EXPECT_EQ(entries.at("junction"), FileType::kSymlink);
  ASSERT_TRUE(itself.ok());
  EXPECT_EQ(itself->type, FileType::kSymlink);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().kind, IoErrorKind::kSymlink);
  ASSERT_TRUE(followed.ok()) << followed.error().message;
  EXPECT_EQ(followed->id(), statPath(target, false)->id);
}

// --- sharing and locks ------------------------------------------------------

TEST_F(WindowsFileSystemTest, FileHeldWithoutSharingIsLocked) {
  const std::string path = writeFile(pathOf("in-use.docx"), "busy");
  UniqueHandle holder(::CreateFileW(toWindowsPath(path).c_str(), GENERIC_READ | GENERIC_WRITE, 0,
                                    nullptr, OPEN_EXISTING, 0, nullptr));
  ASSERT_NE(holder.get(), INVALID_HANDLE_VALUE);

  auto file = ReadOnlyFile::open(path, false);

  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, IoErrorKind::kLocked);
  EXPECT_EQ(file.error().systemCode, ERROR_SHARING_VIOLATION);
  EXPECT_NE(file.error().message.find("in-use.docx"), std::string::npos) << file.error().message;
}

TEST_F(WindowsFileSystemTest, FileHeldWithoutSharingCanStillBeDescribed) {
  const std::string path = writeFile(pathOf("in-use.docx"), "busy");
  UniqueHandle holder(::CreateFileW(toWindowsPath(path).c_str(), GENERIC_READ | GENERIC_WRITE, 0,
                                    nullptr, OPEN_EXISTING, 0, nullptr));
  ASSERT_NE(holder.get(), INVALID_HANDLE_VALUE);

  auto info = statPath(path, false);

  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->type, FileType::kRegular);
  EXPECT_EQ(info->size, 4u);
}

TEST_F(WindowsFileSystemTest, OpenFileLetsOthersWriteRenameAndDelete) {
  const std::string path = writeFile(pathOf("shared.bin"), "shared");
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok()) << file.error().message;

  UniqueHandle writer(::CreateFileW(toWindowsPath(path).c_str(), GENERIC_WRITE,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                    OPEN_EXISTING, 0, nullptr));
  EXPECT_NE(writer.get(), INVALID_HANDLE_VALUE) << "error " << ::GetLastError();
  writer.reset();
  const std::wstring renamed = toWindowsPath(pathOf("renamed.bin"));
  EXPECT_TRUE(::MoveFileExW(toWindowsPath(path).c_str(), renamed.c_str(), 0))
      << "error " << ::GetLastError();
  EXPECT_TRUE(::DeleteFileW(renamed.c_str())) << "error " << ::GetLastError();
}

// --- file IDs ---------------------------------------------------------------

TEST_F(WindowsFileSystemTest, FileIdMatchesStatPath) {
  const std::string path = writeFile(pathOf(kChineseName), "x");
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok());

  auto fromHandle = file->info();
  auto fromPath = statPath(path, false);

  ASSERT_TRUE(fromHandle.ok());
  ASSERT_TRUE(fromPath.ok());
  EXPECT_EQ(fromHandle->id, fromPath->id);
}

// A file's ID would cost a volume query per file and nothing uses it, so only
// folders get one.
TEST_F(WindowsFileSystemTest, RegularFileHasNoId) {
  auto info = statPath(writeFile(pathOf("one.bin"), "1"), false);

  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type, FileType::kRegular);
  EXPECT_EQ(info->id, FileId{});
}

TEST_F(WindowsFileSystemTest, DifferentFoldersHaveDifferentIds) {
  auto first = statPath(makeFolder("one"), false);
  auto second = statPath(makeFolder("two"), false);

  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first->id, FileId{});
  EXPECT_NE(first->id, second->id);
}

TEST_F(WindowsFileSystemTest, DirectoryIdMatchesStatPath) {
  const std::string folder = makeFolder(kCyrillicFolder);

  auto reader = DirectoryReader::open(folder, false);
  auto info = statPath(folder, false);

  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type, FileType::kDirectory);
  EXPECT_EQ(reader->id(), info->id);
}

TEST_F(WindowsFileSystemTest, StatEntryDescribesListedFile) {
  writeFile(pathOf(kEmojiName), "12345");
  auto reader = DirectoryReader::open(root_, false);
  ASSERT_TRUE(reader.ok());

  auto info = reader->statEntry(kEmojiName, false);

  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, 5u);
}

// --- temporary folder, disk space, user ---------------------------------------

TEST(WindowsSystemTest, TempDirectoryIsGetTempPath) {
  wchar_t expected[MAX_PATH + 1] = {};
  const DWORD length = ::GetTempPathW(MAX_PATH + 1, expected);
  ASSERT_GT(length, 0u);

  EXPECT_EQ(tempDirectory(), fs::path(std::wstring(expected, length)));
}

TEST(WindowsSystemTest, FreeDiskSpaceOfTempIsReported) {
  Result<std::uint64_t> free = freeDiskSpace(tempDirectory());

  ASSERT_TRUE(free.ok()) << free.status().toString();
  EXPECT_GT(*free, 0u);
}

TEST(WindowsSystemTest, CommandLineArgumentsMatchArgv) {
  // MSVCRT's copies of main()'s arguments; this test's are ASCII, so both agree.
  const std::vector<std::string> arguments = commandLineArguments(__argc, __argv);

  ASSERT_EQ(arguments.size(), static_cast<std::size_t>(__argc));
  for (int i = 1; i < __argc; ++i) EXPECT_EQ(arguments[i], __argv[i]);
}

TEST(WindowsSystemTest, UserAndHostNamesAreKnown) {
  EXPECT_NE(userName(), "unknown-user");
  EXPECT_NE(hostName(), "unknown-host");
}

// --- the scanner's own file operations --------------------------------------

TEST_F(WindowsFileSystemTest, ExtendedLengthPathHasPrefix) {
  const fs::path path = fromUtf8(pathOf(kCyrillicName));

  const std::wstring extended = extendedLengthPath(path).wstring();

  EXPECT_EQ(extended, L"\\\\?\\" + path.wstring());
}

TEST_F(WindowsFileSystemTest, MoveFileWithoutReplaceKeepsTheTarget) {
  const fs::path from = fromUtf8(writeFile(pathOf("new.odq"), "new"));
  const fs::path to = fromUtf8(writeFile(pathOf(kCyrillicName), "old"));

  Status moved = moveFile(from, to, false);

  EXPECT_EQ(moved.code(), StatusCode::kAlreadyExists) << moved.toString();
  EXPECT_NE(moved.message().find(kCyrillicName), std::string::npos) << moved.message();
  EXPECT_EQ(readAll(toUtf8(to)), "old");
}

TEST_F(WindowsFileSystemTest, MoveFileWithReplaceOverwrites) {
  const fs::path from = fromUtf8(writeFile(pathOf("new.bin"), "new"));
  const fs::path to = fromUtf8(writeFile(pathOf(kChineseName), "old"));

  Status moved = moveFile(from, to, true);

  ASSERT_TRUE(moved.ok()) << moved.toString();
  EXPECT_EQ(readAll(toUtf8(to)), "new");
  EXPECT_EQ(::GetFileAttributesW(extendedLengthPath(from).c_str()), INVALID_FILE_ATTRIBUTES);
}

TEST_F(WindowsFileSystemTest, RemoveFileDeletesReadOnlyFile) {
  const fs::path path = fromUtf8(writeFile(pathOf(kEmojiName), "x"));
  ASSERT_TRUE(::SetFileAttributesW(extendedLengthPath(path).c_str(), FILE_ATTRIBUTE_READONLY));

  Status removed = removeFile(path);

  ASSERT_TRUE(removed.ok()) << removed.toString();
  EXPECT_EQ(::GetFileAttributesW(extendedLengthPath(path).c_str()), INVALID_FILE_ATTRIBUTES);
}

// --- error paths ------------------------------------------------------------

TEST_F(WindowsFileSystemTest, MissingFileIsNotFound) {
  auto file = ReadOnlyFile::open(pathOf(kCyrillicName), false);

  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().kind, IoErrorKind::kNotFound);
  EXPECT_NE(file.error().message.find(kCyrillicName), std::string::npos) << file.error().message;
}

TEST_F(WindowsFileSystemTest, FileAsFolderIsNotFound) {
  const std::string path = writeFile(pathOf("plain"), "x");

  auto reader = DirectoryReader::open(path, false);

  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.error().kind, IoErrorKind::kNotFound);
}

TEST_F(WindowsFileSystemTest, RemoveMissingFileIsNotFound) {
  Status removed = removeFile(fromUtf8(pathOf("missing.bin")));

  EXPECT_EQ(removed.code(), StatusCode::kNotFound) << removed.toString();
  EXPECT_NE(removed.message().find("missing.bin"), std::string::npos) << removed.message();
}

TEST_F(WindowsFileSystemTest, FreeDiskSpaceOfMissingFolderNamesIt) {
  Result<std::uint64_t> free = freeDiskSpace(fromUtf8(pathOf(kCyrillicFolder)));

  ASSERT_FALSE(free.ok());
  EXPECT_NE(free.status().message().find(kCyrillicFolder), std::string::npos)
      << free.status().message();
}

TEST(WindowsErrorTest, ErrorCodesAreClassified) {
  EXPECT_EQ(errorFromWindows(ERROR_ACCESS_DENIED, "open", "x").kind, IoErrorKind::kAccessDenied);
  // 225 is ERROR_VIRUS_INFECTED: security software blocked the file.
  EXPECT_EQ(errorFromWindows(225, "open", "x").kind, IoErrorKind::kAccessDenied);
  EXPECT_EQ(errorFromWindows(ERROR_FILE_NOT_FOUND, "open", "x").kind, IoErrorKind::kNotFound);
  EXPECT_EQ(errorFromWindows(ERROR_PATH_NOT_FOUND, "open", "x").kind, IoErrorKind::kNotFound);
  EXPECT_EQ(errorFromWindows(ERROR_DELETE_PENDING, "open", "x").kind, IoErrorKind::kNotFound);
  EXPECT_EQ(errorFromWindows(ERROR_SHARING_VIOLATION, "open", "x").kind, IoErrorKind::kLocked);
  EXPECT_EQ(errorFromWindows(ERROR_LOCK_VIOLATION, "open", "x").kind, IoErrorKind::kLocked);
  EXPECT_EQ(errorFromWindows(ERROR_CRC, "open", "x").kind, IoErrorKind::kIoError);
}

TEST(WindowsErrorTest, MessageNamesOperationPathAndCause) {
  const std::string path = "C:\\" + kCyrillicName;

  const IoError error = errorFromWindows(ERROR_FILE_NOT_FOUND, "cannot open", path);

  EXPECT_EQ(error.systemCode, ERROR_FILE_NOT_FOUND);
  EXPECT_EQ(error.message.rfind("cannot open '" + path + "': ", 0), 0u) << error.message;
  EXPECT_GT(error.message.size(), ("cannot open '" + path + "': ").size()) << error.message;
  EXPECT_NE(error.message.back(), '.') << error.message;
}

}  // namespace
}  // namespace odscan::platform
