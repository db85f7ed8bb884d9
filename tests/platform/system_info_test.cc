#include <gtest/gtest.h>

#include <set>

#include "odscan/platform/system.h"

namespace odscan::platform {
namespace {

TEST(SystemInfoTest, OsVersionNamesTheSystem) {
  const std::string version = osVersion();
#ifdef _WIN32
  EXPECT_EQ(version.rfind("Windows ", 0), 0u) << version;
#else
  EXPECT_FALSE(version.empty());
  EXPECT_NE(version, "unknown");
#endif
}

TEST(SystemInfoTest, IpAddressesLeaveOutLoopback) {
  const std::vector<std::string> addresses = ipAddresses();
  for (const std::string& address : addresses) {
    EXPECT_FALSE(address.empty());
    EXPECT_NE(address, "127.0.0.1");
    EXPECT_NE(address, "::1");
    EXPECT_NE(address.rfind("fe80:", 0), 0u) << address;
  }
  const std::set<std::string> distinct(addresses.begin(), addresses.end());
  EXPECT_EQ(distinct.size(), addresses.size());
}

TEST(SystemInfoTest, UserProfileIsKnown) { EXPECT_FALSE(userProfileDirectory().empty()); }

TEST(SystemInfoTest, FixedDrivesAreRoots) {
  const std::vector<std::filesystem::path> drives = fixedDrives();
  ASSERT_FALSE(drives.empty());
  for (const auto& drive : drives) EXPECT_EQ(drive, drive.root_path()) << drive;
}

}  // namespace
}  // namespace odscan::platform
