#include "odscan/gui/home_removal.h"

#include <gtest/gtest.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "test_support.h"

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;
using scanner::testing::TempFolder;
using scanner::testing::writeFile;

class HomeRemovalTest : public ::testing::Test {
 protected:
  // Plants the HCEXEC layout with a file in each sub-folder.
  fs::path plantHome(const std::string& name) {
    const fs::path home = temp_ / name;
    writeFile(home / "components" / "agent-pattern.ptn", "pattern");
    writeFile(home / "sessions" / "20260101T000000Z-1a2b3c4d" / "scan.log", "log");
    writeFile(home / "quarantine" / "0badf00d.odq", "entry");
    return home;
  }

  TempFolder temp_;
};

TEST_F(HomeRemovalTest, RemovesFolderAndContents) {
  const fs::path home = plantHome("HCEXEC");
  const Status removed = removeHomeFolder(home);
  EXPECT_TRUE(removed.ok()) << removed.toString();
  EXPECT_FALSE(fs::exists(home));
}

TEST_F(HomeRemovalTest, NameMatchesInAnyLetterCase) {
  const fs::path home = plantHome("hcexec");
  EXPECT_TRUE(removeHomeFolder(home).ok());
  EXPECT_FALSE(fs::exists(home));
}

TEST_F(HomeRemovalTest, TrailingSeparatorIsAccepted) {
  const fs::path home = plantHome("HCEXEC");
  fs::path withSeparator = home;
  withSeparator += fs::path::preferred_separator;
  EXPECT_TRUE(removeHomeFolder(withSeparator).ok());
  EXPECT_FALSE(fs::exists(home));
}

TEST_F(HomeRemovalTest, MissingFolderCountsAsRemoved) {
  EXPECT_TRUE(removeHomeFolder(temp_ / "HCEXEC").ok());
}

// ---- error paths ----

TEST_F(HomeRemovalTest, FolderWithOtherNameIsKept) {
  const fs::path home = plantHome("Documents");
  const Status removed = removeHomeFolder(home);
  EXPECT_EQ(removed.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(removed.message().find("only a folder named HCEXEC"), std::string::npos);
  EXPECT_TRUE(fs::exists(home / "components" / "agent-pattern.ptn"));
}

TEST_F(HomeRemovalTest, FileNamedHcexecIsKept) {
  writeFile(temp_ / "HCEXEC", "not a folder");
  const Status removed = removeHomeFolder(temp_ / "HCEXEC");
  EXPECT_EQ(removed.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(temp_ / "HCEXEC"));
}

#ifndef _WIN32
// Creating a symbolic link on Windows needs a privilege that tests do not have.
TEST_F(HomeRemovalTest, SymbolicLinkIsKeptWithItsTarget) {
  const fs::path target = plantHome("real");
  fs::create_directory_symlink(target, temp_ / "HCEXEC");
  const Status removed = removeHomeFolder(temp_ / "HCEXEC");
  EXPECT_EQ(removed.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(target / "components" / "agent-pattern.ptn"));
}
#endif

TEST_F(HomeRemovalTest, EntryInUseIsNamedInError) {
  const fs::path home = plantHome("HCEXEC");
  writeFile(home / "odscan.exe", "program");

#ifdef _WIN32
  // A handle without FILE_SHARE_DELETE keeps the file from being deleted, as a
  // running program does.
  HANDLE openFile = CreateFileW((home / "odscan.exe").c_str(), GENERIC_READ, FILE_SHARE_READ,
                                nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(openFile, INVALID_HANDLE_VALUE);
#else
  if (::geteuid() == 0) GTEST_SKIP() << "root may delete from a read-only folder";
  // A read-only folder keeps its entries from being deleted.
  const fs::path locked = home / "locked";
  writeFile(locked / "odscan.exe", "program");
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
#endif

  const Status removed = removeHomeFolder(home);

#ifdef _WIN32
  CloseHandle(openFile);
  const std::string leftover = "'odscan.exe'";
#else
  fs::permissions(locked, fs::perms::owner_all);
  const std::string leftover = "'locked'";
#endif
  EXPECT_EQ(removed.code(), StatusCode::kIoError);
  EXPECT_NE(removed.message().find(leftover), std::string::npos) << removed.message();
  EXPECT_FALSE(fs::exists(home / "sessions"));
  EXPECT_TRUE(fs::exists(home));
}

}  // namespace
}  // namespace odscan::gui
