#include "message_parsing.h"

#include <cctype>

namespace odscan::forwarding::testing {
namespace {

// Reads up to the next space; returns nullopt at the end of the text.
std::optional<std::string> nextField(std::string_view text, std::size_t& position) {
  const std::size_t space = text.find(' ', position);
  if (space == std::string_view::npos) return std::nullopt;
  std::string field(text.substr(position, space - position));
  position = space + 1;
  return field;
}

// Reads ' name="value"' pairs up to ']' and unescapes the values.
bool readParams(std::string_view text, std::size_t& position,
                std::map<std::string, std::string>& params) {
  while (position < text.size() && text[position] == ' ') {
    const std::size_t equals = text.find("=\"", position);
    if (equals == std::string_view::npos) return false;
    const std::string name(text.substr(position + 1, equals - position - 1));
    std::string value;
    std::size_t i = equals + 2;
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size() &&
          (text[i + 1] == '"' || text[i + 1] == '\\' || text[i + 1] == ']')) {
        ++i;
      } else if (text[i] == ']') {
        return false;  // an unescaped ']' inside a value
      }
      value += text[i];
    }
    if (i >= text.size() || params.count(name) != 0) return false;
    params[name] = value;
    position = i + 1;
  }
  return position < text.size() && text[position] == ']';
}

std::string unescapeCefHeader(std::string_view field) {
  std::string value;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 1 < field.size()) ++i;
    value += field[i];
  }
  return value;
}

bool isKeyCharacter(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

std::optional<SyslogMessage> parseSyslogMessage(std::string_view text) {
  SyslogMessage message;
  const std::size_t close = text.find('>');
  if (text.empty() || text[0] != '<' || close == std::string_view::npos) return std::nullopt;
  message.priority = std::string(text.substr(1, close - 1));

  std::size_t position = close + 1;
  std::string* fields[] = {&message.version, &message.timestamp, &message.hostname,
                           &message.appName, &message.processId, &message.messageId};
  for (std::string* field : fields) {
    auto value = nextField(text, position);
    if (!value || value->empty()) return std::nullopt;
    *field = *value;
  }

  if (text.substr(position, 2) == "- ") {
    position += 2;
  } else if (text.substr(position, 1) == "[") {
    const std::size_t idEnd = text.find_first_of(" ]", position);
    if (idEnd == std::string_view::npos) return std::nullopt;
    message.sdId = std::string(text.substr(position + 1, idEnd - position - 1));
    position = idEnd;
    if (!readParams(text, position, message.params)) return std::nullopt;
    ++position;
    if (position < text.size() && text[position] != ' ') return std::nullopt;
    ++position;
  } else {
    return std::nullopt;
  }
  if (position <= text.size()) message.message = std::string(text.substr(position));
  return message;
}

std::optional<CefRecord> parseCefRecord(std::string_view text) {
  if (text.substr(0, 4) != "CEF:") return std::nullopt;
  CefRecord record;
  std::size_t position = 4;
  std::size_t fieldStart = position;
  for (; position < text.size() && record.header.size() < 7; ++position) {
    if (text[position] == '\\') {
      ++position;
    } else if (text[position] == '|') {
      record.header.push_back(unescapeCefHeader(text.substr(fieldStart, position - fieldStart)));
      fieldStart = position + 1;
    }
  }
  if (record.header.size() != 7) return std::nullopt;

  // Extension: key=value pairs; a value runs to the space before the next
  // unescaped '=' that follows a key.
  std::string key;
  std::string value;
  std::size_t i = position;
  const auto flush = [&] {
    if (!key.empty()) record.extension[key] = value;
  };
  while (i < text.size()) {
    std::size_t keyEnd = i;
    while (keyEnd < text.size() && isKeyCharacter(text[keyEnd])) ++keyEnd;
    if (keyEnd == i || keyEnd >= text.size() || text[keyEnd] != '=') return std::nullopt;
    key = std::string(text.substr(i, keyEnd - i));
    value.clear();
    std::size_t j = keyEnd + 1;
    while (j < text.size()) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        const char next = text[j + 1];
        if (next == 'n') {
          value += '\n';
        } else if (next == 'r') {
          value += '\r';
        } else {
          value += next;
        }
        j += 2;
        continue;
      }
      if (text[j] == '=') return std::nullopt;  // an unescaped '=' inside a value
      if (text[j] == ' ') {
        std::size_t k = j + 1;
        while (k < text.size() && isKeyCharacter(text[k])) ++k;
        if (k > j + 1 && k < text.size() && text[k] == '=') break;
      }
      value += text[j];
      ++j;
    }
    flush();
    i = j < text.size() ? j + 1 : j;
  }
  return record;
}

}  // namespace odscan::forwarding::testing
