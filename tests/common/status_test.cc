#include "odscan/common/status.h"

#include <gtest/gtest.h>

namespace odscan {
namespace {

TEST(StatusTest, DefaultIsSuccess) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.toString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status status(StatusCode::kCorrupt, "checksum mismatch");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kCorrupt);
  EXPECT_EQ(status.toString(), "corrupt: checksum mismatch");
}

TEST(StatusTest, WithContextPrefixesMessage) {
  Status status = Status(StatusCode::kIoError, "read failed").withContext("pattern.ptn");
  EXPECT_EQ(status.message(), "pattern.ptn: read failed");
  EXPECT_EQ(status.code(), StatusCode::kIoError);
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> value(7);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);

  Result<int> error(Status(StatusCode::kNotFound, "no such key"));
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace odscan
