#include "private_folder.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "odscan/platform/utf8_path.h"

#ifdef _WIN32
#include <windows.h>
// windows.h first: these two need its types.
#include <aclapi.h>
#include <sddl.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "odscan/platform/file_info.h"
#include "odscan/platform/windows_files.h"
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace odscan::scanner {
namespace {

#ifdef _WIN32
constexpr std::string_view kLinkKind = "a symbolic link or junction";
#else
constexpr std::string_view kLinkKind = "a symbolic link";
constexpr mode_t kOwnerOnly = 0700;
constexpr mode_t kGroupAndOther = 0077;
#endif

std::string quoted(const std::filesystem::path& path) { return "'" + platform::toUtf8(path) + "'"; }

Status notAFolder(const std::filesystem::path& folder, std::string_view label) {
  return Status(StatusCode::kInvalidArgument,
                std::string(label) + " " + quoted(folder) +
                    " is a file, not a folder; move the file away, or choose another HCEXEC "
                    "folder with --home");
}

Status symbolicLink(const std::filesystem::path& folder, std::string_view label) {
  return Status(StatusCode::kPermissionDenied,
                std::string(label) + " " + quoted(folder) + " is " + std::string(kLinkKind) +
                    "; remove it, or choose another HCEXEC folder with --home");
}

Status anotherUsersFolder(const std::filesystem::path& folder, std::string_view label) {
#ifdef _WIN32
  constexpr std::string_view kOtherChoices = "with --home or the TEMP variable";
#else
  constexpr std::string_view kOtherChoices = "with --home or TMPDIR";
#endif
  return Status(StatusCode::kPermissionDenied,
                std::string(label) + " " + quoted(folder) +
                    " belongs to another user; choose another HCEXEC folder " +
                    std::string(kOtherChoices));
}

#ifdef _WIN32

// The Windows counterpart of mode 0700. The access list is protected (P), so the
// parent's entries are not inherited, and it gives full control to the current
// user, to SYSTEM and to Administrators. Every file and folder created inside
// inherits it (OICI), which makes files 0600 too. SYSTEM and Administrators keep
// access as root does on POSIX, because security software and backups run as
// them. Creating it and setting it on one's own folder need no administrator
// rights.
constexpr const wchar_t* kOwnerOnlyAclFormat =
    L"D:P(A;OICI;FA;;;%s)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

struct LocalFreeDeleter {
  void operator()(void* memory) const { ::LocalFree(memory); }
};
using LocalMemory = std::unique_ptr<void, LocalFreeDeleter>;

struct HandleCloser {
  void operator()(HANDLE handle) const { ::CloseHandle(handle); }
};

// The process's user, and the owner Windows gives the objects the process
// creates. The two differ for an elevated administrator, whose new files belong
// to the Administrators group.
struct TokenIdentity {
  std::vector<std::uint8_t> user;   // a TOKEN_USER
  std::vector<std::uint8_t> owner;  // a TOKEN_OWNER

  PSID userSid() const { return reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid; }
  PSID ownerSid() const { return reinterpret_cast<const TOKEN_OWNER*>(owner.data())->Owner; }
};

Status securityError(DWORD code, std::string_view action, const std::filesystem::path& path) {
  return platform::windowsStatus(code, action, path);
}

std::vector<std::uint8_t> tokenInformation(HANDLE token, TOKEN_INFORMATION_CLASS kind) {
  DWORD size = 0;
  ::GetTokenInformation(token, kind, nullptr, 0, &size);
  std::vector<std::uint8_t> buffer(size);
  if (size == 0 || !::GetTokenInformation(token, kind, buffer.data(), size, &size)) return {};
  return buffer;
}

Result<TokenIdentity> currentIdentity() {
  HANDLE token = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) {
    return Status(StatusCode::kInternal, "cannot read the current user's identity: " +
                                             platform::windowsErrorText(::GetLastError()));
  }
  const std::unique_ptr<void, HandleCloser> closer(token);
  TokenIdentity identity{tokenInformation(token, TokenUser), tokenInformation(token, TokenOwner)};
  if (identity.user.empty() || identity.owner.empty()) {
    return Status(StatusCode::kInternal, "cannot read the current user's identity: " +
                                             platform::windowsErrorText(::GetLastError()));
  }
  return identity;
}

// Returns a self-relative security descriptor with kOwnerOnlyAclFormat for the
// current user.
Result<LocalMemory> ownerOnlyDescriptor() {
  Result<TokenIdentity> identity = currentIdentity();
  if (!identity.ok()) return identity.status();

  wchar_t* sidText = nullptr;
  if (!::ConvertSidToStringSidW(identity->userSid(), &sidText)) {
    return Status(StatusCode::kInternal, "cannot format the current user's SID: " +
                                             platform::windowsErrorText(::GetLastError()));
  }
  const LocalMemory sidMemory(sidText);
  std::wstring sddl(kOwnerOnlyAclFormat);
  sddl.replace(sddl.find(L"%s"), 2, sidText);

  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                              &descriptor, nullptr)) {
    return Status(StatusCode::kInternal, "cannot build the owner-only access list: " +
                                             platform::windowsErrorText(::GetLastError()));
  }
  return LocalMemory(descriptor);
}

// Returns true for the SIDs that the owner-only access list lets in: the user,
// the token's owner, SYSTEM, Administrators, and CREATOR OWNER, which Windows
// replaces with the SID of the user who creates a file.
bool isTrustedSid(PSID sid, const TokenIdentity& identity) {
  return ::EqualSid(sid, identity.userSid()) || ::EqualSid(sid, identity.ownerSid()) ||
         ::IsWellKnownSid(sid, WinLocalSystemSid) ||
         ::IsWellKnownSid(sid, WinBuiltinAdministratorsSid) ||
         ::IsWellKnownSid(sid, WinCreatorOwnerSid);
}

// Returns true when the access list of `folder` lets anyone else in: a null
// list (full access for everyone) or an allowing entry for another SID, inherited
// or not.
Result<bool> grantsOtherUsers(const std::filesystem::path& folder, std::string_view label) {
  Result<TokenIdentity> identity = currentIdentity();
  if (!identity.ok()) return identity.status();

  PACL acl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD code = ::GetNamedSecurityInfoW(platform::extendedLengthPath(folder).c_str(),
                                             SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                             nullptr, &acl, nullptr, &descriptor);
  if (code != ERROR_SUCCESS) {
    return securityError(code, "reading the access list of " + std::string(label), folder);
  }
  const LocalMemory descriptorMemory(descriptor);
  if (acl == nullptr) return true;

  for (DWORD index = 0; index < acl->AceCount; ++index) {
    void* entry = nullptr;
    if (!::GetAce(acl, index, &entry)) continue;
    const auto* allowed = static_cast<const ACCESS_ALLOWED_ACE*>(entry);
    if (allowed->Header.AceType != ACCESS_ALLOWED_ACE_TYPE || allowed->Mask == 0) continue;
    PSID sid = const_cast<DWORD*>(&allowed->SidStart);
    if (!isTrustedSid(sid, *identity)) return true;
  }
  return false;
}

// Returns true when the current user (or the token's owner) owns `folder`, and
// when the volume keeps no owners at all (FAT).
Result<bool> ownedByCurrentUser(const std::filesystem::path& folder, std::string_view label) {
  Result<TokenIdentity> identity = currentIdentity();
  if (!identity.ok()) return identity.status();

  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD code = ::GetNamedSecurityInfoW(platform::extendedLengthPath(folder).c_str(),
                                             SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner,
                                             nullptr, nullptr, nullptr, &descriptor);
  if (code != ERROR_SUCCESS) {
    return securityError(code, "reading the owner of " + std::string(label), folder);
  }
  const LocalMemory descriptorMemory(descriptor);
  return owner == nullptr || ::EqualSid(owner, identity->userSid()) ||
         ::EqualSid(owner, identity->ownerSid());
}

Status applyOwnerOnlyAcl(const std::filesystem::path& folder, std::string_view label) {
  Result<LocalMemory> descriptor = ownerOnlyDescriptor();
  if (!descriptor.ok()) return descriptor.status();
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL acl = nullptr;
  ::GetSecurityDescriptorDacl(descriptor->get(), &present, &acl, &defaulted);

  // SetNamedSecurityInfoW also passes the inheritable entries down to every file
  // and folder below, which is what makes earlier session logs private too.
  std::wstring target = platform::extendedLengthPath(folder).wstring();
  const DWORD code =
      ::SetNamedSecurityInfoW(target.data(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, acl, nullptr);
  if (code == ERROR_SUCCESS) return Status::success();
  return Status(StatusCode::kPermissionDenied,
                "cannot make " + std::string(label) + " " + quoted(folder) +
                    " private to its owner: " + platform::windowsErrorText(code) +
                    "; remove the folder, or choose another HCEXEC folder with --home");
}

#endif  // _WIN32

}  // namespace

Result<bool> createPrivateFolder(const std::filesystem::path& folder) {
#ifdef _WIN32
  Result<LocalMemory> descriptor = ownerOnlyDescriptor();
  if (!descriptor.ok()) return descriptor.status();
  SECURITY_ATTRIBUTES attributes{sizeof(attributes), descriptor->get(), FALSE};
  if (::CreateDirectoryW(platform::extendedLengthPath(folder).c_str(), &attributes)) return true;

  const DWORD code = ::GetLastError();
  if (code == ERROR_ALREADY_EXISTS || code == ERROR_FILE_EXISTS) return false;
  const Status failed = platform::windowsStatus(code, "creating the folder", folder);
  return Status(failed.code(),
                failed.message() + "; check the permissions and free space of its parent folder");
#else
  if (::mkdir(folder.c_str(), kOwnerOnly) != 0) {
    if (errno == EEXIST) return false;
    const StatusCode code = errno == EACCES || errno == EPERM ? StatusCode::kPermissionDenied
                            : errno == ENOSPC                 ? StatusCode::kNoSpace
                                                              : StatusCode::kIoError;
    return Status(code, "cannot create the folder " + quoted(folder) + ": " + std::strerror(errno) +
                            "; check the permissions and free space of its parent folder");
  }
  // mkdir() applies the umask; chmod() does not.
  if (::chmod(folder.c_str(), kOwnerOnly) != 0) {
    return Status(StatusCode::kIoError, "cannot set the permissions of the new folder " +
                                            quoted(folder) + ": " + std::strerror(errno));
  }
  return true;
#endif
}

Status checkOwnFolder(const std::filesystem::path& folder, std::string_view label) {
#ifdef _WIN32
  auto info = platform::statPath(platform::toUtf8(folder), false);
  if (!info.ok() && info.error().kind == platform::IoErrorKind::kNotFound) {
    return Status(StatusCode::kNotFound,
                  std::string(label) + " " + quoted(folder) + " does not exist");
  }
  if (!info.ok()) return Status(StatusCode::kIoError, info.error().message);
  if (info->type == platform::FileType::kSymlink) return symbolicLink(folder, label);
  if (info->type != platform::FileType::kDirectory) return notAFolder(folder, label);

  Result<bool> owned = ownedByCurrentUser(folder, label);
  if (!owned.ok()) return owned.status();
  if (!*owned) return anotherUsersFolder(folder, label);
  return Status::success();
#else
  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      return Status(StatusCode::kNotFound,
                    std::string(label) + " " + quoted(folder) + " does not exist");
    }
    return Status(StatusCode::kIoError, "cannot read " + std::string(label) + " " + quoted(folder) +
                                            ": " + std::strerror(errno));
  }
  if (S_ISLNK(info.st_mode)) return symbolicLink(folder, label);
  if (!S_ISDIR(info.st_mode)) return notAFolder(folder, label);
  if (info.st_uid != ::geteuid()) return anotherUsersFolder(folder, label);
  return Status::success();
#endif
}

Result<bool> restrictFolderToOwner(const std::filesystem::path& folder, std::string_view label) {
  if (Status owned = checkOwnFolder(folder, label); !owned.ok()) return owned;
#ifdef _WIN32
  Result<bool> open = grantsOtherUsers(folder, label);
  if (!open.ok()) return open.status();
  if (!*open) return false;
  if (Status applied = applyOwnerOnlyAcl(folder, label); !applied.ok()) return applied;
  return true;
#else
  struct stat info {};
  if (::lstat(folder.c_str(), &info) != 0) {
    return Status(StatusCode::kIoError, "cannot read " + std::string(label) + " " + quoted(folder) +
                                            ": " + std::strerror(errno));
  }
  if ((info.st_mode & kGroupAndOther) == 0) return false;
  if (::chmod(folder.c_str(), kOwnerOnly) != 0) {
    return Status(StatusCode::kPermissionDenied,
                  "cannot make " + std::string(label) + " " + quoted(folder) +
                      " private to its owner: " + std::strerror(errno) +
                      "; run 'chmod 700' on it, or choose another HCEXEC folder with --home");
  }
  return true;
#endif
}

}  // namespace odscan::scanner
