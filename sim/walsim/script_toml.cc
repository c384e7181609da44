#include "sim/walsim/script_toml.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

namespace walsim {
namespace {

constexpr std::pair<std::string_view, harness::OpKind> kOpKinds[] = {
    {"append", harness::OpKind::kAppend},     {"batch", harness::OpKind::kBatch},
    {"sync", harness::OpKind::kSync},         {"checkpoint", harness::OpKind::kCheckpoint},
    {"read", harness::OpKind::kRead},         {"truncate", harness::OpKind::kTruncate},
    {"reopen", harness::OpKind::kReopen},
};

constexpr harness::FaultKind kFaultKinds[] = {
    harness::FaultKind::kFsyncEio,      harness::FaultKind::kWriteEio,
    harness::FaultKind::kWriteShort,    harness::FaultKind::kNoSpace,
    harness::FaultKind::kReadEio,       harness::FaultKind::kBitFlip,
    harness::FaultKind::kLatentSector,  harness::FaultKind::kMisdirectedWrite,
    harness::FaultKind::kReadShort,     harness::FaultKind::kCloseEio,
};

class ScriptReader {
 public:
  ScriptReader(std::string_view file, harness::Script& out) : file_(file), out_(out) {}

  void read(const toml::table& table);
  std::vector<ScenarioError> take() { return std::move(errors_); }

 private:
  void error(ErrorKind kind, const toml::node& node, const std::string& key, std::string message) {
    errors_.push_back({kind, std::string(file_), toml_line_of(node), key, std::move(message)});
  }
  void wrong_type(const toml::node& node, const std::string& key, std::string_view expected) {
    error(ErrorKind::kType, node, key, fmt::format("wrong type for '{}': expected {}", key, expected));
  }
  std::optional<std::uint64_t> integer(const toml::node& node, const std::string& key,
                                       std::int64_t max = INT64_MAX) {
    const auto* v = node.as_integer();
    if (v == nullptr) {
      wrong_type(node, key, "an integer");
      return std::nullopt;
    }
    if (v->get() < 0 || v->get() > max) {
      error(ErrorKind::kRange, node, key,
            fmt::format("'{}' = {} is out of range [0, {}]", key, v->get(), max));
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(v->get());
  }
  // A 64-bit seed: "0x..." (TOML integers are signed) or a non-negative integer.
  std::optional<std::uint64_t> seed(const toml::node& node, const std::string& key) {
    if (node.is_integer()) return integer(node, key);
    const auto* s = node.as_string();
    if (s == nullptr) {
      wrong_type(node, key, "a hex string \"0x...\" or an integer");
      return std::nullopt;
    }
    std::string_view text = s->get();
    std::uint64_t value = 0;
    if (text.substr(0, 2) == "0x") {
      text.remove_prefix(2);
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
      if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) return value;
    }
    error(ErrorKind::kRange, node, key,
          fmt::format("'{}' = \"{}\" is not a hex number \"0x...\"", key, s->get()));
    return std::nullopt;
  }
  // Each element of an array of inline tables, with unknown keys reported.
  template <typename Each>
  void each_table(const toml::node& node, const std::string& key,
                  std::initializer_list<std::string_view> known, Each each) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      wrong_type(node, key, "an array of tables");
      return;
    }
    for (const toml::node& item : *array) {
      const auto* t = item.as_table();
      if (t == nullptr) {
        wrong_type(item, key, "an array of tables");
        continue;
      }
      bool ok = true;
      for (const auto& [name, value] : *t) {
        if (std::find(known.begin(), known.end(), name.str()) == known.end()) {
          error(ErrorKind::kUnknownKey, value, key,
                fmt::format("unknown key '{}.{}'", key, name.str()));
          ok = false;
        }
      }
      if (ok) each(*t);
    }
  }
  void read_op(const toml::table& t);
  void read_fault(const toml::table& t);

  std::string_view file_;
  harness::Script& out_;
  std::vector<ScenarioError> errors_;
  std::optional<std::uint64_t> writers_;
  std::vector<harness::Op> ops_;
  std::map<std::uint32_t, std::uint32_t> index_line_;
};

void ScriptReader::read_op(const toml::table& t) {
  const std::string key = "script.ops";
  harness::Op op;
  bool ok = true;
  auto need = [&](std::string_view name) -> const toml::node* {
    const toml::node* node = t.get(name);
    if (node == nullptr) {
      error(ErrorKind::kMissing, t, key,
            fmt::format("missing required key '{}.{}' in an op", key, name));
      ok = false;
    }
    return node;
  };
  if (const toml::node* n = need("writer")) {
    if (auto v = integer(*n, key + ".writer", 255)) op.writer = static_cast<std::uint32_t>(*v);
    else ok = false;
  }
  if (const toml::node* n = need("index")) {
    if (auto v = integer(*n, key + ".index", UINT32_MAX)) {
      op.index = static_cast<std::uint32_t>(*v);
      if (!index_line_.emplace(op.index, toml_line_of(*n)).second) {
        error(ErrorKind::kRange, *n, key + ".index",
              fmt::format("'{}.index' = {} is used by another op (indexes name payloads: they "
                          "must be unique)",
                          key, op.index));
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (const toml::node* n = need("kind")) {
    const auto* s = n->as_string();
    const auto* found = s == nullptr ? std::end(kOpKinds)
                                     : std::find_if(std::begin(kOpKinds), std::end(kOpKinds),
                                                    [&](auto& p) { return p.first == s->get(); });
    if (s == nullptr) {
      wrong_type(*n, key + ".kind", "a string");
      ok = false;
    } else if (found == std::end(kOpKinds)) {
      error(ErrorKind::kRange, *n, key + ".kind",
            fmt::format("'{}.kind' = \"{}\" is not one of "
                        "append|batch|sync|checkpoint|read|truncate|reopen",
                        key, s->get()));
      ok = false;
    } else {
      op.kind = found->second;
    }
  }
  if (const toml::node* n = t.get("bytes")) {
    const auto* array = n->as_array();
    if (array == nullptr) {
      wrong_type(*n, key + ".bytes", "an array of entry sizes");
      ok = false;
    } else {
      for (const toml::node& size : *array) {
        if (auto v = integer(size, key + ".bytes", 16 << 20)) {
          op.entry_bytes.push_back(static_cast<std::uint32_t>(*v));
        } else {
          ok = false;
        }
      }
    }
  }
  if (const toml::node* n = t.get("at_ppm")) {
    if (auto v = integer(*n, key + ".at_ppm", 1'000'000)) {
      op.position_ppm = static_cast<std::uint32_t>(*v);
    } else {
      ok = false;
    }
  }
  if (!ok) return;
  const bool sized = op.kind == harness::OpKind::kAppend || op.kind == harness::OpKind::kBatch ||
                     op.kind == harness::OpKind::kCheckpoint;
  const std::size_t want_min = op.kind == harness::OpKind::kBatch ? 2 : 1;
  if (sized && (op.entry_bytes.size() < want_min ||
                (op.kind != harness::OpKind::kBatch && op.entry_bytes.size() != 1))) {
    error(ErrorKind::kRange, t, key + ".bytes",
          fmt::format("'{}.bytes': a {} needs {} entry size{}", key, harness::to_string(op.kind),
                      op.kind == harness::OpKind::kBatch ? "two or more" : "exactly one",
                      op.kind == harness::OpKind::kBatch ? "s" : ""));
    return;
  }
  ops_.push_back(std::move(op));
}

void ScriptReader::read_fault(const toml::table& t) {
  const std::string key = "script.faults";
  harness::ScriptedFault fault;
  const toml::node* kind = t.get("kind");
  const toml::node* at = t.get("at");
  if (kind == nullptr || at == nullptr) {
    error(ErrorKind::kMissing, t, key,
          fmt::format("missing required key '{}.{}' in a fault", key,
                      kind == nullptr ? "kind" : "at"));
    return;
  }
  const auto* s = kind->as_string();
  if (s == nullptr) {
    wrong_type(*kind, key + ".kind", "a string");
    return;
  }
  const auto* found = std::find_if(std::begin(kFaultKinds), std::end(kFaultKinds),
                                   [&](harness::FaultKind k) { return to_string(k) == s->get(); });
  if (found == std::end(kFaultKinds)) {
    error(ErrorKind::kRange, *kind, key + ".kind",
          fmt::format("'{}.kind' = \"{}\" is not one of fsync_eio|write_eio|write_short|"
                      "enospc_after_bytes|read_eio|bit_flip|latent_sector|misdirected_write|"
                      "read_short|close_eio",
                      key, s->get()));
    return;
  }
  fault.kind = *found;
  auto value = integer(*at, key + ".at");
  if (!value) return;
  if (*value == 0) {
    error(ErrorKind::kRange, *at, key + ".at", fmt::format("'{}.at' is 1-based: 0 never fires", key));
    return;
  }
  fault.at = *value;
  if (const toml::node* choice = t.get("choice_seed")) {
    auto v = seed(*choice, key + ".choice_seed");
    if (!v) return;
    fault.choice_seed = *v;
  }
  if (const toml::node* detail = t.get("detail")) {
    const auto* d = detail->as_string();
    if (d == nullptr) {
      wrong_type(*detail, key + ".detail", "a string");
      return;
    }
    fault.detail = d->get();
  }
  if (const toml::node* file = t.get("file")) {
    const auto* f = file->as_string();
    if (f == nullptr) {
      wrong_type(*file, key + ".file", "a string");
      return;
    }
    const bool dir = harness::is_dir_class(f->get());
    if (!dir && !harness::is_file_class(f->get())) {
      error(ErrorKind::kRange, *file, key + ".file",
            fmt::format("'{}.file' = \"{}\" is not a file class (a name without '/', each run "
                        "of digits written as '#', e.g. \"#.wal\" or \"FRONT.tmp\"; a "
                        "directory's with a '/' after it, e.g. \"wal/\")",
                        key, f->get()));
      return;
    }
    if (dir && fault.kind != harness::FaultKind::kFsyncEio) {
      error(ErrorKind::kRange, *file, key + ".file",
            fmt::format("'{}.file' = \"{}\" names a directory: only fsync_eio fails a "
                        "directory's fsync, not {}",
                        key, f->get(), harness::to_string(fault.kind)));
      return;
    }
    if (fault.kind == harness::FaultKind::kNoSpace || fault.kind == harness::FaultKind::kBitFlip ||
        fault.kind == harness::FaultKind::kLatentSector) {
      error(ErrorKind::kRange, *file, key + ".file",
            fmt::format("'{}.file' applies to write, sync and read faults, not {}", key,
                        harness::to_string(fault.kind)));
      return;
    }
    fault.file = f->get();
  }
  out_.faults.push_back(std::move(fault));
}

void ScriptReader::read(const toml::table& table) {
  for (const auto& [name, node] : table) {
    const std::string key = fmt::format("script.{}", name.str());
    if (name == "payload_seed") {
      if (auto v = seed(node, key)) out_.payload_seed = *v;
    } else if (name == "writers") {
      writers_ = integer(node, key, 256);
      if (writers_ && *writers_ == 0) {
        error(ErrorKind::kRange, node, key, "'script.writers' must be at least 1");
        writers_.reset();
      }
    } else if (name == "crash") {
      const auto* s = node.as_string();
      if (s == nullptr) {
        wrong_type(node, key, "a string");
      } else if (auto at = harness::CrashAt::parse(s->get()); !at ||
                 at->kind == harness::CrashAt::Kind::kRandom ||
                 at->kind == harness::CrashAt::Kind::kPersistencePoints ||
                 at->kind == harness::CrashAt::Kind::kInsideOp) {
        error(ErrorKind::kRange, node, key,
              fmt::format("'{}' = \"{}\" is not one of none|op:N|time:US|before-sync:K|"
                          "after-sync:K|fs-op:N (a script pins the crash)",
                          key, s->get()));
      } else {
        out_.crash = *at;
      }
    } else if (name == "recovery_crashes") {
      const auto* array = node.as_array();
      if (array == nullptr) {
        wrong_type(node, key, "an array of integers");
        continue;
      }
      for (const toml::node& item : *array) {
        if (auto v = integer(item, key)) out_.recovery_crashes.push_back(*v);
      }
    } else if (name == "ops") {
      each_table(node, key, {"writer", "index", "kind", "bytes", "at_ppm"},
                 [&](const toml::table& t) { read_op(t); });
    } else if (name == "faults") {
      each_table(node, key, {"kind", "at", "choice_seed", "detail", "file"},
                 [&](const toml::table& t) { read_fault(t); });
    } else {
      error(ErrorKind::kUnknownKey, node, key, fmt::format("unknown key '{}'", key));
    }
  }
  std::uint32_t writers = writers_ ? static_cast<std::uint32_t>(*writers_) : 1;
  for (const harness::Op& op : ops_) writers = std::max(writers, op.writer + 1);
  if (writers_ && writers > *writers_) {
    error(ErrorKind::kRange, table, "script.writers",
          fmt::format("'script.writers' = {} but an op names writer {}", *writers_, writers - 1));
  }
  out_.writers.assign(writers, {});
  for (harness::Op& op : ops_) out_.writers[op.writer].push_back(std::move(op));
}

}  // namespace

std::vector<ScenarioError> read_script(const toml::table& table, std::string_view file,
                                       harness::RunConfig& config) {
  harness::Script script;
  ScriptReader reader(file, script);
  reader.read(table);
  std::vector<ScenarioError> errors = reader.take();
  if (errors.empty()) config.script = std::move(script);
  return errors;
}

std::string script_to_toml(const harness::Script& script) {
  std::string out = "[script]\n";
  out += fmt::format("payload_seed = \"{:#x}\"\n", script.payload_seed);
  out += fmt::format("writers = {}\n", std::max<std::size_t>(script.writers.size(), 1));
  out += fmt::format("crash = \"{}\"\n", script.crash.to_string());
  if (!script.recovery_crashes.empty()) {
    out += "recovery_crashes = [";
    for (std::size_t i = 0; i < script.recovery_crashes.size(); ++i) {
      out += fmt::format("{}{}", i == 0 ? "" : ", ", script.recovery_crashes[i]);
    }
    out += "]\n";
  }
  // Ops in index order (the order they were drawn), which keeps a diff of two scripts readable.
  std::vector<const harness::Op*> ops;
  for (const std::vector<harness::Op>& writer : script.writers) {
    for (const harness::Op& op : writer) ops.push_back(&op);
  }
  std::stable_sort(ops.begin(), ops.end(),
                   [](const harness::Op* a, const harness::Op* b) { return a->index < b->index; });
  out += "ops = [\n";
  for (const harness::Op* op : ops) {
    out += fmt::format("  {{ writer = {}, index = {}, kind = \"{}\"", op->writer, op->index,
                       harness::to_string(op->kind));
    if (!op->entry_bytes.empty()) {
      out += ", bytes = [";
      for (std::size_t i = 0; i < op->entry_bytes.size(); ++i) {
        out += fmt::format("{}{}", i == 0 ? "" : ", ", op->entry_bytes[i]);
      }
      out += "]";
    }
    if (op->kind == harness::OpKind::kRead || op->kind == harness::OpKind::kTruncate) {
      out += fmt::format(", at_ppm = {}", op->position_ppm);
    }
    out += " },\n";
  }
  out += "]\n";
  out += "faults = [\n";
  for (const harness::ScriptedFault& fault : script.faults) {
    out += fmt::format("  {{ kind = \"{}\", at = {}", harness::to_string(fault.kind), fault.at);
    if (!fault.file.empty()) out += fmt::format(", file = \"{}\"", toml_escape(fault.file));
    if (fault.choice_seed != 0) out += fmt::format(", choice_seed = \"{:#x}\"", fault.choice_seed);
    if (!fault.detail.empty()) {
      out += fmt::format(", detail = \"{}\"", toml_escape(fault.detail));
    }
    out += " },\n";
  }
  out += "]\n";
  return out;
}

std::uint32_t toml_line_of(const toml::node& node) {
  return static_cast<std::uint32_t>(node.source().begin.line);
}

std::string toml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace walsim
