// Writes the seed corpus of the fuzzers: small pattern files signed with the
// fuzzing key, their decompressed payloads, a wrapped payload for
// pattern_file_fuzzer, short signature files, and small archives for
// archive_scanner_fuzzer and zip_reader_fuzzer, and query request and response
// bodies for query_body_fuzzer, and a signed command for agent_command_fuzzer.
//
// Usage: odscan-fuzz-seeds OUTPUT_DIR
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "archive_seeds.h"
#include "fuzz_key.h"
#include "odscan/agent/agent_command.h"
#include "odscan/pattern/agent_pattern.h"
#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/smart_scan_pattern.h"
#include "odscan/protocol/query_codec.h"

namespace {

namespace fs = std::filesystem;

bool writeFile(const fs::path& path, const void* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return out.good();
}

bool writeBytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  return writeFile(path, bytes.data(), bytes.size());
}

bool writeText(const fs::path& path, const std::string& text) {
  return writeFile(path, text.data(), text.size());
}

std::vector<odscan::Signature> sampleSignatures() {
  std::vector<odscan::Signature> signatures;
  std::mt19937_64 random(9);
  for (int i = 0; i < 12; ++i) {
    odscan::Signature signature;
    signature.digest.kind = static_cast<odscan::DigestKind>(1 + i % 3);
    for (std::size_t b = 0; b < signature.digest.length(); ++b) {
      signature.digest.bytes[b] = static_cast<std::uint8_t>(random());
    }
    signature.size = i % 2 == 0 ? odscan::kAnySize : static_cast<std::uint64_t>(100 + i);
    signature.threatName = "Fuzz.Seed." + std::to_string(i % 5);
    signatures.push_back(signature);
  }
  return signatures;
}

// Returns [kind byte][u64 size][zlib stream], the input form pattern_file_fuzzer
// wraps in a header with a matching checksum.
std::vector<std::uint8_t> wrappedPayload(odscan::PatternKind kind,
                                         const std::vector<std::uint8_t>& payload) {
  uLongf length = compressBound(static_cast<uLong>(payload.size()));
  std::vector<std::uint8_t> compressed(length);
  compress2(compressed.data(), &length, payload.data(), static_cast<uLong>(payload.size()), 6);
  compressed.resize(length);

  std::vector<std::uint8_t> seed = {static_cast<std::uint8_t>(kind == odscan::PatternKind::kAgent)};
  for (int i = 0; i < 8; ++i) seed.push_back(static_cast<std::uint8_t>(payload.size() >> (8 * i)));
  seed.insert(seed.end(), compressed.begin(), compressed.end());
  return seed;
}

// One seed per decoder: the first byte selects it (bit 0 binary, bit 1 response).
bool writeQuerySeeds(const fs::path& folder, const std::vector<odscan::Signature>& signatures) {
  using odscan::protocol::BodyFormat;
  odscan::protocol::QueryRequest request;
  odscan::protocol::QueryResponse response;
  response.patternVersion = 202612041230;
  for (const auto& signature : signatures) {
    request.items.push_back({signature.digest, 68});
    response.results.push_back({odscan::protocol::QueryVerdict::kMalicious, signature.threatName});
    response.results.emplace_back();
  }
  bool ok = true;
  for (const BodyFormat format : {BodyFormat::kJson, BodyFormat::kBinary}) {
    const char formatBit = format == BodyFormat::kBinary ? 1 : 0;
    const std::string suffix = format == BodyFormat::kBinary ? ".bin" : ".json";
    ok = ok && writeText(folder / ("request" + suffix),
                         std::string(1, formatBit) +
                             odscan::protocol::encodeQueryRequest(request, format));
    ok = ok && writeText(folder / ("response" + suffix),
                         std::string(1, static_cast<char>(formatBit | 2)) +
                             odscan::protocol::encodeQueryResponse(response, format));
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: odscan-fuzz-seeds OUTPUT_DIR\n";
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* name : {"pattern_file_fuzzer", "pattern_payload_fuzzer", "signature_file_fuzzer",
                           "archive_scanner_fuzzer", "zip_reader_fuzzer", "query_body_fuzzer",
                           "agent_command_fuzzer"}) {
    fs::create_directories(root / name);
  }

  const odscan::PrivateKey& key = odscan::fuzz::fuzzKey();
  const auto signatures = sampleSignatures();
  std::vector<odscan::Digest> filterKeys;
  filterKeys.reserve(signatures.size());
  for (const auto& signature : signatures) filterKeys.push_back(signature.digest);
  auto agent = odscan::AgentPattern::build({signatures[0], signatures[1]}, filterKeys, 1);
  auto smartScan = odscan::SmartScanPattern::build(signatures, 1);
  if (!agent.ok() || !smartScan.ok()) {
    std::cerr << "cannot build the seed patterns\n";
    return 1;
  }

  bool ok = true;
  const odscan::PublicKey publicKey = key.publicKey();
  for (const auto& [name, file] : {std::pair{"agent", agent->encode(key, 0)},
                                   std::pair{"smart-scan", smartScan->encode(key, 0)}}) {
    if (!file.ok()) return 1;
    ok = ok && writeBytes(root / "pattern_file_fuzzer" / (std::string(name) + ".ptn"), *file);
    auto contents = odscan::openPatternFile(*file, &publicKey, std::nullopt, name);
    if (!contents.ok()) return 1;
    ok = ok && writeBytes(root / "pattern_payload_fuzzer" / (std::string(name) + ".payload"),
                          contents->payload);
    ok = ok && writeBytes(root / "pattern_file_fuzzer" / (std::string(name) + ".wrapped"),
                          wrappedPayload(contents->header.kind, contents->payload));
  }

  ok = ok && writeText(root / "signature_file_fuzzer" / "sample.hdb",
                       "# comment\n44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
                       "aa15bcf478d165efd2065190eb473bcb:*:Clamav.Test.File-6:73\r\n");
  ok = ok && writeText(root / "signature_file_fuzzer" / "list.txt",
                       "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f Eicar\n"
                       "3395856ce81f2b7382dee72602f798b642f14140\n");
  ok = odscan::fuzz::writeArchiveSeeds(root / "archive_scanner_fuzzer") && ok;
  ok = odscan::fuzz::writeZipReaderSeeds(root / "zip_reader_fuzzer") && ok;
  ok = writeQuerySeeds(root / "query_body_fuzzer", signatures) && ok;
  auto command = odscan::agent::signCommand(
      {"c-0011223344556677", "a-0000000000000000", 3, "ondemand_scan", 1780000000, 1780086400},
      key);
  ok = command.ok() && writeText(root / "agent_command_fuzzer" / "signed.json", command->dump()) &&
       ok;
  if (!ok) {
    std::cerr << "cannot write the seed corpus under " << root << "\n";
    return 1;
  }
  return 0;
}
