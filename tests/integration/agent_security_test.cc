// The agent's own checks, with the real tm-agent process: a stand-in console on
// 127.0.0.1 (fake_agent_console.py) serves commands that the test writes, so
// they can be forged, queued for another agent or replayed. The agent must run
// none of them, report none of them, and log why. The one genuine
// command fails because the stand-in has no components, which is itself a
// problem the agent reports with endpoint data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "../http/http_test_support.h"
#include "odscan/agent/agent.h"
#include "odscan/agent/agent_command.h"
#include "odscan/pattern/signing_key.h"
#include "program_run.h"
#include "server_process.h"

namespace odscan {
namespace {

namespace fs = std::filesystem;
using http::testing::TempFolder;
using odscan::testing::ProgramResult;
using odscan::testing::readText;
using odscan::testing::runProgram;
using odscan::testing::ServerProcess;
using odscan::testing::writeText;
using Json = nlohmann::json;

constexpr const char* kAgentId = "a-1111111111111111";

std::vector<Json> lines(const fs::path& file) {
  std::vector<Json> parsed;
  if (!fs::exists(file)) return parsed;
  std::istringstream in(readText(file));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) parsed.push_back(Json::parse(line));
  }
  return parsed;
}

class AgentSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = PrivateKey::generate();
    auto attacker = PrivateKey::generate();
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(attacker.ok());
    key_ = std::make_unique<PrivateKey>(*key);
    attacker_ = std::make_unique<PrivateKey>(*attacker);
    fs::create_directories(consoleFolder());
    writeText(consoleFolder() / "commands.json", "[]");
    ASSERT_TRUE(console_.start(
        "/usr/bin/python3",
        {(fs::path(ODSCAN_SOURCE_DIR) / "tests" / "integration" / "fake_agent_console.py").string(),
         "--folder", consoleFolder().string()},
        folder_ / "console.log"));

    // An agent that has run the command with sequence 5 already.
    fs::create_directories(stateDir());
    ASSERT_TRUE(key_->publicKey().writeFile(stateDir() / "publisher.pub").ok());
    agent::AgentState state;
    state.consoleUrl = console_.url() + "/";
    state.agentId = kAgentId;
    state.secret = std::string(64, 'e');
    state.lastSequence = 5;
    state.lastCommand = "c-0000000000000005";
    ASSERT_TRUE(agent::writeAgentState(stateDir(), state).ok());
  }

  fs::path consoleFolder() const { return folder_ / "console"; }
  fs::path stateDir() const { return folder_ / "state"; }

  Json command(const PrivateKey& key, const std::string& id, std::int64_t sequence,
               const std::string& agentId = kAgentId) {
    const std::int64_t now = std::time(nullptr);
    agent::AgentCommand command{id,  agentId,   sequence, std::string(agent::kOnDemandScanCommand),
                                now, now + 3600};
    auto signedCommand = agent::signCommand(command, key);
    EXPECT_TRUE(signedCommand.ok());
    return *signedCommand;
  }

  ProgramResult runAgent(const Json& commands) {
    writeText(consoleFolder() / "commands.json", commands.dump());
    return runProgram({TM_AGENT, "run", "--state-dir", stateDir().string(), "--home",
                       (folder_ / "HCEXEC").string(), "--check-ins", "2"},
                      folder_.path());
  }

  TempFolder folder_;
  ServerProcess console_;
  std::unique_ptr<PrivateKey> key_;
  std::unique_ptr<PrivateKey> attacker_;
};

TEST_F(AgentSecurityTest, ForgedMisroutedAndReplayedCommandsNeverRun) {
  Json changed = command(*key_, "c-00000000000000c4", 8);
  changed["sequence"] = 9;  // changed after signing
  const Json commands = {
      command(*attacker_, "c-00000000000000a1", 6),                   // forged
      command(*key_, "c-00000000000000b2", 7, "a-2222222222222222"),  // for another agent
      changed, command(*key_, "c-0000000000000003", 3),               // an old sequence: a replay
  };
  const ProgramResult run = runAgent(commands);
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
  const std::string log = readText(stateDir() / "agent.log");
  EXPECT_NE(log.find("c-00000000000000a1 is not signed by the publisher key"), std::string::npos)
      << log;
  EXPECT_NE(log.find("c-00000000000000b2 was queued for agent a-2222222222222222"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("c-00000000000000c4 is not signed"), std::string::npos) << log;
  EXPECT_NE(log.find("c-0000000000000003: its sequence 3 is not after the last one run (5)"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("starting"), std::string::npos) << log;
  EXPECT_TRUE(lines(consoleFolder() / "reports.jsonl").empty());
  EXPECT_FALSE(fs::exists(folder_ / "HCEXEC" / "components"));
  auto state = agent::readAgentState(stateDir());
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->lastSequence, 5);
}

TEST_F(AgentSecurityTest, GenuineCommandRunsOnceAndReportsMissingComponents) {
  const Json genuine = command(*key_, "c-0000000000000006", 6);
  // The stand-in sends the command at both check-ins, as a console that lost
  // the agent's report would.
  const ProgramResult run = runAgent(Json::array({genuine}));
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
  const std::vector<Json> reports = lines(consoleFolder() / "reports.jsonl");
  ASSERT_EQ(reports.size(), 2u) << run.out;
  EXPECT_EQ(reports[0]["state"], "running");
  EXPECT_EQ(reports[1]["state"], "failed");
  EXPECT_NE(reports[1]["reason"].get<std::string>().find("components could not be installed"),
            std::string::npos)
      << reports[1].dump();
  EXPECT_TRUE(fs::exists(consoleFolder() / "endpoint-data-0.zip")) << run.out;
  EXPECT_FALSE(fs::exists(consoleFolder() / "endpoint-data-1.zip"));

  // A later run gets the same command again and does not run it twice.
  const ProgramResult again = runAgent(Json::array({genuine}));
  ASSERT_EQ(again.exitCode, 0) << again.out << again.err;
  EXPECT_EQ(lines(consoleFolder() / "reports.jsonl").size(), 2u) << again.out;
}

TEST_F(AgentSecurityTest, RejectedEndpointDataMovesAsideInsteadOfRepeating) {
  writeText(consoleFolder() / "reject-endpoint-data", "");
  const ProgramResult run = runAgent(Json::array({command(*key_, "c-0000000000000006", 6)}));
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("is kept in"), std::string::npos) << run.out;
  EXPECT_FALSE(fs::exists(consoleFolder() / "endpoint-data-0.zip"));
  std::size_t kept = 0;
  for (const auto& entry : fs::directory_iterator(stateDir() / "outbox" / "rejected")) {
    kept += entry.path().extension() == ".zip" ? 1 : 0;
  }
  EXPECT_EQ(kept, 1u);
  std::size_t waiting = 0;
  for (const auto& entry : fs::directory_iterator(stateDir() / "outbox")) {
    waiting += entry.path().extension() == ".zip" ? 1 : 0;
  }
  EXPECT_EQ(waiting, 0u) << "a rejected archive must not be sent again";
}

}  // namespace
}  // namespace odscan
