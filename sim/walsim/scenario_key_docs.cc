#include "sim/walsim/scenario_key_docs.h"

#include <fmt/format.h>

#include "sim/harness/target.h"
#include "sim/walsim/scenario.h"

namespace walsim {
namespace {

constexpr KeyMeaning kMeanings[] = {
    {"name", "The scenario's name in reports and repro lines."},
    {"description", "One line on what the scenario hunts, shown in the report."},
    {"seeds", "Seeds `walsim run` runs (`--seeds` overrides it); each seed is one whole run."},
    {"first_seed", "The first of them; seeds are first_seed, first_seed + 1, ..."},
    {"target",
     "The system under test: `wal` (the WAL itself), `kv` and `queue` (the examples), or a "
     "target registered in this build (docs/harness-api.md)."},
    {"mutant",
     "A bug-zoo mutant switched on in the WAL or the target (docs/bug-zoo.md); test builds "
     "only. Usually with `expect.verdict = \"fail\"`."},
    {"max_steps",
     "The scheduler's bound on steps per run: a run past it is a `hang` verdict (a livelock), "
     "not a stuck walsim."},
    {"wal", "The WAL's options (wal::Options), as a database would set them."},
    {"wal.segment_bytes", "Bytes per segment file, header included; small values rotate often."},
    {"wal.sync",
     "The sync policy: `none` (only explicit syncs), `immediate` (fdatasync per append), "
     "`periodic` (a background sync by time or bytes), `grouped` (group commit)."},
    {"wal.sync_interval_us", "`periodic`: virtual microseconds between background syncs."},
    {"wal.sync_every_bytes", "`periodic`: also sync after this many appended bytes (0: off)."},
    {"wal.group_window_us",
     "`grouped`: how long the leader waits for more appenders before its fdatasync (0: none)."},
    {"wal.checksum", "The record checksum (wal/FORMAT.md)."},
    {"wal.recovery",
     "The recovery mode: `tolerate-tail` (cut a torn tail), `absolute` (any damage is an "
     "error), `point-in-time` (stop at the first damage), `skip-corrupted` (skip damaged "
     "records and go on)."},
    {"wal.preallocate", "fallocate each new segment to its full size."},
    {"wal.background_rotation",
     "A rotation onto the prepared spare goes on appending at once; the next sync (the "
     "preparer's, right after it) syncs the finished segment and publishes the new one "
     "(wal/FORMAT.md 3.2). `false`: the rotation syncs and publishes on the append path "
     "(format version 1's protocol)."},
    {"wal.max_segments", "Retention: keep at most this many segments (0: no limit)."},
    {"wal.max_bytes", "Retention: keep at most this many bytes of segments (0: no limit)."},
    {"wal.max_entry_bytes", "The largest entry the WAL accepts; larger appends are refused."},
    {"wal.buffer_bytes",
     "The WAL's write buffer; small values make each append reach the file (and the fs-op crash "
     "points inside it)."},
    {"workload", "The seeded workload the writers run against the system under test."},
    {"workload.writers", "Simulated threads appending at once (deterministic interleaving)."},
    {"workload.ops", "Operations per run, over all writers (op i goes to writer i % writers)."},
    {"workload.entry_bytes",
     "Entry sizes, uniform in [min, max]; one integer for a fixed size."},
    {"workload.batch_ratio",
     "Share of ops that are atomic batches (the five shares are probabilities per op; their sum "
     "is at most 1, the rest are appends)."},
    {"workload.sync_ratio", "Share of ops that are explicit syncs."},
    {"workload.read_ratio",
     "Share of ops that read from an LSN to the durable end, checked against the oracle; one "
     "in four also reads from the checkpoint, which must start at the last checkpoint known "
     "durable or a newer one."},
    {"workload.truncate_ratio", "Share of ops that truncate the front at a point in the log."},
    {"workload.reopen_ratio", "Share of ops that close and reopen the log (a clean restart)."},
    {"workload.on_error",
     "What the application does when a call fails with an injected fault: `stop` (restart and "
     "recover, as after a crash) or `carry-on` (report it and go on with the next op on the same "
     "handle). Registered targets only: the wal target always goes on, to a fail-stop Log."},
    {"workload.checkpoint_every", "A checkpoint every this many ops (0: none)."},
    {"workload.batch_entries_max", "The most entries in one batch."},
    {"device", "The simulated disk's geometry, latencies and honesty."},
    {"device.sector_bytes", "The unit a torn write tears at."},
    {"device.page_bytes", "The page cache's unit of writeback."},
    {"device.atomic_sector", "Whether a sector write is all-or-nothing at a power loss."},
    {"device.fsync_latency_us", "Virtual microseconds an fsync/fdatasync takes, uniform."},
    {"device.write_latency_us", "Virtual microseconds a write takes, uniform."},
    {"device.atomic_write",
     "The device claims every write is all-or-nothing (SQLITE_IOCAP_ATOMIC). A claim is what a "
     "VFS reports to the library above it; the power loss still follows crash.policy, so a claim "
     "it does not honour makes a non-compliant device."},
    {"device.safe_append",
     "The device claims a file grows only after its new data is written (SQLITE_IOCAP_SAFE_APPEND); "
     "a claim, as device.atomic_write."},
    {"device.sequential",
     "The device claims writes reach the medium in the order they were made "
     "(SQLITE_IOCAP_SEQUENTIAL); a claim, as device.atomic_write."},
    {"device.powersafe_overwrite",
     "The device claims a write never damages bytes outside its own range "
     "(SQLITE_IOCAP_POWERSAFE_OVERWRITE, the unix VFS's default); true of the device unless "
     "`crash.torn_scope` = `sector` says otherwise."},
    {"device.lying_fsync",
     "The device acknowledges fsync without persisting (a canary: the harness must catch it)."},
    {"device.capacity_bytes", "The disk's size: ENOSPC past it (0: unlimited)."},
    {"crash", "Where and how the power is cut, and how often."},
    {"crash.at",
     "The crash point: `random` (between ops), `persistence-points` (at each sync ticket), "
     "`inside-op` (at an fs call inside a multi-step op), `op:N` (before op N), `time:US` "
     "(at a virtual time), `none` (a clean run)."},
    {"crash.count", "Power losses per run; recovery may itself be cut (crashes during recovery)."},
    {"crash.epochs",
     "Runs of the workload, each going on from the image the last power loss left."},
    {"crash.policy",
     "What a power loss keeps of each file's unsynced writes: `drop-unsynced` (none), `prefix` "
     "(a prefix of them), `reorder` (any subset), `torn` (any subset, a write torn at sector "
     "boundaries), `garbage-tail` (any subset, a grown file's new bytes zeros or junk); "
     "`process` is no power loss: the process dies, the page cache survives whole, and a "
     "registered target may hold itself to what it promises across a process crash."},
    {"crash.lose_unsynced_dir_ops",
     "A power loss may drop directory entries (create, rename, unlink) not made durable by a "
     "directory sync."},
    {"crash.torn_fill",
     "What the part of a torn write that did not reach the disk reads as (policy `torn`): "
     "`stale` (its old content), `zeros` (as many SSDs and file systems return a lost block), "
     "`random` (junk, drawn from the seed). Only the bytes the write covered (unless "
     "`torn_scope` = `sector`); past the old end of the file there is no old content, and "
     "`stale` reads as zeros there."},
    {"crash.torn_scope",
     "How far a torn write's damage reaches (policy `torn`): `write` (only the write's own lost "
     "bytes: a device with powersafe overwrite), `sector` (each sector the write did not finish "
     "reads as `torn_fill` whole, older durable bytes beside the write included: a device "
     "without it, psow.html). The device's behaviour; `device.powersafe_overwrite` is only its "
     "claim. `sector` needs `torn_fill` = `zeros` or `random`."},
    {"faults", "Injected I/O and media faults, each a probability per call."},
    {"faults.fsync_eio",
     "fsync/fdatasync fails with EIO, a directory's fsync too (its pending creates, renames and "
     "unlinks stay pending: a power loss may still lose them; directory fsyncs draw from a "
     "stream of their own, numbered per directory)."},
    {"faults.fsync_profile",
     "The page cache after a failed fsync, as that file system leaves it: `ext4` and `xfs` "
     "(dirty data stays readable but is marked clean, never written back), `btrfs` (dropped: "
     "reads show the durable image); a retried fsync then succeeds either way."},
    {"faults.write_eio", "A write fails with EIO."},
    {"faults.write_short", "A write writes only part of its bytes."},
    {"faults.enospc_after_bytes",
     "The disk is full after this many bytes written (0: never): a write that crosses it "
     "writes what fits, then fails with ENOSPC, as write(2) does; fallocate is all or nothing."},
    {"faults.read_eio", "A read fails with EIO."},
    {"faults.read_short",
     "A read returns fewer bytes than asked, with no error, before the end of the file (as "
     "pread(2) may): at least 1 byte, at most all but one."},
    {"faults.close_eio",
     "close() fails with EIO; the handle is released anyway. The failed close is a failed "
     "writeback: the file's unsynced data is left as `fsync_profile` says a failed fsync leaves "
     "it (faults/close_eio_fs.h)."},
    {"faults.bit_flip", "Media damage: a bit of the stored data flips."},
    {"faults.latent_sector", "Media damage: a sector becomes unreadable."},
    {"faults.misdirected_write", "Media damage: a write lands at the wrong offset."},
    {"faults.aim",
     "Where media damage lands: `uniform`, `structure` (record and segment headers, the FRONT "
     "marker, boundaries, the last durable record) or `mixed`."},
    {"faults.target",
     "Aims the I/O faults (all but `bit_flip` and `latent_sector`) at files whose base name "
     "matches this glob (`MANIFEST-*`, `*.log`, `[0-9]*.wal`; a directory by its own name, "
     "`wal` for `/wal`); calls on other files never fail "
     "and the disk-full budget ignores them. A `[script]` ignores it."},
    {"expect", "The verdict the scenario expects; `walsim run` exits 0 iff every scenario got it."},
    {"expect.verdict",
     "`pass`: every seed passes; `fail` (the bug zoo): at least one seed violates an invariant."},
    {"expect.invariants",
     "With `fail`: which invariants must be among the violated (durability, prefix, integrity, "
     "atomic-batch, lsn-continuity, checkpoint, idempotent-recovery, error-honesty, "
     "corruption-detected, no-leak)."},
    {"script",
     "A fixed op list instead of the generated workload, with its faults and crash point; "
     "`walsim shrink` writes it (its keys are what shrink saves)."},
    {"swarm",
     "Makes the file a swarm scenario: each seed draws its configuration; the table bounds the "
     "space (docs/swarm.md). The tables it draws may not be written beside it."},
};

std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::span<const KeyMeaning> scenario_key_meanings() { return kMeanings; }

std::string scenario_keys_markdown() {
  std::string out = "| key | type | accepted | default | meaning |\n|---|---|---|---|---|\n";
  for (const ScenarioKey& k : describe_scenario_keys()) {
    std::string meaning = "(no meaning written: sim/walsim/scenario_key_docs.cc)";
    for (const KeyMeaning& m : kMeanings) {
      if (m.key == k.key) meaning = m.meaning;
    }
    // A registered target's own table says what its keys mean (TargetInfo, target.h).
    const std::size_t dot = k.key.find('.');
    if (const harness::TargetInfo* target = harness::find_target(k.key.substr(0, dot))) {
      if (dot == std::string::npos) {
        meaning = fmt::format("Target `{}` only: {}", target->name, target->description);
      }
      for (const harness::TargetKey& key : target->keys) {
        if (dot != std::string::npos && key.name == k.key.substr(dot + 1)) meaning = key.doc;
      }
    }
    const bool table = k.type == "table";
    out += fmt::format("| {} | {} | {} | {} | {} |\n",
                       table ? fmt::format("**[{}]**", k.key) : fmt::format("`{}`", k.key),
                       cell(k.type), cell(k.range),
                       k.default_value.empty() ? "" : fmt::format("`{}`", cell(k.default_value)),
                       cell(meaning));
  }
  return out;
}

}  // namespace walsim
