// EventForwarder: forwards console events to the syslog collector from a
// background thread, through a bounded queue, in the order forward() received
// them.
//
// forward() never blocks on the network: when the queue is full the event is
// dropped and counted, and the thread logs a warning with the count and the
// setting that raises the limit. A TCP or TLS connection that fails is opened again with
// exponential backoff (ForwarderConfig::reconnectMin to reconnectMax), and the
// message that failed is sent again on the new connection, so a collector
// restart loses no queued event. Delivery is at least once: a message the
// kernel accepted just before the collector went away is lost, because syslog
// over TCP has no acknowledgement. A UDP message that fails to send is counted
// as failed and not retried.
//
// Logging: one logger, injected; each line names the collector.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "odscan/common/status.h"
#include "odscan/forwarding/collector_connection.h"
#include "odscan/forwarding/console_event.h"
#include "odscan/forwarding/forwarder_config.h"

namespace odscan::forwarding {

// Totals since the forwarder started, for the console's metrics.
struct ForwarderCounters {
  std::uint64_t accepted = 0;            // events forward() queued
  std::uint64_t sent = 0;                // messages written to the collector
  std::uint64_t dropped = 0;             // events forward() rejected: queue full or stopped
  std::uint64_t failed = 0;              // queued events never sent (UDP errors, stop)
  std::uint64_t connectionFailures = 0;  // failed opens and sends that closed a connection
  std::size_t queued = 0;                // events waiting now, including one being sent
  bool connected = false;
};

class EventForwarder {
 public:
  // Validates `config`, prepares the connection and starts the thread. The
  // thread connects on its own, so an unreachable collector is no error here.
  static Result<std::unique_ptr<EventForwarder>> create(ForwarderConfig config,
                                                        std::shared_ptr<spdlog::logger> logger);

  // Same with a connection made by the caller, for other transports and tests.
  static Result<std::unique_ptr<EventForwarder>> create(
      ForwarderConfig config, std::shared_ptr<spdlog::logger> logger,
      std::unique_ptr<CollectorConnection> connection);

  // Stops without waiting for queued events (as stop(0)).
  ~EventForwarder();

  EventForwarder(const EventForwarder&) = delete;
  EventForwarder& operator=(const EventForwarder&) = delete;

  // Queues `event` and returns true, or returns false and counts it as dropped
  // when the queue is full or stop() was called. Never waits for the network.
  bool forward(ConsoleEvent event);

  // Waits until every event queued so far was sent or given up. Fails with
  // kTimeout naming the events still waiting.
  Status flush(std::chrono::milliseconds timeout);

  // Rejects further events, sends what is queued until `timeout` passes, then
  // abandons the rest (counted as failed) and joins the thread. Fails with
  // kTimeout when events were abandoned. Calling it again does nothing.
  Status stop(std::chrono::milliseconds timeout);

  ForwarderCounters counters() const;
  const ForwarderConfig& config() const;

 private:
  class Impl;
  explicit EventForwarder(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace odscan::forwarding
