#include <cstddef>

#include "odscan/launcher/process.h"

namespace odscan::launcher {

std::string quoteWindowsArgument(const std::string& argument) {
  if (!argument.empty() && argument.find_first_of(" \t\n\v\"") == std::string::npos) {
    return argument;
  }

  // Backslashes are literal unless a '"' follows them. Before a '"' (an escaped
  // one or the closing quote) each of them needs a second backslash.
  std::string quoted = "\"";
  std::size_t backslashes = 0;
  for (const char c : argument) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      quoted.append(backslashes * 2 + 1, '\\');
    } else {
      quoted.append(backslashes, '\\');
    }
    backslashes = 0;
    quoted.push_back(c);
  }
  quoted.append(backslashes * 2, '\\');
  quoted.push_back('"');
  return quoted;
}

std::string windowsCommandLine(const std::string& program,
                               const std::vector<std::string>& arguments) {
  std::string line = "\"" + program + "\"";
  for (const std::string& argument : arguments) {
    line.push_back(' ');
    line += quoteWindowsArgument(argument);
  }
  return line;
}

}  // namespace odscan::launcher
