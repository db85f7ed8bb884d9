#include "odscan/http/metrics_registry.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace odscan::http {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricsRegistryTest, RendersCounterWithHelpAndType) {
  MetricsRegistry registry;
  registry.counter("jobs_total", "Jobs done", {{"kind", "a"}}).increment(3);

  const std::string text = registry.render();

  EXPECT_EQ(text,
            "# HELP jobs_total Jobs done\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{kind=\"a\"} 3\n");
}

TEST(MetricsRegistryTest, SameNameAndLabelsReturnSameCounter) {
  MetricsRegistry registry;
  Counter& first = registry.counter("hits_total", "Hits", {{"x", "1"}});
  Counter& second = registry.counter("hits_total", "Hits", {{"x", "1"}});
  Counter& other = registry.counter("hits_total", "Hits", {{"x", "2"}});

  EXPECT_EQ(&first, &second);
  EXPECT_NE(&first, &other);
}

TEST(MetricsRegistryTest, RendersGaugeAndGaugeFunction) {
  MetricsRegistry registry;
  registry.gauge("depth", "Queue depth").set(-4);
  registry.gaugeFunction("age_seconds", "Age", {}, [] { return 1.5; });

  const std::string text = registry.render();

  EXPECT_TRUE(contains(text, "# TYPE depth gauge\ndepth -4\n")) << text;
  EXPECT_TRUE(contains(text, "age_seconds 1.5\n")) << text;
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram& histogram = registry.histogram("latency_seconds", "Latency", {0.1, 1.0});
  histogram.observe(0.05);
  histogram.observe(0.5);
  histogram.observe(0.5);
  histogram.observe(7.0);

  const std::string text = registry.render();

  EXPECT_TRUE(contains(text, "latency_seconds_bucket{le=\"0.1\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{le=\"1\"} 3\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_bucket{le=\"+Inf\"} 4\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_sum 8.05\n")) << text;
  EXPECT_TRUE(contains(text, "latency_seconds_count 4\n")) << text;
}

TEST(MetricsRegistryTest, HistogramLabelsPrecedeLe) {
  MetricsRegistry registry;
  registry.histogram("d", "D", {1.0}, {{"route", "/x"}}).observe(0.5);

  EXPECT_TRUE(contains(registry.render(), "d_bucket{route=\"/x\",le=\"1\"} 1\n"));
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.counter("c_total", "Help with \\ and\nnewline", {{"v", "a\"b\\c\nd"}}).increment();

  const std::string text = registry.render();

  EXPECT_TRUE(contains(text, "c_total{v=\"a\\\"b\\\\c\\nd\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "# HELP c_total Help with \\\\ and\\nnewline\n")) << text;
}

TEST(MetricsRegistryTest, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry;
  Counter& counter = registry.counter("n_total", "N");
  Histogram& histogram = registry.histogram("h", "H", latencyBucketsSeconds());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        counter.increment();
        histogram.observe(0.001);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(counter.value(), 40000u);
  EXPECT_EQ(histogram.snapshot().count, 40000u);
}

TEST(MetricsRegistryTest, LatencyBucketsSpan50MicrosecondsTo5Seconds) {
  const std::vector<double> buckets = latencyBucketsSeconds();

  ASSERT_FALSE(buckets.empty());
  EXPECT_DOUBLE_EQ(buckets.front(), 0.00005);
  EXPECT_DOUBLE_EQ(buckets.back(), 5.0);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

}  // namespace
}  // namespace odscan::http
