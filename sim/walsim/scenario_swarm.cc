#include "sim/walsim/scenario_swarm.h"

#include <algorithm>
#include <bit>
#include <initializer_list>

#include <fmt/format.h>

#include "sim/prng.h"
#include "sim/walsim/scenario_limits.h"
#include "sim/walsim/scenario_toml.h"
#include "sim/walsim/script_toml.h"

namespace walsim {
namespace {

// Keeps the swarm's stream apart from the run's own, which the same seed also drives.
constexpr std::uint64_t kSwarmStream = 0x5357'4152'4d00'0001ull;  // "SWARM"
// torn_fill came after seeds were pinned (tests, docs/swarm.md): its draw has a stream of its
// own, so every draw before it, and each seed's configuration but the fill, stays the same.
constexpr std::uint64_t kTornFillStream = 0x5357'4152'4d00'0002ull;
// torn_scope likewise, after torn_fill: a stream of its own again.
constexpr std::uint64_t kTornScopeStream = 0x5357'4152'4d00'0003ull;
// The fault kinds that came after (short reads, a failing close, faults aimed at one kind of
// file, a process crash): a stream of their own too, so every earlier draw of a seed stays.
constexpr std::uint64_t kLaterFaultsStream = 0x5357'4152'4d00'0004ull;

template <typename T>
T pick(sim::Prng& prng, std::initializer_list<T> choices) {
  return *(choices.begin() + prng.below(choices.size()));
}

bool one_in(sim::Prng& prng, std::uint64_t n) { return prng.below(n) == 0; }

// 1..max, each power-of-two band as likely as the next: short runs shrink well and are many,
// long ones still come.
std::uint64_t log_uniform(sim::Prng& prng, std::uint64_t max) {
  const auto bands = static_cast<std::uint64_t>(std::bit_width(max));
  const std::uint64_t band = prng.below(bands);
  const std::uint64_t low = std::uint64_t{1} << band;
  return prng.range(low, std::min(max, low * 2 - 1));
}

// A probability drawn as TOML writes it: the parser turns the text into the ratio that runs.
sim::Ratio rate(sim::Prng& prng, std::initializer_list<double> choices) {
  return harness::ratio_from_probability(pick(prng, choices));
}

void draw_wal(sim::Prng& prng, wal::Options& w) {
  w.sync = pick(prng, {wal::SyncPolicy::kImmediate, wal::SyncPolicy::kGrouped,
                       wal::SyncPolicy::kGrouped, wal::SyncPolicy::kPeriodic,
                       wal::SyncPolicy::kNone});
  w.segment_bytes = pick<std::uint64_t>(prng, {4096, 4096, 8192, 16384, 65536, 262144});
  // Tiny buffers put Fs calls inside every op, so an fs-op crash lands mid-op.
  w.buffer_bytes = pick<std::uint32_t>(prng, {64, 512, 4096, 65536, 1u << 20});
  w.sync_interval_us = pick<std::uint64_t>(prng, {0, 100, 500, 2000, 20000});
  w.sync_every_bytes = pick<std::uint64_t>(prng, {0, 0, 256, 4096, 65536});
  if (w.sync == wal::SyncPolicy::kPeriodic && w.sync_interval_us == 0 && w.sync_every_bytes == 0) {
    w.sync_interval_us = 500;  // periodic needs one trigger (limits::check_cross_keys)
  }
  w.group_window_us = one_in(prng, 2) ? 0 : pick<std::uint64_t>(prng, {50, 500, 2000});
  w.checksum = pick(prng, {wal::ChecksumKind::kCrc32c, wal::ChecksumKind::kCrc64,
                           wal::ChecksumKind::kXxh3});
  w.recovery = pick(prng, {wal::RecoveryMode::kTolerateTail, wal::RecoveryMode::kAbsolute,
                           wal::RecoveryMode::kPointInTime, wal::RecoveryMode::kSkipCorrupted});
  w.preallocate = !one_in(prng, 4);
  w.background_rotation = !one_in(prng, 4);
  w.max_segments = one_in(prng, 3) ? static_cast<std::uint32_t>(prng.range(2, 6)) : 0;
  w.max_bytes = one_in(prng, 6) ? w.segment_bytes * prng.range(2, 8) : 0;
}

void draw_workload(sim::Prng& prng, const SwarmSpace& space, const wal::Options& w,
                   bool wal_target, harness::WorkloadConfig& wl) {
  wl.writers = one_in(prng, 3) ? 1 : static_cast<std::uint32_t>(prng.range(1, space.writers_max));
  wl.ops = log_uniform(prng, space.ops_max);
  // The largest payload a segment holds with its headers (limits::check_entry_size).
  // A store on the WAL (kv, queue, a user's) frames an op in its own record, bigger than the
  // op's entry: it gets half a segment of headroom (swarm --target queue, seed 30: 4,344 bytes
  // of record for an entry that fit).
  std::uint64_t cap = std::min<std::uint64_t>(
      w.segment_bytes - limits::kSegmentHeaderBytes - limits::kRecordHeaderBytes,
      w.max_entry_bytes);
  if (!wal_target) cap /= 2;
  std::uint64_t low = 1;
  std::uint64_t high = 1024;
  switch (prng.below(6)) {
    case 0:  // fixed and small
      low = high = prng.range(1, 128);
      break;
    case 1:  // fixed, records of a power-of-two size: damage shifted by whole sectors lands
             // on record boundaries
      low = high = pick<std::uint64_t>(prng, {88, 216, 472});
      break;
    case 2:
      high = 64;
      break;
    case 3:
      break;
    case 4:
      high = cap;
      break;
    default:
      low = std::max<std::uint64_t>(1, cap / 4);
      high = cap;
      break;
  }
  high = std::min(high, cap);
  low = std::min(low, high);
  wl.entry_bytes_min = static_cast<std::uint32_t>(low);
  wl.entry_bytes_max = static_cast<std::uint32_t>(high);
  // Each op kind is on in about half the seeds; the five rates sum to at most 1.
  auto maybe = [&](sim::Ratio& r, std::initializer_list<double> choices) {
    r = one_in(prng, 2) ? rate(prng, choices) : sim::Ratio{0, 1};
  };
  maybe(wl.batch_ratio, {0.05, 0.1, 0.2});
  maybe(wl.sync_ratio, {0.02, 0.05, 0.2});
  maybe(wl.read_ratio, {0.02, 0.05, 0.2});
  maybe(wl.truncate_ratio, {0.02, 0.05, 0.2});
  maybe(wl.reopen_ratio, {0.01, 0.03, 0.1});
  wl.checkpoint_every = one_in(prng, 2) ? 0 : prng.range(2, 25);
  wl.batch_entries_max = static_cast<std::uint32_t>(prng.range(2, 16));
  if (!wal_target) {
    // ... and a batch is one record of the store's too: the whole batch fits the headroom.
    wl.batch_entries_max = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(
        cap / std::max<std::uint64_t>(wl.entry_bytes_max, 1), 2, wl.batch_entries_max));
    wl.entry_bytes_max = std::min<std::uint32_t>(
        wl.entry_bytes_max, static_cast<std::uint32_t>(cap / wl.batch_entries_max));
    wl.entry_bytes_min = std::min(wl.entry_bytes_min, wl.entry_bytes_max);
  }
}

void draw_device(sim::Prng& prng, sim::DeviceModel& d) {
  d.sector_bytes = pick<std::uint32_t>(prng, {512, 512, 4096});
  d.page_bytes = 4096;
  d.atomic_sector = !one_in(prng, 3);
  switch (prng.below(3)) {
    case 0: d.fsync_latency_us = {10, 100}; break;
    case 1: d.fsync_latency_us = {100, 2000}; break;
    default: d.fsync_latency_us = {1000, 20000}; break;
  }
}

void draw_crash(sim::Prng& prng, const SwarmSpace& space, const harness::WorkloadConfig& wl,
                harness::CrashConfig& c) {
  using Kind = harness::CrashAt::Kind;
  const std::uint64_t ops = wl.ops;
  switch (prng.below(12)) {
    case 0: case 1: c.at = {Kind::kRandom, 0}; break;
    case 3: case 4: c.at = {Kind::kPersistencePoints, 0}; break;
    // Inside a call, anywhere: about six Fs calls an op with a small buffer.
    case 5: case 6: case 7: c.at = {Kind::kFsOp, 1 + prng.below(ops * 6 + 20)}; break;
    // Inside an op, aimed: the op kind first, then a durability barrier it made (crash_aim.h),
    // so that the multi-step calls (truncate_front, a rotation, a reopen) are crashed inside.
    // Cases 2 and 9 were random's and op:N's: of the seeds docs/swarm.md names, only 608 drew
    // one of them, so the others still draw the configurations that found their bugs.
    case 2: case 9: c.at = {Kind::kInsideOp, 0}; break;
    case 8: c.at = {Kind::kTime, prng.below(ops * 1500 + 1)}; break;
    case 10: c.at = {Kind::kOp, prng.below(ops + 1)}; break;
    default: c.at = {Kind::kNone, 0}; break;
  }
  c.power_loss.policy = pick(prng, {faults::CrashPolicy::kDropUnsynced, faults::CrashPolicy::kPrefix,
                                    faults::CrashPolicy::kReorder, faults::CrashPolicy::kTorn,
                                    faults::CrashPolicy::kGarbageTail});
  c.power_loss.lose_unsynced_dir_ops = !one_in(prng, 6);
  const bool crashes = c.at.kind != Kind::kNone;
  const std::uint32_t count_max = std::max(1u, space.crash_count_max);
  const std::uint32_t epochs_max = std::max(1u, space.epochs_max);
  c.count = crashes && count_max > 1 && one_in(prng, 3)
                ? static_cast<std::uint32_t>(prng.range(2, count_max))
                : 1;
  c.epochs = crashes && epochs_max > 1 && one_in(prng, 3)
                 ? static_cast<std::uint32_t>(prng.range(2, epochs_max))
                 : 1;
}

void draw_faults(sim::Prng& prng, const SwarmSpace& space, const wal::Options& w,
                 harness::FaultConfig& f) {
  auto maybe = [&](sim::Ratio& r, std::uint64_t one_in_n, std::initializer_list<double> choices) {
    r = one_in(prng, one_in_n) ? rate(prng, choices) : sim::Ratio{0, 1};
  };
  f.fsync_profile = pick<std::string>(prng, {"ext4", "xfs", "btrfs"});
  if (space.io_faults && one_in(prng, 2)) {
    maybe(f.fsync_eio, 3, {0.005, 0.02, 0.1});
    maybe(f.write_eio, 4, {0.005, 0.02, 0.1});
    maybe(f.write_short, 4, {0.005, 0.02, 0.1});
    maybe(f.read_eio, 5, {0.005, 0.02});
    if (one_in(prng, 4)) {
      // Room for whole segments, then for a segment header but not its preallocation.
      f.enospc_after_bytes = w.segment_bytes * prng.range(1, 4) +
                             pick<std::uint64_t>(prng, {0, 32, 64, 100, w.segment_bytes / 2});
    }
  }
  if (space.media_faults && one_in(prng, 2)) {
    maybe(f.bit_flip, 3, {0.01, 0.05, 0.2});
    maybe(f.latent_sector, 4, {0.01, 0.05});
    maybe(f.misdirected_write, 4, {0.005, 0.02});
    f.media_aim = pick(prng, {faults::MediaAim::kUniform, faults::MediaAim::kStructure,
                              faults::MediaAim::kMixed, faults::MediaAim::kMixed});
  }
}

// The files an aimed fault may hit, by the target's own names: a fault on one kind of file
// reaches the multi-step operations that touch it without failing everything else first.
std::string draw_aim(sim::Prng& prng, std::string_view target) {
  if (target == "wal") return pick<std::string>(prng, {"*.wal", "*.tmp", "FRONT*", "[0-9]*"});
  if (target == "leveldb" || target == "rocksdb") {
    return pick<std::string>(prng, {"MANIFEST-*", "*.log", "CURRENT", "*.ldb", "*.sst", "*.dbtmp"});
  }
  return pick<std::string>(prng, {"*.tmp", "[0-9]*"});
}

// Drawn from kLaterFaultsStream: short reads and failing closes with the I/O faults, an aim
// for the I/O faults drawn, and the process crash (the page cache survives) among the policies.
void draw_later_faults(sim::Prng& prng, const SwarmSpace& space, std::string_view target,
                       harness::CrashConfig& c, harness::FaultConfig& f) {
  if (c.at.kind != harness::CrashAt::Kind::kNone && one_in(prng, 8)) {
    c.power_loss.policy = faults::CrashPolicy::kProcess;
    c.power_loss.torn_fill = sim::TornFill::kStale;  // a fill and a scope only tear with torn
    c.power_loss.torn_scope = sim::TornScope::kWrite;
  }
  if (!space.io_faults || !one_in(prng, 3)) return;
  if (one_in(prng, 2)) f.read_short = rate(prng, {0.01, 0.05, 0.2});
  if (one_in(prng, 2)) f.close_eio = rate(prng, {0.02, 0.1, 0.3});
  const bool io_faults = f.fsync_eio.numerator != 0 || f.write_eio.numerator != 0 ||
                         f.write_short.numerator != 0 || f.read_eio.numerator != 0 ||
                         f.read_short.numerator != 0 || f.close_eio.numerator != 0 ||
                         f.enospc_after_bytes != 0;
  if (io_faults && one_in(prng, 3)) f.target = draw_aim(prng, target);
}

std::string describe_space(const SwarmSpace& s) {
  return fmt::format("ops 1..{}, writers 1..{}, crash count 1..{}, epochs 1..{}, io faults {}, "
                     "media faults {}{}{}",
                     s.ops_max, s.writers_max, s.crash_count_max, s.epochs_max,
                     s.io_faults ? "on" : "off", s.media_faults ? "on" : "off",
                     s.torn_fill ? "" : ", torn fill off",
                     s.torn_scope ? ", torn scope on" : "");
}

}  // namespace

Scenario draw_for_seed(const Scenario& base, std::uint64_t seed) {
  if (!base.swarm) return base;
  const SwarmSpace& space = *base.swarm;
  sim::Prng prng(seed ^ kSwarmStream);
  Scenario drawn = base;
  drawn.swarm.reset();
  drawn.config.script.reset();
  drawn.name = fmt::format("{}-{}", base.name, seed);
  drawn.description = fmt::format("The configuration seed {} of swarm '{}' drew ({}).", seed,
                                  base.name, describe_space(space));
  drawn.seeds = 1;
  drawn.first_seed = seed;
  harness::RunConfig& c = drawn.config;
  c.wal = wal::Options{};
  draw_wal(prng, c.wal);
  c.workload = harness::WorkloadConfig{};
  draw_workload(prng, space, c.wal, base.target == "wal", c.workload);
  c.device = sim::DeviceModel{};
  draw_device(prng, c.device);
  c.crash = harness::CrashConfig{};
  draw_crash(prng, space, c.workload, c.crash);
  if (space.torn_fill && c.crash.power_loss.policy == faults::CrashPolicy::kTorn) {
    sim::Prng fill(seed ^ kTornFillStream);
    c.crash.power_loss.torn_fill =
        pick(fill, {sim::TornFill::kStale, sim::TornFill::kZeros, sim::TornFill::kRandom});
  }
  // Only over a fill that shows (limits: the sector scope needs zeros or random).
  if (space.torn_scope && c.crash.power_loss.torn_fill != sim::TornFill::kStale) {
    sim::Prng scope(seed ^ kTornScopeStream);
    c.crash.power_loss.torn_scope = pick(scope, {sim::TornScope::kWrite, sim::TornScope::kSector});
  }
  c.faults = harness::FaultConfig{};
  draw_faults(prng, space, c.wal, c.faults);
  sim::Prng later(seed ^ kLaterFaultsStream);
  draw_later_faults(later, space, base.target, c.crash, c.faults);
  return drawn;
}

std::optional<Scenario> for_seed(const Scenario& base, std::uint64_t seed, std::string* error) {
  if (!base.swarm) return base;
  const Scenario drawn = draw_for_seed(base, seed);
  // Through the writer and the strict parser: what runs is what a saved file says.
  const std::string text = scenario_to_toml(drawn);
  ParseResult parsed = parse_scenario(text, drawn.name + ".toml");
  if (!parsed.ok()) {
    if (error != nullptr) {
      *error = fmt::format("swarm seed {} drew a configuration the parser refuses (a bug in the "
                           "swarm's rules): {}",
                           seed, parsed.errors.front().to_string());
    }
    return std::nullopt;
  }
  parsed.scenario->file = base.file;
  // The base's Fs wrapper (the test abort hook) wins; else the one the mutant brings.
  if (base.config.decorate_fs) parsed.scenario->config.decorate_fs = base.config.decorate_fs;
  return std::move(parsed.scenario);
}

Scenario swarm_scenario(const std::string& target, const std::optional<std::string>& mutant,
                        const SwarmSpace& space) {
  Scenario s;
  s.name = mutant ? fmt::format("swarm-{}", *mutant) : std::string("swarm");
  s.description = "Every seed draws its whole configuration (" + describe_space(space) + ").";
  s.target = target;
  s.config.target = target;
  s.config.name = s.name;
  s.mutant = mutant;
  s.swarm = space;
  if (mutant) s.config.expect.pass = false;
  return s;
}

std::vector<ScenarioError> read_swarm_table(const toml::table& table, std::string_view file,
                                            SwarmSpace& space) {
  std::vector<ScenarioError> errors;
  auto integer = [&](const toml::node& node, const std::string& key, std::int64_t min,
                     std::int64_t max) -> std::optional<std::uint64_t> {
    const std::optional<std::int64_t> v = node.value<std::int64_t>();
    if (!node.is_integer() || !v) {
      errors.push_back({ErrorKind::kType, std::string(file), toml_line_of(node), key,
                        fmt::format("wrong type for '{}': expected an integer", key)});
      return std::nullopt;
    }
    if (*v < min || *v > max) {
      errors.push_back({ErrorKind::kRange, std::string(file), toml_line_of(node), key,
                        fmt::format("'{}' = {} is out of range [{}, {}]", key, *v, min, max)});
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(*v);
  };
  auto boolean = [&](const toml::node& node, const std::string& key) -> std::optional<bool> {
    if (!node.is_boolean()) {
      errors.push_back({ErrorKind::kType, std::string(file), toml_line_of(node), key,
                        fmt::format("wrong type for '{}': expected a boolean", key)});
      return std::nullopt;
    }
    return node.value<bool>();
  };
  for (const auto& [name, node] : table) {
    const std::string key = "swarm." + std::string(name.str());
    if (name == "ops_max") {
      if (auto v = integer(node, key, 1, 100'000)) space.ops_max = *v;
    } else if (name == "writers_max") {
      if (auto v = integer(node, key, 1, limits::kWritersMax)) {
        space.writers_max = static_cast<std::uint32_t>(*v);
      }
    } else if (name == "crash_count_max") {
      if (auto v = integer(node, key, 1, limits::kCrashCountMax)) {
        space.crash_count_max = static_cast<std::uint32_t>(*v);
      }
    } else if (name == "epochs_max") {
      if (auto v = integer(node, key, 1, limits::kCrashCountMax)) {
        space.epochs_max = static_cast<std::uint32_t>(*v);
      }
    } else if (name == "io_faults") {
      if (auto b = boolean(node, key)) space.io_faults = *b;
    } else if (name == "media_faults") {
      if (auto b = boolean(node, key)) space.media_faults = *b;
    } else if (name == "torn_fill") {
      if (auto b = boolean(node, key)) space.torn_fill = *b;
    } else if (name == "torn_scope") {
      if (auto b = boolean(node, key)) space.torn_scope = *b;
    } else {
      errors.push_back({ErrorKind::kUnknownKey, std::string(file), toml_line_of(node), key,
                        fmt::format("unknown key '{}'", key)});
    }
  }
  // The scope is drawn over a drawn fill; without one it would draw nothing, silently.
  if (space.torn_scope && !space.torn_fill) {
    const toml::node* node = table.get("torn_scope");
    errors.push_back({ErrorKind::kRange, std::string(file), toml_line_of(*node), "swarm.torn_scope",
                      "'swarm.torn_scope' = true is not drawn with 'swarm.torn_fill' = false: "
                      "the sector scope is drawn only for seeds whose fill is zeros or random"});
  }
  return errors;
}

std::string swarm_to_toml(const SwarmSpace& s) {
  // torn_fill only when off (on by default), torn_scope only when on (off by default): a file
  // without either key draws as it did before the keys.
  return fmt::format("[swarm]\nops_max = {}\nwriters_max = {}\ncrash_count_max = {}\n"
                     "epochs_max = {}\nio_faults = {}\nmedia_faults = {}\n{}{}",
                     s.ops_max, s.writers_max, s.crash_count_max, s.epochs_max, s.io_faults,
                     s.media_faults, s.torn_fill ? "" : "torn_fill = false\n",
                     s.torn_scope ? "torn_scope = true\n" : "");
}

bool swarm_media_faults(std::string_view target, bool on, bool off) {
  if (on || off) return on;
  return target == "wal" && kWalSwarmMediaFaultsByDefault;
}

std::string media_faults_flag(std::string_view target, bool media_faults) {
  if (media_faults == swarm_media_faults(target, false, false)) return "";
  return media_faults ? " --media-faults" : " --no-media-faults";
}

}  // namespace walsim
