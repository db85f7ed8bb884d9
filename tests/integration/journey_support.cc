#include "journey_support.h"

#include <gtest/gtest.h>

#include "program_run.h"

namespace odscan::testing {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string eicar() {
  const std::string first = "$}7)CC7)^P(45XZP\\4[PA@%P!O5X";
  const std::string second = "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE";
  return std::string(first.rbegin(), first.rend()) + std::string(second.rbegin(), second.rend());
}

void plantJourneyTree(const fs::path& tree) {
  writeText(tree / "Downloads" / "setup.exe", eicar());
  writeText(tree / "documents" / "notes.txt", "meeting notes\n");
  fs::create_directories(tree / "tools");
  fs::copy_file(kClamExe, tree / "tools" / "clam.exe", fs::copy_options::overwrite_existing);
}

void buildJourneyPatterns(const fs::path& folder, const fs::path& privateKey) {
  writeText(folder / "eicar.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n");
  writeText(folder / "full.hdb",
            "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n"
            "aa15bcf478d165efd2065190eb473bcb:544:Clamav.Test.File-6\n");
  const ProgramResult build =
      runProgram({ODSCAN_PATTERN_TOOL, "build", "--key", privateKey.string(), "--output-dir",
                  (folder / "patterns").string(), "--agent-exact", (folder / "eicar.hdb").string(),
                  (folder / "full.hdb").string()},
                 folder);
  ASSERT_EQ(build.exitCode, 0) << build.err;
}

fs::path strippedCopy(const fs::path& program, const fs::path& folder) {
  const fs::path copy = folder / "programs" / program.filename();
  fs::create_directories(copy.parent_path());
  const ProgramResult stripped =
      runProgram({"objcopy", "--strip-debug", program.string(), copy.string()}, folder);
  EXPECT_EQ(stripped.exitCode, 0) << stripped.err;
  return copy;
}

void publishJourneyComponents(const console::testing::ConsoleProcess& console,
                              const fs::path& folder, const std::string& scannerComponent,
                              const fs::path& scanner, const std::string& target,
                              const std::string& smartScanUrl, const Json& configChanges) {
  const std::string config = (console.folder() / "console.json").string();
  for (const auto& [component, file] :
       {std::pair<std::string, std::string>{"agent-pattern",
                                            (folder / "patterns" / "agent-pattern.ptn").string()},
        {scannerComponent, scanner.string()}}) {
    const ProgramResult published = runProgram(
        {THREAT_MITIGATOR, "publish", "--config", config, "--component", component, file}, folder);
    ASSERT_EQ(published.exitCode, 0) << published.err;
  }
  const Json onDemand = {{"targets", {target}}, {"action", "report"}};
  const Json smartScan = {{"smart_scan_server_url", smartScanUrl}, {"allow_global_server", false}};
  for (const auto& [group, json] :
       {std::pair<std::string, Json>{"ondemand", onDemand}, {"smartscan", smartScan}}) {
    const ProgramResult saved = runProgram(
        {THREAT_MITIGATOR, "settings", "--config", config, "--group", group, "--json", json.dump()},
        folder);
    ASSERT_EQ(saved.exitCode, 0) << saved.err;
  }
  Json consoleConfig = Json::parse(readText(config));
  consoleConfig.merge_patch(configChanges);
  writeText(config, consoleConfig.dump(2));
}

}  // namespace odscan::testing
