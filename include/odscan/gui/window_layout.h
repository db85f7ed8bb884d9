// The controls of the scanner's window and where each step places them. The
// layout is fixed, in pixels at 96 DPI (the window scales it to the screen's
// DPI), and fits a client area of kClientWidth x kClientHeight, so the whole
// window fits an 800x600 screen with room for the taskbar. A control that a step
// does not place is hidden in that step.
//
// Thread safety: pure functions over constant data.
#pragma once

#include <string_view>
#include <vector>

#include "odscan/gui/scan_wizard.h"

namespace odscan::gui {

inline constexpr int kClientWidth = 640;
inline constexpr int kClientHeight = 456;

// Each control's value is its Win32 control id, so tests find it with
// GetDlgItem(). kCancel is IDCANCEL (2), so the Esc key cancels a scan.
enum class WindowControl : int {
  kCancel = 2,
  kTitle = 100,
  kStepCaption,
  kTopRule,
  kBottomRule,
  // Welcome.
  kWelcomeText,
  kTargetsLabel,
  kTargetList,
  kServersLabel,
  kServerText,
  kHomeText,
  // Scanning.
  kScanStatus,
  kProgressBar,
  kCurrentFileLabel,
  kCurrentFile,
  kFilesLabel,
  kFilesValue,
  kThreatsLabel,
  kThreatsValue,
  kNotScannedLabel,
  kNotScannedValue,
  kDataLabel,
  kDataValue,
  kElapsedLabel,
  kElapsedValue,
  // Results.
  kResultsHeadline,
  kResultsNotes,
  kThreatList,
  kStatusLine,
  // Finish.
  kFinishHeadline,
  kFinishText,
  // Buttons.
  kStart = 200,
  kQuarantine,
  kOpenFolder,
  kRemoveHome,
  kNext,
  kScanAgain,
  kClose,
};

// Returns the control's id as Win32 calls take it.
constexpr int controlId(WindowControl control) { return static_cast<int>(control); }

// A control's rectangle in one step, in pixels at 96 DPI.
struct ControlBox {
  WindowControl control;
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

// Returns the boxes of the controls shown in `step`.
std::vector<ControlBox> layoutFor(WizardStep step);

// Returns the button that Enter presses in `step`.
WindowControl defaultButton(WizardStep step);

// Returns every control, in the order the Tab key visits them.
const std::vector<WindowControl>& allControls();

}  // namespace odscan::gui
