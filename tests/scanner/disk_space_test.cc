#include "odscan/scanner/disk_space.h"

#include <gtest/gtest.h>

namespace odscan::scanner {
namespace {

FreeSpaceProbe freeSpaceOf(std::uint64_t bytes) {
  return [bytes](const std::filesystem::path&) -> Result<std::uint64_t> { return bytes; };
}

TEST(DiskSpaceTest, EnoughSpacePasses) {
  EXPECT_TRUE(checkFreeSpace("/tmp/HCEXEC", 64 << 20, freeSpaceOf(65 << 20)).ok());
}

TEST(DiskSpaceTest, ExactMinimumPasses) {
  EXPECT_TRUE(checkFreeSpace("/tmp/HCEXEC", 64 << 20, freeSpaceOf(64 << 20)).ok());
}

TEST(DiskSpaceTest, RealDiskPassesSmallMinimum) {
  EXPECT_TRUE(checkFreeSpace(std::filesystem::temp_directory_path(), 1).ok());
}

// Error paths

TEST(DiskSpaceTest, TooLittleSpaceIsNoSpace) {
  const Status status = checkFreeSpace("/tmp/HCEXEC", 64 << 20, freeSpaceOf(1 << 20));
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
}

TEST(DiskSpaceTest, MessageNamesAmountsAndWhatToDo) {
  const std::string message =
      checkFreeSpace("/tmp/HCEXEC", 64 << 20, freeSpaceOf(1 << 20)).message();
  EXPECT_NE(message.find("1.0 MiB free"), std::string::npos) << message;
  EXPECT_NE(message.find("64.0 MiB"), std::string::npos) << message;
  EXPECT_NE(message.find("Free some disk space"), std::string::npos) << message;
  EXPECT_NE(message.find("delete the HCEXEC folder '/tmp/HCEXEC'"), std::string::npos) << message;
  EXPECT_NE(message.find("earlier scan data"), std::string::npos) << message;
}

TEST(DiskSpaceTest, AbsurdMinimumFailsOnRealDisk) {
  const Status status = checkFreeSpace(std::filesystem::temp_directory_path(), ~0ull);
  EXPECT_EQ(status.code(), StatusCode::kNoSpace);
}

TEST(DiskSpaceTest, ProbeErrorIsPassedOn) {
  const FreeSpaceProbe failing = [](const std::filesystem::path&) -> Result<std::uint64_t> {
    return Status(StatusCode::kIoError, "statvfs failed");
  };
  const Status status = checkFreeSpace("/tmp/HCEXEC", 1, failing);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("statvfs failed"), std::string::npos);
}

}  // namespace
}  // namespace odscan::scanner
