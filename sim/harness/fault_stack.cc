#include "sim/harness/fault_stack.h"

#include <algorithm>
#include <utility>

#include "faults/close_eio_fs.h"
#include "faults/file_glob.h"
#include "faults/fs_wrapper.h"
#include "faults/fsync_eio_fs.h"
#include "faults/io_faults.h"
#include "faults/media_faults.h"
#include "faults/read_short_fs.h"

namespace harness {
namespace {

enum class OpClass : std::uint8_t { kWrite, kSync, kRead, kClose };

OpClass op_class(FaultKind kind) {
  switch (kind) {
    case FaultKind::kFsyncEio: return OpClass::kSync;
    case FaultKind::kReadEio:
    case FaultKind::kReadShort: return OpClass::kRead;
    case FaultKind::kCloseEio: return OpClass::kClose;
    default: return OpClass::kWrite;
  }
}

std::uint64_t count_of(const OpCounts& counts, OpClass op) {
  switch (op) {
    case OpClass::kWrite: return counts.writes;
    case OpClass::kSync: return counts.syncs;
    case OpClass::kRead: return counts.reads;
    case OpClass::kClose: return counts.closes;
  }
  return 0;
}

// The call number of a directory fsync among all calls of its class: none. Directory fsyncs
// are numbered per directory only, so adding them left every file sync's number as it was.
constexpr std::uint64_t kNoCallNumber = ~std::uint64_t{0};

std::string last_fault_detail(const sim::SimFs& fs) {
  const sim::Trace* trace = fs.trace();
  if (trace == nullptr || trace->events().empty()) return {};
  const sim::Event& event = trace->events().back();
  return event.kind == sim::EventKind::kFault ? sim::Trace::format(event) : std::string();
}

}  // namespace

// Numbers the WAL's calls (CallCounts), in all and per file class, before passing them down.
class FaultStack::Counter final : public faults::FsWrapper {
 public:
  Counter(wal::Fs& base, CallCounts& counts) : FsWrapper(base), counts_(counts) {}

  wal::Status sync_dir(std::string_view dir) override {
    ++counts_.by_file[dir_class(dir)].syncs;
    return FsWrapper::sync_dir(dir);
  }

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override {
    OpCounts& of_file = counts_.by_file[file_class(path)];
    return std::make_unique<File>(counts_, of_file, std::move(file), std::string(path));
  }

 private:
  class File final : public faults::FileWrapper {
   public:
    File(CallCounts& counts, OpCounts& of_file, std::unique_ptr<wal::File> base, std::string path)
        : FileWrapper(std::move(base), std::move(path)), counts_(counts), of_file_(of_file) {}
    wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
      ++counts_.reads;
      ++of_file_.reads;
      return base_->read_at(offset, out);
    }
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      ++counts_.writes;
      ++of_file_.writes;
      return base_->write_at(offset, data);
    }
    wal::Status sync_data() override {
      ++counts_.syncs;
      ++of_file_.syncs;
      return base_->sync_data();
    }
    wal::Status sync() override {
      ++counts_.syncs;
      ++of_file_.syncs;
      return base_->sync();
    }
    wal::Status close() override {
      ++counts_.closes;
      ++of_file_.closes;
      return base_->close();
    }

   private:
    CallCounts& counts_;
    OpCounts& of_file_;
  };

  CallCounts& counts_;
};

// Sends a call through the fault decorator under it (which always fires) or around it.
class FaultStack::Gate final : public faults::FsWrapper {
 public:
  // `call`: the call's number among all calls of the gate's op class; `file`, `file_call`: its
  // file's class and its number among that class's calls.
  using Decide =
      std::function<bool(std::uint64_t call, std::string_view file, std::uint64_t file_call)>;
  // `decide_dir`: the same for a directory fsync (its own stream of draws).
  Gate(faults::FsWrapper& decorator, const faults::Trigger& trigger, FaultKind kind,
       FaultStack& stack, Decide decide, Decide decide_dir)
      : FsWrapper(static_cast<wal::Fs&>(decorator)),  // wraps it (not a copy of its wrapper)
        decorator_(decorator),
        trigger_(trigger),
        kind_(kind),
        op_(op_class(kind)),
        stack_(stack),
        decide_(std::move(decide)),
        decide_dir_(std::move(decide_dir)) {}

  // A directory fsync is a sync (fsync_eio): gated like a file's, numbered and anchored within
  // its directory only.
  wal::Status sync_dir(std::string_view dir) override {
    if (op_ != OpClass::kSync) return decorator_.sync_dir(dir);
    const std::string cls = dir_class(dir);
    const std::uint64_t file_call = stack_.counts_.by_file[cls].syncs;
    return gated<wal::Status>(
        dir, cls, kNoCallNumber, file_call, decide_dir_,
        [&] { return decorator_.sync_dir(dir); }, [&] { return decorator_.base().sync_dir(dir); });
  }

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override {
    auto* faulty = dynamic_cast<faults::FileWrapper*>(file.get());
    WAL_ASSERT(faulty != nullptr);  // every fault decorator wraps every file it opens
    std::string cls = file_class(path);
    const OpCounts& of_file = stack_.counts_.by_file[cls];
    return std::make_unique<File>(*this, std::move(file), std::string(path), *faulty,
                                  std::move(cls), of_file);
  }

 private:
  class File final : public faults::FileWrapper {
   public:
    File(Gate& gate, std::unique_ptr<wal::File> base, std::string path,
         faults::FileWrapper& faulty, std::string cls, const OpCounts& of_file)
        : FileWrapper(std::move(base), std::move(path)),
          gate_(gate),
          faulty_(faulty),
          class_(std::move(cls)),
          of_file_(of_file) {}
    wal::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
      return gate_.route<wal::Result<std::size_t>>(
          OpClass::kRead, *this, [&](wal::File& f) { return f.read_at(offset, out); });
    }
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      return gate_.route<wal::Status>(OpClass::kWrite, *this,
                                      [&](wal::File& f) { return f.write_at(offset, data); });
    }
    wal::Status sync_data() override {
      return gate_.route<wal::Status>(OpClass::kSync, *this,
                                      [](wal::File& f) { return f.sync_data(); });
    }
    wal::Status sync() override {
      return gate_.route<wal::Status>(OpClass::kSync, *this,
                                      [](wal::File& f) { return f.sync(); });
    }
    wal::Status close() override {
      return gate_.route<wal::Status>(OpClass::kClose, *this,
                                      [](wal::File& f) { return f.close(); });
    }

    faults::FileWrapper& faulty() { return faulty_; }
    const std::string& file_class() const { return class_; }
    std::uint64_t number(OpClass op) const { return count_of(of_file_, op); }

   private:
    Gate& gate_;
    faults::FileWrapper& faulty_;
    std::string class_;
    const OpCounts& of_file_;
  };

  template <typename R, typename Call>
  R route(OpClass op, File& file, const Call& call) {
    faults::FileWrapper& faulty = file.faulty();
    if (op != op_) return call(faulty);  // not this gate's class: the decorator passes it on
    return gated<R>(
        file.path(), file.file_class(), count_of(stack_.counts_, op_), file.number(op_), decide_,
        [&] { return call(faulty); }, [&] { return call(faulty.base()); });
  }

  // One call of this gate's class on `path` (of class `cls`): `through` sends it through the
  // decorator, which fails it; `around` past it. `call` numbers it among all calls of the
  // class, `file_call` among those on its file class; kNoCallNumber for `call` records a fault
  // that fired as anchored to its class already.
  template <typename R, typename Through, typename Around>
  R gated(std::string_view path, std::string_view cls, std::uint64_t call, std::uint64_t file_call,
          Decide& decide, const Through& through, const Around& around) {
    if (stack_.schedule_ == nullptr && !faults::glob_matches(stack_.config_.target, path)) {
      return around();  // not aimed at: no draw, as if the kind were off for it
    }
    if (!decide(call, cls, file_call)) return around();
    const std::uint64_t before = trigger_.fired();
    R result = through();
    if (trigger_.fired() != before) {
      const bool anchored = call == kNoCallNumber;
      ScriptedFault fired = scripted_fault(kind_, anchored ? file_call : call, 0,
                                           last_fault_detail(stack_.sim_));
      if (anchored) fired.file = cls;
      fired.fired_file = cls;
      fired.fired_file_at = file_call;
      stack_.fired_.push_back(std::move(fired));
    }
    return result;
  }

  faults::FsWrapper& decorator_;
  const faults::Trigger& trigger_;
  FaultKind kind_;
  OpClass op_;
  FaultStack& stack_;
  Decide decide_;
  Decide decide_dir_;
};

FaultStack::FaultStack(wal::Fs& base, sim::SimFs& sim, const FaultConfig& config,
                       const std::vector<ScriptedFault>* schedule, sim::Prng prng)
    : sim_(sim),
      config_(config),
      schedule_(schedule),
      prng_(prng),
      media_prng_(prng_.fork()) {
  wal::Fs* below = &base;
  sim::Trace* trace = sim.trace();

  // enospc_after_bytes is a budget, not a per-call fault, so it needs no gate. It sits above
  // misdirected_write: the file system allocates for the write the WAL made, and the device
  // below puts it in the wrong place; under it, a shifted write past a preallocated segment's
  // end needed new blocks and failed the WAL's write in the middle of a record with ENOSPC, at
  // an offset the WAL never wrote (media seeds 3079378, 3038479).
  if (schedule_ != nullptr) {
    for (const ScriptedFault& fault : *schedule_) {
      if (fault.kind == FaultKind::kNoSpace) enospc_budget_ = fault.at;
    }
  } else {
    enospc_budget_ = config_.enospc_after_bytes;
  }
  sim::Prng enospc_prng = prng_.fork();
  auto add_enospc = [&] {
    if (enospc_budget_ == 0) return;
    auto enospc = std::make_unique<faults::EnospcFs>(*below, enospc_budget_, enospc_prng, trace);
    if (schedule_ == nullptr) enospc->aim(config_.target);
    enospc_ = &enospc->trigger();
    below = enospc.get();
    layers_.push_back(std::move(enospc));
  };

  const sim::Ratio always{1, 1};
  const std::pair<FaultKind, sim::Ratio> order[] = {
      {FaultKind::kReadEio, config_.read_eio},
      {FaultKind::kFsyncEio, config_.fsync_eio},
      {FaultKind::kMisdirectedWrite, config_.misdirected_write},
      {FaultKind::kWriteShort, config_.write_short},
      {FaultKind::kWriteEio, config_.write_eio},
      {FaultKind::kReadShort, config_.read_short},
      {FaultKind::kCloseEio, config_.close_eio},
  };
  for (const auto& [kind, probability] : order) {
    if (kind == FaultKind::kWriteShort) add_enospc();  // right above misdirected_write
    // Fork for every kind, active or not, so one kind's stream never depends on another's.
    sim::Prng stream = prng_.fork();
    if (!active(kind, probability)) continue;
    std::unique_ptr<faults::FsWrapper> decorator;
    const faults::Trigger* trigger = nullptr;
    const faults::FsyncProfile profile =
        faults::parse_fsync_profile(config_.fsync_profile).value_or(faults::FsyncProfile::kExt4);
    switch (kind) {
      case FaultKind::kReadEio: {
        auto d = std::make_unique<faults::ReadEioFs>(
            *below, faults::TriggerSpec::with_probability(always), stream.fork(), trace);
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
      case FaultKind::kFsyncEio: {
        auto d = std::make_unique<faults::FsyncEioFs>(
            *below, &sim_, profile, faults::TriggerSpec::with_probability(always), stream.fork(),
            trace);
        d->fail_directories(true);  // the gate decides which directory fsyncs fail
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
      case FaultKind::kMisdirectedWrite: {
        auto d = std::make_unique<faults::MisdirectedWriteFs>(
            *below, sim_.device(), faults::TriggerSpec::with_probability(always), stream.fork(),
            trace, &sim_, config_.media_aim);
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
      case FaultKind::kWriteShort: {
        auto d = std::make_unique<faults::WriteShortFs>(
            *below, faults::TriggerSpec::with_probability(always), stream.fork(), trace);
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
      case FaultKind::kReadShort: {
        auto d = std::make_unique<faults::ReadShortFs>(
            *below, faults::TriggerSpec::with_probability(always), stream.fork(), trace);
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
      case FaultKind::kCloseEio: {
        auto d = std::make_unique<faults::CloseEioFs>(
            *below, &sim_, profile, faults::TriggerSpec::with_probability(always), stream.fork(),
            trace);
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
      default: {
        auto d = std::make_unique<faults::WriteEioFs>(
            *below, faults::TriggerSpec::with_probability(always), stream.fork(), trace);
        trigger = &d->trigger();
        decorator = std::move(d);
        break;
      }
    }
    Gate::Decide decide;
    Gate::Decide decide_dir;
    if (schedule_ != nullptr) {
      std::vector<ScriptedFault> mine;
      for (const ScriptedFault& fault : *schedule_) {
        if (fault.kind == kind) mine.push_back(fault);
      }
      decide = [mine = std::move(mine)](std::uint64_t call, std::string_view file,
                                        std::uint64_t file_call) {
        return std::any_of(mine.begin(), mine.end(), [&](const ScriptedFault& fault) {
          return fault.file.empty() ? fault.at == call
                                    : fault.file == file && fault.at == file_call;
        });
      };
      decide_dir = decide;
    } else {
      auto draw = [probability = probability](sim::Prng chooser) {
        return [chooser, probability](std::uint64_t, std::string_view, std::uint64_t) mutable {
          return chooser.chance(probability);
        };
      };
      // The directories' stream is forked after the files' one, so file syncs draw as before.
      decide = draw(stream.fork());
      decide_dir = draw(stream.fork());
    }
    auto gate = std::make_unique<Gate>(*decorator, *trigger, kind, *this, std::move(decide),
                                       std::move(decide_dir));
    below = gate.get();
    layers_.push_back(std::move(decorator));
    layers_.push_back(std::move(gate));
  }
  top_ = std::make_unique<Counter>(*below, counts_);
}

FaultStack::~FaultStack() {
  top_.reset();
  while (!layers_.empty()) layers_.pop_back();  // top first: each layer refers to the one below
}

bool FaultStack::active(FaultKind kind, sim::Ratio probability) const {
  if (schedule_ == nullptr) return probability.numerator != 0;
  return std::any_of(schedule_->begin(), schedule_->end(),
                     [kind](const ScriptedFault& fault) { return fault.kind == kind; });
}

void FaultStack::inject_media(FaultKind kind, std::uint32_t crash, std::uint64_t choice_seed) {
  sim::Prng where(choice_seed);
  const bool injected = kind == FaultKind::kBitFlip
                            ? faults::inject_bit_flip(sim_, where, config_.media_aim)
                            : faults::inject_latent_sector(sim_, where, config_.media_aim);
  if (injected) fired_.push_back(scripted_fault(kind, crash, choice_seed, last_fault_detail(sim_)));
}

void FaultStack::after_power_loss(std::uint32_t crash, std::uint64_t ops_since) {
  if (schedule_ != nullptr) {
    for (const ScriptedFault& fault : *schedule_) {
      if (fault.at == crash && is_media_damage(fault.kind) &&
          fault.kind != FaultKind::kMisdirectedWrite) {
        inject_media(fault.kind, crash, fault.choice_seed);
      }
    }
    return;
  }
  for (const auto& [kind, probability] : {std::pair{FaultKind::kBitFlip, config_.bit_flip},
                                          std::pair{FaultKind::kLatentSector,
                                                    config_.latent_sector}}) {
    if (probability.numerator == 0) continue;
    for (std::uint64_t op = 0; op < ops_since; ++op) {
      if (!media_prng_.chance(probability)) continue;
      inject_media(kind, crash, media_prng_.next_u64());
    }
  }
}

std::vector<ScriptedFault> FaultStack::fired() const {
  std::vector<ScriptedFault> all = fired_;
  if (enospc_ != nullptr && enospc_->fired() > 0) {
    all.push_back(scripted_fault(FaultKind::kNoSpace, enospc_budget_));
  }
  return all;
}

}  // namespace harness
