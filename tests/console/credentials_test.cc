#include "odscan/console/credentials.h"

#include <gtest/gtest.h>

namespace odscan::console {
namespace {

TEST(CredentialsTest, HashedPasswordVerifies) {
  auto hash = hashPassword("correct horse battery", 1000);
  ASSERT_TRUE(hash.ok()) << hash.status().message();
  EXPECT_EQ(hash->rfind("pbkdf2-sha256$1000$", 0), 0u);
  EXPECT_TRUE(verifyPassword("correct horse battery", *hash));
}

TEST(CredentialsTest, WrongPasswordDoesNotVerify) {
  auto hash = hashPassword("correct horse battery", 1000);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(verifyPassword("correct horse batterz", *hash));
}

TEST(CredentialsTest, SamePasswordGetsADifferentSalt) {
  EXPECT_NE(*hashPassword("correct horse battery", 1000),
            *hashPassword("correct horse battery", 1000));
}

TEST(CredentialsTest, ShortPasswordIsRejected) {
  auto hash = hashPassword("short", 1000);
  ASSERT_FALSE(hash.ok());
  EXPECT_NE(hash.status().message().find("12"), std::string::npos);
}

TEST(CredentialsTest, MalformedStoredHashNeverMatches) {
  for (const char* stored : {"", "pbkdf2-sha256", "pbkdf2-sha256$x$00$00", "md5$1000$00$00",
                             "pbkdf2-sha256$10$00$"
                             "0000000000000000000000000000000000000000000000000000000000000000",
                             "pbkdf2-sha256$1000$zz$00"}) {
    EXPECT_FALSE(verifyPassword("correct horse battery", stored)) << stored;
  }
}

TEST(CredentialsTest, TokensAreRandomHex) {
  const std::string a = randomToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, randomToken());
  EXPECT_EQ(tokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace odscan::console
