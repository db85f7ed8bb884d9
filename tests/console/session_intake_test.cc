#include "odscan/console/session_intake.h"

#include <gtest/gtest.h>

#include "../http/http_test_support.h"
#include "odscan/console/console_queries.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

std::string line(const std::string& event, Json fields = Json::object()) {
  Json object = {{"time", "2026-12-05T08:00:00Z"}, {"session", "3f9c2a1b"}, {"event", event}};
  object.update(fields);
  return object.dump() + "\n";
}

class SessionIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(folder_ / "console.db");
    ASSERT_TRUE(opened.ok());
    database_ = std::move(opened).value();
    intake_ = std::make_unique<SessionIntake>(*database_, IntakeLimits{});
    auto registration = intake_->registerSession(registrationBody());
    ASSERT_TRUE(registration.ok()) << registration.status().message();
    auto session = intake_->authenticate(registration->uploadToken);
    ASSERT_TRUE(session.ok());
    session_ = *session;
  }

  static Json registrationBody() {
    return Json{{"session_id", "3f9c2a1b"},
                {"client_key", "0123456789abcdef0123456789abcdef"},
                {"host", "LAPTOP-42"},
                {"ip_addresses", {"192.0.2.15"}}};
  }

  http::testing::TempFolder folder_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<SessionIntake> intake_;
  UploadSession session_;
};

TEST_F(SessionIntakeTest, LinesAlreadyHeldAreSkipped) {
  auto first = intake_->storeEvents(session_, 0, line("session_start") + line("scan_start"));
  ASSERT_TRUE(first.ok());
  auto overlap = intake_->storeEvents(session_, 1, line("scan_start") + line("problem"));
  ASSERT_TRUE(overlap.ok()) << overlap.status().message();
  EXPECT_EQ(overlap->stored, 1);
  EXPECT_EQ(overlap->eventsReceived, 3);
}

TEST_F(SessionIntakeTest, StoredEventsReachTheCallback) {
  std::vector<StoredEvent> seen;
  intake_->onEventsStored([&seen](const std::vector<StoredEvent>& events) {
    seen.insert(seen.end(), events.begin(), events.end());
  });
  ASSERT_TRUE(
      intake_->storeEvents(session_, 0, line("result", {{"verdict", "infected"}, {"threat", "T"}}))
          .ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].category, "detection");
  EXPECT_EQ(seen[0].host, "LAPTOP-42");
}

TEST_F(SessionIntakeTest, GapIsRejected) {
  auto gap = intake_->storeEvents(session_, 2, line("problem"));
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), StatusCode::kTruncated);
}

TEST_F(SessionIntakeTest, BadLinesAreRejected) {
  for (const std::string& bad :
       {std::string("[]\n"), std::string("{\"time\":\"t\",\"session\":\"3f9c2a1b\"}\n"),
        std::string("{\"time\":\"t\",\"session\":\"3f9c2a1b\",\"event\":\"Bad Name\"}\n"),
        std::string("{\"time\":1,\"session\":\"3f9c2a1b\",\"event\":\"x\"}\n")}) {
    EXPECT_FALSE(intake_->storeEvents(session_, 0, bad).ok()) << bad;
  }
}

TEST_F(SessionIntakeTest, ClientKeyOfAnotherEndpointIsRejected) {
  Json body = registrationBody();
  body["host"] = "OTHER-HOST";
  auto registration = intake_->registerSession(body);
  ASSERT_FALSE(registration.ok());
  EXPECT_EQ(registration.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(SessionIntakeTest, ReportCompletesTheSession) {
  const Json report = {{"format", "odscan-scan-report"},
                       {"outcome", "completed"},
                       {"exit_code", 0},
                       {"counts", {{"infected", 0}}}};
  ASSERT_TRUE(intake_->storeReport(session_, report.dump()).ok());
  auto endpoints = listEndpoints(*database_, "", "", false);
  ASSERT_TRUE(endpoints.ok());
  EXPECT_EQ((*endpoints)[0]["posture"], "clean");
  EXPECT_FALSE(intake_->storeReport(session_, "{\"format\": \"other\"}").ok());
}

TEST(ClassifyEventTest, VerdictsAndProblemsGetTheirCategory) {
  EXPECT_EQ(classifyEvent(Json::parse(line("result", {{"verdict", "bypassed"}}))).category,
            "bypass");
  EXPECT_EQ(classifyEvent(Json::parse(line("result", {{"verdict", "not_scanned"}}))).category,
            "problem");
  EXPECT_EQ(classifyEvent(Json::parse(line("pattern_error"))).category, "problem");
  EXPECT_EQ(classifyEvent(Json::parse(line("quarantined"))).category, "action");
  EXPECT_EQ(classifyEvent(Json::parse(line("cloud_verdict", {{"verdict", "clean"}}))).category,
            "info");
}

}  // namespace
}  // namespace odscan::console
