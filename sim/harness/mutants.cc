#include "sim/harness/mutants.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include <wal/assert.h>
#include <wal/clock.h>
#include <wal/log_core.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/target.h"
#include "sim/sim_fs.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#include <fiu.h>
#endif

namespace harness {
namespace {

// The chaos workload every hunt starts from: small segments (rotations every few ops), a
// small write buffer, two writers, every op kind but reopen, a crash at a random op.
RunConfig base(wal::SyncPolicy policy) {
  RunConfig config;
  config.wal.segment_bytes = 8 << 10;
  config.wal.buffer_bytes = 4 << 10;
  config.wal.sync = policy;
  config.wal.sync_interval_us = 500;
  config.workload.writers = 2;
  config.workload.ops = 40;
  config.workload.entry_bytes_min = 1;
  config.workload.entry_bytes_max = 600;
  config.workload.batch_ratio = {1, 8};
  config.workload.sync_ratio = {1, 10};
  config.workload.read_ratio = {1, 20};
  config.workload.checkpoint_every = 9;
  config.crash.at = *CrashAt::parse("random");
  return config;
}

RunConfig grouped() { return base(wal::SyncPolicy::kGrouped); }

RunConfig periodic() {
  RunConfig config = base(wal::SyncPolicy::kPeriodic);
  config.workload.sync_ratio = {0, 1};
  return config;
}

RunConfig fsync_failures(wal::SyncPolicy policy) {
  RunConfig config = base(policy);
  config.faults.fsync_eio = {1, 8};
  config.faults.fsync_profile = "ext4";
  return config;
}
RunConfig grouped_fsync_failures() { return fsync_failures(wal::SyncPolicy::kGrouped); }
// The background syncer runs every few ops.
RunConfig periodic_fsync_failures() {
  RunConfig config = fsync_failures(wal::SyncPolicy::kPeriodic);
  config.wal.sync_interval_us = 50;
  config.workload.sync_ratio = {0, 1};
  return config;
}

// Rotations while another writer's sync ticket is in flight, fsyncs failing: several writers,
// small segments, large entries.
RunConfig rotating_beside_tickets() {
  RunConfig config = fsync_failures(wal::SyncPolicy::kGrouped);
  config.wal.segment_bytes = 8 << 10;
  config.workload.writers = 4;
  config.workload.ops = 60;
  config.workload.entry_bytes_min = 200;
  config.workload.entry_bytes_max = 2000;
  return config;
}

// wal::Log's own group commit and its waits: several writers on grouped or immediate commit,
// a crash at a random op.
RunConfig concurrent_commits(wal::SyncPolicy policy) {
  RunConfig config = base(policy);
  config.workload.writers = 4;
  config.workload.read_ratio = {0, 1};
  return config;
}
RunConfig concurrent_grouped() { return concurrent_commits(wal::SyncPolicy::kGrouped); }
RunConfig concurrent_immediate() { return concurrent_commits(wal::SyncPolicy::kImmediate); }

// Pending writes torn at power loss: kNone leaves everything since the last sync pending.
RunConfig torn_tail() {
  RunConfig config = base(wal::SyncPolicy::kNone);
  config.wal.segment_bytes = 64 << 10;  // long tails inside one segment
  // Records spanning sectors, torn inside; most larger than the write buffer, so each goes to
  // the file in a write of its own rather than waiting in the buffer for the crash to drop.
  config.workload.entry_bytes_min = 1000;
  config.workload.entry_bytes_max = 6000;
  config.workload.batch_ratio = {0, 1};
  config.device.atomic_sector = false;
  config.workload.sync_ratio = {1, 4};  // a durable prefix before the torn part
  return config;
}

// Syncs now and then, otherwise unsynced: a crash often finds the newest segment with nothing
// durable in it but its header.
RunConfig unsynced_rotations() {
  RunConfig config = base(wal::SyncPolicy::kNone);
  config.workload.entry_bytes_min = 500;
  config.workload.entry_bytes_max = 2000;
  config.workload.sync_ratio = {1, 4};
  return config;
}

RunConfig bit_flips() {
  RunConfig config = grouped();
  config.faults.bit_flip = {1, 4};
  return config;
}

// A rotation every three ops (the smallest segments, large entries), only the newest segment
// kept by count, and a checkpoint every other op, often the last record before a rotation.
RunConfig retaining() {
  RunConfig config = grouped();
  config.wal.segment_bytes = 4 << 10;
  config.wal.max_segments = 1;
  config.workload.entry_bytes_min = 1000;
  config.workload.entry_bytes_max = 1500;
  config.workload.batch_ratio = {0, 1};
  config.workload.checkpoint_every = 2;
  return config;
}

// truncate_front with the checkpoint often in an older segment than the truncation point: the
// smallest segments, large entries, a checkpoint every eighth op, no retention.
RunConfig truncating() {
  RunConfig config = grouped();
  config.wal.segment_bytes = 4 << 10;
  config.workload.entry_bytes_min = 1000;
  config.workload.entry_bytes_max = 1500;
  config.workload.batch_ratio = {0, 1};
  config.workload.truncate_ratio = {1, 4};
  config.workload.checkpoint_every = 8;
  return config;
}

// Power lost inside a WAL call (the first segment's creation) rather than between ops.
RunConfig crash_in_creation() {
  RunConfig config = grouped();
  config.crash.at = *CrashAt::parse("fs-op:6");
  config.crash.power_loss.lose_unsynced_dir_ops = true;
  return config;
}

// Nothing syncs but rotation: entries become durable only when their segment is finished.
RunConfig rotation_durability() {
  RunConfig config = base(wal::SyncPolicy::kNone);
  config.workload.entry_bytes_min = 500;
  config.workload.entry_bytes_max = 2000;
  config.workload.sync_ratio = {0, 1};
  return config;
}

RunConfig growing_files() {
  RunConfig config = grouped();
  config.wal.preallocate = false;
  return config;
}

// Room for one preallocated 8 KiB segment and a little more: the correct WAL meets the full
// disk when it preallocates the next segment, a sparse one in the middle of a record. Large
// entries fill it in a few ops.
RunConfig full_disk() {
  RunConfig config = grouped();
  config.workload.entry_bytes_min = 1500;
  config.workload.entry_bytes_max = 2500;
  config.workload.batch_ratio = {0, 1};
  config.faults.enospc_after_bytes = 9 << 10;
  return config;
}

// Torn tails, then life goes on on the recovered log: one writer, records of one size each in a
// write of its own (larger than the write buffer), synced now and then, so a crash often keeps a
// newer record beyond the torn one, at a slot a later epoch's record of the same LSN fills.
// Four crash epochs: what the writer left behind the cut shows after the next power loss.
RunConfig resumed_after_torn_tails() {
  RunConfig config = base(wal::SyncPolicy::kNone);
  config.wal.segment_bytes = 128 << 10;
  config.workload.writers = 1;
  config.workload.entry_bytes_min = 5000;
  config.workload.entry_bytes_max = 5000;
  config.workload.batch_ratio = {0, 1};
  config.workload.read_ratio = {0, 1};
  config.workload.checkpoint_every = 0;
  config.device.atomic_sector = false;
  config.crash.epochs = 4;
  return config;
}

// The segment files of an older incarnation of the log (another salt, the same WAL build), by
// first LSN: many tiny synced entries, so every LSN a run hands out lies in one of them.
std::map<wal::Lsn, std::vector<std::byte>> older_incarnation(const RunConfig& config) {
  class FrozenClock final : public wal::Clock {
   public:
    std::uint64_t now_us() override { return 0; }
  };
  sim::SimFs fs(config.device);
  FrozenClock clock;
  fs.make_durable_dirs("/old");
  wal::Options options = config.wal;
  options.sync = wal::SyncPolicy::kNone;
  options.preallocate = true;
  options.salt = 0x01d5a17000000000ull;  // even: run salts are odd
  wal::Result<std::unique_ptr<wal::LogCore>> core = wal::LogCore::open(fs, clock, "/old", options);
  WAL_ASSERT(core.is_ok());
  const std::uint64_t lsns = config.workload.ops * config.workload.batch_entries_max + 2;
  std::array<std::byte, 8> payload{};
  // Synced one by one, as a log under `immediate` would be: each record's durable hint then
  // vouches for the one before it, so stale records read as proof of durable data.
  for (std::uint64_t lsn = 1; lsn <= lsns; ++lsn) {
    payload[0] = static_cast<std::byte>(lsn);
    WAL_ASSERT((*core)->append(payload).is_ok());
    wal::Result<wal::SyncTicket> ticket = (*core)->begin_sync();
    WAL_ASSERT(ticket.is_ok());
    (*core)->finish_sync(*ticket, wal::LogCore::run_sync(*ticket));
  }
  std::map<wal::Lsn, std::vector<std::byte>> segments;
  wal::Result<std::vector<std::string>> names = fs.list("/old");
  WAL_ASSERT(names.is_ok());
  for (const std::string& name : *names) {
    if (name.size() != 24 || name.substr(20) != ".wal") continue;
    wal::Result<std::unique_ptr<wal::File>> file = fs.open("/old/" + name, wal::OpenMode::kReadOnly);
    WAL_ASSERT(file.is_ok());
    std::vector<std::byte>& bytes = segments[std::stoull(name.substr(0, 20))];
    bytes.resize(*(*file)->size());
    WAL_ASSERT((*file)->read_at(0, bytes).is_ok());
    WAL_ASSERT((*file)->close().is_ok());
  }
  (*core).reset();  // a crash, as far as the old log is concerned: nothing more is written
  return segments;
}

// Recycled blocks: a segment file the WAL creates starts out holding, durably, the bytes of the
// older incarnation's segment covering the same LSNs (a recycled log file, or a deleted log's
// blocks reused without zeroing). The WAL overwrites them as it appends; whatever it has not
// overwritten when the power goes out is stale data that only the salt tells from current.
class RecycledBlocksFs final : public faults::FsWrapper {
 public:
  RecycledBlocksFs(wal::Fs& base, std::map<wal::Lsn, std::vector<std::byte>> old)
      : FsWrapper(base), old_(std::move(old)) {}

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override {
    wal::Result<std::unique_ptr<wal::File>> file = base_.open(path, mode);
    constexpr std::string_view kTempSegment = ".wal.tmp";
    if (!file || mode != wal::OpenMode::kCreateExclusive || path.size() < 28 ||
        path.substr(path.size() - kTempSegment.size()) != kTempSegment) {
      return file;
    }
    const std::string_view name = path.substr(path.size() - 28, 20);
    const wal::Lsn first_lsn = std::stoull(std::string(name));
    auto covering = old_.upper_bound(first_lsn);
    if (covering == old_.begin()) return file;
    --covering;
    WAL_RETURN_IF_ERROR((*file)->write_at(0, covering->second));
    WAL_RETURN_IF_ERROR((*file)->sync());
    return file;
  }

 private:
  std::map<wal::Lsn, std::vector<std::byte>> old_;
};

RunConfig stale_incarnation() {
  RunConfig config = grouped();
  config.decorate_fs = [](sim::SimFs& fs, sim::Prng&) -> std::unique_ptr<wal::Fs> {
    RunConfig plain = grouped();
    return std::make_unique<RecycledBlocksFs>(fs, older_incarnation(plain));
  };
  return config;
}

// Bits flipped at rest, aimed at the log's structure (record LSN fields among it): after damage,
// recovery searches the segment for the next intact record and goes on from the LSN it carries.
RunConfig flipped_lsns() {
  RunConfig config = grouped();
  config.faults.bit_flip = {1, 4};
  config.faults.media_aim = faults::MediaAim::kStructure;
  return config;
}

// Writes that land whole sectors away from their aim, onto records of one power-of-two size
// (88-byte entries make 128-byte records), so a shifted group of records starts exactly where
// an older record did, on a record boundary.
RunConfig misdirected_records() {
  RunConfig config = grouped();
  config.workload.entry_bytes_min = 88;
  config.workload.entry_bytes_max = 88;
  config.workload.batch_ratio = {0, 1};
  config.workload.checkpoint_every = 0;
  config.faults.misdirected_write = {1, 20};
  return config;
}

// An fsync EIO, then a clean close and reopen in the same process (the page cache kept), then
// more appends acknowledged durable before the power goes out.
RunConfig reopened_after_fsync_failure() {
  RunConfig config = fsync_failures(wal::SyncPolicy::kGrouped);
  config.workload.ops = 60;
  config.workload.reopen_ratio = {1, 8};
  return config;
}

// The power goes out inside truncate_front: small segments dropped several at a time, and the
// crash aimed inside an op (just before one of its durability barriers), not between ops.
RunConfig crash_in_truncation() {
  RunConfig config = truncating();
  config.workload.checkpoint_every = 0;
  config.crash.at = *CrashAt::parse("inside-op");
  return config;
}

// A full disk with room for a segment header and not for the next segment's preallocation:
// 1.5-2.5 KB entries fill an 8 KiB segment in a few ops.
RunConfig full_disk_between_header_and_preallocation() {
  RunConfig config = full_disk();
  config.faults.enospc_after_bytes = (8 << 10) + 100;
  return config;
}

using I = Invariant;

}  // namespace

const std::vector<Mutant>& all_mutants() {
  static const std::vector<Mutant> mutants = {
      {"skip-dir-sync", "spec",
       "no directory fsync after creating or rotating a segment: the segment can vanish at power "
       "loss with acknowledged entries in it",
       {I::kDurability, I::kPrefix}, grouped},
      {"ack-before-fdatasync", "spec",
       "a sync's group is acknowledged (durable_lsn advanced) when the sync starts, before its "
       "fdatasync returns",
       {I::kDurability}, periodic},
      {"trust-length-before-checksum", "spec",
       "a record's header checksum vouches for its length and the payload that length spans is "
       "trusted unchecked: a torn payload is returned as data",
       {I::kIntegrity, I::kCorruptionDetected}, torn_tail},
      {"mid-log-damage-is-end", "spec",
       "damage before the tail (proven durable by later records) is taken for a torn tail and "
       "silently becomes the end of the log",
       {I::kDurability, I::kCorruptionDetected}, bit_flips},
      {"believe-retried-fsync", "spec",
       "a failed fsync is retried and the retry's success believed (fsyncgate): pages the kernel "
       "dropped are called durable",
       {I::kErrorHonesty}, grouped_fsync_failures},
      {"reuse-lsn-after-torn-tail", "spec",
       "after cutting a torn tail the writer resumes at the last intact LSN, handing it out twice",
       {I::kLsnContinuity}, torn_tail},
      {"delete-checkpoint-segment", "spec",
       "truncate_front and retention forget the checkpoint and delete segments reading from it "
       "needs",
       {I::kCheckpoint, I::kDurability}, truncating},
      {"no-salt-check", "spec",
       "records are neither tagged nor checksummed with the log's salt, so stale bytes of an "
       "older incarnation (recycled blocks) pass as current",
       {I::kDurability, I::kPrefix, I::kIntegrity, I::kCorruptionDetected}, stale_incarnation},
      {"retention-by-count", "seed",
       "retention deletes the oldest segments by count, whatever the last checkpoint needs",
       {I::kCheckpoint, I::kDurability}, retaining},
      {"lsn-restart-empty-segment", "seed",
       "when the newest segment is empty after a crash (right after a rotation), LSNs restart at 1",
       {I::kLsnContinuity, I::kDurability}, unsynced_rotations},
      {"syncer-ignores-fsync-error", "seed",
       "the background syncer logs a failed fsync and carries on; the next sync advances "
       "durable_lsn over the lost pages",
       {I::kErrorHonesty}, periodic_fsync_failures},
      {"tmp-file-blocks-open", "seed",
       "a temp file left by an interrupted segment creation makes open() fail instead of being "
       "deleted",
       {I::kDurability, I::kIdempotentRecovery}, crash_in_creation},
      {"resume-over-damage", "seed",
       "recovery resumes writing at a damaged record without cutting the newer records behind "
       "it, which later appends overwrite piecemeal",
       {I::kPrefix, I::kIntegrity, I::kIdempotentRecovery, I::kDurability},
       resumed_after_torn_tails},
      {"unsynced-rotation-trim", "seed",
       "the trim at rotation (and the records flushed just before it) is never synced, yet "
       "rotation calls the finished segment durable",
       {I::kDurability}, rotation_durability},
      {"sparse-preallocate", "seed",
       "\"preallocation\" by a sparse ftruncate: a full disk surfaces as a failed write in the "
       "middle of a record, poisoning the log, instead of a clean ENOSPC at segment creation",
       {I::kErrorHonesty, I::kDurability}, full_disk},
      {"rotate-beside-sync-in-flight", "field",
       "a rotation finishes and syncs the segment while another thread's fdatasync of it is in "
       "flight: that one's failure is not back yet, the rotation's sync succeeds over the "
       "dropped pages and the next segment is published over a hole",
       {I::kDurability, I::kErrorHonesty}, rotating_beside_tickets},
      {"log-follower-acks-in-flight", "field",
       "wal::Log: a group-commit follower takes the leader's sync in flight for its own "
       "acknowledgement and returns before that sync finished (or covered it at all)",
       {I::kDurability}, concurrent_grouped},
      {"log-immediate-rides-inflight-sync", "field",
       "wal::Log: with another thread's sync in flight, `immediate` takes it as covering this "
       "append and returns without a sync of its own",
       {I::kDurability}, concurrent_immediate},
      {"log-leader-forgets-followers", "field",
       "wal::Log: the leader of a group commit does not wake its followers, which wait forever",
       {}, concurrent_grouped, true},
      {"fdatasync-growing-file", "field",
       "fdatasync (not fsync) on a segment that grows on append: the data is durable, the file "
       "size that makes it readable is not",
       {I::kDurability}, growing_files},
      {"lsn-outside-checksum", "field",
       "the record checksums leave the LSN out (the record is sealed before its LSN is "
       "stamped): a flipped LSN bit reads as an intact record of another LSN",
       {I::kPrefix, I::kIntegrity, I::kDurability, I::kLsnContinuity}, flipped_lsns},
      {"trust-record-lsn", "field",
       "an intact record's own LSN is believed whatever LSN was expected there: a misdirected "
       "write of newer records over older ones reads as a clean jump in the log",
       {I::kDurability, I::kPrefix, I::kCorruptionDetected}, misdirected_records},
      {"trust-page-cache-on-reopen", "field",
       "a reopen in the same process takes the bytes it read for durable and syncs without "
       "rewriting them: pages a failed fsync left clean in the page cache never reach the disk",
       {I::kDurability, I::kPrefix}, reopened_after_fsync_failure},
      {"unlink-before-front-synced", "field",
       "truncate_front and retention unlink segments before the FRONT marker's rename is synced "
       "to the directory: a power loss in between can leave a hole in the middle of the log",
       {I::kDurability, I::kCorruptionDetected}, crash_in_truncation},
      {"sync-covers-later-appends", "field",
       "a finished sync marks durable everything appended so far, including the records "
       "appended after it took its snapshot and while its fdatasync ran",
       {I::kDurability}, periodic},
      {"ignore-fallocate-enospc", "field",
       "ENOSPC from fallocate is ignored as if the filesystem lacked fallocate: the segment is "
       "published with no room reserved and the full disk fails a write in the middle of a record",
       {I::kErrorHonesty, I::kDurability}, full_disk_between_header_and_preallocation},
  };
  return mutants;
}

const Mutant* find_mutant(std::string_view name) {
  for (const Mutant& mutant : all_mutants()) {
    if (mutant.name == name) return &mutant;
  }
  // Bugs planted in registered targets (target.h), named by their own libfiu point.
  for (const std::string& target : target_names()) {
    for (const Mutant& mutant : find_target(target)->planted) {
      if (mutant.name == name) return &mutant;
    }
  }
  return nullptr;
}

const std::vector<std::string_view>& log_runtime_mutants() {
  static const std::vector<std::string_view> names = {
      "log-follower-acks-in-flight", "log-immediate-rides-inflight-sync",
      "log-leader-forgets-followers"};
  return names;
}

void apply_environment(const Mutant& mutant, RunConfig& config) {
  if (!config.decorate_fs) config.decorate_fs = mutant.config().decorate_fs;
}

bool mutants_available() {
#ifdef FIU_ENABLE
  return true;
#else
  return false;
#endif
}

// The WAL's mutants are "wal/mutant/<name>"; a target's planted bug is named by its full point.
ScopedMutant::ScopedMutant(std::string_view name)
    : point_(name.find('/') == std::string_view::npos ? "wal/mutant/" + std::string(name)
                                                      : std::string(name)) {
  WAL_ASSERT(find_mutant(name) != nullptr);
  WAL_ASSERT(mutants_available());
#ifdef FIU_ENABLE
  static std::once_flag initialised;
  std::call_once(initialised, [] { WAL_ASSERT(fiu_init(0) == 0); });
  WAL_ASSERT(fiu_enable(point_.c_str(), 1, nullptr, 0) == 0);
#endif
}

ScopedMutant::~ScopedMutant() {
#ifdef FIU_ENABLE
  fiu_disable(point_.c_str());
#endif
}

bool is_catch(const Mutant& mutant, const RunResult& result) {
  if (mutant.hangs && result.hang) return true;
  return std::any_of(mutant.caught_by.begin(), mutant.caught_by.end(),
                     [&](Invariant invariant) { return result.checks[invariant].violated(); });
}

Hunt hunt(const Mutant& mutant, std::uint64_t first_seed, std::uint64_t max_seeds) {
  const auto start = std::chrono::steady_clock::now();
  Hunt out;
  const RunConfig config = mutant.config();
  std::optional<ScopedMutant> on(std::in_place, mutant.name);
  for (std::uint64_t seed = first_seed; out.seeds_run < max_seeds; ++seed) {
    ++out.seeds_run;
    RunResult result = run_simulation(config, seed);
    if (!is_catch(mutant, result)) continue;
    on.reset();
    const bool clean_without = run_simulation(config, seed).passed;
    on.emplace(mutant.name);
    if (!clean_without) {
      out.failing_without_mutant.push_back(seed);
      continue;
    }
    out.caught = std::move(result);
    break;
  }
  out.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

namespace {

// The script without the op at flat position `at` (writers in order, then ops in order) and
// `count` - 1 after it in the same writer.
Script without_ops(const Script& script, std::size_t at, std::size_t count) {
  Script out = script;
  for (std::vector<Op>& ops : out.writers) {
    if (at < ops.size()) {
      const std::size_t n = std::min(count, ops.size() - at);
      ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(at),
                ops.begin() + static_cast<std::ptrdiff_t>(at + n));
      return out;
    }
    at -= ops.size();
  }
  return out;
}

}  // namespace

RunResult shrink_catch(const Mutant& mutant, const RunResult& caught, std::uint32_t max_runs) {
  RunConfig config = mutant.config();
  std::optional<ScopedMutant> on(std::in_place, mutant.name);
  RunResult best = caught;
  std::uint32_t runs = 0;
  // A smaller script counts only if it still catches the mutant and still passes without it
  // (else what it shows is the harness's own failure, not the bug).
  auto try_one = [&](const Script& candidate) {
    if (runs >= max_runs) return false;
    ++runs;
    config.script = candidate;
    RunResult result = run_simulation(config, caught.seed);
    if (!is_catch(mutant, result)) return false;
    on.reset();
    const bool clean_without = run_simulation(config, caught.seed).passed;
    on.emplace(mutant.name);
    if (!clean_without) return false;
    best = std::move(result);
    return true;
  };
  // Without an op, a crash "before op N" lands one op later than it did: try one earlier too.
  auto attempt = [&](Script candidate) {
    if (try_one(candidate)) return true;
    if (candidate.crash.kind != CrashAt::Kind::kOp || candidate.crash.value == 0) return false;
    --candidate.crash.value;
    return try_one(candidate);
  };
  // Chunks of ops first (halving), then single ops, until a pass removes nothing.
  for (bool progress = true; progress && runs < max_runs;) {
    progress = false;
    for (std::size_t chunk = std::max<std::size_t>(1, best.script.total_ops() / 2); chunk >= 1;
         chunk /= 2) {
      for (std::size_t at = 0; at < best.script.total_ops();) {
        if (attempt(without_ops(best.script, at, chunk))) {
          progress = true;
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
    for (std::size_t f = 0; f < best.script.faults.size();) {
      Script candidate = best.script;
      candidate.faults.erase(candidate.faults.begin() + static_cast<std::ptrdiff_t>(f));
      if (attempt(std::move(candidate))) {
        progress = true;
      } else {
        ++f;
      }
    }
    // Fewer ops make fewer Fs calls: a fault scheduled at the Nth call may need to come earlier
    // for the next removal to keep it where it bites.
    for (std::size_t f = 0; f < best.script.faults.size(); ++f) {
      if (best.script.faults[f].kind == FaultKind::kNoSpace) continue;
      for (std::uint64_t at = 1; at < best.script.faults[f].at; ++at) {
        Script candidate = best.script;
        candidate.faults[f].at = at;
        if (attempt(std::move(candidate))) {
          progress = true;
          break;
        }
      }
    }
  }
  return best;
}

}  // namespace harness
