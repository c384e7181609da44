#include "sim/walsim/scenario_toml.h"

#include <filesystem>

#include <fmt/format.h>

#include "faults/power_loss.h"
#include "sim/harness/target.h"
#include "sim/torn_fill.h"
#include "sim/walsim/scenario_swarm.h"
#include "sim/walsim/script_toml.h"

namespace walsim {
namespace {

std::string number(double p) { return p == 0 ? "0.0" : fmt::format("{}", p); }

std::string toml_quoted(std::string_view text) { return "\"" + toml_escape(text) + "\""; }

std::string expect_to_toml(const harness::ExpectConfig& expect) {
  std::string out = "\n[expect]\n";
  out += fmt::format("verdict = \"{}\"\n", expect.pass ? "pass" : "fail");
  if (expect.invariants.empty()) {
    out += "invariants = \"all\"\n";
  } else {
    out += "invariants = [";
    bool first = true;
    for (harness::Invariant invariant : expect.invariants) {
      out += fmt::format("{}\"{}\"", first ? "" : ", ", harness::to_string(invariant));
      first = false;
    }
    out += "]\n";
  }
  return out;
}

// A file a key names, from the folder of the scenario being written (the reader resolved it
// against the folder of the one it read).
std::string beside(const std::string& path, const std::string& scenario_file) {
  if (path.empty()) return path;
  std::error_code error;
  const std::filesystem::path from =
      std::filesystem::absolute(std::filesystem::path(scenario_file), error).parent_path();
  const std::filesystem::path file = std::filesystem::absolute(path, error);
  const std::filesystem::path relative = file.lexically_relative(from);
  return relative.empty() || error ? file.string() : relative.string();
}

std::string target_value(const harness::TargetKey& key, const std::string& value,
                         const std::string& scenario_file) {
  switch (key.type) {
    case harness::TargetKeyType::kFile: return toml_quoted(beside(value, scenario_file));
    case harness::TargetKeyType::kTexts: {
      std::string out = "[";
      for (const std::string& text : harness::decode_texts(value).value_or(
               std::vector<std::string>{})) {
        out += (out.size() > 1 ? ", " : "") + toml_quoted(text);
      }
      return out + "]";
    }
    case harness::TargetKeyType::kScalar: break;
  }
  return key.words.empty() ? value : toml_quoted(value);
}

}  // namespace

std::string scenario_to_toml(const Scenario& s) {
  const harness::RunConfig& c = s.config;
  std::string out;
  out += fmt::format("name = {}\n", toml_quoted(s.name));
  out += fmt::format("description = {}\n", toml_quoted(s.description));
  out += fmt::format("seeds = {}\n", s.seeds);
  if (s.first_seed != 1) out += fmt::format("first_seed = {}\n", s.first_seed);
  out += fmt::format("target = {}\n", toml_quoted(s.target));
  if (s.mutant) out += fmt::format("mutant = {}\n", toml_quoted(*s.mutant));
  out += fmt::format("max_steps = {}\n", c.max_steps);
  if (s.swarm) return out + "\n" + swarm_to_toml(*s.swarm) + expect_to_toml(c.expect);

  const wal::Options& w = c.wal;
  out += "\n[wal]\n";
  out += fmt::format("segment_bytes = {}\n", w.segment_bytes);
  out += fmt::format("sync = \"{}\"\n", wal::to_string(w.sync));
  out += fmt::format("sync_interval_us = {}\n", w.sync_interval_us);
  out += fmt::format("sync_every_bytes = {}\n", w.sync_every_bytes);
  out += fmt::format("group_window_us = {}\n", w.group_window_us);
  out += fmt::format("checksum = \"{}\"\n", wal::to_string(w.checksum));
  out += fmt::format("recovery = \"{}\"\n", wal::to_string(w.recovery));
  out += fmt::format("preallocate = {}\n", w.preallocate);
  // Written only when off, so the scenarios printed before the key existed print the same.
  if (!w.background_rotation) out += "background_rotation = false\n";
  out += fmt::format("max_segments = {}\n", w.max_segments);
  out += fmt::format("max_bytes = {}\n", w.max_bytes);
  out += fmt::format("max_entry_bytes = {}\n", w.max_entry_bytes);
  out += fmt::format("buffer_bytes = {}\n", w.buffer_bytes);

  const harness::WorkloadConfig& wl = c.workload;
  out += "\n[workload]\n";
  out += fmt::format("writers = {}\n", wl.writers);
  out += fmt::format("ops = {}\n", wl.ops);
  out += fmt::format("entry_bytes = [{}, {}]\n", wl.entry_bytes_min, wl.entry_bytes_max);
  out += fmt::format("batch_ratio = {}\n", number(harness::probability_of(wl.batch_ratio)));
  out += fmt::format("sync_ratio = {}\n", number(harness::probability_of(wl.sync_ratio)));
  out += fmt::format("read_ratio = {}\n", number(harness::probability_of(wl.read_ratio)));
  out += fmt::format("truncate_ratio = {}\n", number(harness::probability_of(wl.truncate_ratio)));
  out += fmt::format("reopen_ratio = {}\n", number(harness::probability_of(wl.reopen_ratio)));
  out += fmt::format("checkpoint_every = {}\n", wl.checkpoint_every);
  out += fmt::format("batch_entries_max = {}\n", wl.batch_entries_max);
  if (wl.on_error != harness::OnError::kStop) {
    out += fmt::format("on_error = \"{}\"\n", harness::to_string(wl.on_error));
  }

  const sim::DeviceModel& d = c.device;
  out += "\n[device]\n";
  out += fmt::format("sector_bytes = {}\n", d.sector_bytes);
  out += fmt::format("page_bytes = {}\n", d.page_bytes);
  out += fmt::format("atomic_sector = {}\n", d.atomic_sector);
  out += fmt::format("fsync_latency_us = [{}, {}]\n", d.fsync_latency_us.min_us,
                     d.fsync_latency_us.max_us);
  out += fmt::format("write_latency_us = [{}, {}]\n", d.write_latency_us.min_us,
                     d.write_latency_us.max_us);
  out += fmt::format("capacity_bytes = {}\n", d.capacity_bytes);
  // The claims only when one differs from the default: most scenarios never name them.
  if (d.claims != sim::DeviceClaims{}) {
    out += fmt::format("atomic_write = {}\n", d.claims.atomic_write);
    out += fmt::format("safe_append = {}\n", d.claims.safe_append);
    out += fmt::format("sequential = {}\n", d.claims.sequential);
    out += fmt::format("powersafe_overwrite = {}\n", d.claims.powersafe_overwrite);
  }
  if (s.lying_fsync) out += "lying_fsync = true\n";

  out += "\n[crash]\n";
  out += fmt::format("at = \"{}\"\n", c.crash.at.to_string());
  out += fmt::format("count = {}\n", c.crash.count);
  if (c.crash.epochs > 1) out += fmt::format("epochs = {}\n", c.crash.epochs);
  out += fmt::format("policy = \"{}\"\n", faults::to_string(c.crash.power_loss.policy));
  out += fmt::format("lose_unsynced_dir_ops = {}\n", c.crash.power_loss.lose_unsynced_dir_ops);
  // Only when set: the files written before the key read the same as they did.
  if (c.crash.power_loss.torn_fill != sim::TornFill::kStale) {
    out += fmt::format("torn_fill = \"{}\"\n", sim::to_string(c.crash.power_loss.torn_fill));
  }
  if (c.crash.power_loss.torn_scope != sim::TornScope::kWrite) {
    out += fmt::format("torn_scope = \"{}\"\n", sim::to_string(c.crash.power_loss.torn_scope));
  }

  const harness::FaultConfig& f = c.faults;
  out += "\n[faults]\n";
  out += fmt::format("fsync_eio = {}\n", number(harness::probability_of(f.fsync_eio)));
  out += fmt::format("fsync_profile = {}\n", toml_quoted(f.fsync_profile));
  out += fmt::format("write_eio = {}\n", number(harness::probability_of(f.write_eio)));
  out += fmt::format("write_short = {}\n", number(harness::probability_of(f.write_short)));
  out += fmt::format("enospc_after_bytes = {}\n", f.enospc_after_bytes);
  out += fmt::format("read_eio = {}\n", number(harness::probability_of(f.read_eio)));
  out += fmt::format("bit_flip = {}\n", number(harness::probability_of(f.bit_flip)));
  out += fmt::format("latent_sector = {}\n", number(harness::probability_of(f.latent_sector)));
  out += fmt::format("misdirected_write = {}\n", number(harness::probability_of(f.misdirected_write)));
  out += fmt::format("aim = \"{}\"\n", faults::to_string(f.media_aim));
  // The newer keys only when set, so that older scenarios are written as they always were.
  if (f.read_short.numerator != 0) {
    out += fmt::format("read_short = {}\n", number(harness::probability_of(f.read_short)));
  }
  if (f.close_eio.numerator != 0) {
    out += fmt::format("close_eio = {}\n", number(harness::probability_of(f.close_eio)));
  }
  if (!f.target.empty()) out += fmt::format("target = {}\n", toml_quoted(f.target));

  if (const harness::TargetInfo* info = harness::find_target(c.target);
      info != nullptr && !info->keys.empty()) {
    const auto settings = harness::target_settings(*info, c.target_settings);
    out += fmt::format("\n[{}]\n", info->name);
    for (const harness::TargetKey& key : info->keys) {
      out += fmt::format("{} = {}\n", key.name, target_value(key, settings.at(key.name), s.file));
    }
  }

  out += expect_to_toml(c.expect);
  if (c.script) out += "\n" + script_to_toml(*c.script);
  return out;
}

std::string describe_setup(const Scenario& s) {
  if (s.swarm) {
    return fmt::format("swarm: each seed draws its configuration{}",
                       s.mutant ? fmt::format(" mutant={}", *s.mutant) : "");
  }
  const harness::RunConfig& c = s.config;
  std::string out = fmt::format("sync={}", wal::to_string(c.wal.sync));
  if (c.workload.writers > 1) out += fmt::format(" writers={}", c.workload.writers);
  out += fmt::format(" ops={}", c.script ? c.script->total_ops() : c.workload.ops);
  const std::string_view policy = faults::to_string(c.crash.power_loss.policy);
  const std::string at = c.script ? c.script->crash.to_string() : c.crash.at.to_string();
  if (at == "none") {
    out += " crash=none";
  } else {
    out += fmt::format(" crash={}@{}", policy, at);
  }
  if (c.crash.count > 1) out += fmt::format("x{}", c.crash.count);
  if (at != "none" && c.crash.power_loss.torn_fill != sim::TornFill::kStale) {
    out += fmt::format(" torn_fill={}", sim::to_string(c.crash.power_loss.torn_fill));
  }
  if (at != "none" && c.crash.power_loss.torn_scope != sim::TornScope::kWrite) {
    out += fmt::format(" torn_scope={}", sim::to_string(c.crash.power_loss.torn_scope));
  }
  if (c.crash.epochs > 1) out += fmt::format(" epochs={}", c.crash.epochs);
  std::string faults;
  const harness::FaultConfig& f = c.faults;
  auto add = [&](std::string_view name, sim::Ratio r) {
    if (r.numerator != 0) faults += fmt::format(" {}", name);
  };
  if (f.fsync_eio.numerator != 0) faults += fmt::format(" fsync_eio({})", f.fsync_profile);
  add("write_eio", f.write_eio);
  add("write_short", f.write_short);
  if (f.enospc_after_bytes != 0) faults += " enospc";
  add("read_eio", f.read_eio);
  add("bit_flip", f.bit_flip);
  add("latent_sector", f.latent_sector);
  add("misdirected_write", f.misdirected_write);
  add("read_short", f.read_short);
  add("close_eio", f.close_eio);
  if (!faults.empty() && !f.target.empty()) faults += fmt::format(" on {}", f.target);
  if (c.script) {
    faults.clear();
    for (const harness::ScriptedFault& fault : c.script->faults) {
      faults += fmt::format(" {}@{}", harness::to_string(fault.kind), fault.at);
    }
    out += " scripted";
  }
  if (!faults.empty()) out += " faults:" + faults;
  if (c.workload.on_error != harness::OnError::kStop) {
    out += fmt::format(" on_error={}", harness::to_string(c.workload.on_error));
  }
  if (s.mutant) out += fmt::format(" mutant={}", *s.mutant);
  if (s.lying_fsync) out += " device=lying_fsync";
  return out;
}

}  // namespace walsim
