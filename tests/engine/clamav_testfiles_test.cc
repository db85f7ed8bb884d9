// Scans the ClamAV test files (Debian package clamav-testfiles), which wrap the
// harmless clam.exe test program in many container formats, with a pattern that
// contains clam.exe's MD5. Skipped when the package is not installed. Set
// ODSCAN_PRINT_RESULTS=1 to print every result.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "engine_test_support.h"
#include "odscan/engine/scan_engine.h"

namespace odscan {
namespace {

const std::filesystem::path kTestFiles = "/usr/share/clamav-testfiles";

class ClamavTestFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kTestFiles / "clam.exe")) {
      GTEST_SKIP() << "install the Debian package clamav-testfiles to run this test";
    }
    auto md5 = Digest::fromHex("aa15bcf478d165efd2065190eb473bcb");
    ASSERT_TRUE(md5.ok());
    auto pattern = testing::makePattern({Signature{*md5, 544, "ClamAV-Test-File"}});
    ScanOptions options;
    options.threads = 2;
    options.profile = ScanProfile::kQuick;
    summary_ = testing::runScan(pattern, options, {kTestFiles}, sink_);

    if (std::getenv("ODSCAN_PRINT_RESULTS") != nullptr) {
      for (const ScanResult& result : sink_.results()) {
        std::cout << verdictName(result.verdict) << '\t' << result.path;
        if (result.reason != SkipReason::kNone) std::cout << '\t' << skipReasonName(result.reason);
        if (!result.detail.empty()) std::cout << '\t' << result.detail;
        std::cout << '\n';
      }
    }
  }

  Verdict verdictOf(const std::string& relative) {
    // displayPath() makes the path absolute as the engine reports it: on Windows
    // the folder becomes Z:\usr\share\clamav-testfiles under wine.
    const ScanResult* result = sink_.find(testing::displayPath(kTestFiles / relative));
    EXPECT_NE(result, nullptr) << "no result for " << relative;
    return result == nullptr ? Verdict::kClean : result->verdict;
  }

  testing::CollectingSink sink_;
  ScanSummary summary_;
};

TEST_F(ClamavTestFilesTest, ClamExeIsFoundInEveryReadableFormat) {
  EXPECT_EQ(verdictOf("clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.zip!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.tar.gz!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.7z!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.exe.bz2!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.cab!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.newc.cpio!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.odc.cpio!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.bin-le.cpio!clam.exe"), Verdict::kInfected);
  EXPECT_EQ(verdictOf("clam.bin-be.cpio!clam.exe"), Verdict::kInfected);
}

TEST_F(ClamavTestFilesTest, NoResultIsCleanWhileUnread) {
  // A container that libarchive could not read fully is never called clean.
  for (const ScanResult& result : sink_.results()) {
    if (result.reason == SkipReason::kArchiveError) {
      EXPECT_NE(result.verdict, Verdict::kClean);
    }
  }
  EXPECT_GT(summary_.infected, 10u);
}

}  // namespace
}  // namespace odscan
