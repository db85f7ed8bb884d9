// Fuzzes the signature file readers (ClamAV .hdb/.hsb lines and digest lists) and
// the format detection with arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "odscan/pattern/signature_file.h"
#include "odscan/pattern/signature_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const odscan::SignatureFileFormat detected = odscan::detectSignatureFileFormat("fuzz.txt", text);
  for (const odscan::SignatureFileFormat format :
       {odscan::SignatureFileFormat::kClamAvHash, odscan::SignatureFileFormat::kDigestList}) {
    auto entries = odscan::parseSignatureText(text, format, "fuzz");
    if (!entries.ok()) continue;
    // Every accepted signature must be storable in a pattern.
    for (const odscan::SignatureEntry& entry : *entries) {
      if (!odscan::threatNameProblem(entry.signature.threatName).empty()) __builtin_trap();
    }
  }
  (void)detected;
  return 0;
}
