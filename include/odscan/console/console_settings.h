// ConsoleSettings: the settings an administrator edits on the console's On-demand
// Scan and Smart Scan Server screens, kept in the settings table, and the
// ondemand-settings component built from them (docs/console-protocol.md).
//
// Every value that arrives from a page is checked here; a bad one is rejected with
// a message that names the field and the values it may take, and nothing is
// saved.
//
// Ownership: borrows the Database.
// Thread safety: safe from many threads; each call takes the database lock.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "odscan/common/status.h"
#include "odscan/console/database.h"

namespace odscan::console {

inline constexpr std::string_view kOnDemandSettings = "ondemand";
inline constexpr std::string_view kSmartScanSettings = "smartscan";

// Returns the defaults of the group `name`.
nlohmann::json defaultSettings(std::string_view name);

// Checks a group sent by a page and returns it in normal form (every member,
// defaults filled in). Fails with kInvalidArgument naming the field.
Result<nlohmann::json> checkSettings(std::string_view name, const nlohmann::json& sent);

class ConsoleSettings {
 public:
  explicit ConsoleSettings(Database& database) : database_(database) {}

  // Returns the stored group, or its defaults.
  Result<nlohmann::json> get(std::string_view name);
  // Checks and stores a group; returns the stored form.
  Result<nlohmann::json> put(std::string_view name, const nlohmann::json& sent,
                             std::string_view administrator);

  // Returns the ondemand-settings component for endpoints that reach the console
  // at `consoleUrl`.
  Result<nlohmann::json> component(std::string_view consoleUrl);

 private:
  Database& database_;
};

}  // namespace odscan::console
