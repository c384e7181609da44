// A power cut in the middle of a synchronous call (LogCore::open): a wal::Fs decorator that
// passes the first `budget` operations to the real Fs and fails every later one without touching
// it, so nothing after the cut reaches the disk. The runner then crashes the SimFs underneath,
// which is the same state as if the process had died at that operation. Used for crash.count > 1
// (crash during recovery) and for the `fs-op:N` crash point during the workload; budget =
// kUnlimited just counts operations. It also keeps the call it cut and the one before it, so a
// runner can say where inside a WAL call the power went out (crash_site.h).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wal/fs.h>

#include "sim/trace.h"

namespace harness {

// One Fs operation as the halting layer saw it (a rename's path is its source).
struct FsCall {
  sim::FsOp op = sim::FsOp::kNone;
  std::string path;
};

// What an Fs operation is to the fault schedule, which counts read_at, write_at and a file's
// sync_data or sync calls (script.h), and to crash.at = "inside-op", which aims at the
// durability barriers (a file's sync or sync_data, a directory's sync); anything else is
// kOther.
enum class FsCallKind : std::uint8_t { kOther, kRead, kWrite, kSync, kSyncDir };
FsCallKind fs_call_kind(sim::FsOp op);

class HaltingFs final : public wal::Fs {
 public:
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

  HaltingFs(wal::Fs& inner, std::uint64_t budget) : inner_(inner), budget_(budget) {}

  std::uint64_t operations() const { return operations_; }  // attempted, including refused
  bool halted() const { return forced_ || operations_ > budget_; }
  // The power goes out now, wherever the budget stands (a crash point the runner places itself:
  // before an op, around a sync, at a virtual time): every later operation is refused.
  void cut_now() { forced_ = true; }

  // Called once, at the first refused operation (the moment the power goes out).
  void set_on_halt(std::function<void()> on_halt) { on_halt_ = std::move(on_halt); }

  // The first refused operation (kNone before the cut), and the last one let through.
  const FsCall& cut_call() const { return cut_; }
  const FsCall& last_admitted() const { return last_; }
  // Appends to `calls` what each admitted operation was, in order, from now on (operation n at
  // calls[n - 1] when recorded from the first), and to `files` the class of the file it was on
  // ("" for none): where crash.at = "inside-op" aims, and what the shrinker counts a scripted
  // fault's calls in (crash_aim.h, OpSurvey). Null: stop.
  void record_calls(std::vector<FsCallKind>* calls, std::vector<std::string>* files) {
    calls_ = calls;
    files_ = files;
  }
  bool recording_files() const { return files_ != nullptr; }

  // Counts one operation; false once past the budget. `file`: the class of the file a file's
  // operation is on, as the fault stack counts it (file_class of the name it was opened by).
  bool admit(sim::FsOp op, std::string_view path, std::string_view file = {}) {
    if (forced_) return false;
    if (++operations_ <= budget_) {
      last_.op = op;
      last_.path.assign(path);
      if (calls_ != nullptr) calls_->push_back(fs_call_kind(op));
      if (files_ != nullptr) files_->emplace_back(file);
      return true;
    }
    if (operations_ == budget_ + 1) {
      cut_.op = op;
      cut_.path.assign(path);
      if (on_halt_) on_halt_();
    }
    return false;
  }
  static wal::Status cut() { return wal::Status::io_error("simulated power cut"); }

  [[nodiscard]] wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                                             wal::OpenMode mode) override;
  [[nodiscard]] wal::Status rename(std::string_view source, std::string_view target) override;
  [[nodiscard]] wal::Status unlink(std::string_view path) override;
  [[nodiscard]] wal::Result<std::vector<std::string>> list(std::string_view dir) override;
  [[nodiscard]] wal::Status mkdir(std::string_view path) override;
  [[nodiscard]] wal::Status sync_dir(std::string_view dir) override;
  [[nodiscard]] wal::Result<wal::FileStat> stat(std::string_view path) override;
  [[nodiscard]] wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override;

  // The name an open file is known by now: a rename through this layer renames its open
  // handles too (the spare segment is opened as spare-segment.tmp and written as <lsn>.wal).
  std::shared_ptr<std::string> name_file(std::string_view path);

 private:
  wal::Fs& inner_;
  std::uint64_t budget_;
  std::uint64_t operations_ = 0;
  bool forced_ = false;
  std::function<void()> on_halt_;
  FsCall cut_;
  FsCall last_;
  std::vector<std::weak_ptr<std::string>> names_;  // of the files opened through this layer
  std::size_t prune_at_ = 64;
  std::vector<FsCallKind>* calls_ = nullptr;
  std::vector<std::string>* files_ = nullptr;
};

}  // namespace harness
