// SimFs: the in-memory filesystem the unchanged WAL runs on in simulation (SPEC 3.2). It
// implements wal::Fs exactly as fs.h states it, no stronger and no weaker:
//
//  * write_at, truncate, allocate: visible at once (reads see the page cache), pending until
//    synced. Pending ops are kept in order, per file, with their bytes (extents, not byte maps).
//  * sync_data() (fdatasync): the pending writes become durable *within the durable size*, i.e.
//    the size the file had at its last sync() (or creation). Bytes written past it, and every
//    truncate/allocate, stay pending: a size change is not durable until sync(). This is the
//    portable worst case of fs.h. A write straddling the durable size is split there.
//  * sync() (fsync): every pending op becomes durable, data and size.
//  * open(kCreate*), mkdir, rename, unlink: visible at once; durable only after sync_dir() of the
//    directory (of both directories for a cross-directory rename; each side is its own op).
//  * Files and directories are inodes: a handle keeps its inode across rename/unlink, as POSIX.
//  * lock(): an exclusive in-memory lock per inode (kBusy for a second holder), released when the
//    FileLock dies; a crash releases every lock.
//  * capacity_bytes > 0 (DeviceModel): a write, truncate or allocate that would take the sum of
//    visible file sizes past it fails with kNoSpace and changes nothing.
//
// Contract violations (I/O on a closed handle, on a handle from before a crash, a write through a
// read-only handle, an offset whose end overflows 2^63) are recorded, not aborted on: the call
// returns kInvalidArgument, the violation is kept in contract_violations() and noted in the
// trace, and the harness fails the run on it. This lets a report name the violation instead of
// dying in an assert.
//
// Single-threaded by design (the simulation has no real threads). Deterministic: no clock, no
// randomness, ordered containers only. Every call is recorded in the trace when one is set.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/fs.h>

#include "sim/crash_plan.h"
#include "sim/device_model.h"
#include "sim/sim_fs_state.h"
#include "sim/trace.h"

namespace sim {

class SimFile;
class SimFileLock;

// What the page cache holds after a failed fsync (faults::FsyncEio maps fsync profiles here).
enum class FsyncFailureEffect : std::uint8_t {
  kKeepDataClean,     // ext4, xfs: the new data stays readable but is marked clean: never durable
  kRevertToDurable,   // btrfs: the page cache drops it: reads show the durable image again
};

class SimFs final : public wal::Fs {
 public:
  // Files larger than this fail with kNoSpace: the simulator holds them in memory.
  static constexpr std::uint64_t kMaxFileBytes = std::uint64_t{1} << 32;

  explicit SimFs(DeviceModel device = {}, Trace* trace = nullptr);
  ~SimFs() override;
  SimFs(const SimFs&) = delete;
  SimFs& operator=(const SimFs&) = delete;

  // wal::Fs
  [[nodiscard]] wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                                             wal::OpenMode mode) override;
  [[nodiscard]] wal::Status rename(std::string_view source, std::string_view target) override;
  [[nodiscard]] wal::Status unlink(std::string_view path) override;
  [[nodiscard]] wal::Result<std::vector<std::string>> list(std::string_view dir) override;
  [[nodiscard]] wal::Status mkdir(std::string_view path) override;
  [[nodiscard]] wal::Status sync_dir(std::string_view dir) override;
  [[nodiscard]] wal::Result<wal::FileStat> stat(std::string_view path) override;
  [[nodiscard]] wal::Result<std::unique_ptr<wal::FileLock>> lock(std::string_view path) override;

  // Beyond wal::Fs, for replaying a recorded program (crashes/replay.h), with POSIX's
  // durability: link() adds a name for an existing file (a pending entry, durable after
  // sync_dir of its directory); rmdir() removes an empty directory (the same); sync_all() is
  // sync(2): every pending op of every file and directory becomes durable.
  [[nodiscard]] wal::Status link(std::string_view existing, std::string_view new_path);
  [[nodiscard]] wal::Status rmdir(std::string_view path);
  void sync_all();

  // Set-up: creates every missing directory on `path`, already durable, without tracing.
  void make_durable_dirs(std::string_view path);

  const DeviceModel& device() const { return device_; }
  void set_trace(Trace* trace) { trace_ = trace; }
  Trace* trace() const { return trace_; }

  // Open File handles (the harness's no-leak invariant) and held locks.
  std::uint64_t open_handles() const { return open_handles_; }
  std::uint64_t held_locks() const { return locks_.size(); }
  const std::vector<std::string>& contract_violations() const { return violations_; }

  // The whole state; copy it for a snapshot. Bumped by every crash/restore.
  const SimFsState& state() const { return state_; }
  std::uint64_t generation() const { return generation_; }

  // Power loss: the state becomes apply_crash(state(), plan). Every handle and lock of before
  // is stale (a later call on one is a contract violation; close() and destruction are fine).
  void crash(const CrashPlan& plan, std::string_view policy_name = "directed");
  // Installs `state` (made fully durable first) as after a crash: handles and locks go stale.
  void restore(const SimFsState& state);
  // The process dies, the machine does not (crash.policy "process"): every handle goes stale,
  // the files and directories stay exactly as they are, pending writes still pending.
  void kill_process(std::string_view policy_name);

  // The inode behind a File of this fs and this generation; 0 if it is not one.
  InodeId inode_of(wal::File& file) const;

  // Hook for faults::FsyncEio: an fsync of `file` failed. Every pending (not forced) op of the
  // file is dropped from the pending list: it will never become durable. Returns false if
  // `file` is not a live SimFs file (the decorator then only returns the error).
  bool on_fsync_failed(wal::File& file, FsyncFailureEffect effect);

  // Media faults on durable data (faults/media_faults.h): flip one bit of a file's durable image
  // (the page cache follows where no pending op covers the byte), and mark a sector unreadable
  // (reads touching it fail with an injected kIoError until a write covers it).
  void flip_durable_bit(InodeId file, std::uint64_t offset, unsigned bit);
  void add_latent_sector(InodeId file, std::uint64_t sector);

 private:
  friend class SimFile;
  friend class SimFileLock;

  struct Parent {
    InodeId dir = 0;
    std::string_view name;
  };

  // File operations, called by SimFile after its own checks.
  wal::Result<std::size_t> file_read(SimFile& file, std::uint64_t offset, std::span<std::byte> out);
  wal::Status file_write(SimFile& file, std::uint64_t offset, std::span<const std::byte> data);
  wal::Status file_sync_data(SimFile& file);
  wal::Status file_sync(SimFile& file);
  wal::Status file_truncate(SimFile& file, std::uint64_t size);
  wal::Status file_allocate(SimFile& file, std::uint64_t offset, std::uint64_t length);
  wal::Status file_close(SimFile& file);
  // Checks that `file` may be used now (open, this generation, writable if `write`).
  wal::Status check_handle(SimFile& file, FsOp op, bool write);

  wal::Result<InodeId> lookup(std::string_view path) const;
  wal::Status remove_entry(std::string_view path, FsOp op, bool want_dir);
  wal::Result<Parent> lookup_parent(std::string_view path) const;
  InodeId new_inode(bool is_dir);
  wal::Status grow_check(const FileState& file, std::uint64_t new_end, std::string_view path);
  void set_visible_size(FileState& file, std::uint64_t size);
  void rebuild_visible(FileState& file);
  void collect_garbage();
  // Whether a directory entry (visible, durable or pending) names `inode`.
  bool named(InodeId inode) const;
  void invalidate_handles();
  wal::Status violation(FsOp op, std::string_view path, std::string what);
  // The seq the trace gives the call being made (its event is recorded when it returns).
  std::uint64_t next_seq() const { return trace_ != nullptr ? trace_->size() : 0; }
  void record(FsOp op, std::string_view path, std::uint64_t offset, std::uint64_t length,
              const wal::Status& status);

  DeviceModel device_;
  Trace* trace_;
  SimFsState state_;
  std::uint64_t generation_ = 1;
  std::uint64_t used_bytes_ = 0;  // sum of visible file sizes, for capacity_bytes
  std::uint64_t open_handles_ = 0;
  std::map<InodeId, std::uint64_t> open_by_inode_;
  std::set<InodeId> locks_;
  bool garbage_possible_ = false;
  std::vector<std::string> violations_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sim
