#include "odscan/gui/window_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace odscan::gui {
namespace {

const WizardStep kSteps[] = {WizardStep::kWelcome, WizardStep::kScanning, WizardStep::kResults,
                             WizardStep::kFinish};

bool overlap(const ControlBox& a, const ControlBox& b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

TEST(WindowLayoutTest, EveryBoxFitsClientArea) {
  for (const WizardStep step : kSteps) {
    for (const ControlBox& box : layoutFor(step)) {
      SCOPED_TRACE(controlId(box.control));
      EXPECT_GE(box.x, 0);
      EXPECT_GE(box.y, 0);
      EXPECT_GT(box.width, 0);
      EXPECT_GT(box.height, 0);
      EXPECT_LE(box.x + box.width, kClientWidth);
      EXPECT_LE(box.y + box.height, kClientHeight);
    }
  }
}

TEST(WindowLayoutTest, BoxesOfOneStepDoNotOverlap) {
  for (const WizardStep step : kSteps) {
    const std::vector<ControlBox> boxes = layoutFor(step);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      for (std::size_t j = i + 1; j < boxes.size(); ++j) {
        EXPECT_FALSE(overlap(boxes[i], boxes[j]))
            << controlId(boxes[i].control) << " and " << controlId(boxes[j].control);
      }
    }
  }
}

TEST(WindowLayoutTest, StepPlacesEachControlOnce) {
  for (const WizardStep step : kSteps) {
    std::set<WindowControl> placed;
    for (const ControlBox& box : layoutFor(step)) {
      EXPECT_TRUE(placed.insert(box.control).second) << controlId(box.control);
    }
  }
}

TEST(WindowLayoutTest, EveryPlacedControlIsCreated) {
  const auto& created = allControls();
  for (const WizardStep step : kSteps) {
    for (const ControlBox& box : layoutFor(step)) {
      EXPECT_NE(std::find(created.begin(), created.end(), box.control), created.end())
          << controlId(box.control);
    }
  }
}

TEST(WindowLayoutTest, DefaultButtonIsPlacedInItsStep) {
  for (const WizardStep step : kSteps) {
    const auto boxes = layoutFor(step);
    const WindowControl button = defaultButton(step);
    EXPECT_TRUE(std::any_of(boxes.begin(), boxes.end(),
                            [button](const ControlBox& box) { return box.control == button; }));
  }
}

TEST(WindowLayoutTest, CancelIsTheEscapeId) {
  // IsDialogMessage() turns Esc into WM_COMMAND with IDCANCEL, which is 2.
  EXPECT_EQ(controlId(WindowControl::kCancel), 2);
}

}  // namespace
}  // namespace odscan::gui
