#include "sample.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace bench {
namespace {

// Every string here is an identifier or unit chosen by this program; escaping quotes and
// backslashes is all JSON needs for them.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void write_json(const std::vector<Sample>& samples, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) {
    std::fprintf(stderr, "compare_bench: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  std::fputs("[\n", file);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    const double value = std::isfinite(s.value) ? s.value : 0.0;
    fmt::print(file,
               "  {{\"work\": {}, \"system\": {}, \"variant\": {}, \"metric\": {}, "
               "\"value\": {}, \"unit\": {}, \"round\": {}}}{}\n",
               quoted(s.work), quoted(s.system), quoted(s.variant), quoted(s.metric), value,
               quoted(s.unit), s.round, i + 1 < samples.size() ? "," : "");
  }
  std::fputs("]\n", file);
  std::fclose(file);
}

}  // namespace bench
