#include "odscan/scanner/component_installer.h"

#include <fstream>
#include <system_error>
#include <vector>

#include "durable_file.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/signing_key.h"

namespace odscan::scanner {
namespace {

constexpr std::size_t kChunkSize = 64 * 1024;

Status copyChunks(std::ifstream& input, const std::filesystem::path& source, DurableFile& output) {
  std::vector<char> buffer(kChunkSize);
  while (input) {
    input.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::size_t>(input.gcount());
    if (count == 0) break;
    const std::span<const std::uint8_t> chunk(reinterpret_cast<const std::uint8_t*>(buffer.data()),
                                              count);
    if (Status written = output.write(chunk); !written.ok()) return written;
  }
  if (input.bad()) return Status(StatusCode::kIoError, "reading '" + source.string() + "' failed");
  return Status::success();
}

// Copies `source` to `target` through an owner-only temporary file in the target's
// folder and a rename, so a scan never reads half a component.
Status copyOwnerOnly(const std::filesystem::path& source, const std::filesystem::path& target) {
  std::ifstream input(source, std::ios::binary);
  if (!input) {
    return Status(StatusCode::kNotFound, "cannot open '" + source.string() + "' for reading");
  }
  const std::filesystem::path temporary = temporarySiblingOf(target);
  Result<DurableFile> output = DurableFile::createOwnerOnly(temporary);
  if (!output.ok()) return output.status();

  Status copied = copyChunks(input, source, *output);
  if (copied.ok()) copied = output->sync();
  if (copied.ok()) copied = output->close();
  std::error_code error;
  if (copied.ok()) {
    std::filesystem::rename(temporary, target, error);
    if (error) {
      copied = Status(StatusCode::kIoError, "renaming '" + temporary.string() + "' to '" +
                                                target.string() + "' failed: " + error.message());
    }
  }
  if (!copied.ok()) std::filesystem::remove(temporary, error);
  return copied;
}

}  // namespace

Result<InstalledComponents> installComponents(const HomeFolder& home,
                                              const std::filesystem::path& pattern,
                                              const std::filesystem::path& publicKey) {
  Result<PublicKey> key = PublicKey::readFile(publicKey);
  if (!key.ok()) {
    return key.status().withContext("cannot install the components: the public key '" +
                                    publicKey.string() + "' does not load");
  }
  Result<AgentPattern> loaded = AgentPattern::load(pattern, *key);
  if (!loaded.ok()) {
    return loaded.status().withContext("cannot install the components: the pattern '" +
                                       pattern.string() + "' does not verify with '" +
                                       publicKey.string() + "'");
  }

  InstalledComponents installed;
  installed.patternVersion = loaded->version();
  installed.exactSignatures = loaded->exactCount();
  installed.filterKeys = loaded->filterKeyCount();
  installed.keyFingerprint = key->fingerprint();
  installed.patternPath = home.defaultPatternPath();
  installed.publicKeyPath = home.defaultPublicKeyPath();

  // NOTE: a scan that starts between the two renames may see the new key with the
  // old pattern. It then stops with a pattern error and can be run again.
  if (Status copied = copyOwnerOnly(publicKey, installed.publicKeyPath); !copied.ok()) {
    return copied.withContext("cannot install the public key");
  }
  if (Status copied = copyOwnerOnly(pattern, installed.patternPath); !copied.ok()) {
    return copied.withContext("cannot install the pattern");
  }
  return installed;
}

}  // namespace odscan::scanner
