// Mapped file views (POSIX): the bytes match the file, a file truncated while it
// is read gives an error instead of ending the process, and a SIGBUS outside a
// guarded read does what it would have done without odscan's handler.
#include "odscan/platform/file_view.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "odscan/platform/read_only_file.h"
#include "odscan/platform/system.h"

namespace odscan::platform {
namespace {

// Copies the visited bytes. That allocates, which production visitors must not
// do, but a test view is never truncated while this runs.
void copyBytes(void* into, std::span<const std::uint8_t> bytes) {
  auto* copy = static_cast<std::vector<std::uint8_t>*>(into);
  copy->insert(copy->end(), bytes.begin(), bytes.end());
}

// Reads one byte per page, as hashing does, so a missing page raises SIGBUS.
void touchPages(void* sum, std::span<const std::uint8_t> bytes) {
  auto* total = static_cast<unsigned*>(sum);
  for (std::size_t i = 0; i < bytes.size(); i += 4096) *total += bytes[i];
}

// Without a sanitizer the default action kills the process with SIGBUS. Under
// AddressSanitizer, its own handler (the one odscan's handler passes the signal
// to) reports the fault and exits with 1.
bool endedByTheSignal(int status) {
  if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGBUS;
  return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

class FileViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (tempDirectory() / "odscan-file-view-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }

  std::string writeFile(const std::string& name, std::size_t size) {
    std::string contents(size, '\0');
    for (std::size_t i = 0; i < size; ++i) contents[i] = static_cast<char>(i * 7 + 1);
    const std::filesystem::path file = root_ / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
  }

  std::filesystem::path root_;
};

TEST_F(FileViewTest, ViewMatchesFileAtOffset) {
  ASSERT_TRUE(fileViewsAvailable());
  const std::size_t alignment = fileViewAlignment();
  const std::string path = writeFile("data.bin", 3 * alignment + 100);
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok()) << file.error().message;

  auto view = FileView::map(*file, alignment, 2 * alignment + 100);
  ASSERT_TRUE(view.ok()) << view.error().message;
  std::vector<std::uint8_t> seen;
  auto visited = visitGuarded(*view, view->bytes(), copyBytes, &seen);
  ASSERT_TRUE(visited.ok()) << visited.error().message;

  ASSERT_EQ(seen.size(), 2 * alignment + 100);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i], static_cast<std::uint8_t>((alignment + i) * 7 + 1)) << "byte " << i;
  }
}

TEST_F(FileViewTest, UnalignedOffsetIsRejected) {
  const std::string path = writeFile("data.bin", 2 * fileViewAlignment());
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok()) << file.error().message;

  auto view = FileView::map(*file, 1, 100);
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.error().message.find("multiple of"), std::string::npos) << view.error().message;
}

TEST_F(FileViewTest, TruncatedFileGivesAnError) {
  const std::size_t size = 64 * fileViewAlignment();
  const std::string path = writeFile("shrinks.bin", size);
  auto file = ReadOnlyFile::open(path, false);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto view = FileView::map(*file, 0, size);
  ASSERT_TRUE(view.ok()) << view.error().message;

  // Another program cuts the file while it is mapped.
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);

  unsigned sum = 0;
  auto visited = visitGuarded(*view, view->bytes(), touchPages, &sum);
  ASSERT_FALSE(visited.ok());
  EXPECT_EQ(visited.error().kind, IoErrorKind::kIoError);
  EXPECT_NE(visited.error().message.find("became shorter"), std::string::npos)
      << visited.error().message;

  // The thread goes on working, and a second guarded read fails the same way.
  auto again = visitGuarded(*view, view->bytes(), touchPages, &sum);
  EXPECT_FALSE(again.ok());
}

// In a death-test child: maps `path`, installs odscan's handler with a guarded
// read, truncates the file and reads a cut page outside any guard.
void faultOutsideAGuard(const std::string& path, std::size_t size) {
  auto file = ReadOnlyFile::open(path, false);
  auto view = FileView::map(*file, 0, size);
  unsigned sum = 0;
  (void)visitGuarded(*view, view->bytes(), touchPages, &sum);
  ::truncate(path.c_str(), 0);
  const volatile std::uint8_t* bytes = view->bytes().data();
  sum += bytes[2 * fileViewAlignment()];
}

constexpr int kPreviousHandlerExit = 42;

void previousInfoHandler(int, siginfo_t*, void*) { ::_exit(kPreviousHandlerExit); }
void previousPlainHandler(int) { ::_exit(kPreviousHandlerExit); }

TEST_F(FileViewTest, UnguardedSigbusEndsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::size_t size = 4 * fileViewAlignment();
  const std::string path = writeFile("unguarded.bin", size);
  EXPECT_EXIT(
      {
        faultOutsideAGuard(path, size);
        ::_exit(0);  // reached only if the signal was swallowed
      },
      endedByTheSignal, "");
}

TEST_F(FileViewTest, UnguardedSigbusReachesPreviousHandler) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::size_t size = 4 * fileViewAlignment();
  const std::string path = writeFile("chained.bin", size);
  struct sigaction withInfo {};
  withInfo.sa_sigaction = previousInfoHandler;
  withInfo.sa_flags = SA_SIGINFO;
  struct sigaction plain {};
  plain.sa_handler = previousPlainHandler;

  for (struct sigaction previous : {withInfo, plain}) {
    sigemptyset(&previous.sa_mask);
    EXPECT_EXIT(
        {
          ::sigaction(SIGBUS, &previous, nullptr);
          faultOutsideAGuard(path, size);
          ::_exit(0);
        },
        ::testing::ExitedWithCode(kPreviousHandlerExit), "")
        << ((previous.sa_flags & SA_SIGINFO) != 0 ? "SA_SIGINFO handler" : "plain handler");
  }
}

TEST_F(FileViewTest, IgnoredKillKeepsTheGuard) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::size_t size = 8 * fileViewAlignment();
  const std::string path = writeFile("ignored.bin", size);
  constexpr int kGuardStillWorks = 7;
  EXPECT_EXIT(
      {
        ::signal(SIGBUS, SIG_IGN);
        auto file = ReadOnlyFile::open(path, false);
        auto view = FileView::map(*file, 0, size);
        unsigned sum = 0;
        (void)visitGuarded(*view, view->bytes(), touchPages, &sum);
        // SIGBUS was ignored before odscan's handler was installed, so a
        // SIGBUS sent with kill() stays ignored.
        ::kill(::getpid(), SIGBUS);
        ::truncate(path.c_str(), 0);
        auto visited = visitGuarded(*view, view->bytes(), touchPages, &sum);
        ::_exit(visited.ok() ? 0 : kGuardStillWorks);
      },
      ::testing::ExitedWithCode(kGuardStillWorks), "");
}

}  // namespace
}  // namespace odscan::platform
