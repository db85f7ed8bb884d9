// Proves that a clean result costs the reporter no heap allocation. This is its own
// test program because it replaces the global operator new.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <sstream>

#include "odscan/scanner/result_reporter.h"
#include "test_support.h"

namespace {

thread_local bool countingAllocations = false;
thread_local std::size_t allocationCount = 0;

void* allocate(std::size_t size) {
  if (countingAllocations) ++allocationCount;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

namespace odscan::scanner {
namespace {

TEST(ResultReporterAllocationTest, CleanResultAllocatesNothing) {
  testing::TempFolder temp;
  HomeFolder home(temp / "HCEXEC");
  ASSERT_TRUE(home.createLayout().ok());
  Result<std::unique_ptr<Session>> session = Session::create(home, "scan");
  ASSERT_TRUE(session.ok());
  std::ostringstream out;
  std::ostringstream err;
  Console console(out, err, true);
  ResultReporter reporter(console, **session, false);

  ScanResult clean;
  clean.path = "/home/user/a path long enough to defeat the small string optimization.txt";
  clean.file = clean.path;
  clean.verdict = Verdict::kClean;

  allocationCount = 0;
  countingAllocations = true;
  for (int i = 0; i < 1000; ++i) reporter.onResult(clean);
  // A progress request makes the next result copy its path, still without allocating.
  reporter.requestCurrentPath();
  reporter.onResult(clean);
  countingAllocations = false;

  EXPECT_EQ(allocationCount, 0u);
  EXPECT_EQ(reporter.counts().clean, 1001u);
  EXPECT_EQ(reporter.currentPath(), clean.path);
}

TEST(ResultReporterAllocationTest, CountingSeesAllocations) {
  // Guards the test above against a counter that never counts.
  allocationCount = 0;
  countingAllocations = true;
  // A direct call, because the compiler may elide a new-expression.
  void* memory = ::operator new(100);
  countingAllocations = false;
  ::operator delete(memory);
  EXPECT_GT(allocationCount, 0u);
  allocationCount = 0;
}

}  // namespace
}  // namespace odscan::scanner
