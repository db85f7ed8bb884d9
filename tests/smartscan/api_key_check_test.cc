#include "odscan/smartscan/api_key_check.h"

#include <gtest/gtest.h>

namespace odscan::smartscan {
namespace {

const std::vector<ApiKey> kKeys{{"lab", "0123456789abcdef"}, {"partner", "fedcba9876543210"}};

TEST(ApiKeyCheckTest, BearerKeyYieldsItsName) {
  const ApiKeyCheck check(kKeys);

  EXPECT_TRUE(check.enabled());
  EXPECT_EQ(check.authenticate("Bearer fedcba9876543210"), "partner");
  EXPECT_EQ(check.authenticate("bearer   0123456789abcdef "), "lab");
}

TEST(ApiKeyCheckTest, NoKeysMeansDisabled) { EXPECT_FALSE(ApiKeyCheck({}).enabled()); }

// Error paths.

TEST(ApiKeyCheckTest, MissingOrWrongCredentialsFail) {
  const ApiKeyCheck check(kKeys);

  EXPECT_EQ(check.authenticate(std::nullopt), std::nullopt);
  EXPECT_EQ(check.authenticate(""), std::nullopt);
  EXPECT_EQ(check.authenticate("Bearer "), std::nullopt);
  EXPECT_EQ(check.authenticate("Bearer 0123456789abcdeX"), std::nullopt);
  EXPECT_EQ(check.authenticate("Basic 0123456789abcdef"), std::nullopt);
  EXPECT_EQ(check.authenticate("0123456789abcdef"), std::nullopt);
}

}  // namespace
}  // namespace odscan::smartscan
