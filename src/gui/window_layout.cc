#include "odscan/gui/window_layout.h"

namespace odscan::gui {
namespace {

using C = WindowControl;

constexpr int kMargin = 16;
constexpr int kContentWidth = kClientWidth - 2 * kMargin;
constexpr int kButtonTop = 416;
constexpr int kButtonHeight = 28;
constexpr int kRightButtonX = kClientWidth - kMargin - 100;

// The parts every step shows: the title, the step caption and the two rules that
// frame the step's content.
void addFrame(std::vector<ControlBox>& boxes) {
  boxes.push_back({C::kTitle, kMargin, 12, kContentWidth, 26});
  boxes.push_back({C::kStepCaption, kMargin, 40, kContentWidth, 18});
  boxes.push_back({C::kTopRule, kMargin, 64, kContentWidth, 2});
  boxes.push_back({C::kBottomRule, kMargin, 404, kContentWidth, 2});
}

void addWelcome(std::vector<ControlBox>& boxes) {
  boxes.push_back({C::kWelcomeText, kMargin, 76, kContentWidth, 48});
  boxes.push_back({C::kTargetsLabel, kMargin, 130, kContentWidth, 18});
  boxes.push_back({C::kTargetList, kMargin, 150, kContentWidth, 84});
  boxes.push_back({C::kServersLabel, kMargin, 244, kContentWidth, 18});
  boxes.push_back({C::kServerText, kMargin, 264, kContentWidth, 68});
  boxes.push_back({C::kHomeText, kMargin, 340, kContentWidth, 54});
  boxes.push_back({C::kClose, kRightButtonX - 108, kButtonTop, 100, kButtonHeight});
  boxes.push_back({C::kStart, kRightButtonX, kButtonTop, 100, kButtonHeight});
}

void addScanning(std::vector<ControlBox>& boxes) {
  boxes.push_back({C::kScanStatus, kMargin, 80, kContentWidth, 20});
  boxes.push_back({C::kProgressBar, kMargin, 106, kContentWidth, 22});
  boxes.push_back({C::kCurrentFileLabel, kMargin, 142, kContentWidth, 18});
  boxes.push_back({C::kCurrentFile, kMargin, 162, kContentWidth, 18});

  const C figures[][2] = {{C::kFilesLabel, C::kFilesValue},
                          {C::kThreatsLabel, C::kThreatsValue},
                          {C::kNotScannedLabel, C::kNotScannedValue},
                          {C::kDataLabel, C::kDataValue},
                          {C::kElapsedLabel, C::kElapsedValue}};
  int top = 200;
  for (const auto& figure : figures) {
    boxes.push_back({figure[0], kMargin, top, 160, 20});
    boxes.push_back({figure[1], kMargin + 168, top, 240, 20});
    top += 26;
  }
  boxes.push_back({C::kCancel, kRightButtonX, kButtonTop, 100, kButtonHeight});
}

void addResults(std::vector<ControlBox>& boxes) {
  boxes.push_back({C::kResultsHeadline, kMargin, 76, kContentWidth, 22});
  boxes.push_back({C::kResultsNotes, kMargin, 100, kContentWidth, 50});
  boxes.push_back({C::kThreatList, kMargin, 154, kContentWidth, 196});
  boxes.push_back({C::kStatusLine, kMargin, 356, kContentWidth, 44});
  boxes.push_back({C::kQuarantine, kMargin, kButtonTop, 150, kButtonHeight});
  boxes.push_back({C::kOpenFolder, kMargin + 158, kButtonTop, 170, kButtonHeight});
  boxes.push_back({C::kRemoveHome, kMargin + 336, kButtonTop, 150, kButtonHeight});
  boxes.push_back({C::kNext, kRightButtonX, kButtonTop, 100, kButtonHeight});
}

void addFinish(std::vector<ControlBox>& boxes) {
  boxes.push_back({C::kFinishHeadline, kMargin, 76, kContentWidth, 22});
  boxes.push_back({C::kFinishText, kMargin, 104, kContentWidth, 290});
  boxes.push_back({C::kScanAgain, kMargin, kButtonTop, 120, kButtonHeight});
  boxes.push_back({C::kOpenFolder, kMargin + 128, kButtonTop, 170, kButtonHeight});
  boxes.push_back({C::kClose, kRightButtonX, kButtonTop, 100, kButtonHeight});
}

}  // namespace

std::vector<ControlBox> layoutFor(WizardStep step) {
  std::vector<ControlBox> boxes;
  addFrame(boxes);
  switch (step) {
    case WizardStep::kWelcome:
      addWelcome(boxes);
      break;
    case WizardStep::kScanning:
      addScanning(boxes);
      break;
    case WizardStep::kResults:
      addResults(boxes);
      break;
    case WizardStep::kFinish:
      addFinish(boxes);
      break;
  }
  return boxes;
}

WindowControl defaultButton(WizardStep step) {
  switch (step) {
    case WizardStep::kWelcome:
      return C::kStart;
    case WizardStep::kScanning:
      return C::kCancel;
    case WizardStep::kResults:
      return C::kNext;
    case WizardStep::kFinish:
      return C::kClose;
  }
  return C::kClose;
}

// Buttons come in the left-to-right order of every step that shows them, so Tab
// moves across a row of buttons from left to right.
const std::vector<WindowControl>& allControls() {
  static const std::vector<WindowControl> controls = {
      C::kTitle,
      C::kStepCaption,
      C::kTopRule,
      C::kBottomRule,
      C::kWelcomeText,
      C::kTargetsLabel,
      C::kTargetList,
      C::kServersLabel,
      C::kServerText,
      C::kHomeText,
      C::kScanStatus,
      C::kProgressBar,
      C::kCurrentFileLabel,
      C::kCurrentFile,
      C::kFilesLabel,
      C::kFilesValue,
      C::kThreatsLabel,
      C::kThreatsValue,
      C::kNotScannedLabel,
      C::kNotScannedValue,
      C::kDataLabel,
      C::kDataValue,
      C::kElapsedLabel,
      C::kElapsedValue,
      C::kResultsHeadline,
      C::kResultsNotes,
      C::kThreatList,
      C::kStatusLine,
      C::kFinishHeadline,
      C::kFinishText,
      C::kQuarantine,
      C::kScanAgain,
      C::kOpenFolder,
      C::kRemoveHome,
      C::kNext,
      C::kClose,
      C::kStart,
      C::kCancel,
  };
  return controls;
}

}  // namespace odscan::gui
