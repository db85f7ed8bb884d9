#include "odscan/http/metrics_registry.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <variant>

namespace odscan::http {

struct MetricsRegistry::Series {
  MetricLabels labels;
  std::variant<Counter, Gauge, std::unique_ptr<Histogram>, std::function<double()>> metric;
};

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  Type type = Type::kCounter;
  // A family registered again with another type is our bug; its series are kept
  // alive for the caller's references but never rendered.
  bool hidden = false;
  std::vector<std::unique_ptr<Series>> series;
};

namespace {

void appendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, result.ptr);
  }
}

// Escapes a label value: backslash, double quote and line feed.
void appendLabelValue(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Escapes help text: backslash and line feed.
void appendHelp(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// Appends `name`, then the labels (and `extra`, for a histogram's "le") in braces.
void appendSeriesName(std::string& out, std::string_view name, const MetricLabels& labels,
                      std::string_view extraName = {}, std::string_view extraValue = {}) {
  out += name;
  if (labels.empty() && extraName.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [labelName, labelValue] : labels) {
    if (!first) out += ',';
    first = false;
    out += labelName;
    out += "=\"";
    appendLabelValue(out, labelValue);
    out += '"';
  }
  if (!extraName.empty()) {
    if (!first) out += ',';
    out += extraName;
    out += "=\"";
    out += extraValue;
    out += '"';
  }
  out += '}';
}

void renderHistogram(std::string& out, std::string_view name, const MetricLabels& labels,
                     const Histogram& histogram) {
  const Histogram::Snapshot snapshot = histogram.snapshot();
  const std::string bucketName = std::string(name) + "_bucket";
  const auto& bounds = histogram.upperBounds();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    std::string bound;
    if (i < bounds.size()) {
      appendDouble(bound, bounds[i]);
    } else {
      bound = "+Inf";
    }
    appendSeriesName(out, bucketName, labels, "le", bound);
    out += ' ';
    out += std::to_string(snapshot.cumulativeCounts[i]);
    out += '\n';
  }
  appendSeriesName(out, std::string(name) + "_sum", labels);
  out += ' ';
  appendDouble(out, snapshot.sum);
  out += '\n';
  appendSeriesName(out, std::string(name) + "_count", labels);
  out += ' ';
  out += std::to_string(snapshot.count);
  out += '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> upperBounds)
    : upperBounds_(std::move(upperBounds)),
      counts_(new std::atomic<std::uint64_t>[upperBounds_.size() + 1]) {
  assert(std::is_sorted(upperBounds_.begin(), upperBounds_.end()));
  for (std::size_t i = 0; i <= upperBounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double value) {
  // A linear scan beats a binary search for the dozen or so bounds in use, and
  // most observations land in the first few buckets.
  std::size_t bucket = 0;
  while (bucket < upperBounds_.size() && value > upperBounds_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.cumulativeCounts.resize(upperBounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upperBounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulativeCounts[i] = running;
  }
  snapshot.count = running;
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> latencyBucketsSeconds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0};
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series& MetricsRegistry::findOrAdd(std::string_view name, std::string_view help,
                                                    Type type, const MetricLabels& labels,
                                                    const std::vector<double>* upperBounds) {
  Family* family = nullptr;
  for (const auto& candidate : families_) {
    if (candidate->name == name && !candidate->hidden) family = candidate.get();
  }
  if (family != nullptr && family->type != type) {
    assert(false && "a metric name was registered with two types");
    family = nullptr;
    families_.push_back(std::make_unique<Family>(Family{std::string(name), "", type, true, {}}));
    family = families_.back().get();
  }
  if (family == nullptr) {
    families_.push_back(
        std::make_unique<Family>(Family{std::string(name), std::string(help), type, false, {}}));
    family = families_.back().get();
  }

  for (const auto& series : family->series) {
    if (series->labels == labels) return *series;
  }
  auto series = std::make_unique<Series>();
  series->labels = labels;
  if (type == Type::kCounter) {
    series->metric.emplace<Counter>();
  } else if (type == Type::kHistogram) {
    series->metric = std::make_unique<Histogram>(*upperBounds);
  } else {
    series->metric.emplace<Gauge>();
  }
  family->series.push_back(std::move(series));
  return *family->series.back();
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  return std::get<Counter>(findOrAdd(name, help, Type::kCounter, labels, nullptr).metric);
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help,
                              const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  Series& series = findOrAdd(name, help, Type::kGauge, labels, nullptr);
  if (!std::holds_alternative<Gauge>(series.metric)) series.metric.emplace<Gauge>();
  return std::get<Gauge>(series.metric);
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const std::vector<double>& upperBounds,
                                      const MetricLabels& labels) {
  std::lock_guard lock(mutex_);
  Series& series = findOrAdd(name, help, Type::kHistogram, labels, &upperBounds);
  return *std::get<std::unique_ptr<Histogram>>(series.metric);
}

void MetricsRegistry::gaugeFunction(std::string_view name, std::string_view help,
                                    const MetricLabels& labels, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  Series& series = findOrAdd(name, help, Type::kGauge, labels, nullptr);
  series.metric = std::move(read);
}

std::string_view MetricsRegistry::typeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) {
    if (family->hidden || family->series.empty()) continue;
    out += "# HELP ";
    out += family->name;
    out += ' ';
    appendHelp(out, family->help);
    out += "\n# TYPE ";
    out += family->name;
    out += ' ';
    out += typeName(family->type);
    out += '\n';

    for (const auto& series : family->series) {
      if (const auto* histogram = std::get_if<std::unique_ptr<Histogram>>(&series->metric)) {
        renderHistogram(out, family->name, series->labels, **histogram);
        continue;
      }
      appendSeriesName(out, family->name, series->labels);
      out += ' ';
      if (const auto* counter = std::get_if<Counter>(&series->metric)) {
        out += std::to_string(counter->value());
      } else if (const auto* gauge = std::get_if<Gauge>(&series->metric)) {
        out += std::to_string(gauge->value());
      } else {
        appendDouble(out, std::get<std::function<double()>>(series->metric)());
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace odscan::http
