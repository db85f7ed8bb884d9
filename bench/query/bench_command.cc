#include "bench_command.h"

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_report.h"
#include "load_runner.h"
#include "request_pool.h"
#include "synthetic_signatures.h"

namespace odscan::bench {
namespace {

struct GenerateOptions {
  std::size_t count = 0;
  std::uint64_t seed = 1;
  std::filesystem::path signatures;
  std::filesystem::path redisCommands;
};

struct RunOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::filesystem::path hitFile;
  std::size_t hitCount = 0;
  std::uint64_t hitSeed = 1;
  std::filesystem::path missFile;
  std::uint64_t missSeed = 2;
  double hitRatio = 0.1;
  std::size_t batchSize = 100;
  std::size_t connections = 16;
  unsigned threads = 1;
  double rate = 0;
  double durationSeconds = 10;
  double warmupSeconds = 2;
  unsigned timeoutMs = 5000;
  std::string format = "binary";
  std::size_t poolDigests = 1'000'000;
  std::uint64_t poolSeed = 3;
  std::optional<pid_t> serverPid;
  std::string product = std::string("odscan-query-bench/") + ODSCAN_VERSION;
};

int runGenerate(const GenerateOptions& options, std::ostream& out, std::ostream& err) {
  if (Status status = writeSignatureList(options.signatures, options.seed, options.count);
      !status.ok()) {
    err << "odscan-query-bench: " << status.message() << "\n";
    return kExitUsageError;
  }
  out << "wrote " << options.count << " signatures (seed " << options.seed << ") to "
      << options.signatures.string() << "\n";

  if (!options.redisCommands.empty()) {
    if (Status status = writeRedisCommands(options.redisCommands, options.count); !status.ok()) {
      err << "odscan-query-bench: " << status.message() << "\n";
      return kExitUsageError;
    }
    out << "wrote " << options.count << " redis SET commands to " << options.redisCommands.string()
        << "; redis-benchmark key argument: " << kRedisKeyTemplate << "\n";
  }
  return kExitOk;
}

// The generator sends load only to servers on this machine: it is a benchmark
// for loopback, not a tool to load other hosts.
Result<boost::asio::ip::tcp::endpoint> loopbackEndpoint(const RunOptions& options) {
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(options.host, error);
  if (error) {
    return Status(StatusCode::kInvalidArgument,
                  "--host '" + options.host + "' is not an IP address; use 127.0.0.1");
  }
  if (!address.is_loopback()) {
    return Status(StatusCode::kInvalidArgument,
                  "--host " + options.host +
                      " is not a loopback address; odscan-query-bench only sends load to "
                      "servers on this machine (127.0.0.0/8 or ::1)");
  }
  return boost::asio::ip::tcp::endpoint(address, options.port);
}

Result<std::vector<QueryKey>> loadHits(const RunOptions& options) {
  if (!options.hitFile.empty()) return readQueryKeys(options.hitFile);
  return generateQueryKeys(options.hitSeed, options.hitCount);
}

// Generated misses are random SHA-256 digests of another seed, which no
// signature of the hit set has (a collision would need 2^128 tries). A miss file
// is taken as it is; a hit in it shows up as a wrong verdict.
Result<std::vector<QueryKey>> loadMisses(const RunOptions& options,
                                         const RequestPoolOptions& poolOptions) {
  if (!options.missFile.empty()) return readQueryKeys(options.missFile);
  if (options.hitFile.empty() && options.missSeed == options.hitSeed) {
    return Status(StatusCode::kInvalidArgument,
                  "--miss-seed equals --hit-seed, so the misses would be hits; choose another "
                  "miss seed");
  }
  const std::size_t items = RequestPool::requestCountFor(poolOptions) * poolOptions.batchSize;
  return generateQueryKeys(options.missSeed, items);
}

Result<RequestPool> buildPool(const RunOptions& options) {
  RequestPoolOptions poolOptions;
  poolOptions.batchSize = options.batchSize;
  poolOptions.poolDigests = options.poolDigests;
  poolOptions.hitRatio = options.hitRatio;
  poolOptions.seed = options.poolSeed;
  poolOptions.format =
      options.format == "json" ? protocol::BodyFormat::kJson : protocol::BodyFormat::kBinary;
  poolOptions.host = options.host + ":" + std::to_string(options.port);
  poolOptions.product = options.product;

  auto hits = loadHits(options);
  if (!hits.ok()) return hits.status();
  auto misses = loadMisses(options, poolOptions);
  if (!misses.ok()) return misses.status();
  return RequestPool::build(*hits, *misses, poolOptions);
}

std::chrono::milliseconds millisecondsOf(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

int runLoadCommand(const RunOptions& options, std::ostream& out, std::ostream& err) {
  auto endpoint = loopbackEndpoint(options);
  if (!endpoint.ok()) {
    err << "odscan-query-bench: " << endpoint.status().message() << "\n";
    return kExitUsageError;
  }
  auto pool = buildPool(options);
  if (!pool.ok()) {
    err << "odscan-query-bench: " << pool.status().message() << "\n";
    return kExitUsageError;
  }

  LoadOptions load;
  load.server = *endpoint;
  load.connections = options.connections;
  load.threads = options.threads;
  load.rate = options.rate;
  load.warmup = millisecondsOf(options.warmupSeconds);
  load.duration = millisecondsOf(options.durationSeconds);
  load.timeout = std::chrono::milliseconds(options.timeoutMs);
  load.serverPid = options.serverPid;
  auto result = runLoad(load, *pool);
  if (!result.ok()) {
    err << "odscan-query-bench: " << result.status().message() << "\n";
    return kExitUsageError;
  }

  ReportSettings report;
  report.batchSize = options.batchSize;
  report.connections = options.connections;
  report.threads =
      static_cast<unsigned>(std::min<std::size_t>(options.threads, options.connections));
  report.rate = options.rate;
  report.warmupSeconds = options.warmupSeconds;
  report.format = pool->format();
  report.poolRequests = pool->size();
  writeReport(out, report, *result);
  return result->statistics.errorCount() == 0 ? kExitOk : kExitRunHadErrors;
}

void addGenerateOptions(CLI::App& command, GenerateOptions& options) {
  command.add_option("--count", options.count, "Number of signatures to write")
      ->required()
      ->check(CLI::PositiveNumber);
  command.add_option("--seed", options.seed, "Seed of the signature set (default 1)");
  command
      .add_option("--signatures", options.signatures,
                  "Digest list to write, one \"HEX NAME\" line per signature, for "
                  "odscan-pattern build")
      ->required();
  command.add_option("--redis-commands", options.redisCommands,
                     "Also write the set as redis SET commands (RESP) for redis-cli --pipe");
}

void addRunOptions(CLI::App& command, RunOptions& options) {
  command.add_option("--host", options.host, "Server address; loopback only (default 127.0.0.1)");
  command.add_option("--port", options.port, "Server port")->required();

  auto* hitFile = command.add_option("--hits", options.hitFile,
                                     "Signature file whose digests are hits (digest list or "
                                     "ClamAV hash format)");
  auto* hitCount = command.add_option("--hit-count", options.hitCount,
                                      "Generate this many hits, as `generate --count` does");
  hitFile->excludes(hitCount);
  command.add_option("--hit-seed", options.hitSeed,
                     "Seed of the generated hits; must match `generate --seed` (default 1)");
  auto* missFile =
      command.add_option("--misses", options.missFile, "Signature file whose digests are misses");
  auto* missSeed = command.add_option("--miss-seed", options.missSeed,
                                      "Seed of the generated misses (default 2)");
  missFile->excludes(missSeed);
  command
      .add_option("--hit-ratio", options.hitRatio,
                  "Share of hits among the digests, 0 to 1 (default 0.1)")
      ->check(CLI::Range(0.0, 1.0));

  command.add_option("--batch", options.batchSize, "Digests per scan query (default 100)")
      ->check(CLI::PositiveNumber);
  command.add_option("--connections", options.connections, "Keep-alive connections (default 16)")
      ->check(CLI::PositiveNumber);
  command.add_option("--threads", options.threads, "Client threads (default 1)")
      ->check(CLI::Range(1u, 64u));
  command
      .add_option("--rate", options.rate,
                  "Requests per second over all connections (open loop); 0 sends each next "
                  "request as soon as the response arrives (closed loop, default)")
      ->check(CLI::Range(0.0, 1e9));
  command
      .add_option("--duration", options.durationSeconds,
                  "Seconds measured after the warm-up (default 10)")
      ->check(CLI::Range(0.1, 86400.0));
  command
      .add_option("--warmup", options.warmupSeconds, "Seconds of load before measuring (default 2)")
      ->check(CLI::Range(0.0, 3600.0));
  command
      .add_option("--timeout-ms", options.timeoutMs,
                  "Milliseconds to wait for a connection or a response (default 5000)")
      ->check(CLI::Range(1u, 3'600'000u));
  command
      .add_option("--format", options.format, "Query body format: binary or json (default binary)")
      ->check(CLI::IsMember({"binary", "json"}));
  command
      .add_option("--pool-digests", options.poolDigests,
                  "Distinct digest slots in the prepared requests, at most 65536 requests "
                  "(default 1000000)")
      ->check(CLI::PositiveNumber);
  command.add_option("--pool-seed", options.poolSeed,
                     "Seed for choosing hits, misses and file sizes (default 3)");
  command.add_option("--server-pid", options.serverPid,
                     "Process id of the server, to report its CPU use");
  command.add_option("--product", options.product,
                     "X-Odscan-Product header value (default odscan-query-bench/VERSION)");
}

}  // namespace

int runQueryBench(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Load generator for the Smart Scan Server benchmark (bench/README.md).",
               "odscan-query-bench");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 done without errors, 1 the run had errors (its figures are not valid),\n"
      "2 invalid options, unusable files or no server to connect to.");

  GenerateOptions generate;
  auto* generateCommand =
      app.add_subcommand("generate", "Write a synthetic signature set for odscan-pattern build");
  addGenerateOptions(*generateCommand, generate);

  RunOptions run;
  auto* runCommand =
      app.add_subcommand("run", "Send scan queries to a smartscan-server on this machine");
  addRunOptions(*runCommand, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error, out, err);
    return code == 0 ? kExitOk : kExitUsageError;
  }
  if (runCommand->parsed() && run.hitFile.empty() && run.hitCount == 0 && run.hitRatio > 0) {
    err << "odscan-query-bench: run needs hits: give --hits FILE or --hit-count N (with "
           "--hit-seed), or --hit-ratio 0\n";
    return kExitUsageError;
  }

  if (generateCommand->parsed()) return runGenerate(generate, out, err);
  return runLoadCommand(run, out, err);
}

}  // namespace odscan::bench
