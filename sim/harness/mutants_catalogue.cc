// The bug zoo's catalogue: each mutant, what it breaks, the invariants that must catch it and
// the run configuration that hunts it. Apart from mutants.cc, which arms mutants and hunts them.
#include "sim/harness/mutants.h"

#include <map>
#include <memory>
#include <string>

#include "sim/harness/mutants_recycled_blocks.h"
#include "sim/harness/target.h"
#include "sim/sim_fs.h"

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

// The same torn tails on a device that leaves what it lost of a torn write zeroed (as many SSDs
// do): under the default stale fill a rewrite of bytes already on disk looks harmless.
RunConfig torn_tail_zeroed() {
  RunConfig config = torn_tail();
  config.crash.power_loss.torn_fill = sim::TornFill::kZeros;
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

// Failing directory fsyncs only (`target = "wal"`: the log directory's name) and reopens, one
// writer, segment creations on the append path every few ops: a reopen after a creation whose
// directory fsync failed finds a segment whose name is not durable. About 2 seeds in 100.
RunConfig reopened_after_dir_sync_failure() {
  RunConfig config = grouped();
  config.wal.segment_bytes = 4 << 10;
  config.wal.background_rotation = false;
  config.workload.writers = 1;
  config.workload.entry_bytes_max = 3000;
  config.workload.reopen_ratio = {1, 8};
  config.faults.fsync_eio = {1, 4};
  config.faults.fsync_profile = "ext4";
  config.faults.target = "wal";
  return config;
}

// A background rotation whose publishing fsync of the finished segment fails (ext4: its
// unsynced pages are now clean and never written), a reopen that adopts the continuation, a
// power loss later: periodic sync, large entries, a buffer smaller than they are.
RunConfig adopted_after_failed_publication() {
  RunConfig config = base(wal::SyncPolicy::kPeriodic);
  config.wal.segment_bytes = 16 << 10;
  config.wal.sync_interval_us = 100000;
  config.workload.writers = 1;
  config.workload.ops = 200;
  config.workload.entry_bytes_min = 3000;
  config.workload.entry_bytes_max = 7000;
  config.workload.batch_ratio = {0, 1};
  config.workload.read_ratio = {0, 1};
  config.workload.checkpoint_every = 0;
  config.workload.reopen_ratio = {1, 10};
  config.faults.fsync_eio = {3, 20};
  config.faults.fsync_profile = "ext4";
  config.faults.target = "[0-9]*.wal";
  return config;
}

// Checkpoints from several writers at once, so a newer one is appended before an older one's
// sync completes, and retention keeping one segment: what the last durable checkpoint needs
// is all that protects a segment.
RunConfig overlapping_checkpoints() {
  RunConfig config = grouped();
  config.wal.segment_bytes = 4 << 10;
  config.wal.max_segments = 1;
  config.workload.writers = 4;
  config.workload.ops = 120;
  config.workload.entry_bytes_max = 900;
  config.workload.checkpoint_every = 2;
  return config;
}

// Live reads from the checkpoint between checkpoints and syncs.
RunConfig live_checkpoint_reads() {
  RunConfig config = grouped();
  config.workload.ops = 60;
  config.workload.read_ratio = {1, 4};
  config.workload.checkpoint_every = 3;
  return config;
}

// Live reads that tail the log: a writer's reader goes on where it stopped as entries come.
RunConfig live_tailing_reads() {
  RunConfig config = periodic();
  config.workload.ops = 80;
  config.workload.read_ratio = {1, 4};
  return config;
}

// Rotations faster than the sync tickets under periodic sync (back-to-back-rotations.toml).
RunConfig rotations_beside_syncs() {
  RunConfig config = periodic();
  config.wal.sync_interval_us = 100'000;
  config.wal.segment_bytes = 8 << 10;
  config.workload.ops = 60;
  config.workload.entry_bytes_min = 2000;
  config.workload.entry_bytes_max = 6000;
  config.workload.sync_ratio = {1, 10};
  return config;
}

// kNone with many reopens, the power cut inside an op (close-under-none-promises-nothing.toml).
RunConfig unsynced_reopens() {
  RunConfig config = base(wal::SyncPolicy::kNone);
  config.workload.ops = 60;
  config.workload.entry_bytes_max = 900;
  config.workload.batch_ratio = {0, 1};
  config.workload.sync_ratio = {0, 1};
  config.workload.checkpoint_every = 0;
  config.workload.reopen_ratio = {3, 20};
  config.crash.at = *CrashAt::parse("inside-op");
  config.crash.power_loss.policy = faults::CrashPolicy::kDropUnsynced;
  return config;
}

// Reads beside truncations and reopens, without a crash.
RunConfig truncating_readers() {
  RunConfig config = periodic();
  config.wal.segment_bytes = 16 << 10;
  config.workload.ops = 150;
  config.workload.read_ratio = {1, 8};
  config.workload.truncate_ratio = {1, 30};
  config.workload.reopen_ratio = {1, 25};
  config.crash.at = *CrashAt::parse("none");
  return config;
}

// Bit flips aimed at the log's structure (segment headers among it) under tolerate-tail.
RunConfig structure_bit_flips() {
  RunConfig config = bit_flips();
  config.faults.media_aim = faults::MediaAim::kStructure;
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

// Background rotations (wal/FORMAT.md 3.2) whose publication a crash can cut: unsynced
// appends of large entries into small segments, so each run rotates often, crashes inside
// multi-step operations (the preparer's publishing ticket among them).
RunConfig background_rotations() {
  RunConfig config = rotation_durability();
  config.crash.at = *CrashAt::parse("inside-op");
  // Any subset of the pending writes: the continuation's can outlive the finished segment's.
  config.crash.power_loss.policy = faults::CrashPolicy::kReorder;
  return config;
}

// Reads cut short before the end (pread(2) may): every recovery reads segments back.
RunConfig short_reads() {
  RunConfig config = grouped();
  config.workload.reopen_ratio = {1, 10};
  config.faults.read_short = {1, 4};
  return config;
}

// Clean closes under `none` (the entries reach the OS, durability is the caller's sync) whose
// close(2) fails on btrfs, which drops the unsynced pages at once.
RunConfig failing_closes() {
  RunConfig config = base(wal::SyncPolicy::kNone);
  config.workload.sync_ratio = {0, 1};
  config.workload.reopen_ratio = {1, 8};
  config.crash.at = *CrashAt::parse("none");
  config.faults.close_eio = {1, 2};
  config.faults.fsync_profile = "btrfs";
  config.faults.target = "[0-9]*.wal";
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

using mutants_internal::older_incarnation;
using mutants_internal::RecycledBlocksFs;

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

// The power goes out again while recovery repairs the tail (crash.count = 3): what the open
// writes before its sync is what a crash during recovery catches. The chaos scenario
// crash-during-recovery's shape: two writers, 16 KiB segments, entries up to 900 bytes.
RunConfig recovery_crashes() {
  RunConfig config = grouped();
  config.wal.segment_bytes = 16 << 10;
  config.workload.ops = 150;
  config.workload.entry_bytes_max = 900;
  config.crash.count = 3;
  return config;
}

// The same on a device that zeroes what it lost of a torn write: a rewrite of bytes that were
// on disk already shows.
RunConfig recovery_crashes_zeroed() {
  RunConfig config = recovery_crashes();
  config.crash.power_loss.torn_fill = sim::TornFill::kZeros;
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
      {"bad-header-is-tail", "field",
       "a damaged segment header is always taken for a torn creation, even with records behind "
       "it: tolerate-tail deletes the segment with its acknowledged entries and starts over at "
       "its name, handing their LSNs out again, where it must fail the open",
       {I::kDurability}, structure_bit_flips},
      {"ignore-dir-sync-error", "field",
       "a failed directory fsync after creating or rotating a segment is taken for done: the "
       "segment's name may never reach the disk, and the entries acknowledged in it are lost at "
       "the next power loss",
       {I::kDurability, I::kPrefix}, grouped_fsync_failures},
      {"trust-found-names", "field",
       "a writable open appends into the segments it found without syncing the directory: a "
       "name an earlier incarnation renamed into place but never made durable (a failed "
       "directory fsync, or a crash before it) is lost at a power loss with the entries "
       "acknowledged in that segment since",
       {I::kDurability, I::kPrefix}, reopened_after_dir_sync_failure},
      {"adopt-syncs-in-place", "field",
       "a writable open that adopts an unpublished continuation syncs the segment before it in "
       "place instead of replacing it by a synced copy: after the publishing ticket's failed "
       "fsync that segment's pages are clean and never written, the sync succeeds, and a later "
       "power loss leaves a hole under the entries acknowledged after the reopen",
       {I::kDurability, I::kPrefix}, adopted_after_failed_publication},
      {"forget-older-checkpoint", "field",
       "only the newest checkpoint can become the last durable one: an older checkpoint made "
       "durable while a newer one waits for its sync is forgotten, and retention drops the "
       "segment it needs although its call returned OK (this WAL until session 17)",
       {I::kDurability, I::kCheckpoint}, overlapping_checkpoints},
      {"checkpoint-durable-late", "field",
       "a checkpoint that a sync covers as its last record counts as durable only after the "
       "next sync: meanwhile a reader from the checkpoint starts at an older one (an outsider's "
       "probe, session 18; only a recovery's read-back was checked before)",
       {I::kCheckpoint}, live_checkpoint_reads},
      {"tail-trusts-buffered-zeros", "field",
       "a reader takes zeros already in its buffer for the preallocated end without a fresh "
       "read: a reader that tails the log decodes the zeros it buffered before the writer got "
       "there and reports a healthy log corrupt (an outsider's probe, session 18; no live "
       "reader was resumed before)",
       {I::kIntegrity}, live_tailing_reads},
      {"wait-durable-rejects-last", "field",
       "wait_durable refuses the newest LSN as never handed out, an off-by-one (an outsider's "
       "probe, session 18; the workload never called wait_durable, and a failed call without a "
       "fault was not a violation)",
       {I::kErrorHonesty}, grouped},
      {"front-stale-after-drop", "field",
       "truncate_front and retention leave the cached first LSN where it was: first_lsn() names "
       "entries whose segments are gone, and a read from there fails on a healthy log (an "
       "outsider's probe, session 18; a failed read without a fault was not a violation)",
       {I::kErrorHonesty}, truncating_readers},
      {"busy-leaks-to-caller", "field",
       "under kNone and kPeriodic a rotation that must wait for the sync in flight hands the "
       "internal kBusy to the appender instead of waiting (an outsider's probe, session 18; a "
       "failed append without a fault was not a violation)",
       {I::kErrorHonesty}, rotations_beside_syncs},
      {"reopen-uses-options-salt", "field",
       "a reopen of an existing log takes the salt the caller passed instead of the one in its "
       "segment headers: what it writes next reads as another incarnation's, and the next "
       "recovery drops acknowledged entries (an outsider's probe, session 18; every open of a "
       "run used the same salt)",
       {I::kDurability}, grouped},
      {"close-marks-durable", "field",
       "a close under kNone, which syncs nothing, calls every entry durable: a power loss right "
       "after it takes entries the oracle was told were safe (an outsider's probe, session 18; "
       "caught then by 16 swarm seeds in 12,256)",
       {I::kDurability}, unsynced_reopens},
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
      {"short-read-is-end", "field",
       "a read that returns fewer bytes than asked is taken for the end of the file "
       "(google/leveldb#1285; this WAL until session 14): recovery cuts a segment at a record "
       "it did not finish reading",
       {I::kDurability, I::kLsnContinuity, I::kPrefix, I::kIntegrity}, short_reads},
      {"ignore-close-error", "field",
       "a clean close under `none` drops the segment's failed close(2) (google/leveldb#1081): "
       "the unsynced entries it held are gone and nobody was told",
       {I::kErrorHonesty}, failing_closes},
      {"publish-without-previous-sync", "seed",
       "a background rotation's publishing sync never syncs the segment the rotation finished, "
       "yet calls everything before the new segment durable",
       {I::kDurability, I::kPrefix}, rotation_durability},
      {"publish-before-previous-sync", "seed",
       "a background rotation's publishing sync names the new segment (rename, directory "
       "sync) before it syncs the finished one: a power loss in between keeps the new "
       "segment's records after a torn end of the previous one",
       {I::kDurability, I::kPrefix, I::kLsnContinuity, I::kErrorHonesty}, background_rotations},
      {"adopt-continuation-after-gap", "seed",
       "recovery adopts an unpublished continuation that does not start where the log ends: "
       "after a power loss that kept it but not the finished segment's tail, the log has a hole",
       {I::kPrefix, I::kLsnContinuity, I::kIdempotentRecovery, I::kDurability},
       background_rotations},
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
      {"rewrite-partial-page", "field",
       "writes start at a 4 KiB page boundary, as with O_DIRECT: each rewrites the records "
       "before it in its first page, synced or not, and a torn rewrite that reads back as zeros "
       "or junk loses records acknowledged durable before it",
       {I::kDurability, I::kPrefix, I::kIntegrity, I::kLsnContinuity}, torn_tail_zeroed},
      {"rewrite-tail-in-place", "field",
       "a writable open writes the newest segment's unproven records again over themselves (the "
       "WAL's own fsyncgate rewrite before the copy): a power loss tearing that rewrite on a "
       "device that zeroes a torn write loses records already acknowledged durable",
       {I::kDurability, I::kPrefix, I::kLsnContinuity}, recovery_crashes_zeroed},
      {"rename-unsynced-tail-copy", "field",
       "the open's copy of the newest segment is renamed over it before the copy is synced: the "
       "rename can reach the disk first and a power loss leaves the segment's name on a copy "
       "without its records",
       {I::kDurability, I::kPrefix, I::kLsnContinuity}, recovery_crashes},
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

}  // namespace harness
