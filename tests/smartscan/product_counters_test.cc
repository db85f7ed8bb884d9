#include "odscan/smartscan/product_counters.h"

#include <gtest/gtest.h>

#include <thread>

namespace odscan::smartscan {
namespace {

std::uint64_t countOf(http::MetricsRegistry& registry, const std::string& product) {
  return registry.counter("products_total", "", {{"product", product}}).value();
}

TEST(ProductCountersTest, CountsEachProduct) {
  http::MetricsRegistry registry;
  ProductCounters counters(registry, "products_total");

  counters.count("scanner/1.0");
  counters.count("scanner/1.0");
  counters.count("agent/2");

  EXPECT_EQ(countOf(registry, "scanner/1.0"), 2u);
  EXPECT_EQ(countOf(registry, "agent/2"), 1u);
}

TEST(ProductCountersTest, ProductsBeyondCapCountAsOther) {
  http::MetricsRegistry registry;
  ProductCounters counters(registry, "products_total", 2);

  counters.count("a");
  counters.count("b");
  counters.count("c");
  counters.count("a");

  EXPECT_EQ(countOf(registry, "a"), 2u);
  EXPECT_EQ(countOf(registry, "other"), 1u);
  EXPECT_EQ(registry.render().find("product=\"c\""), std::string::npos);
}

TEST(ProductCountersTest, ConcurrentNewProductsGetOneSeriesEach) {
  http::MetricsRegistry registry;
  ProductCounters counters(registry, "products_total", 8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) counters.count("p" + std::to_string(i % 8));
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (int i = 0; i < 8; ++i) EXPECT_EQ(countOf(registry, "p" + std::to_string(i)), 500u);
  EXPECT_EQ(countOf(registry, "other"), 0u);
}

// Error paths.

TEST(ProductCountersTest, MissingAndInvalidNamesHaveOwnLabels) {
  http::MetricsRegistry registry;
  ProductCounters counters(registry, "products_total");

  counters.count(std::nullopt);
  counters.count("");
  counters.count(std::string(65, 'x'));
  counters.count("bad\x01name");
  counters.count("other");

  EXPECT_EQ(countOf(registry, "unknown"), 2u);
  EXPECT_EQ(countOf(registry, "invalid"), 2u);
  EXPECT_EQ(countOf(registry, "other"), 1u);
}

}  // namespace
}  // namespace odscan::smartscan
