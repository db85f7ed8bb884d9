#include "odscan/scanner/upload_state.h"

#include <gtest/gtest.h>

#include "odscan/scanner/event_line_reader.h"
#include "test_support.h"

namespace odscan::scanner {
namespace {

using testing::TempFolder;
using testing::writeFile;

constexpr const char* kClientKey = "0123456789abcdef0123456789abcdef";

TEST(UploadStateTest, WrittenStateReadsBack) {
  TempFolder temp;
  UploadState state;
  state.consoleUrl = "http://127.0.0.1:8480/";
  state.clientKey = kClientKey;
  state.session = "s-1";
  state.eventsSent = 42;
  state.reportSent = true;
  state.registration = {{"session_id", "3f9c2a1b"}};
  ASSERT_TRUE(writeUploadState(temp / "upload.json", state).ok());

  Result<UploadState> read = readUploadState(temp / "upload.json");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->consoleUrl, state.consoleUrl);
  EXPECT_EQ(read->clientKey, state.clientKey);
  EXPECT_EQ(read->session, "s-1");
  EXPECT_EQ(read->eventsSent, 42u);
  EXPECT_TRUE(read->reportSent);
  EXPECT_FALSE(read->logSent);
  EXPECT_EQ(read->registration["session_id"], "3f9c2a1b");
  EXPECT_FALSE(read->complete());
}

TEST(UploadStateTest, RewriteReplacesTheFile) {
  TempFolder temp;
  UploadState state;
  state.clientKey = kClientKey;
  ASSERT_TRUE(writeUploadState(temp / "upload.json", state).ok());
  state.eventsSent = 7;
  state.reportSent = true;
  state.logSent = true;
  ASSERT_TRUE(writeUploadState(temp / "upload.json", state).ok());

  Result<UploadState> read = readUploadState(temp / "upload.json");
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->eventsSent, 7u);
  EXPECT_TRUE(read->complete());
}

TEST(UploadStateTest, MissingReportCompletesWithLog) {
  UploadState state;
  state.reportMissing = true;
  EXPECT_FALSE(state.complete());
  state.logSent = true;
  EXPECT_TRUE(state.complete());
}

// --- error paths ---

TEST(UploadStateTest, MissingFileIsNotFound) {
  TempFolder temp;
  EXPECT_EQ(readUploadState(temp / "upload.json").status().code(), StatusCode::kNotFound);
}

TEST(UploadStateTest, DamagedFilesAreCorrupt) {
  TempFolder temp;
  const std::vector<std::string> damaged = {
      "",
      "[]",
      "{\"console_url\": \"u\", \"client_key\": \"short\", \"events_sent\": 0}",
      "{\"console_url\": \"u\", \"client_key\": \"0123456789ABCDEF0123456789ABCDEF\", "
      "\"events_sent\": 0}",
      "{\"client_key\": \"0123456789abcdef0123456789abcdef\", \"events_sent\": 0}",
      "{\"console_url\": \"u\", \"client_key\": \"0123456789abcdef0123456789abcdef\", "
      "\"events_sent\": -1}",
  };
  for (const std::string& text : damaged) {
    writeFile(temp / "upload.json", text);
    Result<UploadState> read = readUploadState(temp / "upload.json");
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.status().code(), StatusCode::kCorrupt) << text;
    EXPECT_NE(read.status().message().find("upload.json"), std::string::npos);
  }
}

// --- events.jsonl lines ---

TEST(EventLineReaderTest, ReadsCompleteLinesOnly) {
  TempFolder temp;
  writeFile(temp / "events.jsonl", "{\"a\":0}\n{\"a\":1}\n{\"a\":2");
  EventLineReader reader(temp / "events.jsonl");
  Result<EventLineBatch> batch = reader.read(0, 100, 1 << 20);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  EXPECT_EQ(batch->firstLine, 0u);
  EXPECT_EQ(batch->lines, (std::vector<std::string>{"{\"a\":0}", "{\"a\":1}"}));
}

TEST(EventLineReaderTest, ContinuesWhereTheFileGrew) {
  TempFolder temp;
  writeFile(temp / "events.jsonl", "l0\nl1\nl2");
  EventLineReader reader(temp / "events.jsonl");
  ASSERT_EQ(reader.read(0, 100, 1 << 20)->lines.size(), 2u);

  writeFile(temp / "events.jsonl", "l0\nl1\nl2 done\nl3\n");
  Result<EventLineBatch> batch = reader.read(2, 100, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->firstLine, 2u);
  EXPECT_EQ(batch->lines, (std::vector<std::string>{"l2 done", "l3"}));
}

TEST(EventLineReaderTest, BatchesKeepTheirLimits) {
  TempFolder temp;
  writeFile(temp / "events.jsonl", "aaaa\nbbbb\ncccc\ndddd\neeee\n");
  EventLineReader reader(temp / "events.jsonl");

  Result<EventLineBatch> byLines = reader.read(1, 2, 1 << 20);
  EXPECT_EQ(byLines->lines, (std::vector<std::string>{"bbbb", "cccc"}));
  Result<EventLineBatch> byBytes = reader.read(3, 100, 6);
  EXPECT_EQ(byBytes->lines, std::vector<std::string>{"dddd"});
  // A line longer than the byte limit comes alone.
  Result<EventLineBatch> oversized = reader.read(0, 100, 2);
  EXPECT_EQ(oversized->lines, std::vector<std::string>{"aaaa"});
}

TEST(EventLineReaderTest, MissingFileReadsEmpty) {
  TempFolder temp;
  EventLineReader reader(temp / "events.jsonl");
  Result<EventLineBatch> batch = reader.read(0, 10, 100);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->lines.empty());
}

TEST(EventLineReaderTest, LineBeyondTheEndReadsEmpty) {
  TempFolder temp;
  writeFile(temp / "events.jsonl", "a\nb\n");
  EventLineReader reader(temp / "events.jsonl");
  EXPECT_TRUE(reader.read(5, 10, 100)->lines.empty());
  EXPECT_EQ(reader.read(1, 10, 100)->lines, std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace odscan::scanner
