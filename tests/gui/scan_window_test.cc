// Smoke tests of the Win32 window. Each test creates the window over jobs of its
// own, drives it with posted messages as a user's clicks and keys would, and
// reads the controls back. The window stays hidden, but wine creates windows only
// with a graphics driver: the tests need an X display (Xvfb) or wine's null
// driver, and are skipped without one.
#include "odscan/gui/scan_window.h"

#include <commctrl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

namespace odscan::gui {
namespace {

namespace fs = std::filesystem;
using C = WindowControl;
using std::chrono::milliseconds;

std::string narrow(const std::wstring& wide) {
  const int length = static_cast<int>(wide.size());
  const int needed =
      WideCharToMultiByte(CP_UTF8, 0, wide.data(), length, nullptr, 0, nullptr, nullptr);
  std::string text(static_cast<std::size_t>(std::max(needed, 0)), '\0');
  WideCharToMultiByte(CP_UTF8, 0, wide.data(), length, text.data(), needed, nullptr, nullptr);
  return text;
}

ScanResult infected(const std::string& path, const fs::path& file) {
  ScanResult result;
  result.path = path;
  result.file = file;
  result.verdict = Verdict::kInfected;
  result.threatName = "Eicar-Test-Signature";
  return result;
}

// Jobs whose scan reports progress until the test releases or cancels it.
class FakeJobs : public ScanJobs {
 public:
  explicit FakeJobs(ScanConclusion conclusion) : conclusion_(std::move(conclusion)) {}

  ScanConclusion runScan(const std::atomic<bool>& cancel,
                         const ProgressCallback& progress) override {
    scanner::ScanProgressUpdate update;
    update.currentPath = "C:\\Users\\guest\\Downloads\\setup & tools.exe";
    while (!cancel.load() && !released_.load()) {
      ++update.progress.files;
      progress(update);
      std::this_thread::sleep_for(milliseconds(5));
    }
    ScanConclusion conclusion = conclusion_;
    if (cancel.load() && conclusion.report) {
      conclusion.report->outcome = scanner::ScanOutcome::kCancelled;
    }
    return conclusion;
  }

  QuarantineBatch quarantine(const std::vector<scanner::QuarantineRequest>& requests,
                             const std::string& scanSessionId) override {
    std::lock_guard lock(mutex_);
    requests_ = requests;
    QuarantineBatch batch{"5e6f7a8b", {}};
    for (const auto& request : requests) {
      scanner::QuarantineEntry entry;
      entry.id = "0badf00d";
      batch.outcomes.push_back({request.file, entry});
    }
    scanSessionId_ = scanSessionId;
    return batch;
  }

  HomeRemoval removeHome() override {
    removals_.fetch_add(1);
    return {"C:\\Users\\guest\\Temp\\HCEXEC", Status::success()};
  }

  void release() { released_.store(true); }
  int removals() const { return removals_.load(); }
  std::vector<scanner::QuarantineRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string scanSessionId() {
    std::lock_guard lock(mutex_);
    return scanSessionId_;
  }

 private:
  const ScanConclusion conclusion_;
  std::atomic<bool> released_{false};
  std::atomic<int> removals_{0};
  std::mutex mutex_;
  std::vector<scanner::QuarantineRequest> requests_;
  std::string scanSessionId_;
};

constexpr const char* kNoDriver =
    "wine has no graphics driver: run the test under Xvfb, or set wine's graphics driver to "
    "null (HKCU\\Software\\Wine\\Drivers, Graphics=null)";

class ScanWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs these tests in parallel processes, and each one removes its
    // folder at the end, so every test needs a folder of its own.
    sessionFolder_ = fs::temp_directory_path() /
                     ("odscan-window-test-session-" + std::to_string(std::random_device{}()) + "-" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(sessionFolder_);
    options_.roots = {"C:\\Users\\guest", "D:\\"};
    options_.smartScan.serverUrl = "http://127.0.0.1:8470";
  }

  void TearDown() override {
    window_.reset();
    drainMessages();
    std::error_code ignored;
    fs::remove_all(sessionFolder_, ignored);
  }

  // A completed scan that found threats in two files.
  ScanConclusion threatsFound() const {
    scanner::ScanReport report;
    report.outcome = scanner::ScanOutcome::kCompleted;
    report.sessionId = "1a2b3c4d";
    report.sessionFolder = sessionFolder_;
    report.findings = {infected("C:\\Users\\guest\\eicar.com", "C:\\Users\\guest\\eicar.com"),
                       infected("D:\\a.zip!eicar.com", "D:\\a.zip")};
    return {1, report, ""};
  }

  // Creates the window, hidden, over jobs that end with `conclusion`. Returns
  // false when wine has no graphics driver.
  bool open(ScanConclusion conclusion) {
    jobs_ = std::make_unique<FakeJobs>(std::move(conclusion));
    WindowShell shell;
    shell.confirm = [this](HWND, const std::string& question) {
      questions_.push_back(question);
      return confirmAnswer_;
    };
    shell.openFolder = [this](HWND, const fs::path& folder) {
      openedFolders_.push_back(folder);
      return true;
    };
    window_ = std::make_unique<ScanWindow>(ScanWizard(options_, "C:\\Users\\guest\\Temp\\HCEXEC"),
                                           *jobs_, shell);
    const Status created = window_->create(SW_HIDE);
    if (!created.ok()) {
      window_.reset();
      return false;
    }
    return true;
  }

  HWND item(C control) const { return GetDlgItem(window_->handle(), controlId(control)); }

  std::string text(C control) const {
    wchar_t buffer[1024] = {};
    GetWindowTextW(item(control), buffer, static_cast<int>(std::size(buffer)));
    return narrow(buffer);
  }

  // The window itself stays hidden, so a control counts as shown when its own
  // WS_VISIBLE style is set.
  bool shown(C control) const {
    return (GetWindowLongW(item(control), GWL_STYLE) & WS_VISIBLE) != 0;
  }
  bool enabled(C control) const { return IsWindowEnabled(item(control)) != FALSE; }

  void click(C control) {
    PostMessageW(window_->handle(), WM_COMMAND, MAKEWPARAM(controlId(control), BN_CLICKED),
                 reinterpret_cast<LPARAM>(item(control)));
  }

  // Sends a key to the focused control through the window's dialog keys, as the
  // message loop of odscan.exe does.
  void pressKey(WPARAM key) {
    HWND target = GetFocus() != nullptr ? GetFocus() : window_->handle();
    MSG message{};
    message.hwnd = target;
    message.message = WM_KEYDOWN;
    message.wParam = key;
    if (!window_->handleDialogKey(message)) DispatchMessageW(&message);
  }

  // Dispatches messages until `done` returns true or 10 s have passed.
  bool pumpUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      MSG message;
      while (PeekMessageW(&message, nullptr, 0, 0, PM_REMOVE)) {
        if (message.message == WM_QUIT) {
          quitCode_ = static_cast<int>(message.wParam);
          continue;
        }
        if (window_ && window_->handleDialogKey(message)) continue;
        TranslateMessage(&message);
        DispatchMessageW(&message);
      }
      MsgWaitForMultipleObjects(0, nullptr, FALSE, 10, QS_ALLINPUT);
    }
    return true;
  }

  void drainMessages() {
    pumpUntil([] {
      MSG message;
      return PeekMessageW(&message, nullptr, 0, 0, PM_NOREMOVE) == FALSE;
    });
  }

  bool atStep(WizardStep step) {
    return pumpUntil([&] { return window_->wizard().step() == step; });
  }

  int rowCount() const { return ListView_GetItemCount(item(C::kThreatList)); }

  std::string cell(int row, int column) const {
    wchar_t buffer[512] = {};
    ListView_GetItemText(item(C::kThreatList), row, column, buffer,
                         static_cast<int>(std::size(buffer)));
    return narrow(buffer);
  }

  bool checked(int row) const { return ListView_GetCheckState(item(C::kThreatList), row) != 0; }

  // Opens the window, starts the scan and lets it finish.
  bool scanToResults() {
    if (!open(threatsFound())) return false;
    click(C::kStart);
    if (!atStep(WizardStep::kScanning)) return false;
    jobs_->release();
    return atStep(WizardStep::kResults);
  }

  scanner::ScanCommandOptions options_;
  fs::path sessionFolder_;
  std::unique_ptr<FakeJobs> jobs_;
  std::unique_ptr<ScanWindow> window_;
  bool confirmAnswer_ = true;
  std::vector<std::string> questions_;
  std::vector<fs::path> openedFolders_;
  int quitCode_ = -1;
};

#define OPEN_OR_SKIP(conclusion) \
  if (!open(conclusion)) GTEST_SKIP() << kNoDriver

TEST_F(ScanWindowTest, WelcomeListsTargetsAndServer) {
  OPEN_OR_SKIP(threatsFound());
  EXPECT_EQ(text(C::kStepCaption), "Step 1 of 4: Welcome");
  EXPECT_EQ(SendMessageW(item(C::kTargetList), LB_GETCOUNT, 0, 0), 2);
  EXPECT_NE(text(C::kServerText).find("http://127.0.0.1:8470"), std::string::npos);
  EXPECT_TRUE(shown(C::kStart));
  EXPECT_TRUE(enabled(C::kStart));
  EXPECT_FALSE(shown(C::kCancel));
  EXPECT_FALSE(shown(C::kThreatList));
}

TEST_F(ScanWindowTest, StartShowsProgress) {
  OPEN_OR_SKIP(threatsFound());
  click(C::kStart);
  ASSERT_TRUE(atStep(WizardStep::kScanning));
  EXPECT_TRUE(pumpUntil([&] { return text(C::kFilesValue) != "0"; }));
  EXPECT_EQ(text(C::kStepCaption), "Step 2 of 4: Scanning");
  EXPECT_TRUE(shown(C::kProgressBar));
  EXPECT_TRUE(enabled(C::kCancel));
  EXPECT_FALSE(shown(C::kStart));
  EXPECT_NE(text(C::kCurrentFile).find("setup & tools.exe"), std::string::npos);
  jobs_->release();
  EXPECT_TRUE(atStep(WizardStep::kResults));
}

TEST_F(ScanWindowTest, EnterStartsScan) {
  OPEN_OR_SKIP(threatsFound());
  pressKey(VK_RETURN);
  EXPECT_TRUE(atStep(WizardStep::kScanning));
  jobs_->release();
  EXPECT_TRUE(atStep(WizardStep::kResults));
}

TEST_F(ScanWindowTest, EscapeOnWelcomeCloses) {
  OPEN_OR_SKIP(threatsFound());
  HWND handle = window_->handle();
  pressKey(VK_ESCAPE);
  EXPECT_TRUE(pumpUntil([&] { return IsWindow(handle) == FALSE; }));
}

TEST_F(ScanWindowTest, CancelStopsScan) {
  OPEN_OR_SKIP(threatsFound());
  click(C::kStart);
  ASSERT_TRUE(atStep(WizardStep::kScanning));
  click(C::kCancel);
  ASSERT_TRUE(atStep(WizardStep::kResults));
  EXPECT_NE(text(C::kResultsNotes).find("cancelled"), std::string::npos);
}

TEST_F(ScanWindowTest, EscapeCancelsScan) {
  OPEN_OR_SKIP(threatsFound());
  click(C::kStart);
  ASSERT_TRUE(atStep(WizardStep::kScanning));
  pressKey(VK_ESCAPE);
  EXPECT_TRUE(atStep(WizardStep::kResults));
}

TEST_F(ScanWindowTest, ResultsListThreatsTicked) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  EXPECT_EQ(text(C::kStepCaption), "Step 3 of 4: Results");
  EXPECT_EQ(text(C::kResultsHeadline), "Threats found in 2 files.");
  ASSERT_EQ(rowCount(), 2);
  EXPECT_EQ(cell(1, 0), "D:\\a.zip!eicar.com");
  EXPECT_EQ(cell(1, 1), "Eicar-Test-Signature");
  EXPECT_EQ(cell(1, 2), "Quarantine (proposed)");
  EXPECT_TRUE(checked(0));
  EXPECT_TRUE(checked(1));
}

TEST_F(ScanWindowTest, QuarantineSendsTickedRows) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  ListView_SetCheckState(item(C::kThreatList), 0, FALSE);
  click(C::kQuarantine);
  ASSERT_TRUE(pumpUntil([&] { return cell(1, 2) == "Quarantined as 0badf00d"; }));

  const auto requests = jobs_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].file, fs::path("D:\\a.zip"));
  EXPECT_EQ(jobs_->scanSessionId(), "1a2b3c4d");
  EXPECT_EQ(cell(0, 2), "Quarantine (proposed)");
  EXPECT_FALSE(checked(1));
  EXPECT_NE(text(C::kStatusLine).find("Quarantined 1 of 1 file."), std::string::npos);
}

TEST_F(ScanWindowTest, QuarantineWithoutTicksAsksForSelection) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  ListView_SetCheckState(item(C::kThreatList), 0, FALSE);
  ListView_SetCheckState(item(C::kThreatList), 1, FALSE);
  click(C::kQuarantine);
  ASSERT_TRUE(pumpUntil([&] { return text(C::kStatusLine).rfind("Tick the files", 0) == 0; }));
  EXPECT_TRUE(jobs_->requests().empty());
}

TEST_F(ScanWindowTest, OpenSessionFolderUsesShell) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  ASSERT_TRUE(enabled(C::kOpenFolder));
  click(C::kOpenFolder);
  ASSERT_TRUE(pumpUntil([&] { return !openedFolders_.empty(); }));
  EXPECT_EQ(openedFolders_[0], sessionFolder_);
}

TEST_F(ScanWindowTest, RemoveHomeAfterConfirmation) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  click(C::kRemoveHome);
  ASSERT_TRUE(pumpUntil([&] { return jobs_->removals() == 1; }));
  ASSERT_EQ(questions_.size(), 1u);
  EXPECT_NE(questions_[0].find("earlier scans"), std::string::npos);
  EXPECT_TRUE(pumpUntil([&] { return text(C::kStatusLine).rfind("Removed", 0) == 0; }));
}

TEST_F(ScanWindowTest, RemoveHomeDeclinedRemovesNothing) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  confirmAnswer_ = false;
  click(C::kRemoveHome);
  ASSERT_TRUE(pumpUntil([&] { return questions_.size() == 1; }));
  drainMessages();
  EXPECT_EQ(jobs_->removals(), 0);
}

TEST_F(ScanWindowTest, NextShowsFinish) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  click(C::kNext);
  ASSERT_TRUE(atStep(WizardStep::kFinish));
  EXPECT_EQ(text(C::kStepCaption), "Step 4 of 4: Finish");
  EXPECT_EQ(text(C::kFinishHeadline), "The scan is complete.");
  EXPECT_TRUE(shown(C::kClose));
  EXPECT_FALSE(shown(C::kThreatList));
}

TEST_F(ScanWindowTest, CloseEndsWithScanExitCode) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  click(C::kNext);
  ASSERT_TRUE(atStep(WizardStep::kFinish));
  HWND handle = window_->handle();
  click(C::kClose);
  ASSERT_TRUE(pumpUntil([&] { return IsWindow(handle) == FALSE; }));
  EXPECT_TRUE(pumpUntil([&] { return quitCode_ != -1; }));
  EXPECT_EQ(quitCode_, 1);
}

TEST_F(ScanWindowTest, ScanAgainRunsAnotherScan) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  click(C::kNext);
  ASSERT_TRUE(atStep(WizardStep::kFinish));
  click(C::kScanAgain);
  EXPECT_TRUE(atStep(WizardStep::kResults));
}

// ---- error paths ----

TEST_F(ScanWindowTest, ScanThatDidNotStartShowsReason) {
  scanner::ScanReport report;
  report.outcome = scanner::ScanOutcome::kNotStarted;
  report.errors.push_back(Status(StatusCode::kUnreachable, "no Smart Scan Server answers"));
  OPEN_OR_SKIP((ScanConclusion{2, report, ""}));
  jobs_->release();
  click(C::kStart);
  ASSERT_TRUE(atStep(WizardStep::kFinish));
  EXPECT_EQ(text(C::kFinishHeadline), "The scan did not start.");
  EXPECT_NE(text(C::kFinishText).find("no Smart Scan Server answers"), std::string::npos);
  EXPECT_FALSE(enabled(C::kOpenFolder));
}

TEST_F(ScanWindowTest, CloseDuringScanCancelsFirst) {
  OPEN_OR_SKIP(threatsFound());
  click(C::kStart);
  ASSERT_TRUE(atStep(WizardStep::kScanning));
  HWND handle = window_->handle();
  PostMessageW(handle, WM_CLOSE, 0, 0);
  ASSERT_TRUE(pumpUntil([&] { return IsWindow(handle) == FALSE; }));
  EXPECT_EQ(window_->wizard().step(), WizardStep::kResults);
}

TEST_F(ScanWindowTest, ResultsIgnoreEscape) {
  if (!scanToResults()) GTEST_SKIP() << kNoDriver;
  pressKey(VK_ESCAPE);
  drainMessages();
  EXPECT_TRUE(IsWindow(window_->handle()));
  EXPECT_EQ(window_->wizard().step(), WizardStep::kResults);
}

}  // namespace
}  // namespace odscan::gui
