#include "odscan/platform/directory_reader.h"
#include "windows_support.h"

namespace odscan::platform {
namespace {

FileType typeFromFindData(const WIN32_FIND_DATAW& data) {
  const DWORD attributes = data.dwFileAttributes;
  // For reparse points FindFirstFileExW puts the reparse tag in dwReserved0.
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 && isLinkReparseTag(data.dwReserved0)) {
    return FileType::kSymlink;
  }
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return FileType::kDirectory;
  if ((attributes & FILE_ATTRIBUTE_DEVICE) != 0) return FileType::kSpecial;
  return FileType::kRegular;
}

bool isDotOrDotDot(const wchar_t* name) {
  return name[0] == L'.' && (name[1] == L'\0' || (name[1] == L'.' && name[2] == L'\0'));
}

struct FindCloser {
  void operator()(HANDLE find) const {
    if (find != INVALID_HANDLE_VALUE) ::FindClose(find);
  }
};

}  // namespace

struct DirectoryReader::State {
  std::string path;
  FileId id;
  HANDLE find = INVALID_HANDLE_VALUE;
  WIN32_FIND_DATAW data{};
  bool pendingFirst = false;  // `data` contains the entry FindFirstFileExW returned
  std::string name;           // the current entry's name as UTF-8

  ~State() { FindCloser()(find); }
};

DirectoryReader::DirectoryReader(std::unique_ptr<State> state) : state_(std::move(state)) {}
DirectoryReader::DirectoryReader(DirectoryReader&&) noexcept = default;
DirectoryReader& DirectoryReader::operator=(DirectoryReader&&) noexcept = default;
DirectoryReader::~DirectoryReader() = default;

IoResult<DirectoryReader> DirectoryReader::open(const std::string& path, bool followSymlink) {
  // The folder's own handle gives its file ID and shows whether it is a junction.
  auto info = statPath(path, followSymlink);
  if (!info.ok()) return info.error();
  if (info->type == FileType::kSymlink) {
    IoError error;
    error.kind = IoErrorKind::kSymlink;
    error.message = "cannot open the folder '" + path + "': it is a symbolic link or junction";
    return error;
  }
  if (info->type != FileType::kDirectory) {
    IoError error;
    error.kind = IoErrorKind::kNotFound;
    error.systemCode = ERROR_DIRECTORY;
    error.message = "cannot open the folder '" + path + "': it is not a folder";
    return error;
  }

  auto state = std::make_unique<State>();
  state->path = path;
  state->id = info->id;
  std::wstring pattern = toWindowsPath(path);
  if (!pattern.empty() && pattern.back() != L'\\') pattern += L'\\';
  pattern += L'*';
  state->find = ::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &state->data,
                                   FindExSearchNameMatch, nullptr, FIND_FIRST_EX_LARGE_FETCH);
  if (state->find == INVALID_HANDLE_VALUE) {
    const DWORD code = ::GetLastError();
    // A drive root has no "." entry, so an empty one has nothing at all.
    if (code != ERROR_FILE_NOT_FOUND) return errorFromWindows(code, "cannot list", path);
  } else {
    state->pendingFirst = true;
  }
  return DirectoryReader(std::move(state));
}

const FileId& DirectoryReader::id() const { return state_->id; }

IoResult<std::optional<DirectoryEntry>> DirectoryReader::next() {
  State& state = *state_;
  while (state.find != INVALID_HANDLE_VALUE) {
    if (state.pendingFirst) {
      state.pendingFirst = false;
    } else if (!::FindNextFileW(state.find, &state.data)) {
      const DWORD code = ::GetLastError();
      if (code == ERROR_NO_MORE_FILES) break;
      return errorFromWindows(code, "cannot list", state.path);
    }
    if (isDotOrDotDot(state.data.cFileName)) continue;
    state.name = narrow(state.data.cFileName);
    return std::optional<DirectoryEntry>(DirectoryEntry{state.name, typeFromFindData(state.data)});
  }
  return std::optional<DirectoryEntry>();
}

IoResult<FileInfo> DirectoryReader::statEntry(const std::string& name, bool followSymlink) const {
  std::string path = state_->path;
  if (!path.empty() && path.back() != '\\' && path.back() != '/') path += '\\';
  path += name;
  return statPath(path, followSymlink);
}

}  // namespace odscan::platform
