// The real-disk mode (c), libfiu: one of PosixFs's fault points fires once before seeded ops,
// in-process, each fault that fired recorded; then the log is recovered and checked. Apart from
// (b): it reaches libfiu at run time (dlsym) and observes the Log's Fs calls.
#include "sim/harness/real_disk.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstdint>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/real_disk_internal.h"
#include "sim/harness/workload.h"
#include "sim/prng.h"

namespace harness {
namespace real_disk_internal {

// ---- (c) libfiu ----

namespace {

using FiuInit = int (*)(unsigned int);
using FiuEnable = int (*)(const char*, int, void*, unsigned int);
using FiuDisable = int (*)(const char*);
constexpr unsigned kFiuOneTime = 1;  // FIU_ONETIME in <fiu-control.h>

struct Fiu {
  FiuInit init = nullptr;
  FiuEnable enable = nullptr;
  FiuDisable disable = nullptr;
  bool available() const { return init && enable && disable; }
};

Fiu find_fiu() {
  Fiu fiu;
  fiu.init = reinterpret_cast<FiuInit>(::dlsym(RTLD_DEFAULT, "fiu_init"));
  fiu.enable = reinterpret_cast<FiuEnable>(::dlsym(RTLD_DEFAULT, "fiu_enable"));
  fiu.disable = reinterpret_cast<FiuDisable>(::dlsym(RTLD_DEFAULT, "fiu_disable"));
  return fiu;
}

struct FiuPoint {
  const char* name;
  int sys_errno;
  FaultKind kind;
};

constexpr FiuPoint kPoints[] = {
    {"wal/fs/fdatasync", EIO, FaultKind::kFsyncEio},
    {"wal/fs/write", EIO, FaultKind::kWriteEio},
    {"wal/fs/write_short", EIO, FaultKind::kWriteShort},
    {"wal/fs/fallocate", ENOSPC, FaultKind::kNoSpace},
};

// Watches the Log's calls while a point is armed: the failure it returns is the injected one.
class FaultObserver final : public faults::FsWrapper {
 public:
  FaultObserver(wal::Fs& base, History& history) : FsWrapper(base), history_(history) {}

  void arm(const FiuPoint* point) { armed_ = point; }
  std::uint64_t fired() const { return fired_; }

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override {
    return std::make_unique<File>(*this, std::move(file), std::string(path));
  }

 private:
  class File final : public faults::FileWrapper {
   public:
    File(FaultObserver& fs, std::unique_ptr<wal::File> base, std::string path)
        : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      return fs_.seen(base_->write_at(offset, data), path_, FaultKind::kWriteEio);
    }
    wal::Status sync_data() override {
      return fs_.seen(base_->sync_data(), path_, FaultKind::kFsyncEio);
    }
    wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
      return fs_.seen(base_->allocate(offset, length), path_, FaultKind::kNoSpace);
    }

   private:
    FaultObserver& fs_;
  };

  wal::Status seen(wal::Status status, const std::string& path, FaultKind op) {
    const bool write_point =
        armed_ != nullptr && (armed_->kind == FaultKind::kWriteEio ||
                              armed_->kind == FaultKind::kWriteShort);
    const bool matches = armed_ != nullptr && (armed_->kind == op || (write_point &&
                                                                      op == FaultKind::kWriteEio));
    if (!status.is_ok() && matches) {
      history_.oracle().fault(armed_->kind, history_.step(), path);
      ++fired_;
      armed_ = nullptr;
      status.mark_injected();
    }
    return status;
  }

  History& history_;
  const FiuPoint* armed_ = nullptr;
  std::uint64_t fired_ = 0;
};

}  // namespace
}  // namespace real_disk_internal

RealResult run_fiu(const RunConfig& config, std::uint64_t seed, const std::string& dir) {
  using namespace real_disk_internal;
  RealResult result;
  const Fiu fiu = find_fiu();
  if (!fiu.available()) {
    result.problems.push_back("libfiu is not linked into this program: no fault injected");
    finish(result);
    return result;
  }
  fiu.init(0);
  const Workload workload = workload_for(config, seed);
  const std::vector<const Op*> ops = in_order(workload);
  sim::Prng prng(seed ^ 0x666975);  // "fiu"
  History history(workload);
  FaultObserver observer(wal::posix_fs(), history);
  wal::Options options = options_for(config, seed, &observer);
  // An armed point fires in whichever thread reaches it first, and the history pins each fault
  // to the call in flight: no background preparation of spare segments here (the kill runs keep
  // it, and recovery deletes the spare they leave behind).
  options.prepare_segments = false;
  auto open = [&]() -> std::unique_ptr<wal::Log> {
    history.open_begin();
    wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(dir, options);
    history.open_end(log.status().code(), log ? (*log)->durable_lsn() : wal::kNoLsn,
                     log ? (*log)->last_lsn() : wal::kNoLsn);
    if (!log) result.problems.push_back("open failed: " + log.error().to_string());
    return log ? std::move(log).value() : nullptr;
  };
  std::unique_ptr<wal::Log> log = open();
  std::uint64_t armed_total = 0;
  for (const Op* op : ops) {
    if (!log) break;
    // One fault every ~8 ops, at a seeded point of the seeded kind.
    const FiuPoint* point = prng.below(8) == 0 ? &kPoints[prng.below(std::size(kPoints))] : nullptr;
    if (point != nullptr) {
      fiu.enable(point->name, 1,
                 reinterpret_cast<void*>(static_cast<std::intptr_t>(point->sys_errno)),
                 kFiuOneTime);
      observer.arm(point);
      ++armed_total;
    }
    const wal::Lsn at = op->kind == OpKind::kTruncate ? truncation_point(*log, *op) : wal::kNoLsn;
    ++result.ops_started;
    history.begin(*op, at);
    Outcome outcome;
    if (op->kind == OpKind::kReopen) {
      outcome.status = log->close();
      log.reset();
    } else {
      outcome = execute(*log, *op, workload, at);
    }
    ++result.ops_returned;
    history.end(*op, outcome.status.code(), outcome.lsns, log ? log->durable_lsn() : wal::kNoLsn,
                log ? log->last_lsn() : wal::kNoLsn);
    if (point != nullptr) {
      fiu.disable(point->name);
      observer.arm(nullptr);
    }
    if (!log || outcome.status.code() == wal::Code::kPoisoned) {
      if (log) log->close().ignore_error("poisoned: the application reopens");
      log.reset();
      log = open();
    }
  }
  if (log) log->close().ignore_error("a poisoned log reports its poison here");
  log.reset();
  if (armed_total > 0 && observer.fired() == 0) {
    result.problems.push_back(
        "fault points armed but none fired: the WAL was built without libfiu points (WAL_FIU)");
  }
  for (const Fault& fault : history.oracle().faults()) {
    ++result.faults_injected[std::string(to_string(fault.kind))];
  }
  result.checks = recover_and_check(config, seed, dir, history);
  finish(result);
  return result;
}

}  // namespace harness
