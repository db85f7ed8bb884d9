// Payload pieces shared by the Smart Scan Pattern and the Smart Scan Agent Pattern:
// the signature table sections and the check of header counts against the payload.
#pragma once

#include <vector>

#include "odscan/pattern/pattern_file.h"
#include "odscan/pattern/signature_table.h"

namespace odscan::pattern_detail {

// Returns the four table sections (names, then MD5, SHA-1, SHA-256 records) as
// views of `encoded`, ready for encodePayload().
std::vector<PayloadSection> tableSections(const SignatureTable::Encoded& encoded);

// Parses the four table sections. Every one must be present.
Result<SignatureTable> parseTableSections(const PayloadSections& sections);

// Builds the container header for a payload about to be sealed.
PatternHeader headerFor(PatternKind kind, std::uint64_t version, std::int64_t creationTime,
                        std::uint64_t signatureCount, std::uint64_t filterKeyCount);

// Returns a kCorrupt status naming the payload; `reason` follows "payload ".
Status corruptPayload(const std::string& reason);

}  // namespace odscan::pattern_detail
