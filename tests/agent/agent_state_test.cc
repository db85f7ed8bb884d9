#include <gtest/gtest.h>

#include <fstream>

#include "odscan/agent/agent.h"

namespace odscan::agent {
namespace {

namespace fs = std::filesystem;

class AgentStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ =
        fs::temp_directory_path() /
        ("odscan-agent-state-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path folder_;
};

TEST_F(AgentStateTest, WrittenStateReadsBack) {
  AgentState state;
  state.consoleUrl = "http://127.0.0.1:8480/";
  state.agentId = "a-0011223344556677";
  state.secret = std::string(64, 'a');
  state.lastSequence = 7;
  state.lastCommand = "c-0011223344556677";
  state.pendingReports.push_back({{"command", "c-0011223344556677"}, {"state", "done"}});
  ASSERT_TRUE(writeAgentState(folder_, state).ok());
  auto read = readAgentState(folder_);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->consoleUrl, state.consoleUrl);
  EXPECT_EQ(read->agentId, state.agentId);
  EXPECT_EQ(read->secret, state.secret);
  EXPECT_EQ(read->lastSequence, 7);
  EXPECT_EQ(read->lastCommand, state.lastCommand);
  ASSERT_EQ(read->pendingReports.size(), 1u);
  EXPECT_EQ(read->pendingReports[0]["state"], "done");
}

TEST_F(AgentStateTest, MissingStateSaysHowToEnroll) {
  auto read = readAgentState(folder_);
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find("tm-agent enroll"), std::string::npos);
}

TEST_F(AgentStateTest, DamagedStateIsRejected) {
  for (const char* text : {"{", "[]", "{\"console_url\": 5}",
                           "{\"console_url\": \"\", \"agent_id\": \"a\", \"secret\": \"s\"}"}) {
    std::ofstream(folder_ / "agent.json", std::ios::trunc) << text;
    auto read = readAgentState(folder_);
    EXPECT_EQ(read.status().code(), StatusCode::kCorrupt) << text;
    EXPECT_NE(read.status().message().find("agent.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace odscan::agent
