#include "odscan/smartscan/product_counters.h"

namespace odscan::smartscan {
namespace {

constexpr std::string_view kHelp = "Scan query requests by the product named in X-Odscan-Product";

bool isValidProductName(std::string_view name) {
  if (name.empty() || name.size() > kMaxProductNameLength) return false;
  for (const char c : name) {
    if (c < ' ' || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

ProductCounters::ProductCounters(http::MetricsRegistry& registry, std::string metricName,
                                 std::size_t maxProducts)
    : registry_(registry),
      metricName_(std::move(metricName)),
      maxProducts_(maxProducts),
      slots_(new Slot[maxProducts]),
      unknown_(registry.counter(metricName_, kHelp, {{"product", "unknown"}})),
      invalid_(registry.counter(metricName_, kHelp, {{"product", "invalid"}})),
      other_(registry.counter(metricName_, kHelp, {{"product", "other"}})) {}

void ProductCounters::count(std::optional<std::string_view> product) {
  if (!product || product->empty()) {
    unknown_.increment();
  } else if (!isValidProductName(*product)) {
    invalid_.increment();
  } else {
    counterFor(*product).increment();
  }
}

http::Counter* ProductCounters::findPublished(std::string_view name, std::size_t published) const {
  for (std::size_t i = 0; i < published; ++i) {
    if (slots_[i].name == name) return slots_[i].counter;
  }
  return nullptr;
}

http::Counter& ProductCounters::counterFor(std::string_view name) {
  if (http::Counter* counter = findPublished(name, published_.load(std::memory_order_acquire))) {
    return *counter;
  }

  std::lock_guard lock(addMutex_);
  const std::size_t published = published_.load(std::memory_order_relaxed);
  if (http::Counter* counter = findPublished(name, published)) return *counter;
  if (published == maxProducts_) return other_;
  // The reserved labels stay unambiguous: a product that calls itself "other"
  // still counts as other.
  if (name == "unknown" || name == "invalid" || name == "other") return other_;

  Slot& slot = slots_[published];
  slot.name = std::string(name);
  slot.counter = &registry_.counter(metricName_, kHelp, {{"product", slot.name}});
  // Release: readers that see the new count also see the complete slot.
  published_.store(published + 1, std::memory_order_release);
  return *slot.counter;
}

}  // namespace odscan::smartscan
