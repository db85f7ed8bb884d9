#include "windows_test_support.h"

#ifdef _WIN32

// windows.h comes first through the header: these need its types.
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>

#include "odscan/platform/windows_files.h"

namespace odscan::scanner::testing {
namespace {

std::string sidText(PSID sid) {
  wchar_t* text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) return "?";
  std::string ascii;
  for (const wchar_t* c = text; *c != L'\0'; ++c) ascii += static_cast<char>(*c);
  ::LocalFree(text);
  return ascii;
}

}  // namespace

bool runningUnderWine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

std::vector<std::string> allowedSids(const std::filesystem::path& path) {
  PACL acl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (::GetNamedSecurityInfoW(platform::extendedLengthPath(path).c_str(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION, nullptr, nullptr, &acl, nullptr,
                              &descriptor) != ERROR_SUCCESS) {
    return {"<unreadable>"};
  }
  std::vector<std::string> sids;
  if (acl == nullptr) sids.push_back("NULL");
  for (DWORD index = 0; acl != nullptr && index < acl->AceCount; ++index) {
    void* entry = nullptr;
    if (!::GetAce(acl, index, &entry)) continue;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(entry);
    if (allowed->Header.AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
    sids.push_back(sidText(&allowed->SidStart));
  }
  ::LocalFree(descriptor);
  return sids;
}

bool hasProtectedAcl(const std::filesystem::path& path) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (::GetNamedSecurityInfoW(platform::extendedLengthPath(path).c_str(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION, nullptr, nullptr, nullptr, nullptr,
                              &descriptor) != ERROR_SUCCESS) {
    return false;
  }
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  const bool known = ::GetSecurityDescriptorControl(descriptor, &control, &revision);
  ::LocalFree(descriptor);
  return known && (control & SE_DACL_PROTECTED) != 0;
}

std::string currentUserSid() {
  HANDLE token = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) return "?";
  DWORD size = 0;
  ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<std::uint8_t> buffer(size);
  std::string sid = "?";
  if (size > 0 && ::GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) {
    sid = sidText(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid);
  }
  ::CloseHandle(token);
  return sid;
}

bool onlyOwnerSystemAndAdministrators(const std::vector<std::string>& sids) {
  const std::string user = currentUserSid();
  return std::all_of(sids.begin(), sids.end(), [&user](const std::string& sid) {
    return sid == user || sid == "S-1-5-18" || sid == "S-1-5-32-544" || sid == "S-1-3-0";
  });
}

UniqueHandle holdWithoutSharing(const std::filesystem::path& path) {
  return UniqueHandle(::CreateFileW(platform::extendedLengthPath(path).c_str(),
                                    GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                    FILE_ATTRIBUTE_NORMAL, nullptr));
}

void removeTree(const std::filesystem::path& folder) {
  const std::wstring root = platform::extendedLengthPath(folder).wstring();
  WIN32_FIND_DATAW data{};
  HANDLE find = ::FindFirstFileW((root + L"\\*").c_str(), &data);
  if (find != INVALID_HANDLE_VALUE) {
    do {
      const std::wstring name = data.cFileName;
      if (name == L"." || name == L"..") continue;
      const std::wstring child = root + L"\\" + name;
      if ((data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        removeTree(std::filesystem::path(child));
      } else {
        ::SetFileAttributesW(child.c_str(), FILE_ATTRIBUTE_NORMAL);
        ::DeleteFileW(child.c_str());
      }
    } while (::FindNextFileW(find, &data));
    ::FindClose(find);
  }
  ::RemoveDirectoryW(root.c_str());
}

bool createFolderReadableByEveryone(const std::filesystem::path& folder) {
  const std::wstring sddl = L"D:(A;OICI;FA;;;" + std::filesystem::path(currentUserSid()).wstring() +
                            L")(A;OICI;0x1200a9;;;WD)";  // 0x1200a9: read and execute
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return false;
  }
  SECURITY_ATTRIBUTES attributes{sizeof(attributes), descriptor, FALSE};
  const bool created =
      ::CreateDirectoryW(platform::extendedLengthPath(folder).c_str(), &attributes) != 0;
  ::LocalFree(descriptor);
  return created;
}

}  // namespace odscan::scanner::testing

#endif  // _WIN32
