// Starting the scanner: the scanner's command line, Windows quoting, and a real
// child process on the platform the test runs on.
#include "odscan/launcher/process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "odscan/launcher/launcher_command.h"

#ifdef _WIN32
// windows.h first: shellapi.h needs its types.
// clang-format off
#include <windows.h>
#include <shellapi.h>
// clang-format on
#endif

namespace odscan::launcher {
namespace {

#ifdef _WIN32
constexpr const char* kDefaultCommand = "window";
#else
constexpr const char* kDefaultCommand = "scan";
#endif

TEST(ScannerArgumentsTest, DefaultCommandGetsHomeConsoleAndSettings) {
  const std::filesystem::path home = std::filesystem::path("hc") / "HCEXEC";
  const auto settings = home / "components" / "ondemand-settings.json";

  const std::vector<std::string> arguments =
      scannerCommandArguments(home, "http://127.0.0.1:8480/", true, {});

  const std::vector<std::string> expected{
      kDefaultCommand,          "--home",     home.string(),    "--console",
      "http://127.0.0.1:8480/", "--settings", settings.string()};
  EXPECT_EQ(arguments, expected);
}

TEST(ScannerArgumentsTest, PassThroughFollowsTheLauncherArguments) {
  const std::vector<std::string> arguments =
      scannerCommandArguments("HCEXEC", "http://127.0.0.1:8480/", false, {"--silent"});

  const std::vector<std::string> expected{kDefaultCommand, "--home", "HCEXEC", "--silent"};
  EXPECT_EQ(arguments, expected);
}

TEST(ScannerArgumentsTest, FirstPassThroughArgumentCanPickTheCommand) {
  const std::vector<std::string> arguments =
      scannerCommandArguments("HCEXEC", "http://127.0.0.1:8480/", false, {"scan", "C:\\Users"});

  const std::vector<std::string> expected{"scan", "--home", "HCEXEC", "C:\\Users"};
  EXPECT_EQ(arguments, expected);
}

TEST(WindowsQuotingTest, PlainArgumentStaysAsItIs) {
  EXPECT_EQ(quoteWindowsArgument("C:\\Users\\guest"), "C:\\Users\\guest");
}

TEST(WindowsQuotingTest, SpacesAreQuoted) {
  EXPECT_EQ(quoteWindowsArgument("C:\\Program Files\\x"), "\"C:\\Program Files\\x\"");
}

TEST(WindowsQuotingTest, EmptyArgumentIsQuoted) { EXPECT_EQ(quoteWindowsArgument(""), "\"\""); }

TEST(WindowsQuotingTest, QuoteIsEscaped) {
  EXPECT_EQ(quoteWindowsArgument("say \"hi\""), "\"say \\\"hi\\\"\"");
}

TEST(WindowsQuotingTest, BackslashesBeforeTheClosingQuoteAreDoubled) {
  EXPECT_EQ(quoteWindowsArgument("C:\\my folder\\"), "\"C:\\my folder\\\\\"");
}

TEST(WindowsQuotingTest, BackslashesBeforeAQuoteAreDoubled) {
  EXPECT_EQ(quoteWindowsArgument("a\\\"b"), "\"a\\\\\\\"b\"");
}

TEST(WindowsQuotingTest, CommandLineQuotesTheProgram) {
  EXPECT_EQ(windowsCommandLine("C:\\HC EXEC\\odscan.exe", {"window", "--silent"}),
            "\"C:\\HC EXEC\\odscan.exe\" window --silent");
}

#ifdef _WIN32
// CommandLineToArgvW parses a command line as the C runtime of the scanner does.
TEST(WindowsQuotingTest, CommandLineToArgvReadsArgumentsBack) {
  const std::vector<std::string> arguments{"plain",   "",         "two words",       "tail\\",
                                           "q\"uote", "x\\\\\"y", "C:\\my folder\\", "tab\there"};
  const std::string line = windowsCommandLine("C:\\odscan.exe", arguments);
  const std::wstring wide(line.begin(), line.end());

  int count = 0;
  LPWSTR* parsed = ::CommandLineToArgvW(wide.c_str(), &count);
  ASSERT_NE(parsed, nullptr);
  ASSERT_EQ(count, static_cast<int>(arguments.size() + 1));
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::wstring expected(arguments[i].begin(), arguments[i].end());
    EXPECT_EQ(std::wstring(parsed[i + 1]), expected) << "argument " << i;
  }
  ::LocalFree(parsed);
}

TEST(RunProcessTest, ExitCodeIsReturned) {
  const wchar_t* shell = _wgetenv(L"ComSpec");
  ASSERT_NE(shell, nullptr);

  Result<int> code = runProcess(shell, {"/c", "exit 7"});

  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(*code, 7);
}

TEST(RunProcessTest, StopRequestEndsTheChild) {
  const wchar_t* shell = _wgetenv(L"ComSpec");
  ASSERT_NE(shell, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const auto stop = [start] {
    return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(300);
  };

  // "ping" waits a second per echo request, so this child runs for a minute.
  Result<int> code = runProcess(shell, {"/c", "ping -n 60 127.0.0.1 >NUL"}, stop);

  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(*code, kStoppedExitCode);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}
#else
TEST(RunProcessTest, ExitCodeIsReturned) {
  Result<int> code = runProcess("/bin/sh", {"-c", "exit 7"});

  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(*code, 7);
}

TEST(RunProcessTest, StopRequestSendsSigterm) {
  const auto start = std::chrono::steady_clock::now();
  const auto stop = [start] {
    return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(200);
  };

  // The child answers SIGTERM with exit code 42, as the scanner answers it by
  // cancelling its scan.
  Result<int> code =
      runProcess("/bin/sh", {"-c", "trap 'exit 42' TERM; while true; do sleep 0.05; done"}, stop);

  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(*code, 42);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(RunProcessTest, ArgumentsArriveUnchanged) {
  Result<int> code = runProcess("/bin/sh", {"-c", "[ \"$1\" = 'a \"b\" $c' ]", "sh", "a \"b\" $c"});

  ASSERT_TRUE(code.ok()) << code.status().toString();
  EXPECT_EQ(*code, 0);
}
#endif

TEST(RunProcessTest, CurrentExecutableExists) {
  Result<std::filesystem::path> path = currentExecutablePath();

  ASSERT_TRUE(path.ok()) << path.status().toString();
  EXPECT_TRUE(std::filesystem::is_regular_file(*path));
}

// ---- Error paths ----

TEST(RunProcessTest, MissingProgramIsReported) {
  const std::filesystem::path missing =
      std::filesystem::temp_directory_path() / "odscan-no-such-program";

  Result<int> code = runProcess(missing, {});

  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.status().code(), StatusCode::kNotFound);
  EXPECT_NE(code.status().message().find("odscan-no-such-program"), std::string::npos);
}

}  // namespace
}  // namespace odscan::launcher
