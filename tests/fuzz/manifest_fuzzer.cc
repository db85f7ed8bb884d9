// Fuzzes the ActiveUpdate manifest parser. Readers parse a manifest only after
// its signature verifies, but a publisher bug or a stolen key can still sign a
// malformed one, so parsing must never crash. A manifest that parses must also
// survive serializeManifest() and parse back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "odscan/activeupdate/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  auto manifest = odscan::activeupdate::parseManifest(input);
  if (!manifest.ok()) return 0;

  for (const auto& entry : manifest->components) (void)manifest->find(entry.name);
  const std::string text = odscan::activeupdate::serializeManifest(*manifest);
  auto again = odscan::activeupdate::parseManifest(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (!again.ok() || !(*again == *manifest)) std::abort();
  return 0;
}
