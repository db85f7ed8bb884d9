// Behaviour of the scan engine on files on disk: verdicts, digests, walking,
// profiles, exclusions and the error paths of reading.
#include "odscan/engine/scan_engine.h"

#include <archive.h>
#include <gtest/gtest.h>

#ifndef _WIN32
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "engine_test_support.h"
#include "odscan/platform/file_view.h"

namespace odscan {
namespace {

using testing::CollectingSink;
using testing::digestOf;
using testing::displayPath;
using testing::makeAllKindsPattern;
using testing::makePattern;
using testing::runScan;
using testing::signatureOf;
using testing::TempFolder;

// MinGW's std::filesystem cannot create symbolic links (create_symlink fails
// with ENOSYS), so the tests that need one run on POSIX systems only.
#ifdef _WIN32
constexpr bool kCanCreateSymlinks = false;
#else
constexpr bool kCanCreateSymlinks = true;
#endif
constexpr const char* kNoSymlinks = "std::filesystem cannot create symbolic links with MinGW";

class ScanEngineTest : public ::testing::Test {
 protected:
  ScanOptions options() const {
    ScanOptions options;
    options.threads = 2;
    return options;
  }

  TempFolder folder_;
  CollectingSink sink_;
};

// --- verdicts ---------------------------------------------------------------

TEST_F(ScanEngineTest, FileMatchingExactSignatureIsInfected) {
  const auto file = folder_.write("bad.bin", "malicious payload");
  auto pattern =
      makeAllKindsPattern({signatureOf(DigestKind::kSha256, "malicious payload", "Test.Bad")});

  runScan(pattern, options(), {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(file));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kInfected);
  EXPECT_EQ(result->threatName, "Test.Bad");
  EXPECT_EQ(result->source, DetectionSource::kAgentPattern);
  EXPECT_EQ(result->depth, 0);
  EXPECT_EQ(result->size, 17u);
  EXPECT_EQ(result->file, std::filesystem::path(displayPath(file)));
}

TEST_F(ScanEngineTest, FileInFilterIsUnresolved) {
  const auto file = folder_.write("unknown.bin", "needs a scan query");
  auto pattern = makePattern({}, {digestOf(DigestKind::kSha256, "needs a scan query")});

  runScan(pattern, options(), {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(file));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kUnresolved);
  EXPECT_TRUE(result->threatName.empty());
}

TEST_F(ScanEngineTest, FileOutsidePatternIsClean) {
  const auto file = folder_.write("good.txt", "harmless text");
  auto pattern = makePattern({signatureOf(DigestKind::kSha256, "other", "Test.Other")},
                             {digestOf(DigestKind::kSha256, "something else")});

  const ScanSummary summary = runScan(pattern, options(), {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(file));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kClean);
  EXPECT_EQ(summary.clean, 1u);
  EXPECT_EQ(summary.files, 1u);
  EXPECT_EQ(summary.bytes, 13u);
}

TEST_F(ScanEngineTest, ExactSignatureWinsOverFilter) {
  const auto file = folder_.write("both.bin", "listed twice");
  auto pattern = makePattern({signatureOf(DigestKind::kSha256, "listed twice", "Test.Both")},
                             {digestOf(DigestKind::kSha256, "listed twice")});

  runScan(pattern, options(), {folder_.path()}, sink_);

  ASSERT_NE(sink_.find(displayPath(file)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(file))->verdict, Verdict::kInfected);
}

TEST_F(ScanEngineTest, EachDigestKindMatches) {
  const auto md5File = folder_.write("md5.bin", "matched by md5");
  const auto sha1File = folder_.write("sha1.bin", "matched by sha1");
  const auto sha256File = folder_.write("sha256.bin", "matched by sha256");
  auto pattern =
      makeAllKindsPattern({signatureOf(DigestKind::kMd5, "matched by md5", "Test.Md5"),
                           signatureOf(DigestKind::kSha1, "matched by sha1", "Test.Sha1"),
                           signatureOf(DigestKind::kSha256, "matched by sha256", "Test.Sha256")});

  runScan(pattern, options(), {folder_.path()}, sink_);

  ASSERT_NE(sink_.find(displayPath(md5File)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(md5File))->threatName, "Test.Md5");
  ASSERT_NE(sink_.find(displayPath(sha1File)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(sha1File))->threatName, "Test.Sha1");
  ASSERT_NE(sink_.find(displayPath(sha256File)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(sha256File))->threatName, "Test.Sha256");
}

TEST_F(ScanEngineTest, SizeBoundSignatureNeedsSameSize) {
  const auto file = folder_.write("sized.bin", "ten bytes!");
  auto matching = makePattern({signatureOf(DigestKind::kMd5, "ten bytes!", "Test.Sized", 10)});
  auto otherSize = makePattern({signatureOf(DigestKind::kMd5, "ten bytes!", "Test.Sized", 11)});

  CollectingSink otherSink;
  runScan(matching, options(), {folder_.path()}, sink_);
  runScan(otherSize, options(), {folder_.path()}, otherSink);

  ASSERT_NE(sink_.find(displayPath(file)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(file))->verdict, Verdict::kInfected);
  ASSERT_NE(otherSink.find(displayPath(file)), nullptr);
  EXPECT_EQ(otherSink.find(displayPath(file))->verdict, Verdict::kClean);
}

TEST_F(ScanEngineTest, OnlyRequiredDigestsAreComputed) {
  const auto file = folder_.write("a.bin", "some data");
  auto pattern = makePattern({signatureOf(DigestKind::kMd5, "x", "Test.X")});

  runScan(pattern, options(), {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(file));
  ASSERT_NE(result, nullptr);
  ASSERT_TRUE(result->digests.get(DigestKind::kMd5).has_value());
  EXPECT_EQ(*result->digests.get(DigestKind::kMd5), digestOf(DigestKind::kMd5, "some data"));
  EXPECT_FALSE(result->digests.get(DigestKind::kSha1).has_value());
  EXPECT_FALSE(result->digests.get(DigestKind::kSha256).has_value());
}

TEST_F(ScanEngineTest, AllDigestsComputedInOnePass) {
  const std::string big(3 * 1024 * 1024 + 17, 'b');  // several read buffers
  const auto file = folder_.write("big.bin", big);
  auto pattern = makeAllKindsPattern({});

  runScan(pattern, options(), {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(file));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->size, big.size());
  EXPECT_EQ(*result->digests.get(DigestKind::kMd5), digestOf(DigestKind::kMd5, big));
  EXPECT_EQ(*result->digests.get(DigestKind::kSha1), digestOf(DigestKind::kSha1, big));
  EXPECT_EQ(*result->digests.get(DigestKind::kSha256), digestOf(DigestKind::kSha256, big));
}

TEST_F(ScanEngineTest, EmptyFileIsScanned) {
  const auto file = folder_.write("empty", "");
  auto pattern = makePattern({signatureOf(DigestKind::kSha256, "", "Test.Empty", 0)});

  runScan(pattern, options(), {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(file));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->size, 0u);
  EXPECT_EQ(result->verdict, Verdict::kInfected);
}

TEST_F(ScanEngineTest, SingleFileRootIsScanned) {
  const auto file = folder_.write("only.bin", "single");
  auto pattern = makePattern({signatureOf(DigestKind::kSha256, "single", "Test.Single")});

  const ScanSummary summary = runScan(pattern, options(), {file}, sink_);

  EXPECT_EQ(summary.objects, 1u);
  ASSERT_NE(sink_.find(displayPath(file)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(file))->verdict, Verdict::kInfected);
}

// --- walking ----------------------------------------------------------------

TEST_F(ScanEngineTest, SymlinkIsNotFollowedByDefault) {
  if (!kCanCreateSymlinks) GTEST_SKIP() << kNoSymlinks;
  const auto target = folder_.write("outside/target.bin", "behind a link");
  const auto inside = folder_.makeFolder("inside");
  std::filesystem::create_symlink(target, inside / "link.bin");
  std::filesystem::create_directory_symlink(folder_.path() / "outside", inside / "linkdir");
  auto pattern = makePattern({signatureOf(DigestKind::kSha256, "behind a link", "Test.Link")});

  const ScanSummary summary = runScan(pattern, options(), {inside}, sink_);

  EXPECT_EQ(summary.objects, 0u);
  EXPECT_EQ(sink_.countEvents(ScanEvent::Kind::kSymlinkSkipped), 2u);
  EXPECT_EQ(sink_.find(displayPath(inside / "link.bin")), nullptr);
}

TEST_F(ScanEngineTest, SymlinkIsFollowedWhenAsked) {
  if (!kCanCreateSymlinks) GTEST_SKIP() << kNoSymlinks;
  const auto target = folder_.write("outside/target.bin", "behind a link");
  const auto inside = folder_.makeFolder("inside");
  std::filesystem::create_symlink(target, inside / "link.bin");
  std::filesystem::create_directory_symlink(folder_.path() / "outside", inside / "linkdir");
  auto pattern = makePattern({signatureOf(DigestKind::kSha256, "behind a link", "Test.Link")});
  ScanOptions followOptions = options();
  followOptions.followSymlinks = true;

  runScan(pattern, followOptions, {inside}, sink_);

  ASSERT_NE(sink_.find(displayPath(inside / "link.bin")), nullptr);
  EXPECT_EQ(sink_.find(displayPath(inside / "link.bin"))->verdict, Verdict::kInfected);
  ASSERT_NE(sink_.find(displayPath(inside / "linkdir" / "target.bin")), nullptr);
  EXPECT_EQ(sink_.countEvents(ScanEvent::Kind::kSymlinkSkipped), 0u);
}

TEST_F(ScanEngineTest, SymlinkLoopEndsWithLoopEvent) {
  if (!kCanCreateSymlinks) GTEST_SKIP() << kNoSymlinks;
  folder_.write("tree/sub/file.bin", "in the loop");
  std::filesystem::create_directory_symlink("..", folder_.path() / "tree" / "sub" / "up");
  std::filesystem::create_directory_symlink(folder_.path() / "tree",
                                            folder_.path() / "tree" / "self");
  ScanOptions followOptions = options();
  followOptions.followSymlinks = true;

  const ScanSummary summary =
      runScan(makePattern({}), followOptions, {folder_.path() / "tree"}, sink_);

  EXPECT_EQ(summary.objects, 1u);
  EXPECT_EQ(sink_.countOf(displayPath(folder_.path() / "tree" / "sub" / "file.bin")), 1u);
  EXPECT_EQ(sink_.countEvents(ScanEvent::Kind::kLoopSkipped), 2u);
}

TEST_F(ScanEngineTest, MissingRootIsReportedTwice) {
  const auto missing = folder_.path() / "does-not-exist";

  const ScanSummary summary = runScan(makePattern({}), options(), {missing}, sink_);

  EXPECT_EQ(sink_.countEvents(ScanEvent::Kind::kRootNotFound), 1u);
  const ScanResult* result = sink_.find(displayPath(missing));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kNotScanned);
  EXPECT_EQ(result->reason, SkipReason::kNotFound);
  EXPECT_EQ(summary.notScanned, 1u);
}

// Windows has no named pipes in the file system, so this is a POSIX test only.
#ifndef _WIN32
TEST_F(ScanEngineTest, FifoIsSkippedWithoutBlocking) {
  folder_.write("regular.bin", "data");
  ASSERT_EQ(::mkfifo((folder_.path() / "pipe").c_str(), 0600), 0);

  const ScanSummary summary = runScan(makePattern({}), options(), {folder_.path()}, sink_);

  EXPECT_EQ(summary.specialFiles, 1u);
  EXPECT_EQ(summary.objects, 1u);
  EXPECT_EQ(sink_.find(displayPath(folder_.path() / "pipe")), nullptr);
}
#endif

TEST_F(ScanEngineTest, ManyFilesGetOneResultEach) {
  constexpr int kFiles = 3000;
  std::set<std::string> expected;
  for (int i = 0; i < kFiles; ++i) {
    const auto file = folder_.write("d" + std::to_string(i % 17) + "/f" + std::to_string(i),
                                    "content " + std::to_string(i));
    expected.insert(displayPath(file));
  }
  ScanOptions manyThreads = options();
  manyThreads.threads = 4;

  const ScanSummary summary = runScan(makePattern({}), manyThreads, {folder_.path()}, sink_);

  EXPECT_EQ(summary.objects, static_cast<std::uint64_t>(kFiles));
  EXPECT_EQ(summary.files, static_cast<std::uint64_t>(kFiles));
  std::map<std::string, int> seen;
  for (const ScanResult& result : sink_.results()) ++seen[result.path];
  EXPECT_EQ(seen.size(), expected.size());
  for (const std::string& path : expected) EXPECT_EQ(seen[path], 1) << path;
}

TEST_F(ScanEngineTest, DefaultThreadCountScans) {
  folder_.write("a", "1");
  folder_.write("b", "2");
  ScanOptions defaultThreads;

  const ScanSummary summary = runScan(makePattern({}), defaultThreads, {folder_.path()}, sink_);

  EXPECT_EQ(summary.objects, 2u);
}

TEST_F(ScanEngineTest, ControlCharactersInNamesAreReplaced) {
#ifdef _WIN32
  GTEST_SKIP() << "Windows file names cannot contain control characters";
#endif
  const auto file = folder_.write("bad\nname\x01.txt", "data");

  runScan(makePattern({}), options(), {folder_.path()}, sink_);

  const std::string expected = folder_.path().string() + "/bad?name?.txt";
  const ScanResult* result = sink_.find(expected);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->file, file);
}

// --- exclusions, size limit and profiles -------------------------------------

TEST_F(ScanEngineTest, ExclusionsSkipFoldersFilesAndExtensions) {
  folder_.write("skip/inner.bin", "excluded with its folder");
  const auto skippedFile = folder_.write("keep/skip-me.bin", "excluded by path");
  folder_.write("keep/trace.LOG", "excluded by extension");
  const auto scanned = folder_.write("keep/kept.bin", "scanned");
  ScanOptions excluding = options();
  excluding.excludePaths = {folder_.path() / "skip", skippedFile};
  excluding.excludeExtensions = {"log"};

  const ScanSummary summary = runScan(makePattern({}), excluding, {folder_.path()}, sink_);

  EXPECT_EQ(summary.excluded, 3u);
  EXPECT_EQ(summary.objects, 1u);
  EXPECT_NE(sink_.find(displayPath(scanned)), nullptr);
}

TEST_F(ScanEngineTest, MultiPartExtensionIsExcluded) {
  folder_.write("backup.TAR.GZ", "not really an archive");
  ScanOptions excluding = options();
  excluding.excludeExtensions = {".tar.gz"};

  const ScanSummary summary = runScan(makePattern({}), excluding, {folder_.path()}, sink_);

  EXPECT_EQ(summary.excluded, 1u);
  EXPECT_EQ(summary.objects, 0u);
}

TEST_F(ScanEngineTest, FileOverMaxSizeIsNotScanned) {
  const auto big = folder_.write("big.bin", std::string(2000, 'x'));
  const auto small = folder_.write("small.bin", std::string(1000, 'x'));
  ScanOptions limited = options();
  limited.maxFileSize = 1000;

  runScan(makePattern({}), limited, {folder_.path()}, sink_);

  const ScanResult* bigResult = sink_.find(displayPath(big));
  ASSERT_NE(bigResult, nullptr);
  EXPECT_EQ(bigResult->verdict, Verdict::kNotScanned);
  EXPECT_EQ(bigResult->reason, SkipReason::kSizeLimit);
  EXPECT_EQ(bigResult->size, 2000u);
  ASSERT_NE(sink_.find(displayPath(small)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(small))->verdict, Verdict::kClean);
}

TEST_F(ScanEngineTest, QuickProfileKeepsExecutablesScriptsAndArchives) {
  const auto exe = folder_.write("program.dat", testing::fakeExecutable("quick"));
  const auto elf = folder_.write("tool", std::string("\x7F\x45LF\x02\x01\x01", 7) + "rest");
  const auto shebang = folder_.write("run", "#!/bin/sh\necho hi\n");
  const auto powershell = folder_.write("Setup.PS1", "Write-Host hi");
  const auto gzip = folder_.write(
      "notes.bin",
      testing::makeArchive(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, {{"notes", "plain text", 0}}));
  const auto text = folder_.write("readme.exe", "just text, whatever the name says");
  ScanOptions quick = options();
  quick.profile = ScanProfile::kQuick;

  const ScanSummary summary = runScan(makePattern({}), quick, {folder_.path()}, sink_);

  EXPECT_NE(sink_.find(displayPath(exe)), nullptr);
  EXPECT_NE(sink_.find(displayPath(elf)), nullptr);
  EXPECT_NE(sink_.find(displayPath(shebang)), nullptr);
  EXPECT_NE(sink_.find(displayPath(powershell)), nullptr);
  EXPECT_NE(sink_.find(displayPath(gzip)), nullptr);
  EXPECT_EQ(sink_.find(displayPath(text)), nullptr);
  // readme.exe, and the plain-text member of the gzip stream.
  EXPECT_EQ(summary.skippedByProfile, 2u);
}

TEST_F(ScanEngineTest, FullProfileScansEveryFile) {
  folder_.write("readme.txt", "text");
  folder_.write("data.bin", std::string(100, '\x01'));

  const ScanSummary summary = runScan(makePattern({}), options(), {folder_.path()}, sink_);

  EXPECT_EQ(summary.objects, 2u);
  EXPECT_EQ(summary.skippedByProfile, 0u);
}

TEST_F(ScanEngineTest, ProgressCountsFinishedFiles) {
  folder_.write("a", "12345");
  folder_.write("b", "678");
  ScanEngine engine(makePattern({}), options());

  engine.scan({folder_.path()}, sink_);

  EXPECT_EQ(engine.progress().files, 2u);
  EXPECT_EQ(engine.progress().bytes, 8u);
}

TEST_F(ScanEngineTest, CancelStopsScanSoon) {
  for (int i = 0; i < 200; ++i) folder_.write("f" + std::to_string(i), "data");
  ScanOptions cancelling = options();
  ScanEngine* running = nullptr;
  cancelling.hooks.beforeOpen = [&running](const std::string&) { running->cancel(); };
  ScanEngine engine(makePattern({}), cancelling);
  running = &engine;

  const ScanSummary summary = engine.scan({folder_.path()}, sink_);

  EXPECT_TRUE(summary.cancelled);
  EXPECT_LT(summary.objects, 200u);
  EXPECT_EQ(sink_.countEvents(ScanEvent::Kind::kCancelled), 1u);
}

// --- error paths --------------------------------------------------------------

TEST_F(ScanEngineTest, FileDeletedBeforeOpenHasVanished) {
  const auto doomed = folder_.write("doomed.bin", "here when listed");
  ScanOptions deleting = options();
  deleting.hooks.beforeOpen = [](const std::string& path) {
    if (path.ends_with("doomed.bin")) std::filesystem::remove(path);
  };

  runScan(makePattern({}), deleting, {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(doomed));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kNotScanned);
  EXPECT_EQ(result->reason, SkipReason::kVanished);
}

TEST_F(ScanEngineTest, FileShrinkingWhileReadHasVanished) {
  const auto shrinking = folder_.write("shrinking.bin", std::string(600000, 's'));
  ScanOptions truncating = options();
  truncating.hooks.afterOpen = [](const std::string& path) {
    if (path.ends_with("shrinking.bin")) std::filesystem::resize_file(path, 1000);
  };

  runScan(makePattern({}), truncating, {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(shrinking));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kNotScanned);
  EXPECT_EQ(result->reason, SkipReason::kVanished);
  EXPECT_NE(result->detail.find("changed while it was read"), std::string::npos) << result->detail;
}

TEST_F(ScanEngineTest, FileGrowingWhileReadHasVanished) {
  const auto growing = folder_.write("growing.bin", "short");
  ScanOptions appending = options();
  appending.hooks.afterOpen = [](const std::string& path) {
    if (!path.ends_with("growing.bin")) return;
    std::ofstream out(path, std::ios::app);
    out << std::string(5000, 'g');
  };

  runScan(makePattern({}), appending, {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(growing));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->reason, SkipReason::kVanished);
}

// Scans one file of `size` patterned bytes with a pattern holding its SHA-256,
// and returns how many views of it were mapped.
int scanPatternedFile(const TempFolder& folder, std::size_t size, CollectingSink& sink) {
  std::string contents(size, '\0');
  for (std::size_t i = 0; i < size; ++i) contents[i] = static_cast<char>(i * 31 + 7);
  const auto big = folder.write("big.bin", contents);
  auto pattern = makeAllKindsPattern({signatureOf(DigestKind::kSha256, contents, "Test.Big")});
  std::atomic<int> views{0};
  ScanOptions counting;
  counting.hooks.afterMapping = [&views](const std::string&) { ++views; };

  runScan(pattern, counting, {folder.path()}, sink);

  const ScanResult* result = sink.find(displayPath(big));
  EXPECT_NE(result, nullptr);
  if (result != nullptr) {
    EXPECT_EQ(result->verdict, Verdict::kInfected);
    EXPECT_EQ(result->threatName, "Test.Big");
  }
  return views.load();
}

TEST_F(ScanEngineTest, BigFileIsHashedWhole) {
  // Past the first block and the size from which files are mapped (1 MiB), with
  // an end that is not page-aligned.
  const int views = scanPatternedFile(folder_, 3 * 1024 * 1024 + 123, sink_);

  EXPECT_EQ(views, platform::fileViewsAvailable() ? 1 : 0);
}

TEST_F(ScanEngineTest, HugeFileIsHashedAcrossViews) {
  // The first block (256 KiB), two whole views of 16 MiB and a part of a third.
  const int views = scanPatternedFile(folder_, 33 * 1024 * 1024 + 4097, sink_);

  EXPECT_EQ(views, platform::fileViewsAvailable() ? 3 : 0);
}

TEST_F(ScanEngineTest, FailedMappingFallsBackToRead) {
  std::string contents(33 * 1024 * 1024 + 4097, '\0');
  for (std::size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>(i * 13 + 5);
  const auto big = folder_.write("unmappable.bin", contents);
  auto pattern = makeAllKindsPattern({signatureOf(DigestKind::kSha256, contents, "Test.Read")});
  std::atomic<int> views{0};
  ScanOptions failing = options();
  // The first view (after the first 256 KiB) is mapped, the second fails, and
  // read() goes on from where the first view ended.
  failing.hooks.failMapping = [](const std::string&, std::uint64_t offset) {
    return offset > 256 * 1024;
  };
  failing.hooks.afterMapping = [&views](const std::string&) { ++views; };

  runScan(pattern, failing, {folder_.path()}, sink_);

  EXPECT_EQ(views.load(), platform::fileViewsAvailable() ? 1 : 0);
  const ScanResult* result = sink_.find(displayPath(big));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kInfected);
  EXPECT_EQ(result->threatName, "Test.Read");
}

TEST_F(ScanEngineTest, BigFileShrinkingWhileHashedHasVanished) {
  const auto shrinking = folder_.write("shrinking.bin", std::string(8 * 1024 * 1024, 'b'));
  folder_.write("after.bin", "scanned after the shrinking file");
  ScanOptions truncating = options();
  bool mapped = false;
  // On POSIX the rest of the file is mapped, and reading the cut pages raises
  // SIGBUS, which must become this result. On Windows the file is read, and the
  // short read gives the same result.
  truncating.hooks.afterOpen = [](const std::string& path) {
    if (!platform::fileViewsAvailable() && path.ends_with("shrinking.bin")) {
      std::filesystem::resize_file(path, 300000);
    }
  };
  truncating.hooks.afterMapping = [&mapped](const std::string& path) {
    if (!path.ends_with("shrinking.bin")) return;
    mapped = true;
    std::filesystem::resize_file(path, 300000);
  };
  truncating.threads = 1;

  const ScanSummary summary = runScan(makePattern({}), truncating, {folder_.path()}, sink_);

  EXPECT_EQ(mapped, platform::fileViewsAvailable());
  const ScanResult* result = sink_.find(displayPath(shrinking));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->verdict, Verdict::kNotScanned);
  EXPECT_EQ(result->reason, SkipReason::kVanished);
  EXPECT_NE(result->detail.find("changed while it was read"), std::string::npos) << result->detail;
  EXPECT_EQ(summary.objects, 2u);
}

TEST_F(ScanEngineTest, BigFileGrowingWhileHashedHasVanished) {
  const auto growing = folder_.write("growing.bin", std::string(2 * 1024 * 1024, 'g'));
  ScanOptions appending = options();
  const auto append = [](const std::string& path) {
    if (!path.ends_with("growing.bin")) return;
    std::ofstream out(path, std::ios::app);
    out << std::string(5000, 'g');
  };
  // The mapped read ends at the size seen when the file was opened; the size is
  // checked again afterwards.
  if (platform::fileViewsAvailable()) {
    appending.hooks.afterMapping = append;
  } else {
    appending.hooks.afterOpen = append;
  }

  runScan(makePattern({}), appending, {folder_.path()}, sink_);

  const ScanResult* result = sink_.find(displayPath(growing));
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->reason, SkipReason::kVanished);
}

// POSIX permission bits and fork(). The Windows suite of the platform layer
// tests locked files (share modes) and how access-denied errors are classified.
#ifndef _WIN32
// Scans `folder` in a child process running as "nobody", because root bypasses
// permission checks, and returns "<reason of file>|<reason of folder>".
std::string scanAsUnprivileged(const std::filesystem::path& folder, const std::string& file,
                               const std::string& lockedFolder) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    CollectingSink sink;
    ScanOptions childOptions;
    childOptions.threads = 2;
    runScan(makePattern({}), childOptions, {folder}, sink);
    std::string answer;
    for (const std::string& path : {file, lockedFolder}) {
      const ScanResult* result = sink.find(path);
      answer += result == nullptr ? "missing" : std::string(skipReasonName(result->reason));
      answer += "|";
    }
    (void)!::write(fds[1], answer.data(), answer.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer;
  char buffer[256];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof(buffer))) > 0;) answer.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return answer;
}

TEST_F(ScanEngineTest, UnreadableFileAndFolderAreAccessDenied) {
  const auto secret = folder_.write("secret.bin", "no access");
  const auto locked = folder_.makeFolder("locked");
  folder_.write("locked/inside.bin", "no access either");
  std::filesystem::permissions(secret, std::filesystem::perms::none);
  std::filesystem::permissions(locked, std::filesystem::perms::none);
  std::filesystem::permissions(folder_.path(), std::filesystem::perms::all);

  std::string answer;
  if (::geteuid() == 0) {
    answer = scanAsUnprivileged(folder_.path(), displayPath(secret), displayPath(locked));
  } else {
    runScan(makePattern({}), options(), {folder_.path()}, sink_);
    for (const auto& path : {secret, locked}) {
      const ScanResult* result = sink_.find(displayPath(path));
      answer += result == nullptr ? "missing" : std::string(skipReasonName(result->reason));
      answer += "|";
    }
  }

  EXPECT_EQ(answer, "access_denied|access_denied|");
}
#endif

}  // namespace
}  // namespace odscan
