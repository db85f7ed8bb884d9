#include "test_support.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "odscan/common/hasher.h"
#include "odscan/pattern/pattern_builder.h"
#include "odscan/pattern/signing_key.h"
#include "odscan/scanner/random_id.h"

namespace odscan::scanner::testing {

TempFolder::TempFolder() {
  path_ = std::filesystem::temp_directory_path() / ("odscan-scanner-test-" + randomHexId(8));
  std::filesystem::create_directories(path_);
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  // Tests may leave read-only folders behind; make them writable to remove them.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ignored);
    }
#ifdef _WIN32
    // Windows cannot delete a read-only file; the write bit clears that attribute.
    if (it->is_regular_file(ignored)) {
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_write,
                                   std::filesystem::perm_options::add, ignored);
    }
#endif
  }
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ignored);
  std::filesystem::remove_all(path_, ignored);
}

ScopedUmask::ScopedUmask(unsigned mask) : previous_(::umask(static_cast<mode_t>(mask))) {}

ScopedUmask::~ScopedUmask() { ::umask(static_cast<mode_t>(previous_)); }

unsigned modeOf(const std::filesystem::path& path) {
#ifdef _WIN32
  // MinGW has no lstat(). Windows keeps no mode bits, and these are the ones
  // MSVCRT derives from the read-only attribute.
  std::error_code error;
  const auto status = std::filesystem::symlink_status(path, error);
  if (error) {
    ADD_FAILURE() << "cannot stat " << path << ": " << error.message();
    return 0;
  }
  return static_cast<unsigned>(status.permissions()) & 07777u;
#else
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    ADD_FAILURE() << "cannot stat " << path;
    return 0;
  }
  return info.st_mode & 07777u;
#endif
}

void writeFile(const std::filesystem::path& path, const std::string& contents) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream output(path, std::ios::binary | std::ios::trunc);
  output << contents;
  ASSERT_TRUE(output.good()) << "cannot write " << path;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::ostringstream contents;
  contents << input.rdbuf();
  return contents.str();
}

std::vector<std::string> readLines(const std::filesystem::path& path) {
  std::ifstream input(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(input, line);) lines.push_back(line);
  return lines;
}

std::string eicarText() {
  // Both halves are stored reversed.
  std::string head = "$}7)CC7)^P(45XZP\\4[PA@%P!O5X";
  std::string tail = "*H+H$!ELIF-TSET-SURIVITNA-DRADNATS-RACIE";
  std::reverse(head.begin(), head.end());
  std::reverse(tail.begin(), tail.end());
  return head + tail;
}

std::string testThreatText() { return "odscan scanner test: this text stands for a threat\n"; }

namespace {

std::string md5Hex(const std::string& text) {
  return MultiHasher::digestOf(DigestKind::kMd5,
                               {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})
      .toHex();
}

}  // namespace

TestPattern writeTestPattern(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  const std::filesystem::path signatures = folder / "test.hdb";
  writeFile(signatures, md5Hex(eicarText()) + ":68:Eicar-Test-Signature\n" +
                            md5Hex(testThreatText()) + ":" +
                            std::to_string(testThreatText().size()) + ":" + kTestThreatName + "\n");

  Result<PrivateKey> key = PrivateKey::generate();
  EXPECT_TRUE(key.ok()) << key.status().toString();
  TestPattern result;
  result.publicKey = folder / "publisher.pub";
  EXPECT_TRUE(key->publicKey().writeFile(result.publicKey, true).ok());

  PatternBuildOptions options;
  options.outputDirectory = folder;
  options.agentExactFiles = {signatures};
  options.version = 2026120401;
  Result<PatternBuildReport> built = buildPatternFiles(options, *key);
  EXPECT_TRUE(built.ok()) << built.status().toString();
  result.pattern = built->agentPatternPath;
  result.version = options.version;
  return result;
}

}  // namespace odscan::scanner::testing
