// The options of the odscan program's command line: CLI11 validators built on
// odscan/scanner/option_values.h, and the options of `odscan scan`. Part of the
// program, not of the scanner library.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "odscan/scanner/scan_command.h"

namespace odscan::tool {

// The footer of `odscan scan --help` that explains SIZE values.
extern const char* const kSizeHelp;

// Returns a transform that accepts a whole number from `minimum` to `maximum`,
// with a message naming the value and the range otherwise.
CLI::Validator countValue(std::uint64_t minimum, std::uint64_t maximum);

// Returns a check that rejects an empty path, which would otherwise mean the
// working directory.
CLI::Validator nonEmptyPath();

// Add an option whose value is a path given in UTF-8, as main() receives every
// argument. Bound to a path, CLI11 would construct it from the std::string, which
// on Windows reads the text in the ANSI code page and turns the characters outside
// it into '?'. Every value must be non-empty (nonEmptyPath()).
CLI::Option* addPathOption(CLI::App& command, const std::string& name,
                           std::filesystem::path& target, const std::string& description);
CLI::Option* addPathOption(CLI::App& command, const std::string& name,
                           std::optional<std::filesystem::path>& target,
                           const std::string& description);
CLI::Option* addPathOption(CLI::App& command, const std::string& name,
                           std::vector<std::filesystem::path>& target,
                           const std::string& description);

// Adds --home DIR to `command`.
void addHomeOption(CLI::App& command, std::optional<std::filesystem::path>& home);

// Adds the paths and every option of `odscan scan`, bound to `options`.
void addScanOptions(CLI::App& scan, scanner::ScanCommandOptions& options);

// Applies the On-demand Scan settings to `options` after `scan` (a command made by
// addScanOptions()) has parsed its command line: the file of --settings, or else
// <home>/components/ondemand-settings.json when it exists. Options given on the
// command line keep their values. Errors name the file and the member.
Status applySettingsFile(const CLI::App& scan, scanner::ScanCommandOptions& options);

}  // namespace odscan::tool
