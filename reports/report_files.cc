#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "reports/summary_json.h"
#include "reports/writers.h"

namespace reports {

std::string write_report(const Sweep& sweep, const std::string& dir, bool every_seed) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return fmt::format("cannot create {}: {}", dir, error.message());
  const std::pair<const char*, std::string> files[] = {
      {"summary.json", write_summary_json(sweep, every_seed)},
      {"junit.xml", write_junit_xml(sweep)},
      {"summary.md", write_summary_md(sweep)},
      {"index.html", write_index_html(sweep)},
  };
  for (const auto& [name, text] : files) {
    const std::string path = fmt::format("{}/{}", dir, name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return fmt::format("cannot write {}", path);
  }
  return "";
}

}  // namespace reports
