#include "scan_context.h"

#include <gtest/gtest.h>

namespace odscan::engine {
namespace {

TEST(SkipReasonTest, IoErrorKindsMapToReasons) {
  EXPECT_EQ(skipReasonFor(platform::IoErrorKind::kAccessDenied), SkipReason::kAccessDenied);
  EXPECT_EQ(skipReasonFor(platform::IoErrorKind::kNotFound), SkipReason::kVanished);
  EXPECT_EQ(skipReasonFor(platform::IoErrorKind::kLocked), SkipReason::kLocked);
  EXPECT_EQ(skipReasonFor(platform::IoErrorKind::kIoError), SkipReason::kIoError);
}

}  // namespace
}  // namespace odscan::engine
