// ServerProcess: a real smartscan-server process started by a test, listening on
// 127.0.0.1, with its output in a log file the test can show on failure.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace odscan::testing {

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `program` with `arguments` plus "--port-file FILE" and waits until the
  // server has written its port. Returns false (and leaves the log) when it does
  // not start within `timeout`.
  bool start(const std::filesystem::path& program, std::vector<std::string> arguments,
             const std::filesystem::path& logFile,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Starts `program` with `arguments` as they are, for programs that take no port
  // file (nginx). Returns false when the process cannot be started.
  bool spawn(const std::filesystem::path& program, std::vector<std::string> arguments,
             const std::filesystem::path& logFile);

  // Sends SIGKILL and waits for the process to end.
  void kill();
  // Sends SIGTERM and waits for the exit; returns the exit status (or -1).
  int stop();
  // Returns true while the process runs.
  bool running();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  int waitForExit();

  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path logFile_;
};

// Returns a TCP port on 127.0.0.1 that nothing listened on a moment ago, for a
// server URL that must refuse connections or a program that needs a fixed port.
int unusedLocalPort();

// Returns true once a TCP connection to 127.0.0.1:`port` succeeds, false after
// `timeout`.
bool waitForLocalPort(int port, std::chrono::milliseconds timeout);

}  // namespace odscan::testing
