// The engine's own zip and gzip readers against libarchive. container_samples.py
// writes the samples with Python's zipfile, gzip and tarfile modules and the zip
// tool. Every sample is scanned twice, once with the readers and once with
// ScanHooks::libarchiveOnly. Both scans must report the same objects in the same
// order, with the same names, verdicts, reasons, sizes and digests. Other tests
// check which reader opened a container, so that a reader that always declined
// would not pass unnoticed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine_test_support.h"
#include "odscan/engine/scan_engine.h"

namespace odscan {
namespace {

using testing::CollectingSink;
using testing::digestOf;
using testing::displayPath;
using testing::fakeExecutable;
using testing::makePattern;
using testing::runScan;
using testing::signatureOf;
using testing::TempFolder;

const std::string kPayload = fakeExecutable("container reader payload");
const std::string kQuery = "bytes whose digest is only in the filter";

// One line per result with everything both readers must agree on. The size of
// an object that was not scanned is left out: it counts the bytes read before
// the failure, which depends on how each reader splits its reads.
std::string describe(const ScanResult& result) {
  std::string line = result.path + " | " + std::string(verdictName(result.verdict)) + " | " +
                     std::string(skipReasonName(result.reason)) + " | depth " +
                     std::to_string(result.depth) + " | " + result.threatName;
  if (result.verdict != Verdict::kNotScanned) line += " | " + std::to_string(result.size);
  for (const auto& digest : result.digests.byKind) {
    if (digest) line += " | " + digest->toHex();
  }
  return line;
}

// Records which reader opened each container, from the worker threads.
class ReaderLog {
 public:
  void record(const std::string& path, ContainerReader reader) {
    std::lock_guard lock(mutex_);
    readers_[path] = reader;
  }

  // Returns the reader that opened `path`, or nothing.
  std::optional<ContainerReader> readerOf(const std::string& path) const {
    std::lock_guard lock(mutex_);
    const auto found = readers_.find(path);
    if (found == readers_.end()) return std::nullopt;
    return found->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ContainerReader> readers_;
};

class ContainerReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::make_unique<TempFolder>();
    folder_->write("payload.exe", kPayload);
    folder_->write("query.txt", kQuery);
    const std::string script =
        std::string(ODSCAN_SOURCE_DIR) + "/tests/engine/container_samples.py";
    const std::string command =
        "python3 '" + script + "' '" + folder_->path().string() + "' > /dev/null";
    samplesWritten_ = std::system(command.c_str()) == 0;
  }

  static void TearDownTestSuite() { folder_.reset(); }

  void SetUp() override {
    if (!samplesWritten_) GTEST_SKIP() << "python3 could not write the samples";
    pattern_ = makePattern({signatureOf(DigestKind::kSha256, kPayload, "Test.Payload")},
                           {digestOf(DigestKind::kSha256, kQuery)});
    // One worker, so that both scans report in the same order.
    options_.threads = 1;
  }

  static std::filesystem::path sample(const std::string& name) {
    return folder_->path() / "samples" / name;
  }

  static std::vector<std::filesystem::path> allSamples() {
    std::vector<std::filesystem::path> samples;
    for (const auto& entry : std::filesystem::directory_iterator(folder_->path() / "samples")) {
      samples.push_back(entry.path());
    }
    std::sort(samples.begin(), samples.end());
    return samples;
  }

  // Scans `file` and returns one line per result, in the order reported.
  std::vector<std::string> scanLines(const std::filesystem::path& file, bool libarchiveOnly,
                                     ReaderLog* log = nullptr) {
    ScanOptions options = options_;
    options.hooks.libarchiveOnly = libarchiveOnly;
    if (log != nullptr) {
      options.hooks.containerOpened = [log](const std::string& path, ContainerReader reader) {
        log->record(path, reader);
      };
    }
    CollectingSink sink;
    runScan(pattern_, options, {file}, sink);
    std::vector<std::string> lines;
    for (const ScanResult& result : sink.results()) lines.push_back(describe(result));
    return lines;
  }

  // Scans every sample both ways and expects the same lines.
  void expectReadersMatchLibarchive() {
    const auto samples = allSamples();
    ASSERT_GE(samples.size(), 30u);
    for (const auto& file : samples) {
      SCOPED_TRACE(file.filename().string());
      EXPECT_EQ(scanLines(file, false), scanLines(file, true));
    }
  }

  // Returns the reader that opened `name` (a sample, or a member path below it).
  std::optional<ContainerReader> readerOf(const std::string& name, const std::string& member = "") {
    ReaderLog log;
    scanLines(sample(name), false, &log);
    return log.readerOf(displayPath(sample(name)) + member);
  }

  // Returns the result for `path` (relative to the sample) in a scan with the
  // engine's readers.
  ScanResult resultOf(const std::string& name, const std::string& member) {
    CollectingSink sink;
    runScan(pattern_, options_, {sample(name)}, sink);
    const ScanResult* result = sink.find(displayPath(sample(name)) + member);
    if (result == nullptr) {
      ADD_FAILURE() << "no result for " << name << member;
      return ScanResult{};
    }
    return *result;
  }

  inline static std::unique_ptr<TempFolder> folder_;
  inline static bool samplesWritten_ = false;
  std::shared_ptr<const AgentPattern> pattern_;
  ScanOptions options_;
};

// --- same results as libarchive ------------------------------------------------

TEST_F(ContainerReaderTest, EverySampleMatchesLibarchive) { expectReadersMatchLibarchive(); }

TEST_F(ContainerReaderTest, QuickProfileMatchesLibarchive) {
  options_.profile = ScanProfile::kQuick;

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, MemberSizeLimitMatchesLibarchive) {
  options_.archiveLimits.maxMemberSize = 100;

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, TotalExtractedLimitMatchesLibarchive) {
  // large-text.zip contains 134,000 bytes of text, more than this budget.
  options_.archiveLimits.maxTotalExtracted = 5000;
  options_.archiveLimits.ratioFloor = 1u << 30;

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, RatioLimitMatchesLibarchive) {
  options_.archiveLimits.ratioFloor = 0;
  options_.archiveLimits.maxCompressionRatio = 2;

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, MemberCountLimitMatchesLibarchive) {
  options_.archiveLimits.maxMembers = 3;

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, DepthLimitMatchesLibarchive) {
  options_.archiveLimits.maxDepth = 1;

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, TimeLimitMatchesLibarchive) {
  options_.archiveLimits.maxTimePerFile = std::chrono::milliseconds(0);

  expectReadersMatchLibarchive();
}

TEST_F(ContainerReaderTest, ScanWithoutArchivesIsUnchanged) {
  options_.scanArchives = false;

  expectReadersMatchLibarchive();
}

// --- which reader opens what -------------------------------------------------------

TEST_F(ContainerReaderTest, PlainZipTakesZipReader) {
  for (const char* name : {"deflated.zip", "stored.zip", "data-descriptors.zip", "zip64-extra.zip",
                           "no-members.zip", "traversal.zip"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(readerOf(name), ContainerReader::kZipReader);
  }
}

TEST_F(ContainerReaderTest, ZipToolOutputTakesZipReader) {
  if (!std::filesystem::exists(sample("zip-tool.zip"))) GTEST_SKIP() << "the zip tool is missing";

  EXPECT_EQ(readerOf("zip-tool.zip"), ContainerReader::kZipReader);
  EXPECT_EQ(readerOf("zip-tool-stored.zip"), ContainerReader::kZipReader);
  // Streaming from standard input writes zip64 end records.
  EXPECT_EQ(readerOf("zip-tool-stdin.zip"), ContainerReader::kZipReader);
}

TEST_F(ContainerReaderTest, PlainGzipTakesGzipReader) {
  for (const char* name : {"changelog.gz", "named.gz", "query.txt.gz", "bundle.tar.gz", "empty.gz",
                           "empty.tar.gz", "zero-prefixed.gz"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(readerOf(name), ContainerReader::kGzipReader);
  }
}

TEST_F(ContainerReaderTest, NestedContainersTakeOwnReaders) {
  EXPECT_EQ(readerOf("nested.zip", "!level1/inner.zip"), ContainerReader::kZipReader);
  EXPECT_EQ(readerOf("nested-stored.zip", "!inner.zip"), ContainerReader::kZipReader);
  EXPECT_EQ(readerOf("gz-in-zip.zip", "!docs/query.txt.gz"), ContainerReader::kGzipReader);
  EXPECT_EQ(readerOf("tar-gz-in-zip.zip", "!bundle.tar.gz"), ContainerReader::kGzipReader);
}

TEST_F(ContainerReaderTest, LibarchiveOnlyHookBypassesReaders) {
  ReaderLog log;
  scanLines(sample("deflated.zip"), true, &log);

  EXPECT_EQ(log.readerOf(displayPath(sample("deflated.zip"))), ContainerReader::kLibarchive);
}

// --- what the readers leave to libarchive --------------------------------------------

TEST_F(ContainerReaderTest, UnusualGzipGoesToLibarchive) {
  // An executable may hold a self-extracting archive that libarchive would open.
  EXPECT_EQ(readerOf("payload.exe.gz"), ContainerReader::kLibarchive);
  for (const char* name :
       {"multi-member.gz", "trailing-garbage.gz", "isize-small.gz", "isize-large.gz",
        "isize-zero.gz", "isize-huge.gz", "wrong-crc.gz", "truncated.gz", "inner.zip.gz",
        "double.gz.gz", "uuencoded.gz", "cpio-like.gz"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(readerOf(name), ContainerReader::kLibarchive);
  }
}

TEST_F(ContainerReaderTest, UnusualZipGoesToLibarchive) {
  for (const char* name : {"truncated.zip", "truncated-half.zip"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(readerOf(name), ContainerReader::kLibarchive);
  }
  if (std::filesystem::exists(sample("zip-tool-symlink.zip"))) {
    EXPECT_EQ(readerOf("zip-tool-symlink.zip"), ContainerReader::kLibarchive);
  }
}

// --- results of the readers themselves -------------------------------------------

TEST_F(ContainerReaderTest, PayloadInZipIsInfected) {
  const ScanResult member = resultOf("deflated.zip", "!bin/tool.exe");

  EXPECT_EQ(member.verdict, Verdict::kInfected);
  EXPECT_EQ(member.threatName, "Test.Payload");
  EXPECT_EQ(member.size, kPayload.size());
  EXPECT_EQ(resultOf("deflated.zip", "!query.txt").verdict, Verdict::kUnresolved);
  EXPECT_EQ(resultOf("deflated.zip", "").verdict, Verdict::kInfected);
}

TEST_F(ContainerReaderTest, GzipMembersGetTheirVerdicts) {
  EXPECT_EQ(resultOf("query.txt.gz", "!query.txt").verdict, Verdict::kUnresolved);
  EXPECT_EQ(resultOf("bundle.tar.gz", "!pkg/bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf("bundle.tar.gz", "").verdict, Verdict::kInfected);
  // The payload after 1024 zero bytes is part of one raw member.
  const ScanResult stream = resultOf("zero-prefixed.gz", "!zero-prefixed");
  EXPECT_EQ(stream.verdict, Verdict::kClean);
  EXPECT_EQ(stream.size, 1024 + kPayload.size());
}

TEST_F(ContainerReaderTest, WrongCrcFailsOnlyThatMember) {
  const ScanResult member = resultOf("wrong-crc.zip", "!bin/tool.exe");

  EXPECT_EQ(member.verdict, Verdict::kNotScanned);
  EXPECT_EQ(member.reason, SkipReason::kArchiveError);
  EXPECT_EQ(resultOf("wrong-crc.zip", "!query.txt").verdict, Verdict::kUnresolved);
  EXPECT_EQ(resultOf("wrong-crc.zip", "").verdict, Verdict::kNotScanned);
  EXPECT_EQ(resultOf("wrong-crc-stored.zip", "!bin/tool.exe").verdict, Verdict::kNotScanned);
}

TEST_F(ContainerReaderTest, DamagedDeflateDataFailsTheMember) {
  const ScanResult member = resultOf("damaged-deflate.zip", "!big.txt");

  EXPECT_EQ(member.verdict, Verdict::kNotScanned);
  EXPECT_EQ(member.reason, SkipReason::kArchiveError);
}

}  // namespace
}  // namespace odscan
