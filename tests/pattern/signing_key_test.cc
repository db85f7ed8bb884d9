#include "odscan/pattern/signing_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include "pattern_test_support.h"

namespace odscan {
namespace {

using testing::TempDir;
using testing::writeText;

std::vector<std::uint8_t> message(std::string_view text) {
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// Returns a PEM public key of another algorithm (X25519, a key-agreement key).
std::string otherAlgorithmPublicPem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

TEST(SigningKeyTest, SignatureVerifies) {
  const PrivateKey key = testing::generateKey();
  const auto text = message("pattern bytes");
  auto signature = key.sign(text);
  ASSERT_TRUE(signature.ok()) << signature.status().toString();

  EXPECT_TRUE(key.publicKey().verify(text, *signature));
}

TEST(SigningKeyTest, ModifiedMessageFailsVerification) {
  const PrivateKey key = testing::generateKey();
  auto signature = key.sign(message("pattern bytes"));
  ASSERT_TRUE(signature.ok());

  EXPECT_FALSE(key.publicKey().verify(message("pattern bytez"), *signature));
}

TEST(SigningKeyTest, ShortSignatureFailsVerification) {
  const PrivateKey key = testing::generateKey();
  const std::vector<std::uint8_t> shortSignature(63, 0);
  EXPECT_FALSE(key.publicKey().verify(message("x"), shortSignature));
}

TEST(SigningKeyTest, OtherKeyFailsVerification) {
  const PrivateKey key = testing::generateKey();
  const PrivateKey other = testing::generateKey();
  auto signature = key.sign(message("pattern"));
  ASSERT_TRUE(signature.ok());

  EXPECT_FALSE(other.publicKey().verify(message("pattern"), *signature));
}

TEST(SigningKeyTest, FingerprintIsSha256HexAndStable) {
  const PrivateKey key = testing::generateKey();
  const std::string fingerprint = key.publicKey().fingerprint();

  EXPECT_EQ(fingerprint.size(), 64u);
  EXPECT_EQ(fingerprint, key.publicKey().fingerprint());
  EXPECT_NE(fingerprint, testing::generateKey().publicKey().fingerprint());
}

TEST(SigningKeyTest, KeysRoundTripThroughFiles) {
  TempDir dir;
  const PrivateKey key = testing::generateKey();
  ASSERT_TRUE(key.writeFile(dir / "publisher.key").ok());
  ASSERT_TRUE(key.publicKey().writeFile(dir / "publisher.pub").ok());

  auto privateKey = PrivateKey::readFile(dir / "publisher.key");
  auto publicKey = PublicKey::readFile(dir / "publisher.pub");
  ASSERT_TRUE(privateKey.ok()) << privateKey.status().toString();
  ASSERT_TRUE(publicKey.ok()) << publicKey.status().toString();

  EXPECT_EQ(publicKey->fingerprint(), key.publicKey().fingerprint());
  auto signature = privateKey->sign(message("round trip"));
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(publicKey->verify(message("round trip"), *signature));
}

TEST(SigningKeyTest, PrivateKeyFileIsOwnerOnly) {
#ifdef _WIN32
  GTEST_SKIP() << "POSIX permission bits; on Windows the key file inherits the folder's ACL";
#else
  TempDir dir;
  ASSERT_TRUE(testing::generateKey().writeFile(dir / "publisher.key").ok());

  struct stat info {};
  ASSERT_EQ(::stat((dir / "publisher.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
#endif
}

TEST(SigningKeyTest, PemFromOpensslCommandLineIsAccepted) {
  // The layout `openssl genpkey -algorithm ed25519` writes (PKCS#8).
  const PrivateKey key = testing::generateKey();
  auto parsed = PrivateKey::fromPem(key.toPem(), "test");
  ASSERT_TRUE(parsed.ok());
  EXPECT_NE(key.toPem().find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(key.publicKey().toPem().find("BEGIN PUBLIC KEY"), std::string::npos);
}

// --- Error paths ---

TEST(SigningKeyTest, ExistingKeyFileIsNotOverwritten) {
  TempDir dir;
  writeText(dir / "publisher.key", "keep me");
  const Status status = testing::generateKey().writeFile(dir / "publisher.key");

  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::readText(dir / "publisher.key"), "keep me");
}

TEST(SigningKeyTest, OverwriteReplacesKeyFile) {
  TempDir dir;
  writeText(dir / "publisher.pub", "old");
  const PrivateKey key = testing::generateKey();
  ASSERT_TRUE(key.publicKey().writeFile(dir / "publisher.pub", true).ok());

  auto publicKey = PublicKey::readFile(dir / "publisher.pub");
  ASSERT_TRUE(publicKey.ok());
  EXPECT_EQ(publicKey->fingerprint(), key.publicKey().fingerprint());
}

TEST(SigningKeyTest, MissingKeyFileIsNotFound) {
  TempDir dir;
  const Status status = PublicKey::readFile(dir / "absent.pub").status();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("absent.pub"), std::string::npos);
}

TEST(SigningKeyTest, TextThatIsNotPemIsRejected) {
  TempDir dir;
  writeText(dir / "garbage.pub", "not a key\n");
  const Status status = PublicKey::readFile(dir / "garbage.pub").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("garbage.pub"), std::string::npos);
}

TEST(SigningKeyTest, PrivateKeyGivenAsPublicKeyIsRejected) {
  const PrivateKey key = testing::generateKey();
  EXPECT_EQ(PublicKey::fromPem(key.toPem(), "k").status().code(), StatusCode::kInvalidArgument);
}

TEST(SigningKeyTest, PublicKeyGivenAsPrivateKeyIsRejected) {
  const PrivateKey key = testing::generateKey();
  EXPECT_EQ(PrivateKey::fromPem(key.publicKey().toPem(), "k").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SigningKeyTest, KeyOfAnotherAlgorithmIsRejected) {
  const Status status = PublicKey::fromPem(otherAlgorithmPublicPem(), "x25519.pub").status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("Ed25519"), std::string::npos);
}

}  // namespace
}  // namespace odscan
