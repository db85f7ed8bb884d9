// The controls of ScanWindow: their creation, their place in each step, and the
// texts they show from the wizard.
#include <windows.h>
// commctrl.h needs the types of windows.h.
#include <commctrl.h>

#include <algorithm>

#include "odscan/gui/scan_window.h"
#include "text_conversion.h"

namespace odscan::gui {
namespace {

using C = WindowControl;

struct ControlSpec {
  const wchar_t* className;
  DWORD style;
  const wchar_t* text;
};

// Data that may contain '&' (paths, messages) is shown with SS_NOPREFIX, so no
// character turns into an underlined shortcut.
constexpr DWORD kLabel = WS_CHILD | SS_LEFT;
constexpr DWORD kData = WS_CHILD | SS_LEFT | SS_NOPREFIX;
constexpr DWORD kButton = WS_CHILD | WS_TABSTOP | BS_PUSHBUTTON;

ControlSpec specOf(WindowControl control) {
  switch (control) {
    case C::kTitle:
      return {L"STATIC", kLabel, L"On-demand Scan"};
    case C::kTopRule:
    case C::kBottomRule:
      return {L"STATIC", WS_CHILD | SS_ETCHEDHORZ, L""};
    case C::kWelcomeText:
      return {L"STATIC", kLabel,
              L"This program checks the files on this computer for malware. It installs "
              L"nothing, and it changes no file unless you choose to quarantine it. Click "
              L"Start scan to begin."};
    case C::kTargetsLabel:
      return {L"STATIC", kLabel, L"Files and folders to scan:"};
    case C::kTargetList:
      return {WC_LISTBOXW,
              WS_CHILD | WS_TABSTOP | WS_VSCROLL | WS_BORDER | LBS_NOINTEGRALHEIGHT | LBS_NOSEL,
              L""};
    case C::kServersLabel:
      return {L"STATIC", kLabel,
              L"Smart Scan Servers for the files that the local pattern cannot decide:"};
    case C::kCurrentFileLabel:
      // The engine publishes a file's path when the file is finished.
      return {L"STATIC", kLabel, L"Last file scanned:"};
    case C::kCurrentFile:
      return {L"STATIC", kData | SS_PATHELLIPSIS, L""};
    case C::kProgressBar:
      return {PROGRESS_CLASSW, WS_CHILD | PBS_MARQUEE, L""};
    case C::kFilesLabel:
      return {L"STATIC", kLabel, L"Files scanned:"};
    case C::kThreatsLabel:
      return {L"STATIC", kLabel, L"Threats found:"};
    case C::kNotScannedLabel:
      return {L"STATIC", kLabel, L"Not scanned:"};
    case C::kDataLabel:
      return {L"STATIC", kLabel, L"Data read:"};
    case C::kElapsedLabel:
      return {L"STATIC", kLabel, L"Time:"};
    case C::kThreatList:
      return {WC_LISTVIEWW,
              WS_CHILD | WS_TABSTOP | WS_BORDER | LVS_REPORT | LVS_SHOWSELALWAYS | LVS_NOSORTHEADER,
              L""};
    case C::kStart:
      return {L"BUTTON", kButton, L"&Start scan"};
    case C::kCancel:
      return {L"BUTTON", kButton, L"&Cancel"};
    case C::kQuarantine:
      return {L"BUTTON", kButton, L"&Quarantine selected"};
    case C::kOpenFolder:
      return {L"BUTTON", kButton, L"&Open session folder"};
    case C::kRemoveHome:
      return {L"BUTTON", kButton, L"&Remove HCEXEC..."};
    case C::kNext:
      return {L"BUTTON", kButton, L"&Next >"};
    case C::kScanAgain:
      return {L"BUTTON", kButton, L"Scan &again"};
    case C::kClose:
      return {L"BUTTON", kButton, L"C&lose"};
    default:
      // Step captions, headlines, figures and other texts the wizard fills in.
      return {L"STATIC", kData, L""};
  }
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) {
    if (!text.empty()) text += '\n';
    text += line;
  }
  return text;
}

HFONT createFont(const LOGFONTW& base, int heightPercent, LONG weight) {
  LOGFONTW font = base;
  font.lfHeight = MulDiv(base.lfHeight, heightPercent, 100);
  font.lfWeight = weight;
  return CreateFontIndirectW(&font);
}

}  // namespace

Status ScanWindow::createFonts() {
  NONCLIENTMETRICSW metrics{};
  metrics.cbSize = sizeof(metrics);
  LOGFONTW base{};
  if (SystemParametersInfoW(SPI_GETNONCLIENTMETRICS, sizeof(metrics), &metrics, 0)) {
    base = metrics.lfMessageFont;
  } else {
    GetObjectW(GetStockObject(DEFAULT_GUI_FONT), sizeof(base), &base);
  }

  font_ = createFont(base, 100, base.lfWeight);
  titleFont_ = createFont(base, 160, FW_BOLD);
  headlineFont_ = createFont(base, 115, FW_BOLD);
  if (font_ == nullptr || titleFont_ == nullptr || headlineFont_ == nullptr) {
    return Status(StatusCode::kInternal,
                  "CreateFontIndirectW failed; the window cannot be shown, so run 'odscan scan' "
                  "from a console instead");
  }
  return Status::success();
}

void ScanWindow::createControls() {
  const HINSTANCE instance = GetModuleHandleW(nullptr);
  for (const WindowControl id : allControls()) {
    const ControlSpec spec = specOf(id);
    HWND created = CreateWindowExW(0, spec.className, spec.text, spec.style, 0, 0, 0, 0, window_,
                                   reinterpret_cast<HMENU>(static_cast<INT_PTR>(controlId(id))),
                                   instance, nullptr);
    HFONT font = font_;
    if (id == C::kTitle) font = titleFont_;
    if (id == C::kResultsHeadline || id == C::kFinishHeadline) font = headlineFont_;
    SendMessageW(created, WM_SETFONT, reinterpret_cast<WPARAM>(font), FALSE);
  }

  HWND list = control(C::kThreatList);
  ListView_SetExtendedListViewStyle(list, LVS_EX_CHECKBOXES | LVS_EX_FULLROWSELECT);
  const struct {
    const wchar_t* title;
    int width;
  } columns[] = {{L"Path", 250}, {L"Threat", 150}, {L"Action", 184}};
  for (int index = 0; index < 3; ++index) {
    LVCOLUMNW column{};
    column.mask = LVCF_TEXT | LVCF_WIDTH;
    column.pszText = const_cast<wchar_t*>(columns[index].title);
    column.cx = scaled(columns[index].width);
    ListView_InsertColumn(list, index, &column);
  }
}

HWND ScanWindow::control(WindowControl id) const { return GetDlgItem(window_, controlId(id)); }

int ScanWindow::scaled(int pixels) const { return MulDiv(pixels, dpi_, 96); }

void ScanWindow::showStep() {
  setText(C::kStepCaption, wizard_.stepCaption());
  switch (wizard_.step()) {
    case WizardStep::kWelcome:
      fillWelcome();
      break;
    case WizardStep::kScanning:
      fillScanning();
      break;
    case WizardStep::kResults:
      fillThreatList();
      fillResults();
      break;
    case WizardStep::kFinish:
      fillFinish();
      break;
  }
  // The marquee animates only while a scan runs.
  SendMessageW(control(C::kProgressBar), PBM_SETMARQUEE,
               wizard_.step() == WizardStep::kScanning ? TRUE : FALSE, 40);
  placeControls();
  updateButtons();
}

void ScanWindow::placeControls() {
  const std::vector<ControlBox> boxes = layoutFor(wizard_.step());
  for (const WindowControl id : allControls()) {
    HWND handle = control(id);
    const auto box = std::find_if(boxes.begin(), boxes.end(), [id](const ControlBox& candidate) {
      return candidate.control == id;
    });
    if (box == boxes.end()) {
      ShowWindow(handle, SW_HIDE);
      continue;
    }
    MoveWindow(handle, scaled(box->x), scaled(box->y), scaled(box->width), scaled(box->height),
               TRUE);
    ShowWindow(handle, SW_SHOW);
  }

  // Enter presses the step's main button, which also gets the focus.
  HWND main = control(defaultButton(wizard_.step()));
  for (const WindowControl id : {C::kStart, C::kCancel, C::kNext, C::kClose}) {
    SendMessageW(control(id), BM_SETSTYLE,
                 id == defaultButton(wizard_.step()) ? BS_DEFPUSHBUTTON : BS_PUSHBUTTON, TRUE);
  }
  if (IsWindowEnabled(main)) SetFocus(main);
  RedrawWindow(window_, nullptr, nullptr, RDW_INVALIDATE | RDW_ERASE | RDW_ALLCHILDREN);
}

void ScanWindow::fillWelcome() {
  HWND list = control(C::kTargetList);
  SendMessageW(list, LB_RESETCONTENT, 0, 0);
  for (const std::string& target : wizard_.targetLines()) {
    SendMessageW(list, LB_ADDSTRING, 0, reinterpret_cast<LPARAM>(toUtf16(target).c_str()));
  }
  setText(C::kServerText, joinLines(wizard_.serverLines()));
  setText(C::kHomeText, wizard_.homeFolderLine());
}

void ScanWindow::fillScanning() {
  const ScanningFigures figures = wizard_.scanningFigures();
  setText(C::kScanStatus, figures.status);
  setText(C::kCurrentFile, figures.currentFile);
  setText(C::kFilesValue, figures.filesScanned);
  setText(C::kThreatsValue, figures.threatsFound);
  setText(C::kNotScannedValue, figures.notScanned);
  setText(C::kDataValue, figures.dataRead);
  setText(C::kElapsedValue, figures.elapsed);
}

void ScanWindow::fillResults() {
  setText(C::kResultsHeadline, wizard_.resultsHeadline());
  setText(C::kResultsNotes, joinLines(wizard_.resultsNotes()));
  setText(C::kStatusLine, localStatus_.empty() ? wizard_.statusLine() : localStatus_);
}

// Rebuilds the rows after a scan. Rows that quarantine proposes start ticked.
void ScanWindow::fillThreatList() {
  HWND list = control(C::kThreatList);
  ListView_DeleteAllItems(list);
  const std::vector<ThreatRow>& threats = wizard_.threats();
  for (std::size_t index = 0; index < threats.size(); ++index) {
    const int row = static_cast<int>(index);
    std::wstring path = toUtf16(threats[index].path);
    LVITEMW item{};
    item.mask = LVIF_TEXT;
    item.iItem = row;
    item.pszText = path.data();
    ListView_InsertItem(list, &item);
    ListView_SetCheckState(list, row, threats[index].state == ThreatState::kFound);
  }
  updateThreatActions();
}

// Rewrites the threat and action columns, and unticks quarantined rows.
void ScanWindow::updateThreatActions() {
  HWND list = control(C::kThreatList);
  const std::vector<ThreatRow>& threats = wizard_.threats();
  for (std::size_t index = 0; index < threats.size(); ++index) {
    const int row = static_cast<int>(index);
    std::wstring threat = toUtf16(threats[index].threatName);
    std::wstring action = toUtf16(actionText(threats[index]));
    ListView_SetItemText(list, row, 1, threat.data());
    ListView_SetItemText(list, row, 2, action.data());
    if (threats[index].state == ThreatState::kQuarantined) ListView_SetCheckState(list, row, FALSE);
  }
}

void ScanWindow::fillFinish() {
  setText(C::kFinishHeadline, wizard_.finishHeadline());
  std::vector<std::string> lines = wizard_.finishLines();
  lines.push_back(
      "Nothing in HCEXEC is removed automatically. You can close this window; the session "
      "folder keeps the logs and the report.");
  std::string text;
  for (const std::string& line : lines) {
    if (!text.empty()) text += "\n\n";
    text += line;
  }
  setText(C::kFinishText, text);
}

void ScanWindow::updateButtons() {
  const bool busy = worker_.busy();
  const std::optional<std::filesystem::path> folder = wizard_.sessionFolder();
  std::error_code error;
  const bool folderExists = folder && std::filesystem::is_directory(*folder, error);
  bool anyToQuarantine = false;
  for (const ThreatRow& row : wizard_.threats()) {
    anyToQuarantine = anyToQuarantine || row.state != ThreatState::kQuarantined;
  }

  EnableWindow(control(C::kStart), !busy);
  EnableWindow(control(C::kScanAgain), !busy);
  EnableWindow(control(C::kCancel), busy && !wizard_.cancelling());
  EnableWindow(control(C::kQuarantine), !busy && anyToQuarantine);
  EnableWindow(control(C::kOpenFolder), folderExists);
  EnableWindow(control(C::kRemoveHome), !busy);
  EnableWindow(control(C::kNext), !busy);
  EnableWindow(control(C::kClose), !busy);
}

void ScanWindow::setText(WindowControl id, const std::string& utf8) {
  SetWindowTextW(control(id), toControlText(utf8).c_str());
}

}  // namespace odscan::gui
