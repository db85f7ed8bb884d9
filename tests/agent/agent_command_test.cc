#include "odscan/agent/agent_command.h"

#include <gtest/gtest.h>

#include "odscan/agent/agent.h"

namespace odscan::agent {
namespace {

using Json = nlohmann::json;

AgentCommand sampleCommand() {
  return AgentCommand{
      "c-0011223344556677", "a-8899aabbccddeeff", 3, std::string(kOnDemandScanCommand),
      1'780'000'000,        1'780'086'400};
}

class AgentCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = PrivateKey::generate();
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<PrivateKey>(*key);
    auto other = PrivateKey::generate();
    ASSERT_TRUE(other.ok());
    otherKey_ = std::make_unique<PrivateKey>(*other);
  }

  std::unique_ptr<PrivateKey> key_;
  std::unique_ptr<PrivateKey> otherKey_;
};

TEST_F(AgentCommandTest, SignedCommandVerifies) {
  auto signedCommand = signCommand(sampleCommand(), *key_);
  ASSERT_TRUE(signedCommand.ok());
  auto command = verifyCommand(*signedCommand, key_->publicKey(), "a-8899aabbccddeeff");
  ASSERT_TRUE(command.ok()) << command.status().message();
  EXPECT_EQ(command->id, "c-0011223344556677");
  EXPECT_EQ(command->sequence, 3);
  EXPECT_EQ(command->kind, kOnDemandScanCommand);
  EXPECT_EQ(command->expiresAt, 1'780'086'400);
}

TEST_F(AgentCommandTest, CommandSignedByAnotherKeyIsForged) {
  auto forged = signCommand(sampleCommand(), *otherKey_);
  ASSERT_TRUE(forged.ok());
  auto command = verifyCommand(*forged, key_->publicKey(), "a-8899aabbccddeeff");
  EXPECT_EQ(command.status().code(), StatusCode::kBadSignature);
  EXPECT_NE(command.status().message().find("c-0011223344556677"), std::string::npos);
}

TEST_F(AgentCommandTest, ChangedFieldBreaksTheSignature) {
  auto signedCommand = signCommand(sampleCommand(), *key_);
  ASSERT_TRUE(signedCommand.ok());
  for (const auto& [member, value] : {std::pair<std::string, Json>{"sequence", 99},
                                      {"expires_at", 1'990'000'000},
                                      {"kind", "uninstall"},
                                      {"id", "c-ffffffffffffffff"}}) {
    Json changed = *signedCommand;
    changed[member] = value;
    EXPECT_EQ(verifyCommand(changed, key_->publicKey(), "a-8899aabbccddeeff").status().code(),
              StatusCode::kBadSignature)
        << member;
  }
}

TEST_F(AgentCommandTest, CommandOfAnotherAgentIsRefused) {
  auto signedCommand = signCommand(sampleCommand(), *key_);
  ASSERT_TRUE(signedCommand.ok());
  auto command = verifyCommand(*signedCommand, key_->publicKey(), "a-0000000000000000");
  EXPECT_EQ(command.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(command.status().message().find("a-8899aabbccddeeff"), std::string::npos);
}

TEST_F(AgentCommandTest, MalformedCommandsAreRejected) {
  auto signedCommand = signCommand(sampleCommand(), *key_);
  ASSERT_TRUE(signedCommand.ok());
  std::vector<Json> broken = {Json::array(), Json::object(), Json("text")};
  for (const char* member : {"id", "agent_id", "sequence", "signature"}) {
    Json missing = *signedCommand;
    missing.erase(member);
    broken.push_back(missing);
  }
  Json lineBreak = *signedCommand;
  lineBreak["kind"] = "ondemand_scan\nsequence=1";
  broken.push_back(lineBreak);
  Json shortSignature = *signedCommand;
  shortSignature["signature"] = "abcd";
  broken.push_back(shortSignature);
  for (const Json& command : broken) {
    EXPECT_EQ(verifyCommand(command, key_->publicKey(), "a-8899aabbccddeeff").status().code(),
              StatusCode::kCorrupt)
        << command.dump();
  }
}

TEST(RetryDelayTest, DoublesUpToTheMaximumWithJitter) {
  using std::chrono::milliseconds;
  EXPECT_EQ(retryDelay(1, milliseconds(2000), milliseconds(60000), 0), milliseconds(2000));
  EXPECT_EQ(retryDelay(3, milliseconds(2000), milliseconds(60000), 0), milliseconds(8000));
  EXPECT_EQ(retryDelay(40, milliseconds(2000), milliseconds(60000), 0), milliseconds(60000));
  EXPECT_EQ(retryDelay(1, milliseconds(2000), milliseconds(60000), 1), milliseconds(3000));
  EXPECT_EQ(retryDelay(40, milliseconds(2000), milliseconds(60000), 0.5), milliseconds(75000));
}

}  // namespace
}  // namespace odscan::agent
