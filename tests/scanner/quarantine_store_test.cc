#include "odscan/scanner/quarantine_store.h"

#include <gtest/gtest.h>

#include <string>

#include "odscan/common/hasher.h"
#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::readFile;
using testing::TempFolder;
using testing::writeFile;

namespace fs = std::filesystem;

std::string everyByteValue() {
  std::string bytes;
  for (int round = 0; round < 300; ++round) {
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

Digest sha256Of(const std::string& text) {
  return MultiHasher::digestOf(DigestKind::kSha256,
                               {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::size_t filesIn(const fs::path& folder) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& item : fs::directory_iterator(folder)) ++count;
  return count;
}

class QuarantineStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(store_.folder()); }

  QuarantineRequest requestFor(const fs::path& file) {
    QuarantineRequest request;
    request.file = file;
    request.threatName = "Eicar-Test-Signature";
    request.detectionPath = file.string();
    request.sessionId = "0123abcd";
    return request;
  }

  QuarantineEntry quarantineOrFail(const fs::path& file) {
    Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
    EXPECT_TRUE(entry.ok()) << entry.status().toString();
    return entry.ok() ? *entry : QuarantineEntry{};
  }

  TempFolder temp_;
  QuarantineStore store_{temp_ / "HCEXEC" / "quarantine"};
};

TEST_F(QuarantineStoreTest, QuarantineRemovesOriginal) {
  const fs::path file = temp_ / "files" / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(fs::exists(entry.entryFile));
  EXPECT_EQ(entry.entryFile.parent_path(), store_.folder());
}

TEST_F(QuarantineStoreTest, EntryRecordsOriginalFacts) {
  const fs::path file = temp_ / "files" / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);

  Result<QuarantineEntry> found = store_.find(entry.id);
  ASSERT_TRUE(found.ok()) << found.status().toString();
  EXPECT_EQ(found->originalPath, file);
  EXPECT_EQ(found->originalSize, 68u);
  EXPECT_EQ(found->originalSha256.toHex(),
            "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
  EXPECT_EQ(found->threatName, "Eicar-Test-Signature");
  EXPECT_EQ(found->sessionId, "0123abcd");
  EXPECT_EQ(found->id.size(), 8u);
}

TEST_F(QuarantineStoreTest, EntryDoesNotContainOriginalBytes) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  const std::string stored = readFile(entry.entryFile);
  EXPECT_EQ(stored.find(testing::eicarText()), std::string::npos);
  // Not even a quarter of it, so no scanner signature over a part of it matches.
  EXPECT_EQ(stored.find(testing::eicarText().substr(20, 17)), std::string::npos);
}

TEST_F(QuarantineStoreTest, RestoreIsByteExact) {
  const fs::path file = temp_ / "files" / "binary.bin";
  const std::string contents = everyByteValue();
  writeFile(file, contents);
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read);
  const QuarantineEntry entry = quarantineOrFail(file);

  Result<RestoreOutcome> restored = store_.restore({entry.id, std::nullopt, false});
  ASSERT_TRUE(restored.ok()) << restored.status().toString();
  EXPECT_EQ(restored->restoredTo, file);
  EXPECT_EQ(readFile(file), contents);
#ifndef _WIN32
  // Windows keeps only a read-only attribute; quarantine_store_windows_test.cc
  // checks that it comes back.
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read);
#endif
}

TEST_F(QuarantineStoreTest, EmptyFileRoundTrips) {
  const fs::path file = temp_ / "empty";
  writeFile(file, "");
  const QuarantineEntry entry = quarantineOrFail(file);
  ASSERT_TRUE(store_.restore({entry.id, std::nullopt, false}).ok());
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::file_size(file), 0u);
}

TEST_F(QuarantineStoreTest, RestoreRemovesEntry) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  Result<RestoreOutcome> restored = store_.restore({entry.id, std::nullopt, false});
  ASSERT_TRUE(restored.ok());
  EXPECT_TRUE(restored->entryRemoval.ok());
  EXPECT_FALSE(fs::exists(entry.entryFile));
}

TEST_F(QuarantineStoreTest, RestoreIntoFolderUsesOriginalName) {
  const fs::path file = temp_ / "files" / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  fs::create_directories(temp_ / "restored");

  Result<RestoreOutcome> restored = store_.restore({entry.id, temp_ / "restored", false});
  ASSERT_TRUE(restored.ok()) << restored.status().toString();
  EXPECT_EQ(restored->restoredTo, temp_ / "restored" / "eicar.com");
  EXPECT_EQ(readFile(temp_ / "restored" / "eicar.com"), testing::eicarText());
}

TEST_F(QuarantineStoreTest, RestoreIntoMissingFolderEndingInSeparator) {
  const fs::path file = temp_ / "files" / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);

  const fs::path folder = temp_.path().string() + "/rv/evidence/";
  Result<RestoreOutcome> restored = store_.restore({entry.id, folder, false});
  ASSERT_TRUE(restored.ok()) << restored.status().toString();
  EXPECT_EQ(restored->restoredTo, temp_ / "rv" / "evidence" / "eicar.com");
  EXPECT_EQ(readFile(temp_ / "rv" / "evidence" / "eicar.com"), testing::eicarText());
}

TEST_F(QuarantineStoreTest, RestoreToFilePathCreatesMissingFolders) {
  const fs::path file = temp_ / "files" / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);

  const fs::path target = temp_ / "rv" / "case-17" / "sample.bin";
  Result<RestoreOutcome> restored = store_.restore({entry.id, target, false});
  ASSERT_TRUE(restored.ok()) << restored.status().toString();
  EXPECT_EQ(restored->restoredTo, target);
  EXPECT_EQ(readFile(target), testing::eicarText());
}

// POSIX only: on Windows the entry inherits the owner-only access list of its
// folder, which home_folder_windows_test.cc checks.
#ifndef _WIN32
TEST_F(QuarantineStoreTest, EntryFileIsPrivateWhateverTheUmask) {
  testing::ScopedUmask umask(0);
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  EXPECT_EQ(testing::modeOf(entry.entryFile), 0600u);
}
#endif

TEST_F(QuarantineStoreTest, RestoreWithOverwriteReplacesFile) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  writeFile(file, "a new file with the same name");

  ASSERT_TRUE(store_.restore({entry.id, std::nullopt, true}).ok());
  EXPECT_EQ(readFile(file), testing::eicarText());
}

TEST_F(QuarantineStoreTest, ListShowsEntriesOldestFirst) {
  writeFile(temp_ / "a", "first");
  writeFile(temp_ / "b", "second");
  const QuarantineEntry first = quarantineOrFail(temp_ / "a");
  const QuarantineEntry second = quarantineOrFail(temp_ / "b");

  Result<QuarantineListing> listing = store_.list();
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->entries.size(), 2u);
  EXPECT_TRUE(listing->damaged.empty());
  if (first.quarantinedAt != second.quarantinedAt) {
    EXPECT_EQ(listing->entries[0].id, first.id);
  }
  EXPECT_EQ(listing->entries[0].entryFile.extension(), ".odq");
}

TEST_F(QuarantineStoreTest, MatchingScannedDigestIsAccepted) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  QuarantineRequest request = requestFor(file);
  request.scannedDigest = sha256Of(testing::eicarText());
  EXPECT_TRUE(store_.quarantine(request).ok());
}

// Error paths

class QuarantineFaultTest : public QuarantineStoreTest,
                            public ::testing::WithParamInterface<QuarantineStep> {};

TEST_P(QuarantineFaultTest, FailedStepLeavesOriginalAndNoEntry) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineStep failing = GetParam();
  store_.setFaultHookForTesting([failing](QuarantineStep step) {
    return step == failing ? Status(StatusCode::kIoError, "injected failure") : Status::success();
  });

  Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
  ASSERT_FALSE(entry.ok());
  EXPECT_NE(entry.status().message().find("left in place"), std::string::npos);
  EXPECT_EQ(readFile(file), testing::eicarText());
  EXPECT_EQ(filesIn(store_.folder()), 0u);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, QuarantineFaultTest,
                         ::testing::Values(QuarantineStep::kWriteCopy, QuarantineStep::kSyncCopy,
                                           QuarantineStep::kPublishCopy,
                                           QuarantineStep::kRemoveOriginal),
                         [](const ::testing::TestParamInfo<QuarantineStep>& step) {
                           switch (step.param) {
                             case QuarantineStep::kWriteCopy:
                               return std::string("WriteCopy");
                             case QuarantineStep::kSyncCopy:
                               return std::string("SyncCopy");
                             case QuarantineStep::kPublishCopy:
                               return std::string("PublishCopy");
                             case QuarantineStep::kRemoveOriginal:
                               return std::string("RemoveOriginal");
                           }
                           return std::string("Unknown");
                         });

TEST_F(QuarantineStoreTest, UnwritableQuarantineFolderLeavesOriginal) {
  // A file where the folder should be fails even for root, unlike permission bits.
  fs::remove_all(store_.folder());
  writeFile(store_.folder(), "not a folder");
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());

  Result<QuarantineEntry> entry = store_.quarantine(requestFor(file));
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(readFile(file), testing::eicarText());
}

TEST_F(QuarantineStoreTest, ChangedFileIsNotQuarantined) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, "replaced after the scan");
  QuarantineRequest request = requestFor(file);
  request.scannedDigest = sha256Of(testing::eicarText());

  Result<QuarantineEntry> entry = store_.quarantine(request);
  ASSERT_FALSE(entry.ok());
  EXPECT_NE(entry.status().message().find("changed after it was scanned"), std::string::npos);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(filesIn(store_.folder()), 0u);
}

// POSIX only: creating a symbolic link on Windows needs a privilege or developer
// mode, and wine 8 cannot create one at all.
#ifndef _WIN32
TEST_F(QuarantineStoreTest, SymbolicLinkIsNotQuarantined) {
  writeFile(temp_ / "target", testing::eicarText());
  fs::create_symlink(temp_ / "target", temp_ / "link");
  Result<QuarantineEntry> entry = store_.quarantine(requestFor(temp_ / "link"));
  ASSERT_FALSE(entry.ok());
  EXPECT_TRUE(fs::is_symlink(temp_ / "link"));
  EXPECT_TRUE(fs::exists(temp_ / "target"));
}

TEST_F(QuarantineStoreTest, SymbolicLinkErrorNamesTarget) {
  writeFile(temp_ / "target", testing::eicarText());
  fs::create_symlink(temp_ / "target", temp_ / "link");
  Result<QuarantineEntry> entry = store_.quarantine(requestFor(temp_ / "link"));
  ASSERT_FALSE(entry.ok());
  EXPECT_NE(entry.status().message().find("symbolic link to '" + (temp_ / "target").string() + "'"),
            std::string::npos)
      << entry.status().message();
}
#endif

TEST_F(QuarantineStoreTest, MissingFileIsReported) {
  Result<QuarantineEntry> entry = store_.quarantine(requestFor(temp_ / "missing"));
  ASSERT_FALSE(entry.ok());
  EXPECT_NE(entry.status().message().find("missing"), std::string::npos);
}

TEST_F(QuarantineStoreTest, RestoreDoesNotOverwriteExistingFile) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  writeFile(file, "a new file with the same name");

  Result<RestoreOutcome> restored = store_.restore({entry.id, std::nullopt, false});
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(restored.status().message().find("--force"), std::string::npos);
  EXPECT_EQ(readFile(file), "a new file with the same name");
  EXPECT_TRUE(fs::exists(entry.entryFile));
}

TEST_F(QuarantineStoreTest, TamperedEntryIsNotRestored) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  std::string stored = readFile(entry.entryFile);
  stored.back() = static_cast<char>(stored.back() ^ 0x01);
  writeFile(entry.entryFile, stored);

  Result<RestoreOutcome> restored = store_.restore({entry.id, std::nullopt, false});
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), StatusCode::kCorrupt);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(filesIn(temp_.path()), 1u);  // only HCEXEC, no temporary file left
  EXPECT_TRUE(fs::exists(entry.entryFile));
}

TEST_F(QuarantineStoreTest, FailedRestoreRemovesFoldersItCreated) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  std::string stored = readFile(entry.entryFile);
  stored.back() = static_cast<char>(stored.back() ^ 0x01);
  writeFile(entry.entryFile, stored);

  const fs::path folder = temp_.path().string() + "/rv/evidence/";
  Result<RestoreOutcome> restored = store_.restore({entry.id, folder, false});
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), StatusCode::kCorrupt);
  EXPECT_FALSE(fs::exists(temp_ / "rv"));
}

TEST_F(QuarantineStoreTest, EmptyDestinationIsRejected) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  Result<RestoreOutcome> restored = store_.restore({entry.id, fs::path(), false});
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(entry.entryFile));
}

TEST_F(QuarantineStoreTest, TruncatedEntryIsRejected) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  const std::string stored = readFile(entry.entryFile);
  writeFile(entry.entryFile, stored.substr(0, stored.size() - 10));

  Result<QuarantineEntry> found = store_.find(entry.id);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kTruncated);
}

TEST_F(QuarantineStoreTest, WrongMagicIsCorrupt) {
  writeFile(store_.folder() / "0badf00d.odq", std::string(64, 'x'));
  Result<QuarantineEntry> found = store_.find("0badf00d");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kCorrupt);
}

TEST_F(QuarantineStoreTest, NewerFormatVersionIsRejected) {
  const fs::path file = temp_ / "eicar.com";
  writeFile(file, testing::eicarText());
  const QuarantineEntry entry = quarantineOrFail(file);
  std::string stored = readFile(entry.entryFile);
  stored[8] = 2;  // format version, little-endian u32 at offset 8
  writeFile(entry.entryFile, stored);

  Result<QuarantineEntry> found = store_.find(entry.id);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kUnsupportedVersion);
}

TEST_F(QuarantineStoreTest, OversizedHeaderLengthIsCorrupt) {
  std::string stored = "ODSCANQE";
  stored += std::string("\x01\x00\x00\x00", 4);
  stored += std::string("\xff\xff\xff\x7f", 4);
  writeFile(store_.folder() / "0badf00d.odq", stored);
  Result<QuarantineEntry> found = store_.find("0badf00d");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kCorrupt);
}

TEST_F(QuarantineStoreTest, HeaderWithMissingFieldIsCorrupt) {
  const std::string header = R"({"id":"0badf00d"})";
  std::string stored = "ODSCANQE";
  stored += std::string("\x01\x00\x00\x00", 4);
  stored += static_cast<char>(header.size());
  stored += std::string(3, '\0');
  stored += header;
  writeFile(store_.folder() / "0badf00d.odq", stored);
  Result<QuarantineEntry> found = store_.find("0badf00d");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kCorrupt);
}

TEST_F(QuarantineStoreTest, IdThatIsNotHexIsRejected) {
  Result<RestoreOutcome> restored = store_.restore({"../../etc/passwd", std::nullopt, false});
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(QuarantineStoreTest, UnknownIdIsNotFound) {
  Result<RestoreOutcome> restored = store_.restore({"12345678", std::nullopt, false});
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.status().code(), StatusCode::kNotFound);
  EXPECT_NE(restored.status().message().find("quarantine list"), std::string::npos);
}

TEST_F(QuarantineStoreTest, ListReportsDamagedEntriesAndKeepsGoodOnes) {
  writeFile(temp_ / "a", "first");
  quarantineOrFail(temp_ / "a");
  writeFile(store_.folder() / "0badf00d.odq", "damaged");

  Result<QuarantineListing> listing = store_.list();
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->entries.size(), 1u);
  ASSERT_EQ(listing->damaged.size(), 1u);
  EXPECT_EQ(listing->damaged[0].id, "0badf00d");
  EXPECT_EQ(listing->damaged[0].entryFile, store_.folder() / "0badf00d.odq");
  EXPECT_NE(listing->damaged[0].problem.message().find("0badf00d"), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
