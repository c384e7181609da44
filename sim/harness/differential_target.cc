// The differential's half (c): a registered target's workload (SQLite through its VFS, a
// user's store) run on PosixFs in a real directory and on SimFs, each op's outcome and the
// visible files after it compared, then a clean close, a reopen and the target's own check.
// The two sides run one after the other, not interleaved: a library may keep process-wide
// state (SQLite's random generator, seeded at each open) that interleaving would share.
#include "sim/harness/differential.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <wal/posix_fs.h>
#include <wal/runtime.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/differential_internal.h"
#include "sim/harness/target.h"
#include "sim/harness/workload.h"

namespace harness {
namespace differential_internal {
namespace {

constexpr const char* kStoreDir = "store";

// Calls `on_sync` after every file sync the store makes: the differential then compares the
// files there too, inside an op, where a write that a later unlink or truncate hides (a
// journal's) would otherwise go unseen.
class SyncWatch final : public faults::FsWrapper {
 public:
  SyncWatch(wal::Fs& base, std::function<void(const std::string&)> on_sync)
      : FsWrapper(base), on_sync_(std::move(on_sync)) {}

 private:
  class File final : public faults::FileWrapper {
   public:
    File(std::unique_ptr<wal::File> base, std::string path, SyncWatch& fs)
        : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}
    wal::Status sync_data() override { return seen(base_->sync_data(), "sync_data"); }
    wal::Status sync() override { return seen(base_->sync(), "sync"); }

   private:
    wal::Status seen(wal::Status status, const char* call) {
      fs_.on_sync_(fmt::format("{} {} -> {}", call, path_, status.is_ok() ? "OK" : "error"));
      return status;
    }
    SyncWatch& fs_;
  };

  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override {
    return std::make_unique<File>(std::move(file), std::string(path), *this);
  }

  std::function<void(const std::string&)> on_sync_;
};

// What one side saw at one point of the run.
struct Observation {
  std::string where;  // "open", "op 12 append", "close at the end", ...
  int code = 0;       // the status code (messages name paths, which differ)
  std::string what;   // compared: the ack and the violations (no paths in them)
  std::string text;   // the outcome in words, for the message
  Files files;        // the store's directory after it
};

class SideRun {
 public:
  SideRun(const TargetInfo& info, const RunConfig& config, std::uint64_t seed, const Side& side)
      : info_(info),
        config_(config),
        seed_(seed),
        side_(side),
        watched_(side.fs, [this](const std::string& sync) { on_sync(sync); }) {}

  std::vector<Observation> run() {
    const Workload workload = workload_for(config_, seed_);
    target_ = info_.make();
    current_ = "open";
    if (!open("open")) return std::move(seen_);
    for (const Op* op : in_order(workload)) {
      const std::string where = fmt::format("op {} {}", op->index, to_string(op->kind));
      current_ = where;
      if (op->kind == OpKind::kReopen) {
        if (!close(where + " (close)") || !open(where + " (open)")) return std::move(seen_);
        continue;
      }
      sim::Prng choices = op_choices(workload.seed, op->index);
      const Applied applied = target_->apply(*op, choices);
      std::string what = fmt::format("ack {}", static_cast<int>(applied.ack));
      for (const Violation& v : applied.violations) what += "; " + v.message;
      observe(where, applied.ack == Ack::kFailed ? static_cast<int>(applied.status.code()) : 0,
              what, applied.ack == Ack::kFailed ? what + ": " + applied.status.to_string() : what);
    }
    if (!close("close at the end") || !open("reopen at the end")) return std::move(seen_);
    std::string what = "checked";
    for (const Violation& v : target_->check(false)) what += "; " + v.message;
    observe("check after the reopen", 0, what, what);
    close("close after the check");
    target_.reset();
    return std::move(seen_);
  }

 private:
  bool open(const std::string& where) {
    current_ = where;
    TargetEnv env;
    env.fs = &watched_;
    env.clock = &clock_;
    env.runtime = &wal::std_runtime();  // unused: the target is single-threaded
    env.dir = side_.path(kStoreDir);
    env.options = config_.wal;
    env.options.fs = &watched_;
    env.options.clock = &clock_;
    env.options.runtime = env.runtime;
    env.settings = target_settings(info_, config_.target_settings);
    env.seed = seed_;
    env.device = config_.device;
    return status(where, target_->open(env));
  }

  bool close(const std::string& where) {
    current_ = where;
    return status(where, target_->close());
  }

  // The paths in a sync's name are the side's own: the store's part alone is compared.
  void on_sync(const std::string& sync) {
    std::string relative = sync;
    if (const auto at = relative.find(side_.root); at != std::string::npos) {
      relative.erase(at, side_.root.size());
    }
    observe(fmt::format("{}: {}", current_, relative), 0, relative, sync);
  }

  bool status(const std::string& where, const wal::Status& status) {
    observe(where, static_cast<int>(status.code()), "", Verdict::describe(status));
    return status.is_ok();
  }

  void observe(std::string where, int code, std::string what, std::string text) {
    Observation seen{std::move(where), code, std::move(what), std::move(text), {}};
    if (auto error = snapshot(side_, kStoreDir, seen.files)) seen.text += "; snapshot: " + *error;
    seen_.push_back(std::move(seen));
  }

  const TargetInfo& info_;
  const RunConfig& config_;
  std::uint64_t seed_;
  Side side_;
  StepClock clock_;
  SyncWatch watched_;    // the side's Fs, as the store sees it
  std::string current_;  // the call under way, for the syncs inside it
  std::unique_ptr<Target> target_;
  std::vector<Observation> seen_;
};

}  // namespace
}  // namespace differential_internal

DiffResult diff_target(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                       const DiffOptions& options) {
  using namespace differential_internal;
  Verdict verdict;
  const TargetInfo* info = find_target(config.target);
  if (info == nullptr || !info->single_threaded) {
    verdict.fail(fmt::format("target \"{}\" {}: the differential runs a target's calls on one "
                             "thread, and its store must make no threads of its own",
                             config.target, info == nullptr ? "is not registered"
                                                            : "runs threads of its own"));
    return verdict.result();
  }
  if (std::string error = make_real_dir(wal::join_path(dir, kStoreDir)); !error.empty()) {
    verdict.fail(std::move(error));
    return verdict.result();
  }
  const std::vector<Observation> real =
      SideRun(*info, config, seed, Side{wal::posix_fs(), dir}).run();
  SimSide sim(options);
  sim.fs.make_durable_dirs(wal::join_path(kSimRoot, kStoreDir));
  const std::vector<Observation> simulated =
      SideRun(*info, config, seed, Side{sim.top(), kSimRoot}).run();
  for (std::size_t i = 0; i < std::min(real.size(), simulated.size()) && !verdict.failed(); ++i) {
    const Observation& a = real[i];
    const Observation& b = simulated[i];
    ++verdict.result().ops;
    if (a.where != b.where || a.code != b.code || a.what != b.what) {
      verdict.fail(fmt::format("{}: real {}, sim {}", a.where, a.text,
                               a.where == b.where ? b.text : b.where + ": " + b.text));
      break;
    }
    compare_snapshots(a.files, b.files, "after " + a.where, verdict);
  }
  if (!verdict.failed() && real.size() != simulated.size()) {
    verdict.fail(fmt::format("real stopped after {} steps, sim after {}", real.size(),
                             simulated.size()));
  }
  if (!verdict.failed()) sim.check(verdict);
  return verdict.result();
}

}  // namespace harness
