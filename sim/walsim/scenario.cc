#include "sim/walsim/scenario.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "faults/file_glob.h"
#include "faults/fsync_eio_fs.h"
#include "sim/torn_fill.h"
#include "sim/harness/mutants.h"
#include "sim/harness/target.h"
#include "sim/walsim/lying_device.h"
#include "sim/walsim/scenario_limits.h"
#include "sim/walsim/scenario_swarm.h"
#include "sim/walsim/script_toml.h"

namespace walsim {
namespace {

// SPEC 5: "wal", the examples, or a target registered in this build. The examples' names parse
// in every build; whether this one links them is check_runnable's question.
constexpr std::string_view kExampleTargets[] = {"kv", "queue"};

bool known_target(std::string_view name) {
  return name == "wal" || harness::find_target(name) != nullptr ||
         std::find(std::begin(kExampleTargets), std::end(kExampleTargets), name) !=
             std::end(kExampleTargets);
}

std::string known_targets() {
  std::set<std::string> names(std::begin(kExampleTargets), std::end(kExampleTargets));
  for (const std::string& name : harness::target_names()) names.insert(name);
  std::string text = "wal";
  for (const std::string& name : names) text += "|" + name;
  return text;
}

// The target whose planted bugs include `mutant` (nullptr for the WAL's own mutants).
const harness::TargetInfo* planted_in(std::string_view mutant) {
  for (const std::string& name : harness::target_names()) {
    const harness::TargetInfo* target = harness::find_target(name);
    for (const harness::Mutant& planted : target->planted) {
      if (planted.name == mutant) return target;
    }
  }
  return nullptr;
}

using namespace limits;  // the ranges of the keys (scenario_limits.h)

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// The dotted key that line `line` (1-based) sets, from the nearest [table] header above it, or
// "": a document toml++ rejects (an integer too big for 64 bits) has no nodes to ask, and the
// error should still name the key, not only the line.
std::string key_at_line(std::string_view text, std::uint32_t line) {
  std::string_view table;
  std::uint32_t number = 1;
  while (number < line && !text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view current = trim(text.substr(0, eol));
    if (current.starts_with('[') && !current.starts_with("[[")) {
      const std::size_t close = current.find(']');
      if (close != std::string_view::npos) table = trim(current.substr(1, close - 1));
    }
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++number;
  }
  const std::string_view current = trim(text.substr(0, text.find('\n')));
  const std::size_t equals = current.find('=');
  if (current.starts_with('[') || equals == std::string_view::npos) return "";
  const std::string_view key = trim(current.substr(0, equals));
  if (key.empty()) return "";
  return table.empty() ? std::string(key) : fmt::format("{}.{}", table, key);
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

// A default value as the docs show it.
template <typename T>
std::string default_text(const T& value) {
  if constexpr (std::is_same_v<T, sim::Ratio>) {
    return value.numerator == 0 ? "0"
                                : fmt::format("{}", static_cast<double>(value.numerator) /
                                                        static_cast<double>(value.denominator));
  } else if constexpr (std::is_same_v<T, harness::CrashAt>) {
    return value.to_string();
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(value);
  } else if constexpr (requires { to_string(value); }) {
    return std::string(to_string(value));
  } else {
    return "";
  }
}

// Reads one document into a Scenario, collecting every error rather than stopping at the first.
// In describe mode (describe_scenario_keys) it reads nothing: each key's setter runs once on a
// placeholder, and the helpers that check a value record instead the key's type, range and
// default (the default Scenario's value), so the key reference is the parser's own table.
class Reader {
 public:
  Reader(std::string_view file, Scenario& out) : file_(file), out_(out) {}
  Reader(Scenario& out, std::vector<ScenarioKey>& describe) : out_(out), describe_(&describe) {}

  std::vector<ScenarioError> take_errors() {
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const ScenarioError& a, const ScenarioError& b) { return a.line < b.line; });
    return std::move(errors_);
  }

  void error(ErrorKind kind, std::uint32_t line, std::string key, std::string message) {
    errors_.push_back({kind, std::string(file_), line, std::move(key), std::move(message)});
  }

  // Describe mode: the key's row (the first helper a setter calls names its type).
  void describe(const std::string& key, std::string_view type, std::string range,
                std::string default_value) {
    if (!describe_->empty() && describe_->back().key == key) return;
    describe_->push_back({key, std::string(type), std::move(range), std::move(default_value)});
  }

  void wrong_type(const toml::node& node, const std::string& key, std::string_view expected) {
    if (describe_ != nullptr) return describe(key, expected, "", "");
    error(ErrorKind::kType, toml_line_of(node), key,
          fmt::format("wrong type for '{}': expected {}, got {}", key, expected, type_name(node)));
  }

  // `why`, when the range is not obvious, says whose limit it is.
  std::optional<std::int64_t> integer(const toml::node& node, const std::string& key,
                                      std::int64_t min, std::int64_t max,
                                      std::string_view why = {}) {
    if (describe_ != nullptr) {
      auto bound = [](std::int64_t v) {
        return v == INT64_MAX ? std::string("2^63-1")
               : v == UINT32_MAX ? std::string("2^32-1")
                                 : std::to_string(v);
      };
      describe(key, "integer",
               fmt::format("[{}, {}]{}{}", bound(min), bound(max), why.empty() ? "" : ": ", why),
               "");
      return std::nullopt;
    }
    const auto* value = node.as_integer();
    if (value == nullptr) {
      wrong_type(node, key, "an integer");
      return std::nullopt;
    }
    const std::int64_t v = value->get();
    if (v < min || v > max) {
      error(ErrorKind::kRange, toml_line_of(node), key,
            fmt::format("'{}' = {} is out of range [{}, {}]{}{}", key, v, min, max,
                        why.empty() ? "" : ": ", why));
      return std::nullopt;
    }
    return v;
  }

  template <typename T>
  void set_integer(const toml::node& node, const std::string& key, T& field, std::int64_t min,
                   std::int64_t max, std::string_view why = {}) {
    if (auto v = integer(node, key, min, max, why)) field = static_cast<T>(*v);
    if (describe_ != nullptr) describe_->back().default_value = default_text(field);
  }

  // A size the device model divides by and tears at: a power of two in [1, max].
  template <typename T>
  void set_power_of_two(const toml::node& node, const std::string& key, T& field,
                        std::int64_t max) {
    if (describe_ != nullptr) {
      return describe(key, "integer", fmt::format("a power of two in [1, {}]", max),
                      default_text(field));
    }
    auto v = integer(node, key, 1, max);
    if (!v) return;
    if (!power_of_two(static_cast<std::uint64_t>(*v))) {
      error(ErrorKind::kRange, toml_line_of(node), key,
            fmt::format("'{}' = {} is not a power of two", key, *v));
      return;
    }
    field = static_cast<T>(*v);
  }

  std::optional<std::string> string(const toml::node& node, const std::string& key) {
    if (describe_ != nullptr) {
      describe(key, "string", "", "");
      return std::nullopt;
    }
    const auto* value = node.as_string();
    if (value == nullptr) {
      wrong_type(node, key, "a string");
      return std::nullopt;
    }
    return value->get();
  }

  std::optional<bool> boolean(const toml::node& node, const std::string& key) {
    if (describe_ != nullptr) {
      describe(key, "boolean", "true | false", "");
      return std::nullopt;
    }
    const auto* value = node.as_boolean();
    if (value == nullptr) {
      wrong_type(node, key, "a boolean");
      return std::nullopt;
    }
    return value->get();
  }

  // A probability per operation: a float (or the integers 0 and 1) in [0, 1].
  void set_boolean(const toml::node& node, const std::string& key, bool& field) {
    if (auto b = boolean(node, key)) field = *b;
    if (describe_ != nullptr) describe_->back().default_value = default_text(field);
  }

  void probability(const toml::node& node, const std::string& key, sim::Ratio& field) {
    if (describe_ != nullptr) {
      return describe(key, "probability", "a number in [0, 1], per call", default_text(field));
    }
    double p = 0;
    if (const auto* f = node.as_floating_point()) {
      p = f->get();
    } else if (const auto* i = node.as_integer()) {
      p = static_cast<double>(i->get());
    } else {
      wrong_type(node, key, "a probability (a number in [0, 1])");
      return;
    }
    if (!(p >= 0 && p <= 1)) {
      error(ErrorKind::kRange, toml_line_of(node), key,
            fmt::format("'{}' = {} is out of range [0, 1]", key, p));
      return;
    }
    field = harness::ratio_from_probability(p);
  }

  // `[min, max]` (inclusive) or a single integer for both.
  std::optional<std::pair<std::int64_t, std::int64_t>> range(const toml::node& node,
                                                             const std::string& key,
                                                             std::int64_t min, std::int64_t max) {
    if (describe_ != nullptr) {
      describe(key, "[min, max] or integer", fmt::format("each in [{}, {}]", min, max), "");
      return std::nullopt;
    }
    if (node.is_integer()) {
      auto v = integer(node, key, min, max);
      if (!v) return std::nullopt;
      return std::pair{*v, *v};
    }
    const auto* array = node.as_array();
    if (array == nullptr || array->size() != 2 || !(*array)[0].is_integer() ||
        !(*array)[1].is_integer()) {
      wrong_type(node, key, "[min, max] (two integers) or an integer");
      return std::nullopt;
    }
    auto lo = integer((*array)[0], key, min, max);
    auto hi = integer((*array)[1], key, min, max);
    if (!lo || !hi) return std::nullopt;
    if (*lo > *hi) {
      error(ErrorKind::kRange, toml_line_of(node), key,
            fmt::format("'{}' = [{}, {}]: min is greater than max", key, *lo, *hi));
      return std::nullopt;
    }
    return std::pair{*lo, *hi};
  }

  // One of `words`, mapped by `parse`.
  template <typename T, typename Parse>
  void word(const toml::node& node, const std::string& key, T& field, Parse parse,
            std::string_view words) {
    if (describe_ != nullptr) return describe(key, "string", std::string(words), default_text(field));
    auto text = string(node, key);
    if (!text) return;
    auto parsed = parse(*text);
    if (!parsed) {
      error(ErrorKind::kRange, toml_line_of(node), key,
            fmt::format("'{}' = \"{}\" is not one of {}", key, *text, words));
      return;
    }
    field = *parsed;
  }

  using Setter = std::function<void(const toml::node&, const std::string&)>;
  struct Key {
    std::string_view name;
    Setter set;
    // The default and the accepted values when the setter cannot tell (a string it checks
    // itself, a table read elsewhere).
    std::string_view default_value = {};
    std::string_view range = {};
  };

  // Applies `keys` to `table`; anything else in it is an unknown key.
  void apply(const toml::table& table, std::string_view prefix, const std::vector<Key>& keys) {
    if (describe_ != nullptr) {
      static const toml::value<bool> placeholder(false);
      for (const Key& k : keys) {
        const std::string key =
            prefix.empty() ? std::string(k.name) : fmt::format("{}.{}", prefix, k.name);
        const std::size_t before = describe_->size();
        k.set(placeholder, key);
        if (describe_->size() == before) describe(key, "", "", "");
        ScenarioKey& row = (*describe_)[before];
        if (!k.default_value.empty()) row.default_value = std::string(k.default_value);
        if (!k.range.empty()) row.range = std::string(k.range);
      }
      return;
    }
    for (const auto& [name, node] : table) {
      const std::string key =
          prefix.empty() ? std::string(name.str()) : fmt::format("{}.{}", prefix, name.str());
      // A local, not the structured binding: clang 14 cannot capture a binding in a lambda.
      const std::string_view short_name = name.str();
      auto found = std::find_if(keys.begin(), keys.end(),
                                [&](const Key& k) { return k.name == short_name; });
      if (found == keys.end()) {
        error(ErrorKind::kUnknownKey, toml_line_of(node), key, fmt::format("unknown key '{}'", key));
        continue;
      }
      found->set(node, key);
    }
  }

  // A setter for a sub-table: wrong type unless it is one.
  Setter table(std::string_view prefix, std::function<void(const toml::table&)> read) {
    return [this, prefix, read](const toml::node& node, const std::string& key) {
      if (describe_ != nullptr) {
        describe(key, "table", "", "");
        read(toml::table{});
        return;
      }
      const auto* t = node.as_table();
      if (t == nullptr) {
        wrong_type(node, key, fmt::format("a table [{}]", prefix));
        return;
      }
      read(*t);
    };
  }

  void read(const toml::table& root);

 private:
  void read_target_table(const harness::TargetInfo& info, const toml::table& t);
  void read_texts(const toml::node& n, const std::string& key, const std::string& name);
  std::string beside_scenario(const std::string& path) const;
  void validate_target_table(const harness::TargetInfo& info, const toml::table& root);
  void read_wal(const toml::table& t);
  void read_workload(const toml::table& t);
  void read_device(const toml::table& t);
  void read_crash(const toml::table& t);
  void read_faults(const toml::table& t);
  void read_expect(const toml::table& t);
  void check_whole(const toml::table& root);

  std::string_view file_;
  Scenario& out_;
  std::vector<ScenarioError> errors_;
  std::vector<ScenarioKey>* describe_ = nullptr;  // describe mode: the rows, else nullptr
};

void Reader::read(const toml::table& root) {
  harness::RunConfig& c = out_.config;
  std::vector<Key> keys = {
            {"name", [&](auto& n, auto& k) { if (auto s = string(n, k)) out_.name = *s; },
             "(required)"},
            {"description",
             [&](auto& n, auto& k) { if (auto s = string(n, k)) out_.description = *s; }, "\"\""},
            {"seeds", [&](auto& n, auto& k) { set_integer(n, k, out_.seeds, 1, kSeedsMax); }},
            {"first_seed",
             [&](auto& n, auto& k) { set_integer(n, k, out_.first_seed, 0, kU63Max); }},
            {"target",
             [&](auto& n, auto& k) {
               auto s = string(n, k);
               if (s && !known_target(*s)) {
                 error(ErrorKind::kRange, toml_line_of(n), k,
                       fmt::format("'{}' = \"{}\" is not one of {}", k, *s, known_targets()));
               } else if (s) {
                 out_.target = *s;
                 c.target = *s;
               }
             }, "wal"},
            {"mutant", [&](auto& n, auto& k) { if (auto s = string(n, k)) out_.mutant = *s; },
             "none"},
            {"max_steps",
             [&](auto& n, auto& k) { set_integer(n, k, c.max_steps, kMaxStepsMin, kMaxStepsMax); }},
            {"wal", table("wal", [&](const toml::table& t) { read_wal(t); })},
            {"workload", table("workload", [&](const toml::table& t) { read_workload(t); })},
            {"device", table("device", [&](const toml::table& t) { read_device(t); })},
            {"crash", table("crash", [&](const toml::table& t) { read_crash(t); })},
            {"faults", table("faults", [&](const toml::table& t) { read_faults(t); })},
            {"expect", table("expect", [&](const toml::table& t) { read_expect(t); })},
            {"script", table("script", [&](const toml::table& t) {
               if (describe_ != nullptr) return;  // shrink writes it (docs/scenarios.md)
               for (ScenarioError& e : read_script(t, file_, c)) errors_.push_back(std::move(e));
             }), "none"},
            {"swarm", table("swarm", [&](const toml::table& t) {
               if (describe_ != nullptr) return;  // scenario_swarm.cc (docs/swarm.md)
               SwarmSpace space;
               for (ScenarioError& e : read_swarm_table(t, file_, space)) {
                 errors_.push_back(std::move(e));
               }
               out_.swarm = space;
             }), "none"},
        };
  // Each registered target's own table: [sqlite] for target = "sqlite" (TargetInfo::keys).
  for (const std::string& name : harness::target_names()) {
    const harness::TargetInfo* info = harness::find_target(name);
    if (info->keys.empty()) continue;
    keys.push_back({info->name, table(info->name, [this, info](const toml::table& t) {
                      read_target_table(*info, t);
                    }), "none"});
  }
  apply(root, "", keys);
  // Every key of the target's table, set or defaulted, so that what runs is written down.
  if (const harness::TargetInfo* info = harness::find_target(out_.target);
      info != nullptr && describe_ == nullptr) {
    c.target_settings = harness::target_settings(*info, c.target_settings);
    // Only a table that read cleanly: a wrong value already has its error.
    if (errors_.empty()) validate_target_table(*info, root);
  }
  // A [swarm] table that says nothing of media faults gets the CLI's default for its target
  // (load_one.h swarm_media_faults): `target` may be read after the table, so it is set here.
  if (out_.swarm && describe_ == nullptr) {
    const toml::table* swarm = root["swarm"].as_table();
    if (swarm != nullptr && !swarm->contains("media_faults")) {
      out_.swarm->media_faults = swarm_media_faults(out_.target, false, false);
    }
  }
  if (describe_ == nullptr) check_whole(root);
}

void Reader::read_target_table(const harness::TargetInfo& info, const toml::table& t) {
  std::vector<Key> keys;
  for (const harness::TargetKey& k : info.keys) {
    keys.push_back({k.name, [this, &k](const toml::node& n, const std::string& key) {
      auto& settings = out_.config.target_settings;
      if (k.type == harness::TargetKeyType::kFile) {
        if (describe_ != nullptr) {
          return describe(key, "string", "a file, relative to the scenario's folder",
                          k.default_value);
        }
        if (const std::optional<std::string> path = string(n, key)) {
          settings[k.name] = path->empty() ? *path : beside_scenario(*path);
        }
        return;
      }
      if (k.type == harness::TargetKeyType::kTexts) return read_texts(n, key, k.name);
      if (!k.words.empty()) {
        std::string words;
        for (const std::string& w : k.words) words += (words.empty() ? "" : "|") + w;
        if (describe_ != nullptr) return describe(key, "string", words, k.default_value);
        const std::optional<std::string> text = string(n, key);
        if (!text) return;
        if (std::find(k.words.begin(), k.words.end(), *text) == k.words.end()) {
          error(ErrorKind::kRange, toml_line_of(n), key,
                fmt::format("'{}' = \"{}\" is not one of {}", key, *text, words));
          return;
        }
        settings[k.name] = *text;
        return;
      }
      if (describe_ != nullptr) {
        return describe(key, "integer",
                        fmt::format("{}[{}, {}]", k.power_of_two ? "a power of two in " : "",
                                    k.min, k.max),
                        k.default_value);
      }
      const std::optional<std::int64_t> v = integer(n, key, k.min, k.max);
      if (!v) return;
      if (k.power_of_two && !power_of_two(static_cast<std::uint64_t>(*v))) {
        error(ErrorKind::kRange, toml_line_of(n), key,
              fmt::format("'{}' = {} is not a power of two", key, *v));
        return;
      }
      settings[k.name] = std::to_string(*v);
    }, k.default_value, {}});
  }
  apply(t, info.name, keys);
}

// A kTexts key: an array of strings, held encoded (harness::encode_texts).
void Reader::read_texts(const toml::node& n, const std::string& key, const std::string& name) {
  if (describe_ != nullptr) return describe(key, "array of strings", "", "[]");
  const toml::array* array = n.as_array();
  std::vector<std::string> texts;
  for (std::size_t i = 0; array != nullptr && i < array->size(); ++i) {
    const auto* text = (*array)[i].as_string();
    if (text == nullptr) array = nullptr;
    if (text != nullptr) texts.push_back(text->get());
  }
  if (array == nullptr) return wrong_type(n, key, "an array of strings");
  out_.config.target_settings[name] = harness::encode_texts(texts);
}

// A file a key names, relative to the scenario's folder: the path to open from here.
std::string Reader::beside_scenario(const std::string& path) const {
  const std::filesystem::path named(path);
  if (named.is_absolute()) return path;
  return (std::filesystem::path(file_).parent_path() / named).lexically_normal().string();
}

// The target's own check of its table (TargetInfo::validate), at each problem key's line.
void Reader::validate_target_table(const harness::TargetInfo& info, const toml::table& root) {
  if (!info.validate) return;
  for (const harness::TargetKeyProblem& problem : info.validate(out_.config.target_settings)) {
    const std::string key = fmt::format("{}.{}", info.name, problem.key);
    const toml::node_view<const toml::node> node = root.at_path(key);
    error(problem.unreadable ? ErrorKind::kIo : ErrorKind::kRange,
          node ? toml_line_of(*node.node()) : 1, key, problem.message);
  }
}

void Reader::read_wal(const toml::table& t) {
  wal::Options& w = out_.config.wal;
  apply(t, "wal",
        {
            {"segment_bytes",
             [&](auto& n, auto& k) { 
               set_integer(n, k, w.segment_bytes, kSegmentBytesMin, kSegmentBytesMax,
                           "the WAL takes at most 1 TiB, the simulator, which keeps every file "
                           "in memory, 1 GiB");
             }},
            {"sync",
             [&](auto& n, auto& k) {
               word(n, k, w.sync, wal::parse_sync_policy, "none|immediate|periodic|grouped");
             }},
            {"sync_interval_us",
             [&](auto& n, auto& k) { set_integer(n, k, w.sync_interval_us, 0, kU63Max); }},
            {"sync_every_bytes",
             [&](auto& n, auto& k) { set_integer(n, k, w.sync_every_bytes, 0, kU63Max); }},
            {"group_window_us",
             [&](auto& n, auto& k) { set_integer(n, k, w.group_window_us, 0, kU63Max); }},
            {"checksum",
             [&](auto& n, auto& k) {
               word(n, k, w.checksum, wal::parse_checksum_kind, "crc32c|crc64|xxh3");
             }},
            {"recovery",
             [&](auto& n, auto& k) {
               word(n, k, w.recovery, wal::parse_recovery_mode,
                    "tolerate-tail|absolute|point-in-time|skip-corrupted");
             }},
            {"preallocate",
             [&](auto& n, auto& k) { set_boolean(n, k, w.preallocate); }},
            {"background_rotation",
             [&](auto& n, auto& k) { set_boolean(n, k, w.background_rotation); }},
            {"max_segments",
             [&](auto& n, auto& k) { set_integer(n, k, w.max_segments, 0, UINT32_MAX); }},
            {"max_bytes", [&](auto& n, auto& k) { set_integer(n, k, w.max_bytes, 0, kU63Max); }},
            {"max_entry_bytes",
             [&](auto& n, auto& k) { set_integer(n, k, w.max_entry_bytes, 1, kEntryBytesMax); }},
            {"buffer_bytes",
             [&](auto& n, auto& k) { 
               set_integer(n, k, w.buffer_bytes, 1, kBufferBytesMax,
                           "the WAL allocates the buffer twice at open");
             }},
        });
}

void Reader::read_workload(const toml::table& t) {
  harness::WorkloadConfig& w = out_.config.workload;
  apply(t, "workload",
        {
            {"writers", [&](auto& n, auto& k) { set_integer(n, k, w.writers, 1, kWritersMax); }},
            {"ops", [&](auto& n, auto& k) { set_integer(n, k, w.ops, 0, kOpsMax); }},
            {"entry_bytes",
             [&](auto& n, auto& k) {
               if (auto r = range(n, k, 1, kEntryBytesMax)) {
                 w.entry_bytes_min = static_cast<std::uint32_t>(r->first);
                 w.entry_bytes_max = static_cast<std::uint32_t>(r->second);
               }
               if (describe_ != nullptr) {
                 describe_->back().default_value =
                     fmt::format("[{}, {}]", w.entry_bytes_min, w.entry_bytes_max);
               }
             }},
            {"batch_ratio", [&](auto& n, auto& k) { probability(n, k, w.batch_ratio); }},
            {"sync_ratio", [&](auto& n, auto& k) { probability(n, k, w.sync_ratio); }},
            {"read_ratio", [&](auto& n, auto& k) { probability(n, k, w.read_ratio); }},
            {"truncate_ratio", [&](auto& n, auto& k) { probability(n, k, w.truncate_ratio); }},
            {"reopen_ratio", [&](auto& n, auto& k) { probability(n, k, w.reopen_ratio); }},
            {"checkpoint_every",
             [&](auto& n, auto& k) { set_integer(n, k, w.checkpoint_every, 0, kOpsMax); }},
            {"batch_entries_max",
             [&](auto& n, auto& k) {
               set_integer(n, k, w.batch_entries_max, 2, kBatchEntriesMax);
             }},
            {"on_error",
             [&](auto& n, auto& k) {
               word(n, k, w.on_error, harness::parse_on_error, "stop|carry-on");
             }},
        });
}

void Reader::read_device(const toml::table& t) {
  sim::DeviceModel& d = out_.config.device;
  auto latency = [&](sim::LatencyRange& field) {
    return [&, this](const toml::node& n, const std::string& k) {
      if (auto r = range(n, k, 0, kLatencyUsMax)) {
        field.min_us = static_cast<std::uint64_t>(r->first);
        field.max_us = static_cast<std::uint64_t>(r->second);
      }
      if (describe_ != nullptr) {
        describe_->back().default_value = fmt::format("[{}, {}]", field.min_us, field.max_us);
      }
    };
  };
  apply(t, "device",
        {
            {"sector_bytes",
             [&](auto& n, auto& k) { set_power_of_two(n, k, d.sector_bytes, kSectorBytesMax); }},
            {"page_bytes",
             [&](auto& n, auto& k) { set_power_of_two(n, k, d.page_bytes, kPageBytesMax); }},
            {"atomic_sector",
             [&](auto& n, auto& k) { set_boolean(n, k, d.atomic_sector); }},
            {"fsync_latency_us", latency(d.fsync_latency_us)},
            {"write_latency_us", latency(d.write_latency_us)},
            {"lying_fsync",
             [&](auto& n, auto& k) { set_boolean(n, k, out_.lying_fsync); }},
            {"capacity_bytes",
             [&](auto& n, auto& k) { set_integer(n, k, d.capacity_bytes, 0, kU63Max); }},
            {"atomic_write",
             [&](auto& n, auto& k) { set_boolean(n, k, d.claims.atomic_write); }},
            {"safe_append", [&](auto& n, auto& k) { set_boolean(n, k, d.claims.safe_append); }},
            {"sequential", [&](auto& n, auto& k) { set_boolean(n, k, d.claims.sequential); }},
            {"powersafe_overwrite",
             [&](auto& n, auto& k) { set_boolean(n, k, d.claims.powersafe_overwrite); }},
        });
}

void Reader::read_crash(const toml::table& t) {
  harness::CrashConfig& c = out_.config.crash;
  apply(t, "crash",
        {
            {"at",
             [&](auto& n, auto& k) {
               word(n, k, c.at, harness::CrashAt::parse,
                    "random|persistence-points|inside-op|op:N|time:US|none");
             }},
            {"count", [&](auto& n, auto& k) { set_integer(n, k, c.count, 1, kCrashCountMax); }},
            {"epochs", [&](auto& n, auto& k) { set_integer(n, k, c.epochs, 1, kCrashCountMax); }},
            {"policy",
             [&](auto& n, auto& k) {
               word(n, k, c.power_loss.policy, faults::parse_crash_policy,
                    "drop-unsynced|prefix|reorder|torn|garbage-tail|process");
             }},
            {"lose_unsynced_dir_ops",
             [&](auto& n, auto& k) { set_boolean(n, k, c.power_loss.lose_unsynced_dir_ops); }},
            {"torn_fill",
             [&](auto& n, auto& k) {
               word(n, k, c.power_loss.torn_fill, sim::parse_torn_fill, "stale|zeros|random");
             }},
            {"torn_scope",
             [&](auto& n, auto& k) {
               word(n, k, c.power_loss.torn_scope, sim::parse_torn_scope, "write|sector");
             }},
        });
}

void Reader::read_faults(const toml::table& t) {
  harness::FaultConfig& f = out_.config.faults;
  apply(t, "faults",
        {
            {"fsync_eio", [&](auto& n, auto& k) { probability(n, k, f.fsync_eio); }},
            {"fsync_profile",
             [&](auto& n, auto& k) {
               auto s = string(n, k);
               if (!s) return;
               if (!faults::parse_fsync_profile(*s)) {
                 error(ErrorKind::kRange, toml_line_of(n), k,
                       fmt::format("'{}' = \"{}\" is not one of ext4|xfs|btrfs", k, *s));
                 return;
               }
               f.fsync_profile = *s;
             }, "ext4", "ext4 | xfs | btrfs"},
            {"write_eio", [&](auto& n, auto& k) { probability(n, k, f.write_eio); }},
            {"write_short", [&](auto& n, auto& k) { probability(n, k, f.write_short); }},
            {"enospc_after_bytes",
             [&](auto& n, auto& k) { set_integer(n, k, f.enospc_after_bytes, 0, kU63Max); }},
            {"read_eio", [&](auto& n, auto& k) { probability(n, k, f.read_eio); }},
            {"read_short", [&](auto& n, auto& k) { probability(n, k, f.read_short); }},
            {"close_eio", [&](auto& n, auto& k) { probability(n, k, f.close_eio); }},
            {"bit_flip", [&](auto& n, auto& k) { probability(n, k, f.bit_flip); }},
            {"latent_sector", [&](auto& n, auto& k) { probability(n, k, f.latent_sector); }},
            {"misdirected_write",
             [&](auto& n, auto& k) { probability(n, k, f.misdirected_write); }},
            {"aim",
             [&](auto& n, auto& k) {
               word(n, k, f.media_aim, faults::parse_media_aim, "uniform|structure|mixed");
             }},
            {"target",
             [&](auto& n, auto& k) {
               auto s = string(n, k);
               if (!s) return;
               if (!faults::valid_glob(*s)) {
                 error(ErrorKind::kRange, toml_line_of(n), k,
                       fmt::format("'{}' = \"{}\" is not a glob on a file's base name "
                                   "(non-empty, no '/')", k, *s));
                 return;
               }
               f.target = *s;
             }, "\"\" (every file)", "a glob on the base name: * ? [...]"},
        });
}

void Reader::read_expect(const toml::table& t) {
  harness::ExpectConfig& e = out_.config.expect;
  apply(t, "expect",
        {
            {"verdict",
             [&](auto& n, auto& k) {
               auto s = string(n, k);
               if (!s) return;
               if (*s != "pass" && *s != "fail") {
                 error(ErrorKind::kRange, toml_line_of(n), k,
                       fmt::format("'{}' = \"{}\" is not one of pass|fail", k, *s));
                 return;
               }
               e.pass = *s == "pass";
             }, "pass", "pass | fail"},
            {"invariants",
             [&](auto& n, auto& k) {
               if (const auto* all = n.as_string(); all != nullptr && all->get() == "all") {
                 e.invariants.clear();
                 return;
               }
               const auto* array = n.as_array();
               if (array == nullptr) {
                 wrong_type(n, k, "\"all\" or an array of invariant names");
                 return;
               }
               for (const toml::node& item : *array) {
                 auto name = string(item, k);
                 if (!name) continue;
                 auto invariant = harness::parse_invariant(*name);
                 if (!invariant) {
                   error(ErrorKind::kRange, toml_line_of(item), k,
                         fmt::format("'{}': \"{}\" is not an invariant (durability, prefix, "
                                     "integrity, atomic-batch, lsn-continuity, checkpoint, "
                                     "idempotent-recovery, error-honesty, corruption-detected, "
                                     "no-leak)",
                                     k, *name));
                   continue;
                 }
                 e.invariants.insert(*invariant);
               }
             }, "all"},
        });
}

// Rules that span keys, reported at the line of the later key involved.
void Reader::check_whole(const toml::table& root) {
  const harness::RunConfig& c = out_.config;
  auto line = [&](std::string_view path) -> std::uint32_t {
    const toml::node_view<const toml::node> node = root.at_path(path);
    return node ? toml_line_of(*node.node()) : 1;
  };
  if (!root.contains("name")) {
    error(ErrorKind::kMissing, 1, "name", "missing required key 'name'");
  } else if (out_.name.empty() && root["name"].is_string()) {
    error(ErrorKind::kRange, line("name"), "name", "'name' is empty");
  }
  // A target's own table only beside that target: elsewhere nothing would read it.
  for (const std::string& name : harness::target_names()) {
    if (name == out_.target || !root.contains(name) || !root[name].is_table()) continue;
    error(ErrorKind::kRange, line(name), name,
          fmt::format("[{}] is the table of target \"{}\", but this scenario's target is "
                      "\"{}\"",
                      name, name, out_.target));
  }
  // A swarm draws every table a seed runs: one written beside it would be silently ignored.
  if (root.contains("swarm")) {
    for (const char* drawn : {"wal", "workload", "device", "crash", "faults", "script"}) {
      if (!root.contains(drawn)) continue;
      error(ErrorKind::kRange, line(drawn), drawn,
            fmt::format("[{}] beside [swarm]: a swarm scenario draws it per seed (bound the "
                        "space in [swarm] instead)",
                        drawn));
    }
  }
  // A rule spanning keys blames the key of it the file sets last: the one to look at, with a
  // line that exists (a key left at its default has none).
  for (const limits::CrossKeyProblem& problem : limits::check_cross_keys(c)) {
    std::string blamed = problem.keys.front();
    std::uint32_t blamed_line = 0;
    for (const std::string& key : problem.keys) {
      const toml::node_view<const toml::node> node = root.at_path(key);
      if (node && toml_line_of(*node.node()) > blamed_line) {
        blamed = key;
        blamed_line = toml_line_of(*node.node());
      }
    }
    error(ErrorKind::kRange, blamed_line == 0 ? 1 : blamed_line, blamed, problem.message);
  }
}

}  // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kSyntax: return "syntax";
    case ErrorKind::kUnknownKey: return "unknown-key";
    case ErrorKind::kType: return "wrong-type";
    case ErrorKind::kRange: return "out-of-range";
    case ErrorKind::kMissing: return "missing-key";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kIo: return "io";
  }
  return "?";
}

std::string ScenarioError::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}: {}", file, line, message);
}

ParseResult parse_scenario(std::string_view text, std::string_view file) {
  ParseResult result;
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto line = static_cast<std::uint32_t>(e.source().begin.line);
    std::string key = key_at_line(text, line);
    result.errors.push_back(
        {ErrorKind::kSyntax, std::string(file), line, key,
         key.empty() ? fmt::format("not valid TOML: {}", e.description())
                     : fmt::format("not valid TOML: '{}': {}", key, e.description())});
    return result;
  }
  Scenario scenario;
  scenario.file = std::string(file);
  Reader reader(file, scenario);
  reader.read(root);
  result.errors = reader.take_errors();
  if (result.errors.empty()) {
    scenario.config.name = scenario.name;
    if (scenario.lying_fsync) {
      scenario.config.decorate_fs = [](sim::SimFs& fs, sim::Prng&) {
        return make_lying_fsync_fs(fs);
      };
    }
    // A bug-zoo mutant may need an environment no scenario key describes (no-salt-check:
    // recycled blocks); it comes with the mutant, on or off.
    if (scenario.mutant) {
      if (const harness::Mutant* mutant = harness::find_mutant(*scenario.mutant)) {
        harness::apply_environment(*mutant, scenario.config);
      }
    }
    result.scenario = std::move(scenario);
  }
  return result;
}

std::vector<ScenarioKey> describe_scenario_keys() {
  Scenario defaults;
  std::vector<ScenarioKey> keys;
  Reader reader(defaults, keys);
  reader.read(toml::table{});
  return keys;
}

ParseResult load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParseResult result;
    result.errors.push_back({ErrorKind::kIo, path, 0, "", "cannot read the file"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

std::optional<ScenarioError> check_runnable(const Scenario& scenario) {
  if (scenario.target != "wal" && harness::find_target(scenario.target) == nullptr) {
    std::string available = "wal";
    for (const std::string& name : harness::target_names()) available += "|" + name;
    return ScenarioError{ErrorKind::kUnavailable, scenario.file, 0, "target",
                         fmt::format("target \"{}\" is not available in this build (it has {})",
                                     scenario.target, available)};
  }
  if (scenario.mutant) {
    if (harness::find_mutant(*scenario.mutant) == nullptr) {
      std::string known;
      for (const harness::Mutant& m : harness::all_mutants()) {
        known += fmt::format("{}{}", known.empty() ? "" : "|", m.name);
      }
      return ScenarioError{ErrorKind::kRange, scenario.file, 0, "mutant",
                           fmt::format("mutant \"{}\" is not in the bug zoo ({})",
                                       *scenario.mutant, known)};
    }
    const harness::TargetInfo* owner = planted_in(*scenario.mutant);
    if (owner != nullptr && owner->name != scenario.target) {
      return ScenarioError{ErrorKind::kRange, scenario.file, 0, "mutant",
                           fmt::format("mutant \"{}\" is planted in target \"{}\", not \"{}\"",
                                       *scenario.mutant, owner->name, scenario.target)};
    }
    if (!harness::mutants_available()) {
      return ScenarioError{ErrorKind::kUnavailable, scenario.file, 0, "mutant",
                           fmt::format("mutant \"{}\": mutants are not available in this build "
                                       "(they need WAL_FIU=ON)",
                                       *scenario.mutant)};
    }
  }
  return std::nullopt;
}

}  // namespace walsim
