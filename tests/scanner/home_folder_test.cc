#include "odscan/scanner/home_folder.h"

#include <gtest/gtest.h>

#ifndef _WIN32
#include <unistd.h>
#endif

#include <cstdlib>
#include <optional>

#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::TempFolder;

// Tests between `#ifndef _WIN32` and `#endif` check POSIX modes, TMPDIR,
// symbolic links and owners. home_folder_windows_test.cc contains their Windows
// counterparts: GetTempPathW, the owner-only access list, and junctions.
#ifndef _WIN32

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnvironment() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

TEST(HomeFolderTest, DefaultRootIsHcexecInTemporaryFolder) {
  TempFolder temp;
  ScopedEnvironment tmpdir("TMPDIR", temp.path().string());
  EXPECT_EQ(HomeFolder::defaultRoot(), temp.path() / "HCEXEC");
}

#endif  // _WIN32

TEST(HomeFolderTest, CreateLayoutMakesThreeFolders) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  EXPECT_TRUE(std::filesystem::is_directory(temp / "HCEXEC" / "components"));
  EXPECT_TRUE(std::filesystem::is_directory(temp / "HCEXEC" / "sessions"));
  EXPECT_TRUE(std::filesystem::is_directory(temp / "HCEXEC" / "quarantine"));
}

#ifndef _WIN32

TEST(HomeFolderTest, NewRootIsPrivateToItsOwner) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  const auto permissions = std::filesystem::status(home.root()).permissions();
  EXPECT_EQ(permissions & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

TEST(HomeFolderTest, EveryNewFolderIsPrivateWhateverTheUmask) {
  TempFolder temp;
  testing::ScopedUmask umask(0);
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  for (const auto& folder : {home.root(), home.components(), home.sessions(), home.quarantine()}) {
    EXPECT_EQ(testing::modeOf(folder), 0700u) << folder;
  }
}

TEST(HomeFolderTest, OpenExistingFoldersAreRestrictedAndReported) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  std::filesystem::create_directories(home.sessions());
  std::filesystem::permissions(home.root(), std::filesystem::perms(0755));
  std::filesystem::permissions(home.sessions(), std::filesystem::perms(0750));

  Result<LayoutChanges> changes = home.createLayout();
  ASSERT_TRUE(changes.ok()) << changes.status().toString();
  EXPECT_EQ(testing::modeOf(home.root()), 0700u);
  EXPECT_EQ(testing::modeOf(home.sessions()), 0700u);
  EXPECT_EQ(changes->restricted,
            (std::vector<std::filesystem::path>{home.root(), home.sessions()}));
}

#endif  // _WIN32

TEST(HomeFolderTest, PrivateExistingFoldersAreNotReported) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  Result<LayoutChanges> again = home.createLayout();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->restricted.empty());
}

#ifndef _WIN32

TEST(HomeFolderTest, RestrictedFolderMessageNamesFolderAndMode) {
  const std::string message = restrictedFolderMessage("/tmp/HCEXEC");
  EXPECT_NE(message.find("'/tmp/HCEXEC'"), std::string::npos) << message;
  EXPECT_NE(message.find("0700"), std::string::npos) << message;
}

#endif  // _WIN32

TEST(HomeFolderTest, TrailingSeparatorNamesSameRoot) {
  TempFolder temp;
  EXPECT_EQ(HomeFolder(temp.path().string() + "/HCEXEC/").root(), temp / "HCEXEC");
}

TEST(HomeFolderTest, CheckExistingAcceptsCreatedLayout) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  EXPECT_TRUE(home.checkExisting(home.root()).ok());
  EXPECT_TRUE(home.checkExisting(home.sessions()).ok());
}

TEST(HomeFolderTest, CheckExistingOfMissingRootIsNotFound) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  EXPECT_EQ(home.checkExisting(home.sessions()).code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(home.root()));
}

TEST(HomeFolderTest, CreateLayoutKeepsExistingContents) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  testing::writeFile(home.components() / "agent-pattern.ptn", "pattern");
  ASSERT_TRUE(home.createLayout().ok());
  EXPECT_EQ(testing::readFile(home.defaultPatternPath()), "pattern");
}

TEST(HomeFolderTest, RelativeRootBecomesAbsolute) {
  HomeFolder home("relative/HCEXEC");
  EXPECT_TRUE(home.root().is_absolute());
  EXPECT_EQ(home.root(), std::filesystem::current_path() / "relative/HCEXEC");
}

TEST(HomeFolderTest, DefaultComponentPathsAreInComponents) {
  // An absolute root on every system ("/x" has no drive letter on Windows).
  const std::filesystem::path root = std::filesystem::current_path() / "x" / "HCEXEC";
  HomeFolder home(root);
  EXPECT_EQ(home.defaultPatternPath(), root / "components" / "agent-pattern.ptn");
  EXPECT_EQ(home.defaultPublicKeyPath(), root / "components" / "publisher.pub");
}

// Error paths

#ifndef _WIN32

TEST(HomeFolderTest, SymbolicLinkRootIsRejected) {
  TempFolder temp;
  std::filesystem::create_directory(temp / "elsewhere");
  std::filesystem::create_directory_symlink(temp / "elsewhere", temp / "HCEXEC");
  const Status status = HomeFolder(temp / "HCEXEC").createLayout().status();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(temp / "elsewhere" / "sessions"));
}

TEST(HomeFolderTest, RootOwnedByAnotherUserIsRejected) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the folder to another user";
  TempFolder temp;
  std::filesystem::create_directory(temp / "HCEXEC");
  ASSERT_EQ(::chown((temp / "HCEXEC").c_str(), 65534, 65534), 0);
  const Status status = HomeFolder(temp / "HCEXEC").createLayout().status();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("another user"), std::string::npos);
}

#endif  // _WIN32

TEST(HomeFolderTest, RootThatIsAFileIsNamedAsFile) {
  TempFolder temp;
  testing::writeFile(temp / "HCEXEC", "not a folder");
  HomeFolder home(temp / "HCEXEC");
  for (const Status& status : {home.createLayout().status(), home.checkExisting(home.root()),
                               home.checkExisting(home.sessions())}) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("is a file, not a folder"), std::string::npos)
        << status.message();
  }
}

TEST(HomeFolderTest, EmptyRootIsRejected) {
  HomeFolder home("");
  const Status created = home.createLayout().status();
  EXPECT_EQ(created.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(created.message().find("empty"), std::string::npos) << created.message();
  EXPECT_EQ(home.checkExisting(home.root()).code(), StatusCode::kInvalidArgument);
}

#ifndef _WIN32

TEST(HomeFolderTest, SymbolicLinkSubFolderIsRejected) {
  TempFolder temp;
  std::filesystem::create_directories(temp / "HCEXEC");
  std::filesystem::create_directory(temp / "elsewhere");
  std::filesystem::create_directory_symlink(temp / "elsewhere", temp / "HCEXEC" / "sessions");
  const Status status = HomeFolder(temp / "HCEXEC").createLayout().status();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("symbolic link"), std::string::npos) << status.message();
}

#endif  // _WIN32

TEST(HomeFolderTest, SubFolderThatIsAFileIsReported) {
  TempFolder temp;
  std::filesystem::create_directory(temp / "HCEXEC");
  testing::writeFile(temp / "HCEXEC" / "sessions", "not a folder");
  const Status status = HomeFolder(temp / "HCEXEC").createLayout().status();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("sessions"), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
