#include "odscan/agent/agent_command.h"

#include <vector>

#include "odscan/common/digest.h"

namespace odscan::agent {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kSignedFormat = "odscan-agent-command 1";

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Status malformed(std::string_view id, std::string_view problem) {
  return Status(StatusCode::kCorrupt,
                "the command " + (id.empty() ? std::string("without an id") : std::string(id)) +
                    " is malformed: " + std::string(problem));
}

// Ids and kinds are short and plain, so a command never smuggles a line break
// into the signed text.
bool isPlainName(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text) {
    const bool allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                         (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!allowed) return false;
  }
  return true;
}

}  // namespace

std::string signedText(const AgentCommand& command) {
  std::string text(kSignedFormat);
  text += "\nid=" + command.id;
  text += "\nagent=" + command.agentId;
  text += "\nsequence=" + std::to_string(command.sequence);
  text += "\nkind=" + command.kind;
  text += "\nissued_at=" + std::to_string(command.issuedAt);
  text += "\nexpires_at=" + std::to_string(command.expiresAt);
  text += "\n";
  return text;
}

Result<Json> signCommand(const AgentCommand& command, const PrivateKey& key) {
  const std::string text = signedText(command);
  auto signature =
      key.sign(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (!signature.ok())
    return signature.status().withContext("cannot sign the command " + command.id);
  return Json{{"id", command.id},
              {"agent_id", command.agentId},
              {"sequence", command.sequence},
              {"kind", command.kind},
              {"issued_at", command.issuedAt},
              {"expires_at", command.expiresAt},
              {"signature", hexOf(*signature)}};
}

Result<AgentCommand> verifyCommand(const Json& signedCommand, const PublicKey& key,
                                   std::string_view agentId) {
  if (!signedCommand.is_object()) return malformed("", "it is not a JSON object");
  AgentCommand command;
  const auto id = signedCommand.find("id");
  if (id != signedCommand.end() && id->is_string() && isPlainName(id->get<std::string>())) {
    command.id = id->get<std::string>();
  } else {
    return malformed("", "\"id\" must be a short name");
  }
  for (const auto& [member, target] :
       {std::pair<std::string_view, std::string*>{"agent_id", &command.agentId},
        {"kind", &command.kind}}) {
    const auto found = signedCommand.find(member);
    if (found == signedCommand.end() || !found->is_string() ||
        !isPlainName(found->get<std::string>())) {
      return malformed(command.id, "\"" + std::string(member) + "\" must be a short name");
    }
    *target = found->get<std::string>();
  }
  for (const auto& [member, target] :
       {std::pair<std::string_view, std::int64_t*>{"sequence", &command.sequence},
        {"issued_at", &command.issuedAt},
        {"expires_at", &command.expiresAt}}) {
    const auto found = signedCommand.find(member);
    if (found == signedCommand.end() || !found->is_number_integer()) {
      return malformed(command.id, "\"" + std::string(member) + "\" must be a whole number");
    }
    *target = found->get<std::int64_t>();
  }
  const auto signature = signedCommand.find("signature");
  if (signature == signedCommand.end() || !signature->is_string() ||
      signature->get<std::string>().size() != kEd25519SignatureLength * 2) {
    return malformed(command.id, "\"signature\" must be 128 hex digits");
  }
  std::vector<std::uint8_t> signatureBytes;
  const std::string hex = signature->get<std::string>();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hexDigit(hex[i]);
    const int low = hexDigit(hex[i + 1]);
    if (high < 0 || low < 0) return malformed(command.id, "\"signature\" must be lower-case hex");
    signatureBytes.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  const std::string text = signedText(command);
  if (!key.verify(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                  signatureBytes)) {
    return Status(StatusCode::kBadSignature,
                  "the command " + command.id + " is not signed by the publisher key " +
                      key.fingerprint().substr(0, 16) +
                      "; it was forged or changed on the way, and is not run");
  }
  if (command.agentId != agentId) {
    return Status(StatusCode::kPermissionDenied,
                  "the command " + command.id + " was queued for agent " + command.agentId +
                      ", not for this agent (" + std::string(agentId) + "), and is not run");
  }
  return command;
}

}  // namespace odscan::agent
