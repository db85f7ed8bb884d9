#include "odscan/console/admin_accounts.h"

#include <gtest/gtest.h>

#include "../http/http_test_support.h"

namespace odscan::console {
namespace {

using http::testing::TempFolder;

class AdminAccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(folder_ / "console.db");
    ASSERT_TRUE(opened.ok());
    database_ = std::move(opened).value();
    LogonPolicy policy;
    policy.passwordIterations = 1000;
    policy.maxFailedLogons = 3;
    accounts_ = std::make_unique<AdminAccounts>(*database_, policy);
    ASSERT_TRUE(accounts_->create("admin", "correct horse battery").ok());
  }

  TempFolder folder_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<AdminAccounts> accounts_;
};

TEST_F(AdminAccountsTest, LogonOpensASessionThatAuthenticates) {
  auto session = accounts_->logon("admin", "correct horse battery");
  ASSERT_TRUE(session.ok()) << session.status().message();
  auto administrator = accounts_->authenticate(session->token);
  ASSERT_TRUE(administrator.ok());
  EXPECT_EQ(administrator->username, "admin");
  EXPECT_EQ(administrator->csrfToken, session->csrfToken);
}

TEST_F(AdminAccountsTest, LogoffEndsTheSession) {
  auto session = accounts_->logon("admin", "correct horse battery");
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(accounts_->logoff(session->token).ok());
  EXPECT_FALSE(accounts_->authenticate(session->token).ok());
}

TEST_F(AdminAccountsTest, WrongPasswordAndUnknownUserGiveTheSameMessage) {
  auto wrongPassword = accounts_->logon("admin", "wrong password!");
  auto unknownUser = accounts_->logon("nobody", "wrong password!");
  ASSERT_FALSE(wrongPassword.ok());
  ASSERT_FALSE(unknownUser.ok());
  EXPECT_EQ(wrongPassword.status().message(), unknownUser.status().message());
}

TEST_F(AdminAccountsTest, FailuresLockTheAccountEvenForTheRightPassword) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_FALSE(accounts_->logon("admin", "wrong password!").ok());
  }
  auto locked = accounts_->logon("admin", "correct horse battery");
  ASSERT_FALSE(locked.ok());
  EXPECT_NE(locked.status().message().find("locked"), std::string::npos);
}

TEST_F(AdminAccountsTest, ResetPasswordClearsTheLock) {
  for (int attempt = 0; attempt < 3; ++attempt) (void)accounts_->logon("admin", "wrong password!");
  ASSERT_TRUE(accounts_->resetPassword("admin", "another long password").ok());
  EXPECT_TRUE(accounts_->logon("admin", "another long password").ok());
}

TEST_F(AdminAccountsTest, InvalidNamesAndDuplicatesAreRejected) {
  EXPECT_EQ(accounts_->create("admin", "correct horse battery").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(accounts_->create("bad name", "correct horse battery").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->create("<script>", "correct horse battery").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->resetPassword("nobody", "correct horse battery").code(),
            StatusCode::kNotFound);
}

TEST_F(AdminAccountsTest, UnknownTokenIsRejected) {
  EXPECT_FALSE(accounts_->authenticate("").ok());
  EXPECT_FALSE(accounts_->authenticate(std::string(64, '0')).ok());
}

}  // namespace
}  // namespace odscan::console
