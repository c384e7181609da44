// index.html's coverage section: the crash-site matrix, the fault x recovery-mode table and the
// unreached cells by name. Rows, columns and policies come in the order of the listed cells
// (the matrix's order), so the reports need no knowledge of the harness.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "reports/coverage.h"
#include "reports/escape.h"

namespace reports {
namespace {

// An order for the values of one dimension consistent with every sequence it appears in
// (each row lists its columns in the matrix's order): a topological sort, ties by first
// appearance.
std::vector<std::string> merged_order(const std::vector<std::vector<std::string>>& sequences) {
  std::vector<std::string> first_seen;
  std::map<std::string, std::set<std::string>> after;  // value -> values that must follow it
  std::map<std::string, int> before_count;
  for (const std::vector<std::string>& sequence : sequences) {
    for (std::size_t i = 0; i < sequence.size(); ++i) {
      if (before_count.emplace(sequence[i], 0).second) first_seen.push_back(sequence[i]);
      if (i > 0 && after[sequence[i - 1]].insert(sequence[i]).second) ++before_count[sequence[i]];
    }
  }
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (order.size() < first_seen.size()) {
    auto next = std::find_if(first_seen.begin(), first_seen.end(), [&](const std::string& v) {
      return placed.count(v) == 0 && before_count[v] == 0;
    });
    // A cycle (cells from lists in different orders): take the first value left.
    if (next == first_seen.end()) {
      next = std::find_if(first_seen.begin(), first_seen.end(),
                          [&](const std::string& v) { return placed.count(v) == 0; });
    }
    placed.insert(*next);
    order.push_back(*next);
    for (const std::string& later : after[*next]) --before_count[later];
  }
  return order;
}

// Rows of (row, column, value) cells: the order of each dimension.
struct Grid {
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<std::string> layers;  // crash policies; one empty layer for faults
  std::map<std::tuple<std::string, std::string, std::string>, const CoverageCell*> at;
};

Grid grid_of(const CoverageSummary& coverage, std::string_view kind) {
  Grid grid;
  // Per row, its columns in order; per (row, column), its layers in order. Listed cells decide
  // the orders; cells that are not listed go after them.
  std::map<std::string, std::vector<std::string>> columns_of;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> layers_of;
  std::vector<std::string> extra_columns;
  std::vector<std::string> extra_layers;
  auto add = [](std::vector<std::string>& to, const std::string& value) {
    if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
  };
  for (const CoverageCell& c : coverage.cells) {
    const std::vector<std::string> p = cell_parts(c.cell);
    const bool crash = kind == "crash" && p.size() == 4 && p[0] == "crash";
    const bool fault = kind == "fault" && p.size() == 3 && p[0] == "fault";
    if (!crash && !fault) continue;
    const std::string layer = crash ? p[3] : "";
    add(grid.rows, p[1]);
    add(c.listed ? columns_of[p[1]] : extra_columns, p[2]);
    add(c.listed ? layers_of[{p[1], p[2]}] : extra_layers, layer);
    grid.at[{p[1], p[2], layer}] = &c;
  }
  std::vector<std::vector<std::string>> column_runs;
  std::vector<std::vector<std::string>> layer_runs;
  for (const std::string& row : grid.rows) {
    column_runs.push_back(columns_of[row]);
    for (const std::string& column : columns_of[row]) layer_runs.push_back(layers_of[{row, column}]);
  }
  grid.columns = merged_order(column_runs);
  grid.layers = merged_order(layer_runs);
  for (const std::string& column : extra_columns) add(grid.columns, column);
  for (const std::string& layer : extra_layers) add(grid.layers, layer);
  return grid;
}

std::string mark(const CoverageCell* c, std::string_view name) {
  if (c == nullptr) return "<span class=\"cov none\" title=\"not a cell\"></span>";
  const std::string what = fmt::format("{}: {}", c->cell,
                                       c->runs == 0 ? std::string("not reached")
                                                    : fmt::format("{} hits in {} runs", c->hits,
                                                                  c->runs));
  const char* css = c->runs == 0 ? "miss" : c->listed ? "hit" : "unlisted";
  return fmt::format("<span class=\"cov {}\" title=\"{}\">{}</span>", css, xml_escape(what),
                     c->runs == 0 ? "×" : name);
}

std::string crash_matrix(const CoverageSummary& coverage) {
  const Grid grid = grid_of(coverage, "crash");
  if (grid.rows.empty()) return "<p class=\"empty\">No crash site listed or reached.</p>";
  std::string legend;
  for (const std::string& layer : grid.layers) {
    legend += fmt::format("{}<b>{}</b> {}", legend.empty() ? "" : ", ", layer.substr(0, 1),
                          xml_escape(layer));
  }
  std::string out = fmt::format(
      "<div class=\"legend\">Each cell is one activity (column: the call or task the power "
      "loss interrupted or followed) at one position (row: the Fs call it cut, or when it came), "
      "one mark per crash policy ({}). <span class=\"cov hit\">t</span> reached (hover: hits "
      "and runs) <span class=\"cov miss\">×</span> listed, not reached <span class=\"cov "
      "unlisted\">t</span> reached, not listed; hatched: not a cell.</div>",
      legend);
  // Activities across, positions down: thirteen columns fit a page, nineteen would not.
  out += "<div class=\"scroll wide\"><table class=\"matrix\"><thead><tr><th>at \\ op</th>";
  for (const std::string& op : grid.rows) {
    // "truncate_front" may break after its underscore: the column is as wide as its marks.
    std::string name = xml_escape(op);
    if (const std::size_t underscore = name.find('_'); underscore != std::string::npos) {
      name.insert(underscore + 1, "<wbr/>");
    }
    out += fmt::format("<th>{}</th>", name);
  }
  out += "</tr></thead><tbody>";
  for (const std::string& at : grid.columns) {
    out += fmt::format("<tr><th>{}</th>", xml_escape(at));
    for (const std::string& op : grid.rows) {
      std::string marks;
      std::size_t listed = 0;
      std::size_t reached = 0;
      bool any = false;
      for (const std::string& layer : grid.layers) {
        auto found = grid.at.find({op, at, layer});
        const CoverageCell* c = found == grid.at.end() ? nullptr : found->second;
        any = any || c != nullptr;
        listed += c != nullptr && c->listed ? 1 : 0;
        reached += c != nullptr && c->listed && c->runs != 0 ? 1 : 0;
        marks += mark(c, layer.substr(0, 1));
      }
      if (!any) {
        out += "<td class=\"off\"></td>";
        continue;
      }
      out += fmt::format("<td class=\"{}\">{}<div class=\"count\">{}/{}</div></td>",
                         reached == listed ? "full" : reached == 0 ? "bare" : "part", marks,
                         reached, listed);
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div>";
}

std::string fault_table(const CoverageSummary& coverage) {
  const Grid grid = grid_of(coverage, "fault");
  if (grid.rows.empty()) return "<p class=\"empty\">No fault kind listed or fired.</p>";
  std::string out = "<table class=\"matrix faults\"><thead><tr><th>fault \\ recovery</th>";
  for (const std::string& column : grid.columns) {
    out += fmt::format("<th>{}</th>", xml_escape(column));
  }
  out += "</tr></thead><tbody>";
  for (const std::string& row : grid.rows) {
    out += fmt::format("<tr><th>{}</th>", xml_escape(row));
    for (const std::string& column : grid.columns) {
      auto found = grid.at.find({row, column, ""});
      if (found == grid.at.end()) {
        out += "<td class=\"off\"></td>";
        continue;
      }
      const CoverageCell& c = *found->second;
      out += c.runs == 0
                 ? "<td class=\"bare\"><span class=\"cov miss\">×</span> not reached</td>"
                 : fmt::format("<td class=\"{}\">{} fired in {} runs</td>",
                               c.listed ? "full" : "unlisted", c.hits, c.runs);
    }
    out += "</tr>";
  }
  return out + "</tbody></table>";
}

std::string cell_list(const CoverageSummary& coverage, bool listed, std::string_view title) {
  std::string items;
  std::size_t n = 0;
  for (const CoverageCell& c : coverage.cells) {
    if (c.listed != listed || (listed && c.runs != 0)) continue;
    items += fmt::format("{}{}", n++ == 0 ? "" : "\n", xml_escape(c.cell));
  }
  if (n == 0) return "";
  return fmt::format("<details><summary>{} {}</summary><pre class=\"cells\">{}</pre></details>", n,
                     title, items);
}

}  // namespace

std::string coverage_section_html(const CoverageSummary& coverage) {
  if (coverage.cells.empty()) {
    return "<p class=\"empty\">No coverage recorded (a summary written before the coverage "
           "matrix).</p>";
  }
  std::string out = fmt::format(
      "<p>{} of {} listed cells reached: crash sites {} of {}, fault kinds × recovery modes {} "
      "of {}.{}</p>",
      coverage.reached, coverage.listed, coverage.crash_reached, coverage.crash_listed,
      coverage.fault_reached, coverage.fault_listed,
      coverage.unlisted_reached == 0
          ? ""
          : fmt::format(" <strong>{} reached cells are not listed</strong>: a cut inside a "
                        "target store's own calls (not listed), a mutant's extra Fs calls, or a "
                        "stale table in sim/harness/coverage_matrix.cc.",
                        coverage.unlisted_reached));
  out += "<h3>Crash sites</h3>" + crash_matrix(coverage);
  out += "<h3>Faults fired, by recovery mode</h3>" + fault_table(coverage);
  out += cell_list(coverage, true, "listed cells not reached");
  out += cell_list(coverage, false, "reached cells that are not listed");
  return out;
}

}  // namespace reports
