// Inline SVG charts for index.html, drawn here so the page needs no script and no network.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "reports/run_record.h"

namespace reports {

struct Bar {
  std::string label;
  std::uint64_t value = 0;
  std::string css_class;  // colour; "" for the default
};

// Horizontal bars, one row each, with the value printed at the end.
std::string svg_bar_chart(const std::vector<Bar>& bars, int width);
// Vertical bars over power-of-two microsecond buckets.
std::string svg_latency_histogram(const Histogram& histogram, int width, int height);
// A strip of a failure's events over virtual time: calls as ticks, faults and the crash marked.
std::string svg_timeline(const std::vector<TimelineEvent>& events, int width);

// "1.5 ms", "820 us", "2.1 s".
std::string format_us(std::uint64_t us);

}  // namespace reports
