// readZipDirectory(): the zip files it accepts for the engine's own reader and
// the ones it leaves to libarchive. The zips are built field by field so that each
// test can break exactly one thing.
#include "zip_directory.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace odscan::engine {
namespace {

void put16(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}

void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xFFFF);
  put16(out, value >> 16);
}

void put64(std::string& out, std::uint64_t value) {
  put32(out, static_cast<std::uint32_t>(value));
  put32(out, static_cast<std::uint32_t>(value >> 32));
}

std::uint32_t crcOf(const std::string& data) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// Returns `data` compressed as a raw deflate stream.
std::string rawDeflate(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Designated initializers set the fields a test needs; the rest keep these
// defaults (each has one, so that -Wmissing-field-initializers stays quiet).
struct TestEntry {
  std::string name = {};
  std::string data = {};  // uncompressed
  bool deflate = false;
  std::uint16_t flags = 0;
  std::uint16_t madeBy = 0x031E;  // Unix host, version 3.0
  std::uint32_t attributes = 0100644u << 16;
  std::string centralExtra = {};
  std::string localExtra = {};
  std::optional<std::string> localName = std::nullopt;
  std::optional<std::uint32_t> localUncompressedSize = std::nullopt;
  bool dataDescriptor = false;  // zero CRC-32 and sizes in the local header
  bool zip64Sizes = false;      // 0xFFFFFFFF sizes and a zip64 extra field
};

// Writes a zip from `entries`; the options break the end record.
struct ZipLayout {
  std::string comment;
  std::string trailing;  // bytes after the comment
  std::optional<std::uint16_t> entryCount;
  std::uint16_t disk = 0;
  std::optional<std::uint32_t> directoryOffset;
  // Central records in this order (indexes into the entries); all by default.
  std::vector<std::size_t> order;
};

std::string zip64Extra(std::uint64_t uncompressed, std::uint64_t compressed) {
  std::string extra;
  put16(extra, 0x0001);
  put16(extra, 16);
  put64(extra, uncompressed);
  put64(extra, compressed);
  return extra;
}

std::string buildZip(const std::vector<TestEntry>& entries, const ZipLayout& layout = {}) {
  std::string zip;
  std::vector<std::uint32_t> offsets;
  std::vector<std::string> stored;
  for (const TestEntry& entry : entries) {
    offsets.push_back(static_cast<std::uint32_t>(zip.size()));
    stored.push_back(entry.deflate ? rawDeflate(entry.data) : entry.data);
    const std::string& body = stored.back();
    const std::string name = entry.localName.value_or(entry.name);
    std::string extra = entry.localExtra;
    if (entry.zip64Sizes) extra += zip64Extra(entry.data.size(), body.size());

    put32(zip, 0x04034B50);
    put16(zip, 20);
    put16(zip, entry.flags);
    put16(zip, entry.deflate ? 8 : 0);
    put32(zip, 0);  // time and date
    std::uint32_t crc = crcOf(entry.data);
    auto compressedSize = static_cast<std::uint32_t>(body.size());
    std::uint32_t uncompressedSize =
        entry.localUncompressedSize.value_or(static_cast<std::uint32_t>(entry.data.size()));
    if (entry.zip64Sizes) {
      compressedSize = 0xFFFFFFFF;
      uncompressedSize = 0xFFFFFFFF;
    }
    if (entry.dataDescriptor) {
      crc = 0;
      compressedSize = 0;
      uncompressedSize = 0;
    }
    put32(zip, crc);
    put32(zip, compressedSize);
    put32(zip, uncompressedSize);
    put16(zip, static_cast<std::uint32_t>(name.size()));
    put16(zip, static_cast<std::uint32_t>(extra.size()));
    zip += name + extra + body;
  }

  std::vector<std::size_t> order = layout.order;
  if (order.empty()) {
    for (std::size_t i = 0; i < entries.size(); ++i) order.push_back(i);
  }
  const auto directoryOffset = static_cast<std::uint32_t>(zip.size());
  for (const std::size_t i : order) {
    const TestEntry& entry = entries[i];
    std::string extra = entry.centralExtra;
    if (entry.zip64Sizes) extra += zip64Extra(entry.data.size(), stored[i].size());
    put32(zip, 0x02014B50);
    put16(zip, entry.madeBy);
    put16(zip, 20);
    put16(zip, entry.flags);
    put16(zip, entry.deflate ? 8 : 0);
    put32(zip, 0);
    put32(zip, crcOf(entry.data));
    put32(zip, entry.zip64Sizes ? 0xFFFFFFFF : static_cast<std::uint32_t>(stored[i].size()));
    put32(zip, entry.zip64Sizes ? 0xFFFFFFFF : static_cast<std::uint32_t>(entry.data.size()));
    put16(zip, static_cast<std::uint32_t>(entry.name.size()));
    put16(zip, static_cast<std::uint32_t>(extra.size()));
    put16(zip, 0);  // comment
    put16(zip, 0);  // start volume
    put16(zip, 0);  // internal attributes
    put32(zip, entry.attributes);
    put32(zip, offsets[i]);
    zip += entry.name + extra;
  }
  const auto directorySize = static_cast<std::uint32_t>(zip.size() - directoryOffset);

  const std::uint16_t count = layout.entryCount.value_or(static_cast<std::uint16_t>(order.size()));
  put32(zip, 0x06054B50);
  put16(zip, layout.disk);
  put16(zip, layout.disk);
  put16(zip, count);
  put16(zip, count);
  put32(zip, directorySize);
  put32(zip, layout.directoryOffset.value_or(directoryOffset));
  put16(zip, static_cast<std::uint32_t>(layout.comment.size()));
  zip += layout.comment + layout.trailing;
  return zip;
}

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Returns the status of reading `zip`, so that each error test checks one code.
StatusCode statusOf(const std::string& zip) {
  return readZipDirectory(bytesOf(zip)).status().code();
}

// --- accepted zips ---------------------------------------------------------------

TEST(ZipDirectoryTest, StoredAndDeflatedEntriesAreListed) {
  const std::string zip =
      buildZip({{.name = "a.txt", .data = "alpha"},
                {.name = "dir/b.txt", .data = std::string(300, 'b'), .deflate = true}});

  auto entries = readZipDirectory(bytesOf(zip));

  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 2u);
  const ZipEntry& first = (*entries)[0];
  EXPECT_EQ(first.name, "a.txt");
  EXPECT_FALSE(first.deflated);
  EXPECT_EQ(first.uncompressedSize, 5u);
  EXPECT_EQ(zip.substr(static_cast<std::size_t>(first.dataOffset), 5), "alpha");
  const ZipEntry& second = (*entries)[1];
  EXPECT_TRUE(second.deflated);
  EXPECT_EQ(second.uncompressedSize, 300u);
  EXPECT_EQ(second.crc32, crcOf(std::string(300, 'b')));
}

TEST(ZipDirectoryTest, EntriesComeInLocalHeaderOrder) {
  ZipLayout layout;
  layout.order = {2, 0, 1};
  const std::string zip = buildZip({{.name = "first", .data = "1"},
                                    {.name = "second", .data = "2"},
                                    {.name = "third", .data = "3"}},
                                   layout);

  auto entries = readZipDirectory(bytesOf(zip));

  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "first");
  EXPECT_EQ((*entries)[1].name, "second");
  EXPECT_EQ((*entries)[2].name, "third");
}

TEST(ZipDirectoryTest, FolderTypesFollowLibarchive) {
  const std::string zip = buildZip({
      {.name = "slash/", .data = ""},
      {.name = "unix-folder", .data = "", .attributes = 040755u << 16},
      {.name = "dos-folder", .data = "", .madeBy = 0x0014, .attributes = 0x10},
      // libarchive's read-only mask clears the folder type of an MS-DOS entry.
      {.name = "dos-read-only-folder", .data = "x", .madeBy = 0x0014, .attributes = 0x11},
      {.name = "fifo", .data = "y", .attributes = 010644u << 16},
  });

  auto entries = readZipDirectory(bytesOf(zip));

  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_TRUE((*entries)[0].folder);
  EXPECT_TRUE((*entries)[1].folder);
  EXPECT_TRUE((*entries)[2].folder);
  EXPECT_FALSE((*entries)[3].folder);
  EXPECT_FALSE((*entries)[4].folder);
}

TEST(ZipDirectoryTest, DataDescriptorEntriesUseCentralValues) {
  const std::string zip = buildZip({{.name = "streamed.txt",
                                     .data = "streamed data",
                                     .deflate = true,
                                     .flags = 8,
                                     .dataDescriptor = true}});

  auto entries = readZipDirectory(bytesOf(zip));

  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  EXPECT_EQ((*entries)[0].uncompressedSize, 13u);
  EXPECT_EQ((*entries)[0].crc32, crcOf("streamed data"));
}

TEST(ZipDirectoryTest, Zip64ExtraFieldsGiveSizes) {
  const std::string zip = buildZip(
      {{.name = "big.bin", .data = std::string(1000, 'z'), .deflate = true, .zip64Sizes = true}});

  auto entries = readZipDirectory(bytesOf(zip));

  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  EXPECT_EQ((*entries)[0].uncompressedSize, 1000u);
  EXPECT_LT((*entries)[0].compressedSize, 1000u);
}

TEST(ZipDirectoryTest, TimeAndOwnerExtraFieldsAreAccepted) {
  std::string extra;
  put16(extra, 0x5455);  // extended time
  put16(extra, 5);
  extra += std::string("\x01\x00\x00\x00\x00", 5);
  put16(extra, 0x7875);  // Unix owner
  put16(extra, 11);
  extra += std::string("\x01\x04\xE8\x03\x00\x00\x04\xE8\x03\x00\x00", 11);

  const std::string zip =
      buildZip({{.name = "a", .data = "a", .centralExtra = extra, .localExtra = extra}});

  EXPECT_EQ(statusOf(zip), StatusCode::kOk);
}

TEST(ZipDirectoryTest, CommentAfterEndRecordIsAccepted) {
  ZipLayout layout;
  layout.comment = "a zip comment";

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "a"}}, layout)), StatusCode::kOk);
}

TEST(ZipDirectoryTest, ZipWithoutEntriesIsEmpty) {
  auto entries = readZipDirectory(bytesOf(buildZip({})));

  ASSERT_TRUE(entries.ok()) << entries.status().toString();
  EXPECT_TRUE(entries->empty());
}

// --- zips left to libarchive ---------------------------------------------------------

TEST(ZipDirectoryTest, EncryptedEntryIsUnsupported) {
  EXPECT_EQ(statusOf(buildZip({{.name = "secret", .data = "x", .flags = 1}})),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, OtherMethodIsUnsupported) {
  std::string zip = buildZip({{.name = "a", .data = "x"}});
  // Method field of the local header (offset 8) and the central record (46 + 10).
  zip[8] = 12;
  zip[zip.find("PK\x01\x02") + 10] = 12;

  EXPECT_EQ(statusOf(zip), StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, NonAsciiOrBackslashNameIsUnsupported) {
  EXPECT_EQ(statusOf(buildZip({{.name = "caf\xC3\xA9", .data = "x"}})),
            StatusCode::kUnsupportedVersion);
  EXPECT_EQ(statusOf(buildZip({{.name = "dir\\file", .data = "x"}})),
            StatusCode::kUnsupportedVersion);
  EXPECT_EQ(statusOf(buildZip({{.name = "", .data = "x"}})), StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, SymbolicLinkIsUnsupported) {
  EXPECT_EQ(statusOf(buildZip({{.name = "link", .data = "target", .attributes = 0120777u << 16}})),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, LocalNameMismatchIsUnsupported) {
  EXPECT_EQ(statusOf(buildZip({{.name = "central", .data = "x", .localName = "localxx"}})),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, LocalSizeMismatchIsUnsupported) {
  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "abc", .localUncompressedSize = 7}})),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, OverlappingEntriesAreUnsupported) {
  // Two central records for the same local header.
  ZipLayout layout;
  layout.order = {0, 0};

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "data"}}, layout)),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, EntryCountMismatchIsCorrupt) {
  ZipLayout layout;
  layout.entryCount = 1;

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1"}, {.name = "b", .data = "2"}}, layout)),
            StatusCode::kCorrupt);
}

TEST(ZipDirectoryTest, SpannedArchiveIsUnsupported) {
  ZipLayout layout;
  layout.disk = 1;

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1"}}, layout)),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, BytesAfterCommentAreUnsupported) {
  ZipLayout layout;
  layout.trailing = "trailing bytes";

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1"}}, layout)),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, PrependedBytesAreUnsupported) {
  ZipLayout layout;
  layout.directoryOffset = 0;  // as if the zip had been appended to other bytes

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1"}}, layout)),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, ExtraFieldOverrunIsCorrupt) {
  std::string extra;
  put16(extra, 0x5455);
  put16(extra, 40);  // claims more bytes than follow
  extra += "x";

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1", .centralExtra = extra}})),
            StatusCode::kCorrupt);
}

TEST(ZipDirectoryTest, AttributeExtraFieldIsUnsupported) {
  std::string extra;
  put16(extra, 0x6C78);  // Info-ZIP 'xl', which libarchive reads file types from
  put16(extra, 1);
  extra.push_back('\0');

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1", .localExtra = extra}})),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, Zip64MarkerWithoutRecordIsUnsupported) {
  ZipLayout layout;
  layout.entryCount = 0xFFFF;

  EXPECT_EQ(statusOf(buildZip({{.name = "a", .data = "1"}}, layout)),
            StatusCode::kUnsupportedVersion);
}

TEST(ZipDirectoryTest, StoredEntryWithTwoSizesIsCorrupt) {
  std::string zip = buildZip({{.name = "a", .data = "abc", .dataDescriptor = true}});
  // Uncompressed size of the central record: 4 instead of 3.
  zip[zip.find("PK\x01\x02") + 24] = 4;

  EXPECT_EQ(statusOf(zip), StatusCode::kCorrupt);
}

TEST(ZipDirectoryTest, DataPastDirectoryIsCorrupt) {
  std::string zip = buildZip({{.name = "a", .data = "abc", .dataDescriptor = true}});
  // Both sizes of the central record: 200, past the start of the directory.
  const std::size_t record = zip.find("PK\x01\x02");
  zip[record + 20] = static_cast<char>(200);
  zip[record + 24] = static_cast<char>(200);

  EXPECT_EQ(statusOf(zip), StatusCode::kCorrupt);
}

TEST(ZipDirectoryTest, TruncatedZipIsCorrupt) {
  const std::string zip = buildZip({{.name = "a", .data = "abc"}});

  EXPECT_EQ(statusOf(zip.substr(0, zip.size() - 5)), StatusCode::kCorrupt);
  EXPECT_EQ(statusOf(""), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace odscan::engine
