#include "report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

namespace bench {
namespace {

struct Key {
  std::string work, system, variant, metric;
  auto tie() const { return std::tie(work, system, variant, metric); }
  bool operator<(const Key& other) const { return tie() < other.tie(); }
};

struct Summary {
  double median = 0, low = 0, high = 0;
  std::string unit;
  std::size_t n = 0;
};

using Table = std::map<Key, Summary>;

Table summarize(const std::vector<Sample>& samples) {
  std::map<Key, std::vector<double>> values;
  std::map<Key, std::string> units;
  for (const Sample& s : samples) {
    const Key key{s.work, s.system, s.variant, s.metric};
    values[key].push_back(s.value);
    units[key] = s.unit;
  }
  Table table;
  for (auto& [key, v] : values) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    const double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    table[key] = Summary{median, v.front(), v.back(), units[key], n};
  }
  return table;
}

std::string number(double value) {
  if (value == 0) return "0";
  const double magnitude = std::abs(value);
  if (magnitude >= 1e6) return fmt::format("{:.2f} M", value / 1e6);
  if (magnitude >= 1e4) return fmt::format("{:.1f} k", value / 1e3);
  if (magnitude >= 100) return fmt::format("{:.0f}", value);
  if (magnitude >= 1) return fmt::format("{:.2f}", value);
  if (magnitude >= 0.001) return fmt::format("{:.3f}", value);
  return fmt::format("{:.2g}", value);
}

std::string figure(const Summary& s) {
  return fmt::format("{} ({}–{})", number(s.median), number(s.low), number(s.high));
}

// What each workload's ratio column divides by, and the target the issue sets for ours.
struct Target {
  const char* work;
  const char* ours_variant;
  const char* reference_variant;  // a raw variant
  double min_ratio;
  const char* reference_label;
};
constexpr Target kTargets[] = {
    {"W1", "kNone", "crc32c", 0.55, "raw with crc32c"},
    {"W2", "kImmediate", "fallocated", 0.95, "raw write+fdatasync, fallocated file"},
    {"W3", "kGrouped", "prewritten", 1.0, "ideal group commit, pre-written file"},
    {"W4", "kNone", "crc32c", 0.8, "raw with crc32c"},
    {"W5", "verify", "read+crc32c", 0.7, "sequential read + crc32c, warm"},
};

std::optional<Summary> find(const Table& table, const std::string& work, const std::string& system,
                            const std::string& variant, const std::string& metric) {
  const auto it = table.find(Key{work, system, variant, metric});
  if (it == table.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::string render_report(const std::vector<Sample>& samples, int rounds) {
  const Table table = summarize(samples);
  std::string out;
  out += fmt::format("Medians over {} measured rounds (range min–max in brackets).\n\n", rounds);

  out += "| target | ours | reference | ratio | required | met |\n|---|---|---|---|---|---|\n";
  for (const Target& t : kTargets) {
    const auto ours = find(table, t.work, "wal", t.ours_variant, "throughput");
    const auto ref = find(table, t.work, "raw", t.reference_variant, "throughput");
    if (!ours || !ref) continue;
    const double ratio = ours->median / ref->median;
    out += fmt::format("| {} ours ≥ {:.2f} × {} | {} {} | {} | **{:.2f}** ({:.2f}–{:.2f}) | {:.2f} | {} |\n",
                       t.work, t.min_ratio, t.reference_label, figure(*ours), ours->unit, figure(*ref),
                       ratio, ours->low / ref->high, ours->high / ref->low, t.min_ratio,
                       ratio >= t.min_ratio ? "yes" : "**no**");
  }
  for (const char* work : {"W1", "W3"}) {
    for (const auto& [key, s] : table) {
      if (key.work == work && key.system == "wal" && key.metric == "allocs_per_append") {
        const auto rotations = find(table, key.work, "wal", key.variant, "rotations");
        const auto onto_spare = find(table, key.work, "wal", key.variant, "rotations_onto_spare");
        const auto background = find(table, key.work, "wal", key.variant, "background_allocs");
        const std::string detail =
            rotations && onto_spare && background && rotations->median > 0
                ? fmt::format(" (on the appending thread, across {} rotations, {} onto a spare; "
                              "{} on the spare preparer's thread)",
                              number(rotations->median), number(onto_spare->median),
                              number(background->median))
                : "";
        out += fmt::format("| {} ours: 0 heap allocations per append | {}{} | | | 0 | {} |\n", work,
                           number(s.high), detail, s.high == 0 ? "yes" : "**no**");
      }
    }
  }

  out += "\n| work | system | variant | throughput | unit | × reference | × rocksdb | × leveldb |\n"
         "|---|---|---|---|---|---|---|---|\n";
  for (const Target& t : kTargets) {
    const auto ref = find(table, t.work, "raw", t.reference_variant, "throughput");
    const auto rocks = find(table, t.work, "rocksdb", t.work == std::string("W5") ? "recovery" : "", "throughput");
    const auto level = find(table, t.work, "leveldb", t.work == std::string("W5") ? "recovery" : "", "throughput");
    auto ratio = [](const Summary& s, const std::optional<Summary>& base) {
      return base ? fmt::format("{:.2f}", s.median / base->median) : std::string("–");
    };
    for (const auto& [key, s] : table) {
      if (key.work != t.work || key.metric != "throughput") continue;
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", key.work, key.system,
                         key.variant.empty() ? "–" : key.variant, figure(s), s.unit, ratio(s, ref),
                         ratio(s, rocks), ratio(s, level));
    }
  }

  out += "\n| work | system | variant | p50 µs | p99 µs | max µs | fdatasyncs | allocs/append |\n"
         "|---|---|---|---|---|---|---|---|\n";
  for (const auto& [key, s] : table) {
    if (key.metric != "throughput") continue;
    const auto p50 = find(table, key.work, key.system, key.variant, "p50_latency");
    const auto p99 = find(table, key.work, key.system, key.variant, "p99_latency");
    const auto max = find(table, key.work, key.system, key.variant, "max_latency");
    const auto syncs = find(table, key.work, key.system, key.variant, "fdatasyncs");
    const auto allocs = find(table, key.work, key.system, key.variant, "allocs_per_append");
    if (!p50 && !p99 && !syncs && !allocs) continue;
    auto cell = [](const std::optional<Summary>& v) { return v ? figure(*v) : std::string("–"); };
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", key.work, key.system,
                       key.variant.empty() ? "–" : key.variant, cell(p50), cell(p99), cell(max),
                       cell(syncs), cell(allocs));
  }
  return out;
}

}  // namespace bench
