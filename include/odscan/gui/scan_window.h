// ScanWindow: the scanner's window, in plain Win32 with the common controls (list
// view, progress bar). It guides a user through four steps: welcome (what will be
// scanned, which servers), scanning (progress, current file, counts, Cancel),
// results (the threats, with quarantine, the session folder and removal of
// HCEXEC) and finish.
//
// The window only shows what ScanWizard returns. The work runs on ScanWorker's
// thread, whose progress and outcomes arrive as posted messages, so the window
// keeps responding and Cancel works at any time. Closing the window during a job
// cancels a scan and waits for the job's outcome before the window goes away.
//
// Ownership: refers to the jobs it is given, which must outlive it; owns its
// wizard, worker, fonts and Win32 window. The destructor cancels a running job,
// waits for it and destroys the window.
// Thread safety: create and use the window on one thread, which runs its message
// loop. Only the ScanListener methods run on the worker thread.
#pragma once

#ifdef _WIN32

#include <windows.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/gui/scan_jobs.h"
#include "odscan/gui/scan_wizard.h"
#include "odscan/gui/scan_worker.h"
#include "odscan/gui/window_layout.h"

namespace odscan::gui {

// The desktop services the window uses: a confirmation box and Explorer. Tests
// replace them, so that they neither block on a message box nor open Explorer.
struct WindowShell {
  // Asks `question` (UTF-8) with the buttons Yes and No, No being the default.
  // Returns true for Yes.
  std::function<bool(HWND owner, const std::string& question)> confirm;
  // Shows `folder` in Explorer. Returns false when Explorer could not be started.
  std::function<bool(HWND owner, const std::filesystem::path& folder)> openFolder;
};

// Returns the shell of the real desktop: MessageBoxW and explorer.exe through
// ShellExecuteW.
WindowShell desktopShell();

// The messages that carry the worker's progress and outcomes to the window.
inline constexpr UINT kProgressMessage = WM_APP + 1;
inline constexpr UINT kOutcomeMessage = WM_APP + 2;

class ScanWindow : private ScanListener {
 public:
  ScanWindow(ScanWizard wizard, ScanJobs& jobs, WindowShell shell);
  ~ScanWindow() override;
  ScanWindow(const ScanWindow&) = delete;
  ScanWindow& operator=(const ScanWindow&) = delete;

  // Creates the window and its controls, centred on the screen's work area, and
  // shows it with `showCommand` (for example SW_SHOWNORMAL). Errors name the
  // Win32 call that failed.
  Status create(int showCommand);

  HWND handle() const { return window_; }
  const ScanWizard& wizard() const { return wizard_; }

  // Handles the dialog keys (Tab, Enter, Esc, Alt with an underlined letter) of
  // `message`. Returns true when it did, and then the message loop must not
  // dispatch the message.
  bool handleDialogKey(MSG& message);

 private:
  using Outcome = std::variant<ScanConclusion, QuarantineBatch, HomeRemoval>;

  static LRESULT CALLBACK windowProcedure(HWND window, UINT message, WPARAM wParam, LPARAM lParam);
  LRESULT handleMessage(UINT message, WPARAM wParam, LPARAM lParam);

  // Setup (scan_window.cc).
  Status createFonts();
  void createControls();
  HWND control(WindowControl id) const;
  int scaled(int pixels) const;

  // Showing the wizard's state.
  void showStep();
  void placeControls();
  void fillWelcome();
  void fillScanning();
  void fillResults();
  void fillThreatList();
  void updateThreatActions();
  void fillFinish();
  void updateButtons();
  void setText(WindowControl id, const std::string& utf8);

  // User actions.
  void onCommand(int id);
  void startScan();
  void cancelOrClose();
  void quarantineSelected();
  void openSessionFolder();
  void removeHome();
  void requestClose();

  // Outcomes from the worker, taken on the window's thread.
  void takeProgress();
  void takeOutcomes();
  void applyOutcome(Outcome outcome);

  // ScanListener: called on the worker thread.
  void onScanProgress(const scanner::ScanProgressUpdate& update) override;
  void onScanFinished(ScanConclusion conclusion) override;
  void onQuarantineFinished(QuarantineBatch batch) override;
  void onHomeRemoved(HomeRemoval removal) override;
  void handOver(Outcome outcome);

  ScanWizard wizard_;
  WindowShell shell_;
  HWND window_ = nullptr;
  int dpi_ = 96;
  HFONT font_ = nullptr;
  HFONT titleFont_ = nullptr;
  HFONT headlineFont_ = nullptr;
  // Set when the user closed the window during a job; the window goes once the
  // job's outcome has arrived.
  bool closeRequested_ = false;
  // A status text of the window itself (an action that did not start), shown
  // instead of the wizard's until the next outcome.
  std::string localStatus_;

  // Handed over from the worker thread.
  std::mutex handoverMutex_;
  std::optional<scanner::ScanProgressUpdate> pendingProgress_;
  std::vector<Outcome> pendingOutcomes_;
  std::atomic<bool> progressPosted_{false};

  // Last, so that it is destroyed first: its destructor waits for the job, whose
  // listener calls use the members above.
  ScanWorker worker_;
};

// Runs the message loop until `window` is destroyed, and returns the exit code of
// the last scan (see ScanWizard::exitCode()).
int runMessageLoop(ScanWindow& window);

}  // namespace odscan::gui

#endif  // _WIN32
