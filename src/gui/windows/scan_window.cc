// The window's messages, the user's actions and the hand-over from the worker
// thread. window_controls.cc creates the controls and fills them.
#include "odscan/gui/scan_window.h"

#include <commctrl.h>
#include <shellapi.h>

#include <utility>

#include "text_conversion.h"

namespace odscan::gui {
namespace {

constexpr wchar_t kWindowClass[] = L"OdscanScanWindow";
constexpr wchar_t kWindowTitle[] = L"odscan On-demand Scan";

Status lastErrorStatus(const char* call) {
  return Status(StatusCode::kInternal,
                std::string(call) + " failed with Windows error " + std::to_string(GetLastError()) +
                    "; the window cannot be shown, so run 'odscan scan' from a console instead");
}

Status registerWindowClass(HINSTANCE instance, WNDPROC procedure) {
  WNDCLASSEXW existing{};
  existing.cbSize = sizeof(existing);
  if (GetClassInfoExW(instance, kWindowClass, &existing)) return Status::success();

  WNDCLASSEXW windowClass{};
  windowClass.cbSize = sizeof(windowClass);
  windowClass.lpfnWndProc = procedure;
  windowClass.hInstance = instance;
  windowClass.hCursor = LoadCursorW(nullptr, MAKEINTRESOURCEW(32512));  // IDC_ARROW
  windowClass.hIcon = LoadIconW(nullptr, MAKEINTRESOURCEW(32516));      // IDI_SHIELD
  windowClass.hbrBackground = reinterpret_cast<HBRUSH>(COLOR_BTNFACE + 1);
  windowClass.lpszClassName = kWindowClass;
  if (RegisterClassExW(&windowClass) == 0) return lastErrorStatus("RegisterClassExW");
  return Status::success();
}

// Returns the window rectangle whose client area is the layout's size at `dpi`,
// centred on the work area of the primary screen.
RECT centredWindowRect(DWORD style, int dpi) {
  RECT frame{0, 0, MulDiv(kClientWidth, dpi, 96), MulDiv(kClientHeight, dpi, 96)};
  AdjustWindowRectEx(&frame, style, FALSE, 0);
  const int width = frame.right - frame.left;
  const int height = frame.bottom - frame.top;

  RECT workArea{0, 0, GetSystemMetrics(SM_CXSCREEN), GetSystemMetrics(SM_CYSCREEN)};
  SystemParametersInfoW(SPI_GETWORKAREA, 0, &workArea, 0);
  const int left = workArea.left + std::max(0L, (workArea.right - workArea.left - width) / 2);
  const int top = workArea.top + std::max(0L, (workArea.bottom - workArea.top - height) / 2);
  return {left, top, left + width, top + height};
}

}  // namespace

WindowShell desktopShell() {
  WindowShell shell;
  shell.confirm = [](HWND owner, const std::string& question) {
    return MessageBoxW(owner, toUtf16(question).c_str(), kWindowTitle,
                       MB_YESNO | MB_ICONWARNING | MB_DEFBUTTON2) == IDYES;
  };
  shell.openFolder = [](HWND owner, const std::filesystem::path& folder) {
    const std::wstring argument = L"\"" + folder.wstring() + L"\"";
    const HINSTANCE started =
        ShellExecuteW(owner, L"open", L"explorer.exe", argument.c_str(), nullptr, SW_SHOWNORMAL);
    // ShellExecuteW returns a value above 32 on success.
    return reinterpret_cast<INT_PTR>(started) > 32;
  };
  return shell;
}

ScanWindow::ScanWindow(ScanWizard wizard, ScanJobs& jobs, WindowShell shell)
    : wizard_(std::move(wizard)), shell_(std::move(shell)), worker_(jobs, *this) {}

ScanWindow::~ScanWindow() {
  worker_.cancelScan();
  worker_.wait();
  if (window_ != nullptr && IsWindow(window_)) {
    // The window must not reach this object once it is gone.
    SetWindowLongPtrW(window_, GWLP_USERDATA, 0);
    DestroyWindow(window_);
  }
  for (HFONT font : {font_, titleFont_, headlineFont_}) {
    if (font != nullptr) DeleteObject(font);
  }
}

Status ScanWindow::create(int showCommand) {
  INITCOMMONCONTROLSEX common{sizeof(common),
                              ICC_LISTVIEW_CLASSES | ICC_PROGRESS_CLASS | ICC_STANDARD_CLASSES};
  InitCommonControlsEx(&common);

  const HINSTANCE instance = GetModuleHandleW(nullptr);
  if (Status registered = registerWindowClass(instance, &ScanWindow::windowProcedure);
      !registered.ok()) {
    return registered;
  }

  HDC screen = GetDC(nullptr);
  dpi_ = screen != nullptr ? GetDeviceCaps(screen, LOGPIXELSY) : 96;
  if (screen != nullptr) ReleaseDC(nullptr, screen);
  if (Status fonts = createFonts(); !fonts.ok()) return fonts;

  const DWORD style = WS_OVERLAPPED | WS_CAPTION | WS_SYSMENU | WS_MINIMIZEBOX | WS_CLIPCHILDREN;
  const RECT frame = centredWindowRect(style, dpi_);
  // WM_CREATE, sent during this call, creates the controls.
  HWND created = CreateWindowExW(WS_EX_CONTROLPARENT, kWindowClass, kWindowTitle, style, frame.left,
                                 frame.top, frame.right - frame.left, frame.bottom - frame.top,
                                 nullptr, nullptr, instance, this);
  if (created == nullptr) return lastErrorStatus("CreateWindowExW");

  ShowWindow(window_, showCommand);
  UpdateWindow(window_);
  return Status::success();
}

bool ScanWindow::handleDialogKey(MSG& message) {
  return window_ != nullptr && IsDialogMessageW(window_, &message) != FALSE;
}

LRESULT CALLBACK ScanWindow::windowProcedure(HWND window, UINT message, WPARAM wParam,
                                             LPARAM lParam) {
  if (message == WM_NCCREATE) {
    auto* creation = reinterpret_cast<CREATESTRUCTW*>(lParam);
    auto* self = static_cast<ScanWindow*>(creation->lpCreateParams);
    self->window_ = window;
    SetWindowLongPtrW(window, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(self));
  }
  auto* self = reinterpret_cast<ScanWindow*>(GetWindowLongPtrW(window, GWLP_USERDATA));
  if (self == nullptr) return DefWindowProcW(window, message, wParam, lParam);
  return self->handleMessage(message, wParam, lParam);
}

LRESULT ScanWindow::handleMessage(UINT message, WPARAM wParam, LPARAM lParam) {
  switch (message) {
    case WM_CREATE:
      createControls();
      showStep();
      return 0;
    case WM_COMMAND:
      if (HIWORD(wParam) == BN_CLICKED) onCommand(LOWORD(wParam));
      return 0;
    case DM_GETDEFID:
      // IsDialogMessageW() sends DM_GETDEFID to find the button that Enter presses.
      return MAKELRESULT(controlId(defaultButton(wizard_.step())), DC_HASDEFID);
    case kProgressMessage:
      takeProgress();
      return 0;
    case kOutcomeMessage:
      takeOutcomes();
      return 0;
    case WM_CLOSE:
      requestClose();
      return 0;
    case WM_DESTROY:
      PostQuitMessage(wizard_.exitCode());
      return 0;
    default:
      return DefWindowProcW(window_, message, wParam, lParam);
  }
}

void ScanWindow::onCommand(int id) {
  switch (static_cast<WindowControl>(id)) {
    case WindowControl::kStart:
    case WindowControl::kScanAgain:
      startScan();
      return;
    case WindowControl::kCancel:
      cancelOrClose();
      return;
    case WindowControl::kQuarantine:
      quarantineSelected();
      return;
    case WindowControl::kOpenFolder:
      openSessionFolder();
      return;
    case WindowControl::kRemoveHome:
      removeHome();
      return;
    case WindowControl::kNext:
      if (!worker_.busy() && wizard_.showFinish()) showStep();
      return;
    case WindowControl::kClose:
      requestClose();
      return;
    default:
      return;
  }
}

void ScanWindow::startScan() {
  if (worker_.busy() || !wizard_.beginScan()) return;
  localStatus_.clear();
  if (!worker_.startScan()) {
    ScanConclusion failed;
    failed.errorOutput =
        "odscan: the scan could not start a thread; close other programs and "
        "try again\n";
    wizard_.completeScan(std::move(failed));
  }
  showStep();
}

// Esc and the Cancel button both arrive here as IDCANCEL.
void ScanWindow::cancelOrClose() {
  switch (wizard_.step()) {
    case WizardStep::kScanning:
      wizard_.markCancelling();
      worker_.cancelScan();
      fillScanning();
      updateButtons();
      return;
    case WizardStep::kWelcome:
    case WizardStep::kFinish:
      requestClose();
      return;
    case WizardStep::kResults:
      // Esc must not throw away the results by closing the window.
      return;
  }
}

void ScanWindow::quarantineSelected() {
  if (worker_.busy()) return;
  std::vector<std::size_t> rows;
  HWND list = control(WindowControl::kThreatList);
  const int count = ListView_GetItemCount(list);
  for (int row = 0; row < count; ++row) {
    if (ListView_GetCheckState(list, row)) rows.push_back(static_cast<std::size_t>(row));
  }

  std::vector<scanner::QuarantineRequest> requests = wizard_.quarantineRequests(rows);
  if (requests.empty()) {
    localStatus_ = "Tick the files to quarantine first; files already quarantined are skipped.";
    fillResults();
    return;
  }
  const std::size_t files = requests.size();
  if (!worker_.startQuarantine(std::move(requests), wizard_.scanSessionId())) return;
  localStatus_ = "Quarantining " + std::to_string(files) + (files == 1 ? " file..." : " files...");
  fillResults();
  updateButtons();
}

void ScanWindow::openSessionFolder() {
  const std::optional<std::filesystem::path> folder = wizard_.sessionFolder();
  if (!folder) return;
  if (shell_.openFolder(window_, *folder)) return;

  localStatus_ =
      "Explorer could not be started. The session folder is " + toUtf8(folder->wstring());
  if (wizard_.step() == WizardStep::kResults) fillResults();
}

void ScanWindow::removeHome() {
  if (worker_.busy() || !shell_.confirm(window_, wizard_.removalWarning())) return;
  if (!worker_.startHomeRemoval()) return;
  localStatus_ = "Removing the HCEXEC folder...";
  fillResults();
  updateButtons();
}

void ScanWindow::requestClose() {
  if (!worker_.busy()) {
    DestroyWindow(window_);
    return;
  }
  closeRequested_ = true;
  if (wizard_.step() == WizardStep::kScanning) {
    wizard_.markCancelling();
    worker_.cancelScan();
    fillScanning();
  }
  updateButtons();
}

void ScanWindow::takeProgress() {
  std::optional<scanner::ScanProgressUpdate> update;
  {
    std::lock_guard lock(handoverMutex_);
    update = std::move(pendingProgress_);
    pendingProgress_.reset();
    progressPosted_.store(false);
  }
  if (!update || wizard_.step() != WizardStep::kScanning) return;
  wizard_.updateProgress(*update);
  fillScanning();
}

void ScanWindow::takeOutcomes() {
  std::vector<Outcome> outcomes;
  {
    std::lock_guard lock(handoverMutex_);
    outcomes.swap(pendingOutcomes_);
  }
  for (Outcome& outcome : outcomes) applyOutcome(std::move(outcome));

  if (closeRequested_ && !worker_.busy()) DestroyWindow(window_);
}

void ScanWindow::applyOutcome(Outcome outcome) {
  localStatus_.clear();
  if (auto* conclusion = std::get_if<ScanConclusion>(&outcome)) {
    // A progress message still queued belongs to the finished scan.
    takeProgress();
    wizard_.completeScan(std::move(*conclusion));
    showStep();
  } else if (auto* batch = std::get_if<QuarantineBatch>(&outcome)) {
    wizard_.applyQuarantine(*batch);
    updateThreatActions();
    fillResults();
  } else if (auto* removal = std::get_if<HomeRemoval>(&outcome)) {
    wizard_.applyHomeRemoval(*removal);
    fillResults();
  }
  updateButtons();
}

void ScanWindow::onScanProgress(const scanner::ScanProgressUpdate& update) {
  {
    std::lock_guard lock(handoverMutex_);
    pendingProgress_ = update;
  }
  // One message in the queue is enough, because it takes the latest update.
  if (!progressPosted_.exchange(true)) PostMessageW(window_, kProgressMessage, 0, 0);
}

void ScanWindow::onScanFinished(ScanConclusion conclusion) { handOver(std::move(conclusion)); }

void ScanWindow::onQuarantineFinished(QuarantineBatch batch) { handOver(std::move(batch)); }

void ScanWindow::onHomeRemoved(HomeRemoval removal) { handOver(std::move(removal)); }

void ScanWindow::handOver(Outcome outcome) {
  {
    std::lock_guard lock(handoverMutex_);
    pendingOutcomes_.push_back(std::move(outcome));
  }
  PostMessageW(window_, kOutcomeMessage, 0, 0);
}

int runMessageLoop(ScanWindow& window) {
  MSG message;
  while (GetMessageW(&message, nullptr, 0, 0) > 0) {
    if (window.handleDialogKey(message)) continue;
    TranslateMessage(&message);
    DispatchMessageW(&message);
  }
  return window.wizard().exitCode();
}

}  // namespace odscan::gui
