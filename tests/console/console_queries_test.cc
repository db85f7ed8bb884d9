#include "odscan/console/console_queries.h"

#include <gtest/gtest.h>

namespace odscan::console {
namespace {

SessionOutcome completed() {
  SessionOutcome outcome;
  outcome.exists = true;
  outcome.reported = true;
  outcome.outcome = "completed";
  outcome.exitCode = 0;
  return outcome;
}

TEST(SecurityPostureTest, EachOutcomeHasItsPosture) {
  EXPECT_EQ(securityPosture(SessionOutcome{}), "never_scanned");
  SessionOutcome running = completed();
  running.reported = false;
  EXPECT_EQ(securityPosture(running), "scan_incomplete");
  EXPECT_EQ(securityPosture(completed()), "clean");
  SessionOutcome infected = completed();
  infected.infected = 2;
  infected.quarantined = 1;
  EXPECT_EQ(securityPosture(infected), "threats_remain");
  infected.quarantined = 2;
  EXPECT_EQ(securityPosture(infected), "threats_cleaned");
  SessionOutcome bypassed = completed();
  bypassed.bypassed = 1;
  EXPECT_EQ(securityPosture(bypassed), "bypassed_files");
  SessionOutcome cancelled = completed();
  cancelled.outcome = "cancelled";
  EXPECT_EQ(securityPosture(cancelled), "scan_incomplete");
}

TEST(SecurityPostureTest, ProblemsAreFlagged) {
  EXPECT_FALSE(hasProblems(SessionOutcome{}));
  EXPECT_FALSE(hasProblems(completed()));
  SessionOutcome notScanned = completed();
  notScanned.notScanned = 3;
  EXPECT_TRUE(hasProblems(notScanned));
}

TEST(EventFilterTest, BadParametersAreNamed) {
  EXPECT_FALSE(eventFilterOf({{"from", "yesterday"}}).ok());
  EXPECT_FALSE(eventFilterOf({{"type", "everything"}}).ok());
  EXPECT_FALSE(eventFilterOf({{"limit", "0"}}).ok());
  auto filter = eventFilterOf({{"from", "2026-12-01"}, {"type", "detection"}, {"limit", "10"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->limit, 10);
}

}  // namespace
}  // namespace odscan::console
