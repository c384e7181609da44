#include "reports/svg_charts.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/escape.h"

namespace reports {

std::string format_us(std::uint64_t us) {
  if (us >= 1'000'000) return fmt::format("{:.1f} s", static_cast<double>(us) / 1e6);
  if (us >= 1'000) return fmt::format("{:.1f} ms", static_cast<double>(us) / 1e3);
  return fmt::format("{} us", us);
}

std::string svg_bar_chart(const std::vector<Bar>& bars, int width) {
  if (bars.empty()) return "<p class=\"empty\">none</p>";
  constexpr int kRow = 24;
  const int kLabel = width >= 1000 ? 250 : 170;
  constexpr int kValue = 64;
  const int bar_space = width - kLabel - kValue;
  std::uint64_t max = 1;
  for (const Bar& b : bars) max = std::max(max, b.value);
  const int height = kRow * static_cast<int>(bars.size()) + 4;
  std::string out = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" role=\"img\">", width, height);
  int y = 2;
  for (const Bar& b : bars) {
    const int w = b.value == 0 ? 0
                               : std::max(2, static_cast<int>(static_cast<double>(b.value) /
                                                             static_cast<double>(max) * bar_space));
    out += fmt::format(
        "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
        "<rect class=\"bar {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\">"
        "<title>{}: {}</title></rect>"
        "<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>",
        kLabel - 8, y + 16, xml_escape(b.label), b.css_class, kLabel, y + 3, w, kRow - 8,
        xml_escape(b.label), b.value, kLabel + w + 6, y + 16, b.value);
    y += kRow;
  }
  return out + "</svg>";
}

std::string svg_latency_histogram(const Histogram& histogram, int width, int height) {
  const std::vector<std::uint64_t>& counts = histogram.counts();
  if (histogram.total() == 0) return "<p class=\"empty\">no appends</p>";
  std::size_t first = 0;
  while (first < counts.size() && counts[first] == 0) ++first;
  const std::size_t n = counts.size() - first;
  constexpr int kBottom = 36;
  constexpr int kTop = 18;
  constexpr int kLeft = 8;
  const int slot = (width - 2 * kLeft) / static_cast<int>(std::max<std::size_t>(n, 1));
  const std::uint64_t max = *std::max_element(counts.begin(), counts.end());
  std::string out = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" role=\"img\">", width, height);
  const int plot = height - kBottom - kTop;
  // Heights on a log scale: policies that return before durability put most appends in the
  // first buckets, and a linear scale would flatten the fsync-bound ones to nothing.
  auto scaled = [&](std::uint64_t c) {
    return std::log1p(static_cast<double>(c)) / std::log1p(static_cast<double>(max));
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t bucket = first + i;
    const std::uint64_t c = counts[bucket];
    const int h = c == 0 ? 0 : std::max(2, static_cast<int>(scaled(c) * plot));
    const int x = kLeft + static_cast<int>(i) * slot;
    out += fmt::format(
        "<rect class=\"bar latency\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2\">"
        "<title>[{}, {}): {} appends</title></rect>",
        x + 2, kTop + plot - h, std::max(slot - 4, 1), h, format_us(Histogram::bucket_low(bucket)),
        format_us(Histogram::bucket_high(bucket)), c);
    if (c != 0) {
      out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                         x + slot / 2, kTop + plot - h - 4, c);
    }
    if (n <= 12 || i % 2 == 0) {
      out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">&lt;{}"
                         "</text>",
                         x + slot / 2, height - kBottom + 16,
                         format_us(Histogram::bucket_high(bucket)));
    }
  }
  out += fmt::format("<line class=\"baseline\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", kLeft,
                     kTop + plot, width - kLeft, kTop + plot);
  out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">append "
                     "latency in virtual time (log2 buckets; bar height log scale)</text>",
                     width / 2, height - 4);
  return out + "</svg>";
}

std::string svg_timeline(const std::vector<TimelineEvent>& events, int width) {
  if (events.empty()) return "";
  constexpr int kHeight = 74;
  constexpr int kPad = 14;
  std::uint64_t start = events.front().time_us;
  std::uint64_t end = start + 1;
  for (const TimelineEvent& e : events) end = std::max(end, e.time_us + e.duration_us);
  const double scale = static_cast<double>(width - 2 * kPad) / static_cast<double>(end - start);
  auto x_of = [&](std::uint64_t t) {
    return kPad + static_cast<int>(static_cast<double>(t - start) * scale);
  };
  std::string out = fmt::format(
      "<svg class=\"timeline\" viewBox=\"0 0 {0} {1}\" role=\"img\">"
      "<line class=\"baseline\" x1=\"{2}\" y1=\"40\" x2=\"{3}\" y2=\"40\"/>",
      width, kHeight, kPad, width - kPad);
  for (const TimelineEvent& e : events) {
    const int x = x_of(e.time_us);
    const std::string title =
        xml_escape(fmt::format("{} {} {}", format_us(e.time_us), e.label, e.detail));
    if (e.kind == "call") {
      const int w = std::max(1, x_of(e.time_us + e.duration_us) - x);
      out += fmt::format("<rect class=\"call{}\" x=\"{}\" y=\"30\" width=\"{}\" height=\"20\">"
                         "<title>{}</title></rect>",
                         e.failed ? " failed" : "", x, w, title);
    } else if (e.kind == "fault") {
      out += fmt::format("<path class=\"fault\" d=\"M{0} 8 L{1} 22 L{2} 22 Z\"><title>{3}</title>"
                         "</path>",
                         x, x + 6, x - 6, title);
    } else if (e.kind == "crash") {
      out += fmt::format("<line class=\"crash\" x1=\"{0}\" y1=\"4\" x2=\"{0}\" y2=\"70\"><title>"
                         "{1}</title></line>",
                         x, title);
    } else if (e.kind == "sync") {
      out += fmt::format("<circle class=\"sync\" cx=\"{}\" cy=\"60\" r=\"3\"><title>{}</title>"
                         "</circle>",
                         x, title);
    } else if (e.kind == "recovery") {
      // File-system calls and log lines are too many to draw: the table lists them.
      out += fmt::format("<rect class=\"recovery\" x=\"{}\" y=\"54\" width=\"4\" height=\"12\">"
                         "<title>{}</title></rect>",
                         x, title);
    }
  }
  out += fmt::format("<text class=\"axis\" x=\"{}\" y=\"72\">{}</text>"
                     "<text class=\"axis\" x=\"{}\" y=\"72\" text-anchor=\"end\">{}</text>",
                     kPad, format_us(start), width - kPad, format_us(end));
  return out + "</svg>";
}

}  // namespace reports
