// Fuzzes the agent's command check. Commands reach the agent from the network,
// so verifyCommand() must reject anything malformed without crashing. A command
// that verifies must carry exactly the fields that were signed: signing them
// again with the same key must verify too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "fuzz_key.h"
#include "odscan/agent/agent_command.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json input = nlohmann::json::parse(data, data + size, nullptr, false);
  if (input.is_discarded()) return 0;
  const auto& key = odscan::fuzz::fuzzKey();
  const std::string agentId =
      input.is_object() && input.contains("agent_id") && input["agent_id"].is_string()
          ? input["agent_id"].get<std::string>()
          : "a-0000000000000000";
  auto command = odscan::agent::verifyCommand(input, key.publicKey(), agentId);
  if (!command.ok()) return 0;
  auto again = odscan::agent::signCommand(*command, key);
  if (!again.ok() || !odscan::agent::verifyCommand(*again, key.publicKey(), agentId).ok()) {
    std::abort();
  }
  return 0;
}
