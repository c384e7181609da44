#include "sim/harness/script.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace harness {

std::uint64_t Script::total_ops() const {
  std::uint64_t total = 0;
  for (const std::vector<Op>& ops : writers) total += ops.size();
  return total;
}

std::string Script::describe() const {
  std::string text = fmt::format("payload_seed {:#x}\n", payload_seed);
  for (const std::vector<Op>& ops : writers) {
    for (const Op& op : ops) {
      text += fmt::format("writer {} op {} {}", op.writer, op.index, to_string(op.kind));
      if (!op.entry_bytes.empty()) text += fmt::format(" bytes {}", fmt::join(op.entry_bytes, ","));
      if (op.kind == OpKind::kRead || op.kind == OpKind::kTruncate) {
        text += fmt::format(" at {}ppm", op.position_ppm);
      }
      text += '\n';
    }
  }
  for (const ScriptedFault& fault : faults) {
    text += fmt::format("fault {} at {}", to_string(fault.kind), fault.at);
    if (!fault.file.empty()) text += " of " + fault.file;
    if (fault.choice_seed != 0) text += fmt::format(" choice {:#x}", fault.choice_seed);
    if (!fault.detail.empty()) text += " (" + fault.detail + ")";
    text += '\n';
  }
  text += "crash " + crash.to_string();
  for (std::uint64_t budget : recovery_crashes) text += fmt::format(", in recovery after {} fs ops", budget);
  text += '\n';
  return text;
}

std::string file_class(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const bool digit = name[i] >= '0' && name[i] <= '9';
    if (!digit) {
      out += name[i];
    } else if (i == 0 || name[i - 1] < '0' || name[i - 1] > '9') {
      out += '#';
    }
  }
  return out;
}

std::string dir_class(std::string_view dir) { return file_class(dir) + "/"; }

bool is_file_class(std::string_view text) { return !text.empty() && file_class(text) == text; }

bool is_dir_class(std::string_view text) {
  return text.size() > 1 && text.back() == '/' && is_file_class(text.substr(0, text.size() - 1));
}

ScriptedFault anchored_to_file(const ScriptedFault& fault) {
  if (fault.fired_file.empty() || fault.fired_file_at == 0 || !fault.file.empty()) return fault;
  ScriptedFault out = fault;
  out.file = fault.fired_file;
  out.at = fault.fired_file_at;
  return out;
}

}  // namespace harness
