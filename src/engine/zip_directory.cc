#include "zip_directory.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace odscan::engine {
namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034B50;    // "PK\3\4"
constexpr std::uint32_t kCentralHeaderSignature = 0x02014B50;  // "PK\1\2"
constexpr std::uint32_t kEndSignature = 0x06054B50;            // "PK\5\6"
constexpr std::uint32_t kZip64EndSignature = 0x06064B50;       // "PK\6\6"
constexpr std::uint32_t kZip64LocatorSignature = 0x07064B50;   // "PK\6\7"

constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kZip64EndMinSize = 56;
// libarchive accepts zip64 end records of up to 16 KiB and searches the last
// 16 KiB of the file for the end record.
constexpr std::size_t kZip64EndMaxSize = 16u * 1024;
constexpr std::size_t kEndSearchBytes = 16u * 1024;

constexpr std::uint16_t kFlagEncrypted = 1u << 0;
constexpr std::uint16_t kFlagStrongEncryption = 1u << 6;
constexpr std::uint16_t kFlagDirectoryEncrypted = 1u << 13;

constexpr std::uint16_t kMethodStored = 0;
constexpr std::uint16_t kMethodDeflated = 8;

constexpr std::uint16_t kExtraZip64 = 0x0001;
constexpr std::uint16_t kExtraExtendedTime = 0x5455;

constexpr std::uint32_t kMax32 = 0xFFFFFFFF;
constexpr std::uint16_t kMax16 = 0xFFFF;
constexpr std::uint64_t kMaxOffset = std::numeric_limits<std::int64_t>::max();

// Unix file types in the high half of the external attributes.
constexpr std::uint32_t kTypeMask = 0170000;
constexpr std::uint32_t kTypeFolder = 0040000;
constexpr std::uint32_t kTypeRegular = 0100000;
constexpr std::uint32_t kTypeFifo = 0010000;

constexpr std::uint8_t kSystemDos = 0;
constexpr std::uint8_t kSystemUnix = 3;

// Little-endian fields of a span whose size the caller has checked.
std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return static_cast<std::uint16_t>(bytes[offset] | bytes[offset + 1] << 8);
}

std::uint32_t read32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return static_cast<std::uint32_t>(read16(bytes, offset)) |
         static_cast<std::uint32_t>(read16(bytes, offset + 2)) << 16;
}

std::uint64_t read64(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return static_cast<std::uint64_t>(read32(bytes, offset)) |
         static_cast<std::uint64_t>(read32(bytes, offset + 4)) << 32;
}

Status unsupported(std::string message) {
  return Status(StatusCode::kUnsupportedVersion, std::move(message));
}

Status corrupt(std::string message) { return Status(StatusCode::kCorrupt, std::move(message)); }

// Returns true when [offset, offset + size) lies within [0, limit), without
// overflowing.
bool fits(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

// Location of the central directory, from the end records.
struct DirectoryLocation {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t entries = 0;
};

// Returns the offset of the end-of-central-directory record that libarchive
// picks: the last signature in the last 16 KiB that leaves room for the record.
Result<std::size_t> findEndRecord(std::span<const std::uint8_t> zip) {
  if (zip.size() < kEndSize) return corrupt("the file is too short for a zip end record");
  const std::size_t searchStart = zip.size() > kEndSearchBytes ? zip.size() - kEndSearchBytes : 0;
  for (std::size_t position = zip.size() - kEndSize + 1; position-- > searchStart;) {
    if (read32(zip, position) != kEndSignature) continue;
    // NOTE: whether libarchive 3.6 finds a record that starts exactly at the start
    // of its search window is not checked, so such files go to libarchive.
    if (position == searchStart && searchStart > 0) {
      return unsupported("the end record is at the edge of the searched area");
    }
    return position;
  }
  return corrupt("no end-of-central-directory record in the last 16 KiB");
}

// Reads the zip64 end record that the locator before the end record points to.
Result<DirectoryLocation> readZip64End(std::span<const std::uint8_t> zip, std::size_t locator) {
  if (read32(zip, locator + 4) != 0 || read32(zip, locator + 16) != 1) {
    return unsupported("the zip64 locator names more than one volume");
  }
  const std::uint64_t recordOffset = read64(zip, locator + 8);
  if (!fits(recordOffset, kZip64EndMinSize, locator)) {
    return corrupt("the zip64 locator does not point to a zip64 end record");
  }
  const auto record = static_cast<std::size_t>(recordOffset);
  if (read32(zip, record) != kZip64EndSignature) {
    return corrupt("the zip64 locator does not point to a zip64 end record");
  }
  const std::uint64_t recordSize = read64(zip, record + 4);
  if (recordSize > kZip64EndMaxSize || recordSize + 12 < kZip64EndMinSize ||
      record + 12 + recordSize != locator) {
    return unsupported("the zip64 end record does not end at its locator");
  }
  if (read32(zip, record + 16) != 0 || read32(zip, record + 20) != 0 ||
      read64(zip, record + 24) != read64(zip, record + 32)) {
    return unsupported("the zip64 end record names more than one volume");
  }

  DirectoryLocation location;
  location.entries = read64(zip, record + 32);
  location.size = read64(zip, record + 40);
  location.offset = read64(zip, record + 48);
  if (!fits(location.offset, location.size, record) || location.offset + location.size != record) {
    return unsupported("the central directory does not end at the zip64 end record");
  }
  return location;
}

Result<DirectoryLocation> locateDirectory(std::span<const std::uint8_t> zip) {
  auto end = findEndRecord(zip);
  if (!end.ok()) return end.status();
  const std::size_t position = *end;

  if (position + kEndSize + read16(zip, position + 20) != zip.size()) {
    return unsupported("bytes after the zip comment, or a comment length that does not match");
  }
  const std::uint16_t entriesOnDisk = read16(zip, position + 8);
  const std::uint16_t entries = read16(zip, position + 10);
  if (read16(zip, position + 4) != 0 || read16(zip, position + 6) != 0 ||
      entriesOnDisk != entries) {
    return unsupported("the zip file spans several volumes");
  }
  const std::uint32_t size = read32(zip, position + 12);
  const std::uint32_t offset = read32(zip, position + 16);

  const bool hasLocator = position >= kZip64LocatorSize &&
                          read32(zip, position - kZip64LocatorSize) == kZip64LocatorSignature;
  if (hasLocator) {
    auto location = readZip64End(zip, position - kZip64LocatorSize);
    if (!location.ok()) return location.status();
    if ((entries != kMax16 && entries != location->entries) ||
        (size != kMax32 && size != location->size) ||
        (offset != kMax32 && offset != location->offset)) {
      return corrupt("the end record and the zip64 end record disagree");
    }
    return location;
  }

  if (entries == kMax16 || size == kMax32 || offset == kMax32) {
    return unsupported("zip64 values in the end record without a zip64 end record");
  }
  if (!fits(offset, size, position) || offset + size != position) {
    return unsupported("the central directory does not end at the end record");
  }
  return DirectoryLocation{offset, size, entries};
}

// The 64-bit values that a zip64 extra field carries in place of fields set to
// 0xFFFFFFFF, in the order the format stores them.
struct Zip64Values {
  bool needUncompressed = false;
  bool needCompressed = false;
  bool needOffset = false;
  std::uint64_t uncompressed = 0;
  std::uint64_t compressed = 0;
  std::uint64_t offset = 0;
};

// Reads the next 8-byte zip64 value when `needed`, the way libarchive does.
Status takeZip64Value(std::span<const std::uint8_t> field, std::size_t& position, bool needed,
                      std::uint64_t& value, std::string_view what) {
  if (!needed) return Status::success();
  if (field.size() - position < 8 || read64(field, position) > kMaxOffset) {
    return corrupt("the zip64 extra field has no valid " + std::string(what));
  }
  value = read64(field, position);
  position += 8;
  return Status::success();
}

// Checks the extra fields of one header and reads its zip64 values. Fields that
// libarchive interprets in a way this reader does not model (the 'xl' attributes,
// the Unicode path, WinZip AES) send the file to libarchive.
Status readExtraFields(std::span<const std::uint8_t> extra, Zip64Values& zip64) {
  bool sawZip64 = false;
  std::size_t position = 0;
  while (extra.size() - position >= 4) {
    const std::uint16_t id = read16(extra, position);
    const std::uint16_t size = read16(extra, position + 2);
    position += 4;
    if (size > extra.size() - position) return corrupt("an extra field overruns its header");
    const std::span<const std::uint8_t> field = extra.subspan(position, size);
    position += size;

    switch (id) {
      case kExtraZip64: {
        if (sawZip64) return unsupported("two zip64 extra fields");
        sawZip64 = true;
        std::size_t offset = 0;
        Status status = takeZip64Value(field, offset, zip64.needUncompressed, zip64.uncompressed,
                                       "uncompressed size");
        if (status.ok()) {
          status = takeZip64Value(field, offset, zip64.needCompressed, zip64.compressed,
                                  "compressed size");
        }
        if (status.ok()) {
          status =
              takeZip64Value(field, offset, zip64.needOffset, zip64.offset, "local header offset");
        }
        if (!status.ok()) return status;
        break;
      }
      case kExtraExtendedTime:
        if (size == 0) return corrupt("an empty extended time field");
        break;
      case 0x6C78:  // Info-ZIP 'xl': file attributes in the local header
      case 0x7075:  // Info-ZIP Unicode path
      case 0x9901:  // WinZip AES encryption
        return unsupported("an extra field that changes the entry's type, name or method");
      default:
        break;  // times, owners and other fields that do not change what is scanned
    }
  }
  if (position != extra.size()) return unsupported("bytes after the last extra field");

  const bool missing =
      (zip64.needUncompressed || zip64.needCompressed || zip64.needOffset) && !sawZip64;
  if (missing) return unsupported("a field set to 0xFFFFFFFF without a zip64 extra field");
  return Status::success();
}

Status checkName(std::string_view name) {
  if (name.empty()) return unsupported("an entry without a name");
  const bool plain = std::all_of(name.begin(), name.end(),
                                 [](char c) { return c >= 0x20 && c <= 0x7E && c != '\\'; });
  // libarchive converts other names between character sets and, for names
  // written on Windows, turns backslashes into slashes.
  if (!plain) return unsupported("a name that is not printable ASCII without backslashes");
  return Status::success();
}

enum class EntryType { kFile, kFolder, kOther };

// Derives the entry type the way libarchive does: Unix attributes for Unix
// hosts, the MS-DOS folder bit (and its read-only quirk) for MS-DOS hosts, and a
// trailing '/' that makes any entry a folder.
EntryType entryType(std::uint8_t system, std::uint32_t attributes, std::string_view name) {
  std::uint32_t mode = 0;
  if (system == kSystemUnix) {
    mode = attributes >> 16;
  } else if (system == kSystemDos) {
    mode = (attributes & 0x10) != 0 ? (kTypeFolder | 0775) : (kTypeRegular | 0664);
    if ((attributes & 0x01) != 0) mode &= 0555;  // read-only; this also clears the type
  }
  const std::uint32_t type = mode & kTypeMask;
  if (type == kTypeFolder || name.ends_with('/')) return EntryType::kFolder;
  if (type == 0 || type == kTypeRegular || type == kTypeFifo) return EntryType::kFile;
  return EntryType::kOther;
}

// One central directory record, with what is needed to check its local header.
struct CentralRecord {
  ZipEntry entry;
  std::uint16_t method = 0;
  std::uint64_t localHeaderOffset = 0;
};

Result<CentralRecord> readCentralRecord(std::span<const std::uint8_t> directory,
                                        std::size_t& position) {
  if (directory.size() - position < kCentralHeaderSize ||
      read32(directory, position) != kCentralHeaderSignature) {
    return corrupt("a central directory record is missing or truncated");
  }
  const std::span<const std::uint8_t> header = directory.subspan(position, kCentralHeaderSize);
  const std::size_t nameSize = read16(header, 28);
  const std::size_t extraSize = read16(header, 30);
  const std::size_t commentSize = read16(header, 32);
  if (directory.size() - position - kCentralHeaderSize < nameSize + extraSize + commentSize) {
    return corrupt("a central directory record overruns the directory");
  }
  const std::span<const std::uint8_t> name =
      directory.subspan(position + kCentralHeaderSize, nameSize);
  const std::span<const std::uint8_t> extra =
      directory.subspan(position + kCentralHeaderSize + nameSize, extraSize);
  position += kCentralHeaderSize + nameSize + extraSize + commentSize;

  CentralRecord record;
  record.entry.name = std::string_view(reinterpret_cast<const char*>(name.data()), name.size());
  if (Status status = checkName(record.entry.name); !status.ok()) return status;
  const std::string where = " in entry '" + std::string(record.entry.name) + "'";

  const std::uint16_t flags = read16(header, 8);
  if ((flags & (kFlagEncrypted | kFlagStrongEncryption | kFlagDirectoryEncrypted)) != 0) {
    return unsupported("encryption" + where);
  }
  record.method = read16(header, 10);
  if (record.method != kMethodStored && record.method != kMethodDeflated) {
    return unsupported("compression method " + std::to_string(record.method) + where);
  }
  if (read16(header, 34) != 0) return unsupported("a start volume other than 0" + where);

  record.entry.crc32 = read32(header, 16);
  Zip64Values zip64;
  zip64.needCompressed = read32(header, 20) == kMax32;
  zip64.needUncompressed = read32(header, 24) == kMax32;
  zip64.needOffset = read32(header, 42) == kMax32;
  if (Status status = readExtraFields(extra, zip64); !status.ok()) {
    return status.withContext("central directory record of entry '" +
                              std::string(record.entry.name) + "'");
  }
  record.entry.compressedSize = zip64.needCompressed ? zip64.compressed : read32(header, 20);
  record.entry.uncompressedSize = zip64.needUncompressed ? zip64.uncompressed : read32(header, 24);
  record.localHeaderOffset = zip64.needOffset ? zip64.offset : read32(header, 42);

  const EntryType type = entryType(header[5], read32(header, 38), record.entry.name);
  if (type == EntryType::kOther) return unsupported("a link or device entry" + where);
  record.entry.folder = type == EntryType::kFolder;
  record.entry.deflated = record.method == kMethodDeflated;
  return record;
}

// A size or CRC-32 in the local header must be absent (zero, with a data
// descriptor after the data) or equal to the central directory's, which
// libarchive then uses.
bool agrees(std::uint64_t local, std::uint64_t central) { return local == 0 || local == central; }

Status checkSizes(const ZipEntry& entry) {
  if (!entry.deflated && entry.compressedSize != entry.uncompressedSize) {
    return corrupt("a stored entry whose two sizes differ");
  }
  // libarchive returns an empty member for any entry without data.
  if (entry.compressedSize == 0 && entry.uncompressedSize != 0) {
    return unsupported("an entry without data but with a size");
  }
  return Status::success();
}

// Checks the local header of `record` against its central directory record and
// sets the entry's data offset. `dataLimit` is where the central directory
// starts.
Status readLocalHeader(std::span<const std::uint8_t> zip, std::uint64_t dataLimit,
                       CentralRecord& record) {
  const std::uint64_t offset = record.localHeaderOffset;
  if (!fits(offset, kLocalHeaderSize, dataLimit) ||
      read32(zip, static_cast<std::size_t>(offset)) != kLocalHeaderSignature) {
    return corrupt("no local header at the offset the central directory gives");
  }
  const std::span<const std::uint8_t> header =
      zip.subspan(static_cast<std::size_t>(offset), kLocalHeaderSize);
  const std::size_t nameSize = read16(header, 26);
  const std::size_t extraSize = read16(header, 28);
  if (!fits(offset + kLocalHeaderSize, nameSize + extraSize, dataLimit)) {
    return corrupt("a local header overruns the data area");
  }
  const auto nameOffset = static_cast<std::size_t>(offset + kLocalHeaderSize);
  const std::span<const std::uint8_t> name = zip.subspan(nameOffset, nameSize);
  const std::span<const std::uint8_t> extra = zip.subspan(nameOffset + nameSize, extraSize);

  ZipEntry& entry = record.entry;
  if (name.size() != entry.name.size() ||
      std::memcmp(name.data(), entry.name.data(), name.size()) != 0) {
    return unsupported("a local header name that differs from the central directory's");
  }
  const std::uint16_t flags = read16(header, 6);
  if ((flags & (kFlagEncrypted | kFlagStrongEncryption)) != 0) {
    return unsupported("encryption in the local header");
  }
  if (read16(header, 8) != record.method) {
    return unsupported("a local header method that differs from the central directory's");
  }

  Zip64Values zip64;
  zip64.needCompressed = read32(header, 18) == kMax32;
  zip64.needUncompressed = read32(header, 22) == kMax32;
  if (Status status = readExtraFields(extra, zip64); !status.ok()) {
    return status.withContext("local header");
  }
  const std::uint64_t compressed = zip64.needCompressed ? zip64.compressed : read32(header, 18);
  const std::uint64_t uncompressed =
      zip64.needUncompressed ? zip64.uncompressed : read32(header, 22);
  if (!agrees(read32(header, 14), entry.crc32) || !agrees(compressed, entry.compressedSize) ||
      !agrees(uncompressed, entry.uncompressedSize)) {
    return unsupported("a local header whose sizes or CRC-32 differ from the central directory's");
  }

  entry.dataOffset = offset + kLocalHeaderSize + nameSize + extraSize;
  if (!fits(entry.dataOffset, entry.compressedSize, dataLimit)) {
    return corrupt("member data that overruns the central directory");
  }
  return checkSizes(entry);
}

// Sorts the records into local header order and rejects overlapping entries,
// which libarchive would read differently (it drops a second entry at the same
// offset, for one).
Status orderByOffset(std::vector<CentralRecord>& records) {
  std::sort(records.begin(), records.end(), [](const CentralRecord& a, const CentralRecord& b) {
    return a.localHeaderOffset < b.localHeaderOffset;
  });
  for (std::size_t i = 1; i < records.size(); ++i) {
    const ZipEntry& previous = records[i - 1].entry;
    if (previous.dataOffset + previous.compressedSize > records[i].localHeaderOffset) {
      return unsupported("entries whose data overlap");
    }
  }
  return Status::success();
}

}  // namespace

Result<std::vector<ZipEntry>> readZipDirectory(std::span<const std::uint8_t> zip) {
  auto location = locateDirectory(zip);
  if (!location.ok()) return location.status();

  const std::span<const std::uint8_t> directory = zip.subspan(
      static_cast<std::size_t>(location->offset), static_cast<std::size_t>(location->size));
  std::vector<CentralRecord> records;
  // Every record takes at least 46 bytes, which bounds the reservation.
  records.reserve(static_cast<std::size_t>(
      std::min<std::uint64_t>(location->entries, directory.size() / kCentralHeaderSize)));
  std::size_t position = 0;
  for (std::uint64_t i = 0; i < location->entries; ++i) {
    auto record = readCentralRecord(directory, position);
    if (!record.ok()) return record.status();
    if (Status status = readLocalHeader(zip, location->offset, *record); !status.ok()) {
      return status.withContext("entry '" + std::string(record->entry.name) + "'");
    }
    records.push_back(std::move(record).value());
  }
  if (position != directory.size()) {
    return corrupt("the central directory holds more records than the end record counts");
  }
  if (Status status = orderByOffset(records); !status.ok()) return status;

  std::vector<ZipEntry> entries;
  entries.reserve(records.size());
  for (const CentralRecord& record : records) entries.push_back(record.entry);
  return entries;
}

}  // namespace odscan::engine
