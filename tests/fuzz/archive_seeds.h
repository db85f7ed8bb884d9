// Seed archives for archive_scanner_fuzzer, written in memory with libarchive's
// writer: one small archive per common format, single compressed streams, nesting,
// an encrypted member, untrusted member names and members over the fuzzer's size
// limit. libarchive cannot write cab, rar, lha or arj; run-fuzzers.sh adds small
// samples of those from clamav-testfiles when that package is installed.
#pragma once

#include <filesystem>

namespace odscan::fuzz {

// Writes the seed archives into `folder`, which must exist. Returns false when an
// archive cannot be written; the error is printed to stderr.
bool writeArchiveSeeds(const std::filesystem::path& folder);

// Writes the seeds of zip_reader_fuzzer into `folder` the same way: the zip files
// and gzip streams among the seed archives, nested zips and, when this libarchive
// can write it, a zip with zip64 extensions.
bool writeZipReaderSeeds(const std::filesystem::path& folder);

}  // namespace odscan::fuzz
