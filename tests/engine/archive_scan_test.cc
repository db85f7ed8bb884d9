// Behaviour of the scan engine on containers: member names and verdicts, nesting,
// the limits against archive bombs, untrusted member names and damaged archives.
#include <archive.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "engine_test_support.h"
#include "odscan/engine/scan_engine.h"

namespace odscan {
namespace {

using testing::ArchiveMember;
using testing::CollectingSink;
using testing::displayPath;
using testing::fakeExecutable;
using testing::makeArchive;
using testing::makePattern;
using testing::runScan;
using testing::signatureOf;
using testing::TempFolder;

const std::string kMalware = fakeExecutable("archived threat");

class ArchiveScanTest : public ::testing::Test {
 protected:
  ArchiveScanTest()
      : pattern_(makePattern({signatureOf(DigestKind::kSha256, kMalware, "Test.Archived")})) {
    options_.threads = 2;
  }

  // Writes `contents` as `name` in the temp folder, scans it and returns its
  // display path.
  std::string scanFile(const std::string& name, const std::string& contents) {
    const auto file = folder_.write(name, contents);
    summary_ = runScan(pattern_, options_, {file}, sink_);
    return displayPath(file);
  }

  const ScanResult& resultOf(const std::string& path) {
    const ScanResult* result = sink_.find(path);
    if (result == nullptr) {
      std::string seen;
      for (const ScanResult& r : sink_.results()) seen += "\n  " + r.path;
      ADD_FAILURE() << "no result for " << path << "; results:" << seen;
      static const ScanResult kMissing{};
      return kMissing;
    }
    return *result;
  }

  TempFolder folder_;
  CollectingSink sink_;
  ScanOptions options_;
  ScanSummary summary_;
  std::shared_ptr<const AgentPattern> pattern_;
};

// --- members and verdicts ------------------------------------------------------

TEST_F(ArchiveScanTest, ZipMemberInfectedAndContainerNamesIt) {
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                  {{"docs/readme.txt", "hello", 0}, {"bin/bad.exe", kMalware, 0}});

  const std::string outer = scanFile("bundle.zip", zip);

  const ScanResult& member = resultOf(outer + "!bin/bad.exe");
  EXPECT_EQ(member.verdict, Verdict::kInfected);
  EXPECT_EQ(member.threatName, "Test.Archived");
  EXPECT_EQ(member.depth, 1);
  EXPECT_EQ(member.size, kMalware.size());
  EXPECT_EQ(member.file, std::filesystem::path(outer));
  EXPECT_EQ(resultOf(outer + "!docs/readme.txt").verdict, Verdict::kClean);
  const ScanResult& container = resultOf(outer);
  EXPECT_EQ(container.verdict, Verdict::kInfected);
  EXPECT_EQ(container.threatName, "Test.Archived");
  EXPECT_NE(container.detail.find(outer + "!bin/bad.exe"), std::string::npos) << container.detail;
  EXPECT_EQ(summary_.objects, 3u);
  EXPECT_EQ(summary_.files, 1u);
}

TEST_F(ArchiveScanTest, MembersAreReportedBeforeTheirContainer) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"a.txt", "a", 0}});

  const std::string outer = scanFile("order.zip", zip);

  const auto results = sink_.results();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].path, outer + "!a.txt");
  EXPECT_EQ(results[1].path, outer);
}

TEST_F(ArchiveScanTest, CleanArchiveIsClean) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"a.txt", "a", 0}});

  const std::string outer = scanFile("clean.zip", zip);

  EXPECT_EQ(resultOf(outer).verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, ContainerIsLookedUpByItsOwnDigest) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"a.txt", "a", 0}});
  pattern_ = makePattern({signatureOf(DigestKind::kMd5, zip, "Test.WholeArchive")});

  const std::string outer = scanFile("known.zip", zip);

  EXPECT_EQ(resultOf(outer).threatName, "Test.WholeArchive");
  EXPECT_EQ(resultOf(outer + "!a.txt").verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, TarGzMemberIsFound) {
  const std::string tgz = makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP,
                                      {{"payload/bad.exe", kMalware, 0}});

  const std::string outer = scanFile("bundle.tar.gz", tgz);

  EXPECT_EQ(resultOf(outer + "!payload/bad.exe").verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, SevenZipMemberIsFound) {
  const std::string sevenZip = makeArchive(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE,
                                           {{"bad.exe", kMalware, 0}, {"ok.txt", "fine", 0}});

  const std::string outer = scanFile("bundle.7z", sevenZip);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!ok.txt").verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, CpioMemberIsFound) {
  const std::string cpio =
      makeArchive(ARCHIVE_FORMAT_CPIO_SVR4_NOCRC, ARCHIVE_FILTER_NONE, {{"bad.exe", kMalware, 0}});

  const std::string outer = scanFile("bundle.cpio", cpio);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, CabMemberIsFound) {
  const std::string cab = testing::makeStoredCab({{"bad.exe", kMalware, 0}, {"ok.txt", "fine", 0}});

  const std::string outer = scanFile("bundle.cab", cab);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!ok.txt").verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, IsoMemberIsFound) {
  const std::string iso =
      makeArchive(ARCHIVE_FORMAT_ISO9660, ARCHIVE_FILTER_NONE, {{"BAD.EXE", kMalware, 0}});

  const std::string outer = scanFile("disc.img", iso);

  EXPECT_EQ(resultOf(outer + "!BAD.EXE").verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, CompressedStreamMemberIsNamedAfterFile) {
  const std::string bz2 =
      makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_BZIP2, {{"x", kMalware, 0}});

  const std::string outer = scanFile("bad.exe.bz2", bz2);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, CompressedStreamWithoutSuffixHasDataMember) {
  const std::string xz = makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_XZ, {{"x", kMalware, 0}});

  const std::string outer = scanFile("download", xz);

  EXPECT_EQ(resultOf(outer + "!data").verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, ContainerIsRecognizedByContentNotName) {
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"bad.exe", kMalware, 0}});

  const std::string outer = scanFile("photo.jpg", zip);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, ArchiveScanningCanBeTurnedOff) {
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"bad.exe", kMalware, 0}});
  options_.scanArchives = false;

  const std::string outer = scanFile("bundle.zip", zip);

  EXPECT_EQ(summary_.objects, 1u);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, NestedArchivesAreNamedByEveryLevel) {
  const std::string inner =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"bad.exe", kMalware, 0}});
  const std::string middle = makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP,
                                         {{"inner.zip", inner, 0}});
  const std::string outerZip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                           {{"middle.tar.gz", middle, 0}, {"note.txt", "hi", 0}});

  const std::string outer = scanFile("outer.zip", outerZip);

  const ScanResult& leaf = resultOf(outer + "!middle.tar.gz!inner.zip!bad.exe");
  EXPECT_EQ(leaf.verdict, Verdict::kInfected);
  EXPECT_EQ(leaf.depth, 3);
  EXPECT_EQ(leaf.file, std::filesystem::path(outer));
  EXPECT_EQ(resultOf(outer + "!middle.tar.gz!inner.zip").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!middle.tar.gz").verdict, Verdict::kInfected);
  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kInfected);
  EXPECT_NE(top.detail.find("inner.zip!bad.exe"), std::string::npos) << top.detail;
}

TEST_F(ArchiveScanTest, LargeContainerIsReadAgainFromDisk) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      {{"bad.exe", kMalware, 0}, {"ok.txt", "fine", 0}});
  pattern_ = makePattern({signatureOf(DigestKind::kSha256, kMalware, "Test.Archived"),
                          signatureOf(DigestKind::kSha1, zip, "Test.WholeArchive")});
  options_.archiveLimits.maxBufferedFileSize = 0;

  const std::string outer = scanFile("big.zip", zip);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!ok.txt").verdict, Verdict::kClean);
  EXPECT_EQ(resultOf(outer).threatName, "Test.WholeArchive");
}

TEST_F(ArchiveScanTest, QuickProfileScansExecutableMembersOnly) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      {{"bad.exe", kMalware, 0}, {"notes.txt", "text", 0}});
  options_.profile = ScanProfile::kQuick;

  const std::string outer = scanFile("bundle.zip", zip);

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(sink_.find(outer + "!notes.txt"), nullptr);
  EXPECT_EQ(summary_.skippedByProfile, 1u);
}

// --- limits -------------------------------------------------------------------

TEST_F(ArchiveScanTest, NestedZipBombStopsAtRatioLimit) {
  const std::string inner =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"zeros.bin", "", 100u << 20}});
  const std::string bomb = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                       {{"inner.zip", inner, 0}, {"later.exe", kMalware, 0}});

  const std::string outer = scanFile("bomb.zip", bomb);

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_EQ(top.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(top.detail.find("limit exceeded: compression ratio"), std::string::npos) << top.detail;
  const ScanResult& zeros = resultOf(outer + "!inner.zip!zeros.bin");
  EXPECT_EQ(zeros.verdict, Verdict::kNotScanned);
  EXPECT_EQ(zeros.reason, SkipReason::kArchiveLimit);
  EXPECT_EQ(sink_.find(outer + "!later.exe"), nullptr);
}

TEST_F(ArchiveScanTest, GzipOfZerosInsideZipStopsAtLimit) {
  // 200 MiB of zeros gzip to about 200 KiB. The tar reader sees only the first
  // 512 zeros and would report an empty archive.
  const std::string gz =
      makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", "", 200u << 20}});
  const std::string bomb =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"zeros.gz", gz, 0}});

  const std::string outer = scanFile("bomb.zip", bomb);

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_EQ(top.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(top.detail.find("limit exceeded"), std::string::npos) << top.detail;
  const ScanResult& stream = resultOf(outer + "!zeros.gz!zeros");
  EXPECT_EQ(stream.verdict, Verdict::kNotScanned);
  EXPECT_EQ(stream.reason, SkipReason::kArchiveLimit);
  EXPECT_EQ(resultOf(outer + "!zeros.gz").verdict, Verdict::kNotScanned);
}

TEST_F(ArchiveScanTest, SkippedMemberStillCountsTowardLimits) {
  // The quick profile skips the zeros, but libarchive would still decompress them
  // to reach the next member of the gzip stream.
  const std::string tgz = makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP,
                                      {{"zeros.txt", "", 100u << 20}, {"bad.exe", kMalware, 0}});
  options_.profile = ScanProfile::kQuick;

  const std::string outer = scanFile("bomb.tar.gz", tgz);

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_NE(top.detail.find("limit exceeded: compression ratio"), std::string::npos) << top.detail;
  EXPECT_EQ(sink_.find(outer + "!bad.exe"), nullptr);
}

TEST_F(ArchiveScanTest, TotalExtractedLimitStopsFile) {
  const std::string zip = makeArchive(
      ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
      {{"first.bin", std::string(600000, 'a'), 0}, {"second.bin", std::string(600000, 'b'), 0}});
  options_.archiveLimits.maxTotalExtracted = 1000000;
  options_.archiveLimits.maxCompressionRatio = 1000000;

  const std::string outer = scanFile("big.zip", zip);

  EXPECT_EQ(resultOf(outer + "!first.bin").verdict, Verdict::kClean);
  const ScanResult& second = resultOf(outer + "!second.bin");
  EXPECT_EQ(second.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(second.detail.find("total extracted bytes"), std::string::npos) << second.detail;
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kNotScanned);
}

TEST_F(ArchiveScanTest, SmallCompressibleArchiveIsBelowRatioFloor) {
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"zeros.bin", "", 512u << 10}});

  const std::string outer = scanFile("small.zip", zip);

  EXPECT_EQ(resultOf(outer).verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, MemberCountLimitKeepsEarlierVerdicts) {
  std::vector<ArchiveMember> members;
  members.push_back({"bad.exe", kMalware, 0});
  for (int i = 0; i < 9; ++i)
    members.push_back({"m" + std::to_string(i), "member " + std::to_string(i), 0});
  options_.archiveLimits.maxMembers = 3;

  const std::string outer =
      scanFile("many.zip", makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, members));

  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!m1").verdict, Verdict::kClean);
  EXPECT_EQ(sink_.find(outer + "!m2"), nullptr);
  // An infected member outranks the limit: the threat must be acted on.
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kInfected);
  EXPECT_EQ(summary_.objects, 4u);
}

TEST_F(ArchiveScanTest, MemberCountLimitMakesCleanArchiveNotScanned) {
  std::vector<ArchiveMember> members;
  for (int i = 0; i < 10; ++i)
    members.push_back({"m" + std::to_string(i), "member " + std::to_string(i), 0});
  options_.archiveLimits.maxMembers = 3;

  const std::string outer =
      scanFile("many.zip", makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, members));

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_EQ(top.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(top.detail.find("limit exceeded: member count"), std::string::npos) << top.detail;
}

TEST_F(ArchiveScanTest, DepthLimitStopsNesting) {
  const std::string inner =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"bad.exe", kMalware, 0}});
  const std::string outerZip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"inner.zip", inner, 0}});
  options_.archiveLimits.maxDepth = 1;

  const std::string outer = scanFile("deep.zip", outerZip);

  const ScanResult& nested = resultOf(outer + "!inner.zip");
  EXPECT_EQ(nested.verdict, Verdict::kNotScanned);
  EXPECT_EQ(nested.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(nested.detail.find("nesting depth"), std::string::npos) << nested.detail;
  EXPECT_EQ(sink_.find(outer + "!inner.zip!bad.exe"), nullptr);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kNotScanned);
}

TEST_F(ArchiveScanTest, MemberSizeLimitSkipsOnlyThatMember) {
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                  {{"large.bin", std::string(5000, 'L'), 0}, {"bad.exe", kMalware, 0}});
  options_.archiveLimits.maxMemberSize = 1000;

  const std::string outer = scanFile("sizes.zip", zip);

  const ScanResult& large = resultOf(outer + "!large.bin");
  EXPECT_EQ(large.verdict, Verdict::kNotScanned);
  EXPECT_EQ(large.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(large.detail.find("member size"), std::string::npos) << large.detail;
  EXPECT_EQ(resultOf(outer + "!bad.exe").verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, MemberSizeLimitAppliesWithoutDeclaredSize) {
  // A gzip stream does not declare the size of what it holds.
  const std::string gz =
      makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", std::string(5000, 'L'), 0}});
  options_.archiveLimits.maxMemberSize = 1000;

  const std::string outer = scanFile("large.gz", gz);

  const ScanResult& member = resultOf(outer + "!large");
  EXPECT_EQ(member.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(member.detail.find("member size"), std::string::npos) << member.detail;
}

TEST_F(ArchiveScanTest, TimeLimitStopsFile) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"a.txt", "a", 0}});
  options_.archiveLimits.maxTimePerFile = std::chrono::milliseconds(0);

  const std::string outer = scanFile("slow.zip", zip);

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_EQ(top.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(top.detail.find("limit exceeded: time per file"), std::string::npos) << top.detail;
}

// --- compressed streams in which no format finds a file ---------------------------

// libarchive's tar reader takes 512 zero bytes for its end-of-archive marker, so
// it reads a decompressed stream that starts with them as an empty tar.
std::string zeroPrefixed(std::string_view tail) {
  return std::string(1024, '\0') + std::string(tail);
}

// Release notes that libarchive's mtree reader claims as a manifest. It parses the
// first lines as entries and fails on the curly quotes of the last one.
const std::string kReleaseNotes =
    "v2.0\n----\n\nMisc\n^^^^\n* #12: Fixed the parser.\n* Changed the default.\n"
    "* Renamed the \xE2\x80\x9CVersion\xE2\x80\x9D page.\n";

TEST_F(ArchiveScanTest, ZeroPrefixedPayloadFoundInEachFilter) {
  const std::string payload = zeroPrefixed(kMalware);
  pattern_ = makePattern({signatureOf(DigestKind::kMd5, payload, "Test.ZeroPrefixed")});
  const struct {
    int filter;
    const char* fileName;
  } kCases[] = {{ARCHIVE_FILTER_GZIP, "payload.gz"},
                {ARCHIVE_FILTER_BZIP2, "payload.bz2"},
                {ARCHIVE_FILTER_XZ, "payload.xz"},
                {ARCHIVE_FILTER_COMPRESS, "payload.Z"}};

  for (const auto& testCase : kCases) {
    SCOPED_TRACE(testCase.fileName);
    const std::string stream =
        makeArchive(ARCHIVE_FORMAT_RAW, testCase.filter, {{"x", payload, 0}});

    const std::string outer = scanFile(testCase.fileName, stream);

    const ScanResult& member = resultOf(outer + "!payload");
    EXPECT_EQ(member.verdict, Verdict::kInfected);
    EXPECT_EQ(member.threatName, "Test.ZeroPrefixed");
    EXPECT_EQ(member.size, payload.size());
    EXPECT_EQ(resultOf(outer).verdict, Verdict::kInfected);
  }
}

TEST_F(ArchiveScanTest, ZeroPrefixedUnbufferedFileIsFound) {
  const std::string payload = zeroPrefixed(kMalware);
  pattern_ = makePattern({signatureOf(DigestKind::kMd5, payload, "Test.ZeroPrefixed")});
  options_.archiveLimits.maxBufferedFileSize = 0;

  const std::string outer = scanFile(
      "payload.gz", makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", payload, 0}}));

  EXPECT_EQ(resultOf(outer + "!payload").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, ZeroPrefixedNestedStreamIsFound) {
  const std::string payload = zeroPrefixed(kMalware);
  pattern_ = makePattern({signatureOf(DigestKind::kMd5, payload, "Test.ZeroPrefixed")});
  const std::string gz = makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", payload, 0}});
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"docs/payload.gz", gz, 0}});

  const std::string outer = scanFile("bundle.zip", zip);

  EXPECT_EQ(resultOf(outer + "!docs/payload.gz!payload").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!docs/payload.gz").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, ZeroPrefixedStreamKeepsMemberSizeLimit) {
  options_.archiveLimits.maxMemberSize = 1000;

  const std::string outer =
      scanFile("large.gz", makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP,
                                       {{"x", zeroPrefixed(std::string(5000, 'L')), 0}}));

  const ScanResult& member = resultOf(outer + "!large");
  EXPECT_EQ(member.verdict, Verdict::kNotScanned);
  EXPECT_EQ(member.reason, SkipReason::kArchiveLimit);
  EXPECT_NE(member.detail.find("member size"), std::string::npos) << member.detail;
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kNotScanned);
}

TEST_F(ArchiveScanTest, FirstHeaderErrorStillScansStream) {
  // The cpio reader claims the stream by its magic and fails on the header.
  const std::string text = "070707 is where this text starts, and no cpio header follows.\n";
  pattern_ = makePattern({signatureOf(DigestKind::kMd5, text, "Test.CpioLike")});

  const std::string outer =
      scanFile("notes.gz", makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", text, 0}}));

  EXPECT_EQ(resultOf(outer + "!notes").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kInfected);
}

TEST_F(ArchiveScanTest, FirstHeaderErrorKeepsContainerNotScanned) {
  const std::string text = "070707 is where this text starts, and no cpio header follows.\n";

  const std::string outer =
      scanFile("notes.gz", makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", text, 0}}));

  // The stream is scanned as a member, which its magic also makes a cpio archive.
  EXPECT_NE(sink_.find(outer + "!notes"), nullptr);
  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_EQ(top.reason, SkipReason::kArchiveError);
}

TEST_F(ArchiveScanTest, EmptyTarGzIsScannedAsOneStream) {
  const std::string tgz = makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, {});

  const std::string outer = scanFile("empty.tar.gz", tgz);

  const ScanResult& stream = resultOf(outer + "!empty.tar");
  EXPECT_EQ(stream.verdict, Verdict::kClean);
  EXPECT_GE(stream.size, 1024u);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kClean);
}

TEST_F(ArchiveScanTest, GzipOfEmptyFileIsClean) {
  const std::string gz = makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", "", 0}});

  const std::string outer = scanFile("empty.1.gz", gz);

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kClean) << top.detail;
  EXPECT_EQ(summary_.objects, 1u);
}

TEST_F(ArchiveScanTest, EmptyZipIsClean) {
  // Without a compression filter the container's own digest covers every byte.
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {});

  const std::string outer = scanFile("empty.zip", zip);

  EXPECT_EQ(resultOf(outer).verdict, Verdict::kClean);
  EXPECT_EQ(summary_.objects, 1u);
}

TEST_F(ArchiveScanTest, GzippedTextIsOneCleanMember) {
  const std::string outer =
      scanFile("changelog.gz",
               makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", kReleaseNotes, 0}}));

  const ScanResult& member = resultOf(outer + "!changelog");
  EXPECT_EQ(member.verdict, Verdict::kClean);
  EXPECT_EQ(member.size, kReleaseNotes.size());
  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kClean) << top.detail;
  EXPECT_EQ(summary_.objects, 2u);
}

TEST_F(ArchiveScanTest, GzippedTextIsHashedWhole) {
  // Without the curly quotes the mtree reader returns every line as an empty entry.
  const std::string notes = "v2.0\n----\n\nMisc\n^^^^\n* #12: Fixed the parser.\n";
  pattern_ = makePattern({signatureOf(DigestKind::kMd5, notes, "Test.Notes")});

  const std::string outer =
      scanFile("NEWS.gz", makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"x", notes, 0}}));

  EXPECT_EQ(resultOf(outer + "!NEWS").verdict, Verdict::kInfected);
  EXPECT_EQ(summary_.objects, 2u);
}

// --- untrusted names ------------------------------------------------------------

TEST_F(ArchiveScanTest, TraversalNamesAreOnlyDisplayed) {
  const bool etcXExisted = std::filesystem::exists("/etc/x");
  const std::string tar =
      makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE,
                  {{"../x", kMalware, 0}, {"/etc/x", kMalware, 0}, {"a/../../y", "y", 0}});

  const std::string outer = scanFile("evil.tar", tar);

  EXPECT_EQ(resultOf(outer + "!../x").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!/etc/x").verdict, Verdict::kInfected);
  EXPECT_EQ(resultOf(outer + "!a/../../y").verdict, Verdict::kClean);
  EXPECT_EQ(std::filesystem::exists("/etc/x"), etcXExisted);
  EXPECT_FALSE(std::filesystem::exists(folder_.path().parent_path() / "x"));
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder_.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST_F(ArchiveScanTest, ControlCharactersAndInvalidUtf8AreReplaced) {
  // GNU tar stores names as raw bytes; the pax writer would reject invalid UTF-8.
  const std::string tar =
      makeArchive(ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_NONE,
                  {{"line\nbreak\x1b[31m.txt", "a", 0}, {"bad\xff\xfe.txt", "b", 0}});

  const std::string outer = scanFile("names.tar", tar);

  EXPECT_NE(sink_.find(outer + "!line?break?[31m.txt"), nullptr);
#ifndef _WIN32
  // On Windows libarchive decodes raw tar names through a Windows code page, in
  // which these bytes are valid characters.
  EXPECT_NE(sink_.find(outer + "!bad??.txt"), nullptr);
#endif
}

TEST_F(ArchiveScanTest, HugeMemberNameIsCut) {
  const std::string longName(5000, 'n');
  const std::string tar =
      makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, {{longName, "a", 0}});

  const std::string outer = scanFile("long.tar", tar);

  const auto results = sink_.results();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].path, outer + "!" + std::string(1024, 'n') + "...");
}

// --- damaged and unsupported archives ----------------------------------------------

TEST_F(ArchiveScanTest, TruncatedZipIsArchiveError) {
  const std::string zip = makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      {{"a.bin", std::string(4000, 'a'), 0}, {"b.bin", "b", 0}});

  const std::string outer = scanFile("cut.zip", zip.substr(0, zip.size() / 2));

  const ScanResult& top = resultOf(outer);
  EXPECT_EQ(top.verdict, Verdict::kNotScanned);
  EXPECT_EQ(top.reason, SkipReason::kArchiveError);
  EXPECT_FALSE(top.detail.empty());
}

TEST_F(ArchiveScanTest, TruncatedTarGzIsArchiveError) {
  const std::string tgz = makeArchive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP,
                                      {{"a.bin", std::string(100000, 'a'), 0}, {"b.bin", "b", 0}});

  const std::string outer = scanFile("cut.tar.gz", tgz.substr(0, tgz.size() / 2));

  EXPECT_EQ(resultOf(outer).verdict, Verdict::kNotScanned);
  EXPECT_EQ(resultOf(outer).reason, SkipReason::kArchiveError);
}

TEST_F(ArchiveScanTest, GarbageWithZipMagicIsArchiveError) {
  const std::string outer =
      scanFile("fake.zip", std::string("PK\x03\x04", 4) + std::string(200, '\x7f'));

  EXPECT_EQ(resultOf(outer).verdict, Verdict::kNotScanned);
  EXPECT_EQ(resultOf(outer).reason, SkipReason::kArchiveError);
}

TEST_F(ArchiveScanTest, EncryptedMemberIsArchiveError) {
  const std::string zip =
      makeArchive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, {{"secret.exe", kMalware, 0}},
                  "zip:encryption=zipcrypt,zip:compression=store");
  if (zip.empty()) GTEST_SKIP() << "this libarchive cannot write encrypted zip files";

  const std::string outer = scanFile("locked.zip", zip);

  const ScanResult& member = resultOf(outer + "!secret.exe");
  EXPECT_EQ(member.verdict, Verdict::kNotScanned);
  EXPECT_EQ(member.reason, SkipReason::kArchiveError);
  EXPECT_EQ(resultOf(outer).verdict, Verdict::kNotScanned);
}

}  // namespace
}  // namespace odscan
