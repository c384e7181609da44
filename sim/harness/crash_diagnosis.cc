#include "sim/harness/crash_diagnosis.h"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "faults/crash_words.h"
#include "sim/crash_plan.h"
#include "sim/harness/oracle.h"

namespace harness {
namespace {

// Sees the first power loss and lets it happen as planned.
class Capture : public PowerLossHook {
 public:
  std::optional<sim::SimFsState> first_power_loss(const sim::SimFsState& before,
                                                  const sim::CrashPlan& plan) override {
    before_ = before;
    plan_ = plan;
    return std::nullopt;
  }
  std::optional<sim::SimFsState> before_;
  sim::CrashPlan plan_;
};

// Leaves `state` instead of what the power loss chose.
class Force : public PowerLossHook {
 public:
  explicit Force(sim::SimFsState state) : state_(std::move(state)) {}
  std::optional<sim::SimFsState> first_power_loss(const sim::SimFsState&,
                                                  const sim::CrashPlan&) override {
    return state_;
  }

 private:
  sim::SimFsState state_;
};

// One pending op the power loss did not keep whole.
struct Item {
  bool dir = false;
  sim::InodeId inode = 0;
  std::size_t index = 0;
};

class Shrinker {
 public:
  Shrinker(const RunConfig& config, const Rerun& rerun, const sim::SimFsState& before,
           const sim::CrashPlan& plan, std::uint64_t max_reruns)
      : config_(config), rerun_(rerun), before_(before), plan_(plan), max_(max_reruns) {}

  // Items the plan lost, files' before directories' (a lost entry explains lost data better
  // than the data explains itself, so directories are tried last and stay when they matter).
  std::vector<Item> lost_items() const {
    std::vector<Item> files;
    std::vector<Item> dirs;
    for (const auto& [id, inode] : before_.inodes) {
      if (inode.is_dir) {
        for (std::size_t i = 0; i < inode.dir.pending.size(); ++i) {
          if (!faults::dir_op_survives(plan_, id, i)) dirs.push_back({true, id, i});
        }
        continue;
      }
      for (std::size_t i = 0; i < inode.file.pending.size(); ++i) {
        const sim::PendingOp& op = inode.file.pending[i];
        if (faults::fate_of(plan_, id, i, op).kind != sim::OpFate::Kind::kKeep) {
          files.push_back({false, id, i});
        }
      }
    }
    files.insert(files.end(), dirs.begin(), dirs.end());
    return files;
  }

  // Whether the run fails with only `lost` lost (everything else pending survives whole).
  // Unknown (nullopt) once the re-run budget is spent.
  std::optional<bool> fails_with(const std::vector<Item>& lost) {
    if (reruns_ >= max_) return std::nullopt;
    ++reruns_;
    sim::CrashPlan plan = sim::CrashPlan::keep_all(before_);
    for (const Item& item : lost) {
      if (item.dir) {
        plan.dirs[item.inode][item.index] = false;
      } else {
        plan.files[item.inode][item.index] = faults::fate_of(plan_, item.inode, item.index,
            before_.inodes.at(item.inode).file.pending[item.index]);
      }
    }
    Force force(sim::apply_crash(before_, plan));
    RunConfig config = config_;
    config.power_loss_hook = &force;
    sim::Trace quiet(false);
    return !rerun_(config, quiet).passed;
  }

  // Greedy: a group (one inode's items), then each item, made durable; kept lost only when
  // making it durable lets the run pass.
  std::vector<Item> shrink(std::vector<Item> lost) {
    std::vector<sim::InodeId> inodes;
    for (const Item& item : lost) {
      if (inodes.empty() || inodes.back() != item.inode) inodes.push_back(item.inode);
    }
    for (sim::InodeId inode : inodes) {
      std::vector<Item> without;
      for (const Item& item : lost) {
        if (item.inode != inode) without.push_back(item);
      }
      if (without.size() == lost.size() || without.empty()) continue;
      if (fails_with(without).value_or(false)) lost = std::move(without);
    }
    for (std::size_t i = 0; i < lost.size() && lost.size() > 1;) {
      std::vector<Item> without = lost;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      if (fails_with(without).value_or(false)) {
        lost = std::move(without);
      } else {
        ++i;
      }
    }
    return lost;
  }

  std::uint64_t reruns() const { return reruns_; }
  bool spent() const { return reruns_ >= max_; }

 private:
  const RunConfig& config_;
  const Rerun& rerun_;
  const sim::SimFsState& before_;
  const sim::CrashPlan& plan_;
  std::uint64_t max_;
  std::uint64_t reruns_ = 0;
};

// What the trace says around an item: the calls before the first power loss.
class Story {
 public:
  explicit Story(const std::vector<sim::Event>& events) {
    for (const sim::Event& e : events) {
      if (e.kind == sim::EventKind::kNote && e.name == "harness" && e.path == "power-loss") break;
      events_.push_back(&e);
    }
  }

  // "no sync_dir of /wal followed it" or "the sync_dir of /wal at #40 returned OK, yet ...".
  std::string syncs_after(std::uint64_t seq, const std::string& path, bool dir) const {
    for (const sim::Event* e : events_) {
      if (e->seq <= seq || e->kind != sim::EventKind::kFsOp || e->path != path) continue;
      const bool sync = dir ? e->op == sim::FsOp::kSyncDir
                            : e->op == sim::FsOp::kSync || e->op == sim::FsOp::kSyncData;
      if (!sync || e->outcome != wal::Code::kOk) continue;
      return fmt::format("the {} of {} at #{} returned OK but did not make it durable",
                         sim::to_string(e->op), path, e->seq);
    }
    return fmt::format("no {} of {} followed it", dir ? "sync_dir" : "sync", path);
  }

  // ", yet 4 writes or syncs returned OK after it (the first: append w1 op7 at #44)": the
  // acknowledgements that may have counted on it (opens, reads and closes promise nothing).
  std::string acks_after(std::uint64_t seq) const {
    std::vector<std::optional<std::string>> labels;
    std::uint64_t count = 0;
    std::string first;
    for (const sim::Event* e : events_) {
      if (e->kind != sim::EventKind::kNote || e->name != "harness") continue;
      if (std::optional<std::optional<std::string>> label = call_label(*e)) {
        labels.push_back(std::move(*label));
        continue;
      }
      if (e->path != "return" || e->seq <= seq || e->length != 0) continue;
      if (e->offset >= labels.size() || !labels[e->offset]) continue;
      if (count++ == 0) first = fmt::format(" (the first: {} at #{})", *labels[e->offset], e->seq);
    }
    if (count == 0) return "; no write or sync returned OK after it";
    return fmt::format(", yet {} write{} or sync{} returned OK after it{}", count,
                       count == 1 ? "" : "s", count == 1 ? "" : "s", first);
  }

 private:
  // A call's begin note: its label, or nothing for a call that acknowledges no data (outer
  // nullopt: not a call's note).
  static std::optional<std::optional<std::string>> call_label(const sim::Event& e) {
    for (int k = 0; k <= static_cast<int>(CallKind::kClose); ++k) {
      const auto kind = static_cast<CallKind>(k);
      if (to_string(kind) != e.path) continue;
      if (kind == CallKind::kOpen || kind == CallKind::kClose || kind == CallKind::kRead) {
        return std::optional<std::string>();
      }
      return std::optional<std::string>(fmt::format("{} w{} op{}", e.path, e.offset, e.length));
    }
    return std::nullopt;
  }

  std::vector<const sim::Event*> events_;
};

std::string range(std::uint64_t begin, std::uint64_t end) {
  return fmt::format("[{},{})", begin, end);
}

// "dropped the new entry /wal/0002.wal (#31)", "tore the write [0,4096) to /wal/0001.wal
// (#40), keeping only [0,512)".
std::string what_happened(const Item& item, const sim::SimFsState& before,
                          const sim::CrashPlan& plan, const std::string& path) {
  if (item.dir) {
    const sim::DirOp& op = before.inodes.at(item.inode).dir.pending[item.index];
    const std::string name = faults::join_path(path, op.name);
    switch (op.kind) {
      case sim::DirOp::Kind::kLink: return fmt::format("dropped the new entry {} (#{})", name, op.seq);
      case sim::DirOp::Kind::kUnlink: return fmt::format("dropped the removal of {} (#{})", name, op.seq);
      case sim::DirOp::Kind::kRename:
        return fmt::format("dropped the rename {} -> {} (#{})", name, op.target, op.seq);
    }
  }
  const sim::PendingOp& op = before.inodes.at(item.inode).file.pending[item.index];
  const sim::OpFate fate = faults::fate_of(plan, item.inode, item.index, op);
  if (op.kind == sim::PendingOp::Kind::kTruncate) {
    return fmt::format("dropped the truncate of {} to {} (#{})", path, op.offset, op.seq);
  }
  if (op.kind == sim::PendingOp::Kind::kAllocate) {
    return fmt::format("dropped the allocation {} of {} (#{})", range(op.offset, op.end()), path,
                       op.seq);
  }
  const std::string write = fmt::format("the write {} to {} (#{})", range(op.offset, op.end()),
                                        path, op.seq);
  if (fate.kind == sim::OpFate::Kind::kGarbage) {
    return "turned " + write + " into garbage (the size grew, the bytes did not arrive)";
  }
  if (fate.kind != sim::OpFate::Kind::kTorn) return "dropped " + write;
  const std::string kept = faults::kept_ranges(op, fate);
  const std::string rest = fate.fill == sim::TornFill::kStale  ? ""
                           : fate.fill == sim::TornFill::kZeros ? ", the rest reading as zeros"
                                                                : ", the rest reading as junk";
  const std::string sectors = fate.damage_sector_bytes == 0
                                  ? ""
                                  : fmt::format(" (and so the rest of each {}-byte sector it "
                                                "did not finish, older bytes too)",
                                                fate.damage_sector_bytes);
  return "tore " + write + (kept.empty() ? ", keeping none of it" : ", keeping only " + kept) +
         rest + sectors;
}

std::string explain(const std::vector<Item>& lost, const sim::SimFsState& before,
                    const sim::CrashPlan& plan, const Story& story) {
  const std::map<sim::InodeId, std::string> paths = faults::inode_paths(before);
  std::string text;
  for (const Item& item : lost) {
    const std::string path = faults::path_of(paths, item.inode);
    const std::uint64_t seq = item.dir ? before.inodes.at(item.inode).dir.pending[item.index].seq
                                       : before.inodes.at(item.inode).file.pending[item.index].seq;
    text += fmt::format("{}{}: {}{}", text.empty() ? "" : "; and ",
                        what_happened(item, before, plan, path),
                        story.syncs_after(seq, path, item.dir), story.acks_after(seq));
  }
  return text;
}

std::string faults_clause(const RunResult& result) {
  if (result.faults_injected.empty()) return "";
  std::string kinds;
  for (const auto& [kind, count] : result.faults_injected) {
    kinds += fmt::format("{}{} x{}", kinds.empty() ? "" : ", ", kind, count);
  }
  return " (injected faults in the run: " + kinds + ")";
}

}  // namespace

CrashDiagnosis diagnose_failure(const RunConfig& base, const Rerun& rerun,
                                std::uint64_t max_reruns) {
  CrashDiagnosis out;
  Capture capture;
  RunConfig config = base;
  config.power_loss_hook = &capture;
  sim::Trace trace;
  const RunResult first = rerun(config, trace);
  out.reruns = 1;
  if (first.passed) return out;
  if (!capture.before_) {
    out.text = "No power loss came before the failure: it does not depend on a crash state" +
               faults_clause(first) + ".";
    return out;
  }
  // The budget counts the run above.
  Shrinker shrinker(base, rerun, *capture.before_, capture.plan_,
                    max_reruns > 0 ? max_reruns - 1 : 0);
  const std::vector<Item> all = shrinker.lost_items();
  const std::optional<bool> without_loss = all.empty() ? true : shrinker.fails_with({});
  out.reruns += shrinker.reruns();
  if (without_loss.value_or(true)) {
    out.text = fmt::format("The failure does not depend on the crash state: it {} even when "
                           "everything pending survives the power loss{}.",
                           without_loss ? "stays" : "may stay", faults_clause(first));
    return out;
  }
  const std::vector<Item> lost = shrinker.shrink(all);
  out.reruns = 1 + shrinker.reruns();
  const std::string items = explain(lost, *capture.before_, capture.plan_, Story(trace.events()));
  // Faults stay in the sentence: a failed fsync may have dropped data before the crash, which
  // no crash plan holds (the lost item then only tips the balance).
  out.text = fmt::format(
      "The power loss {}. {} ({} of {} lost items matter{}; {} re-runs{}){}.",
      explain(lost, *capture.before_, capture.plan_, Story(trace.events())),
      lost.size() == 1 ? "Keeping it durable makes the run pass"
                       : "Losing all of these still fails the check",
      lost.size(), all.size(), lost.size() == 1 ? "s" : "", out.reruns,
      shrinker.spent() ? ", budget spent" : "", faults_clause(first));
  return out;
}

}  // namespace harness
