#include "odscan/http/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace odscan::http {
namespace {

TEST(RequestIdTest, AcceptsAllowedCharacters) {
  EXPECT_TRUE(isValidRequestId("a"));
  EXPECT_TRUE(isValidRequestId("Abc-123_x.y"));
  EXPECT_TRUE(isValidRequestId(std::string(64, 'z')));
}

TEST(RequestIdTest, GeneratedIdsAreValidAndDistinct) {
  RequestIdGenerator first;
  RequestIdGenerator second;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string a(first.next());
    const std::string b(second.next());
    EXPECT_TRUE(isValidRequestId(a)) << a;
    EXPECT_TRUE(seen.insert(a).second) << a;
    EXPECT_TRUE(seen.insert(b).second) << b;
  }
}

// Error paths.

TEST(RequestIdTest, RejectsEmptyAndTooLong) {
  EXPECT_FALSE(isValidRequestId(""));
  EXPECT_FALSE(isValidRequestId(std::string(65, 'z')));
}

TEST(RequestIdTest, RejectsCharactersThatCouldForgeLogs) {
  for (const std::string_view id : {"a b", "a\"b", "a\nb", "a=b", "a/b", "a\\b", "caf\xc3\xa9"}) {
    EXPECT_FALSE(isValidRequestId(id)) << id;
  }
}

}  // namespace
}  // namespace odscan::http
