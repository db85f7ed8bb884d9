// HCEXEC on Windows: per-user location from GetTempPathW, the owner-only access
// list that stands for mode 0700, and the checks on folders that exist already.
#include <gtest/gtest.h>
#include <windows.h>

#include <string>

#include "odscan/platform/utf8_path.h"
#include "odscan/scanner/home_folder.h"
#include "private_folder.h"
#include "test_support.h"
#include "windows_test_support.h"

namespace odscan::scanner {
namespace {

namespace fs = std::filesystem;
using testing::TempFolder;

const fs::path kCyrillicFolder =
    platform::fromUtf8(reinterpret_cast<const char*>(u8"Пользователь"));

// Sets an environment variable for one test and restores it afterwards.
class ScopedVariable {
 public:
  ScopedVariable(const wchar_t* name, const std::wstring& value) : name_(name) {
    wchar_t buffer[32768];
    const DWORD length = ::GetEnvironmentVariableW(name, buffer, 32768);
    if (length > 0 && length < 32768) previous_ = std::wstring(buffer, length);
    hadValue_ = length > 0;
    ::SetEnvironmentVariableW(name, value.c_str());
  }
  ~ScopedVariable() { ::SetEnvironmentVariableW(name_, hadValue_ ? previous_.c_str() : nullptr); }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const wchar_t* name_;
  std::wstring previous_;
  bool hadValue_ = false;
};

TEST(HomeFolderWindowsTest, DefaultRootIsHcexecInGetTempPath) {
  wchar_t temp[MAX_PATH + 1] = {};
  const DWORD length = ::GetTempPathW(MAX_PATH + 1, temp);
  ASSERT_GT(length, 0u);

  EXPECT_EQ(HomeFolder::defaultRoot(), fs::path(std::wstring(temp, length)) / "HCEXEC");
}

TEST(HomeFolderWindowsTest, DefaultRootFollowsTheUsersTmpVariable) {
  TempFolder temp;
  const fs::path userTemp = temp / kCyrillicFolder;
  fs::create_directories(userTemp);
  // GetTempPathW reads TMP first, so each Windows user gets an HCEXEC of their own.
  ScopedVariable tmp(L"TMP", userTemp.wstring());

  const fs::path root = HomeFolder::defaultRoot();

  EXPECT_EQ(root.parent_path(), userTemp);
  EXPECT_EQ(root.filename(), "HCEXEC");
}

TEST(HomeFolderWindowsTest, CreateLayoutWorksUnderNonAsciiFolder) {
  TempFolder temp;
  HomeFolder home(temp / kCyrillicFolder / "HCEXEC");

  Result<LayoutChanges> changes = home.createLayout();

  ASSERT_TRUE(changes.ok()) << changes.status().toString();
  EXPECT_TRUE(changes->restricted.empty());
  EXPECT_TRUE(fs::is_directory(home.sessions()));
  EXPECT_TRUE(home.checkExisting(home.quarantine()).ok());
}

TEST(HomeFolderWindowsTest, NewFoldersLetInNoOtherUsers) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());

  for (const fs::path& folder :
       {home.root(), home.components(), home.sessions(), home.quarantine()}) {
    const std::vector<std::string> sids = testing::allowedSids(folder);
    EXPECT_FALSE(sids.empty()) << folder;
    EXPECT_TRUE(testing::onlyOwnerSystemAndAdministrators(sids))
        << folder << " lets in " << ::testing::PrintToString(sids);
  }
}

TEST(HomeFolderWindowsTest, NewRootHasProtectedAccessList) {
  if (testing::runningUnderWine()) GTEST_SKIP() << "wine keeps no protected access lists";
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());

  EXPECT_TRUE(testing::hasProtectedAcl(home.root()));
}

TEST(HomeFolderWindowsTest, ExistingRootReadableByEveryoneIsReported) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(testing::createFolderReadableByEveryone(home.root()));

  Result<LayoutChanges> changes = home.createLayout();

  ASSERT_TRUE(changes.ok()) << changes.status().toString();
  ASSERT_EQ(changes->restricted.size(), 1u);
  EXPECT_EQ(changes->restricted[0], home.root());
}

TEST(HomeFolderWindowsTest, ExistingRootReadableByEveryoneLosesThatAccess) {
  if (testing::runningUnderWine()) {
    GTEST_SKIP() << "wine ignores access lists set on existing folders";
  }
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(testing::createFolderReadableByEveryone(home.root()));

  ASSERT_TRUE(home.createLayout().ok());

  const std::vector<std::string> sids = testing::allowedSids(home.root());
  EXPECT_TRUE(testing::onlyOwnerSystemAndAdministrators(sids)) << ::testing::PrintToString(sids);
}

TEST(HomeFolderWindowsTest, RestrictedFolderMessageNamesFolderAndAccessList) {
  const std::string message = restrictedFolderMessage(fs::path(L"C:\\Temp\\HCEXEC"));

  EXPECT_NE(message.find("C:\\Temp\\HCEXEC"), std::string::npos) << message;
  EXPECT_NE(message.find("access list"), std::string::npos) << message;
}

TEST(HomeFolderWindowsTest, RootLongerThanMaxPathIsCreated) {
  TempFolder temp;
  fs::path root = temp.path();
  while (root.native().size() < 300) root /= std::wstring(40, L'h');
  HomeFolder home(root / "HCEXEC");

  Result<LayoutChanges> changes = home.createLayout();
  const Status checked = home.checkExisting(home.sessions());
  testing::removeTree(temp.path());  // TempFolder cannot remove paths this long

  ASSERT_TRUE(changes.ok()) << changes.status().toString();
  EXPECT_TRUE(checked.ok()) << checked.toString();
}

// --- error paths ------------------------------------------------------------

TEST(HomeFolderWindowsTest, RootThatIsAFileIsRejected) {
  TempFolder temp;
  testing::writeFile(temp / "HCEXEC", "not a folder");
  HomeFolder home(temp / "HCEXEC");

  Result<LayoutChanges> changes = home.createLayout();

  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(changes.status().message().find("is a file"), std::string::npos)
      << changes.status().message();
}

TEST(HomeFolderWindowsTest, MissingSubFolderIsNotFound) {
  TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(createPrivateFolder(home.root()).ok());

  Status checked = home.checkExisting(home.sessions());

  EXPECT_EQ(checked.code(), StatusCode::kNotFound) << checked.toString();
}

}  // namespace
}  // namespace odscan::scanner
