// RocksDB as a harness target (target = "rocksdb", its [rocksdb] table in settings.h): Debian's
// librocksdb 7.8.3, unchanged, through the FileSystem of file_system.h onto the run's Fs (SimFs
// under the fault stack), in quiescent mode (env.h: flushes and compactions run on the op's
// thread right after each call into RocksDB), judged by the model map with prefix durability
// that judges LevelDB too (adapters/kv/kv_model.h).
//
// Op mapping (workload.h kinds; keys "k00000".."k<keys-1>" drawn per op, key k<n> in column
// family n % column_families; every value is "op<index>-" and letters, value_bytes long):
//   append      Put, WriteOptions::sync = false
//   sync        Put, sync = true: the workload's sync_ratio is the fraction of sync writes
//               (disable_wal: the write, then a flush of every memtable)
//   checkpoint  the same as sync
//   batch       a WriteBatch of puts and deletes (one per entry), sync = false
//   truncate    Delete, sync = false
//   read        Get, compared with the model at once (rocksdb-read)
//   (ingest)    with [rocksdb] ingest_percent, that percent of the write ops above: 1-8 puts of
//               keys "i<n>" written with SstFileWriter into a table file beside the database,
//               then DB::IngestExternalFile (store.h); durable once it returns OK, on its own
//               (kv_model.h), and no barrier for the unsynced puts before it
// With transaction_db each write is one transaction. With two_phase_commit it is named and
// prepared in its op and committed in the next write op, as an application that prepares and
// commits later does (so a WAL switch may fall between a prepare and its commit): an op
// acknowledges the write it committed, the previous one. A clean close commits the last.
// Invariants:
//   rocksdb-open (integrity)       DB::Open succeeds on the recovered files and a full scan of
//                                  every column family reads them, when no I/O error was
//                                  injected: "will not open", apart from wrong data
//   rocksdb-durability (durability), rocksdb-prefix (prefix), rocksdb-phantom (integrity):
//                                  adapters/kv/kv_model.h
//   rocksdb-read (integrity)       a live Get returns the model's value
#include "adapters/rocksdb/rocksdb_target.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "adapters/kv/kv_model.h"
#include "adapters/kv/kv_ops.h"
#include "adapters/rocksdb/settings.h"
#include "adapters/rocksdb/store.h"
#include "adapters/rocksdb/thread_random.h"
#include "sim/harness/mutants.h"
#include "sim/hash_mix.h"

namespace rocksdb_adapter {
namespace {

using kv::KvMap;
using kv::KvModel;
using kv::KvWrite;
using kv::ModelVerdict;

constexpr const char* kQuiescentNote =
    "rocksdb: quiescent mode: flushes and compactions ran on the op's thread after each call "
    "into RocksDB, never beside a write (adapters/rocksdb/env.h)";
constexpr const char* kThreadsNote =
    "rocksdb: not simulated: RocksDB's periodic-task timer thread (host clock, started by every "
    "DB::Open for kFlushInfoLog) runs beside the run; its only call here, Logger::Flush, does "
    "nothing. Its db session ids (in table properties and the info LOG) are the seed's: "
    "DBImpl::GenerateDbSessionId is the one library function substituted "
    "(adapters/rocksdb/session_id.h)";

class RocksdbTarget final : public harness::Target {
 public:
  explicit RocksdbTarget(Breakage breakage) : breakage_(breakage) {}
  ~RocksdbTarget() override { crash(); }

  std::vector<harness::TargetInvariant> invariants() const override {
    return {
        {"rocksdb-open", harness::Invariant::kIntegrity,
         "DB::Open succeeds on the recovered files and a full scan reads them"},
        {"rocksdb-durability", harness::Invariant::kDurability,
         "a sync write and every write before it survive"},
        {"rocksdb-prefix", harness::Invariant::kPrefix,
         "the database is the state after one prefix of the writes"},
        {"rocksdb-phantom", harness::Invariant::kIntegrity,
         "no key holds a value it was never given"},
        {"rocksdb-read", harness::Invariant::kIntegrity, "a live Get returns the model's value"},
    };
  }

  wal::Status open(const harness::TargetEnv& env) override {
    seed_ = env.seed;
    crash();
    settings_ = read_settings(env.settings);
    Store::Opened opened = Store::open(env, settings_, breakage_, &db_sessions_);
    store_ = std::move(opened.store);
    unopened_ = std::move(opened.refused);
    return opened.io;
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    if (!store_) return {harness::Ack::kFailed, wal::Status::io_error("rocksdb: not open"), {}};
    reseed();
    harness::Applied applied = run(op, choices);
    store_->run_background();  // quiescent mode: outside RocksDB's mutex, on this thread
    return applied;
  }

  wal::Status close() override {
    reseed();
    if (store_ && store_->holds_prepared()) {
      static_cast<void>(commit_held());  // the application's last commit
    }
    if (store_ && settings_.disable_wal) store_->flush_all();  // avoid_flush_during_shutdown
    store_.reset();
    held_.reset();
    return wal::Status::ok();
  }

  void crash() override {
    reseed();
    store_.reset();
    held_.reset();
  }

  std::vector<harness::Violation> check(bool power_lost) override {
    if (!noted_) {
      notes_.push_back(kQuiescentNote);
      notes_.push_back(kThreadsNote);
    }
    noted_ = true;
    reseed();
    if (ingests_.tried > 0) {
      notes_.push_back(fmt::format("rocksdb: {} ingests before this check, {} acknowledged",
                                   ingests_.tried, ingests_.acknowledged));
      ingests_ = {};
    }
    std::vector<harness::Violation> out;
    if (!store_) {
      out.push_back(kv::violation(harness::Invariant::kIntegrity, "rocksdb", "open",
                              "DB::Open refused the recovered files: " + unopened_));
      model_.forget();
      return out;
    }
    const Store::Scan scan = store_->scan();
    if (!scan.status.ok() && scan.fs_failed) {
      // The Fs failed the scan (an injected fault, or the power cut while this check ran: a
      // reopen op may be cut anywhere): nothing to judge. The writes stay with the model for
      // the next check, after the recovery the harness runs next.
      notes_.push_back(
          "rocksdb: a check's scan met an I/O error from the Fs and was not "
          "judged: " +
          scan.status.ToString());
      return out;
    }
    if (!scan.status.ok()) {
      out.push_back(
          kv::violation(harness::Invariant::kIntegrity, "rocksdb", "open",
                    "a full scan of the recovered database failed: " + scan.status.ToString()));
      model_.forget();
      return out;
    }
    const ModelVerdict verdict = model_.judge(scan.map, !power_lost);
    const std::string when = power_lost ? "" : " (clean reopen: nothing may be lost)";
    if (auto judged = kv::judged("rocksdb", verdict, when)) out.push_back(std::move(*judged));
    return out;
  }

  std::vector<std::string> take_notes() override { return std::exchange(notes_, {}); }

 private:
  // Every call from the harness starts with the thread's skiplist generator in a state of the
  // run's (thread_random.h): memtable sizes, and so flush points, repeat for a seed.
  void reseed() { seed_thread_random(sim::fold64(seed_, ++calls_)); }

  harness::Applied run(const harness::Op& op, sim::Prng& choices) {
    // Drawn only when ingests are asked for, so that every other scenario's draws stay put.
    const bool writes = op.kind != harness::OpKind::kRead && op.kind != harness::OpKind::kReopen;
    const auto percent = static_cast<std::uint64_t>(settings_.ingest_percent);
    if (percent > 0 && writes && choices.chance({percent, 100})) return ingest(op, choices);
    kv::KvOp asked = kv::kv_op(op, choices, {settings_.keys, settings_.value_bytes});
    if (asked.kind == kv::KvOp::Kind::kRead) return read(asked.key);
    if (asked.kind == kv::KvOp::Kind::kNone) return {};
    KvWrite write = std::move(asked.write);
    if (settings_.transaction_db && settings_.two_phase_commit) {
      return prepare_then_commit(std::move(write));
    }
    return commit(std::move(write));
  }

  harness::Applied commit(KvWrite write) {
    if (breakage_ == Breakage::kSkipWrite && ++writes_seen_ % 5 == 0) {
      model_.accepted(write, write.sync);  // Breakage::kSkipWrite: acknowledged, never made
      return {write.sync ? harness::Ack::kDurable : harness::Ack::kPending, {}, {}};
    }
    if (breakage_ == Breakage::kSwapPairs && !write.sync && !held_) {
      model_.accepted(write, false);  // Breakage::kSwapPairs: made after the next write
      held_ = std::make_unique<KvWrite>(std::move(write));
      return {harness::Ack::kPending, {}, {}};
    }
    rocksdb::Status status = store_->write(write);
    if (status.ok() && held_) {
      store_->run_background();
      status = store_->write(*held_);
      held_.reset();
    }
    if (!status.ok()) {
      model_.failed(std::move(write));
      return {
          harness::Ack::kFailed, wal::Status::io_error("rocksdb: write: " + status.ToString()), {}};
    }
    const bool durable = write.sync;
    model_.accepted(std::move(write), durable);
    return {durable ? harness::Ack::kDurable : harness::Ack::kPending, wal::Status::ok(), {}};
  }

  // Two-phase commit, pipelined: commits the write the last write op prepared, then prepares
  // this one. The ack is the committed write's.
  harness::Applied prepare_then_commit(KvWrite write) {
    harness::Applied applied{harness::Ack::kPending, wal::Status::ok(), {}};
    if (store_->holds_prepared()) {
      bool durable = false;
      if (const rocksdb::Status committed = commit_held(&durable); !committed.ok()) {
        return {harness::Ack::kFailed,
                wal::Status::io_error("rocksdb: commit: " + committed.ToString()),
                {}};
      }
      if (durable) applied.ack = harness::Ack::kDurable;
    }
    if (const rocksdb::Status prepared = store_->prepare(std::move(write)); !prepared.ok()) {
      return {harness::Ack::kFailed,
              wal::Status::io_error("rocksdb: prepare: " + prepared.ToString()),
              {}};
    }
    return applied;
  }

  // Commits the held transaction and tells the model; `durable`: it was a sync write.
  rocksdb::Status commit_held(bool* durable = nullptr) {
    KvWrite committed;
    const rocksdb::Status status = store_->commit_held(&committed);
    if (!status.ok()) {
      model_.failed(std::move(committed));
      return status;
    }
    if (durable != nullptr) *durable = committed.sync;
    const bool sync = committed.sync;
    model_.accepted(std::move(committed), sync);
    return status;
  }

  harness::Applied ingest(const harness::Op& op, sim::Prng& choices) {
    KvWrite write = kv::kv_ingest(op, choices, {settings_.keys, settings_.value_bytes});
    const bool move_files = choices.coin();
    ++ingests_.tried;
    const rocksdb::Status status = store_->ingest(write, move_files);
    if (!status.ok()) {
      // Cut by the crash (or failed): whole or not at all, and the last thing the store did.
      model_.failed(std::move(write));
      return {harness::Ack::kFailed,
              wal::Status::io_error("rocksdb: ingest: " + status.ToString()),
              {}};
    }
    ++ingests_.acknowledged;
    model_.accepted(std::move(write), true);
    return {harness::Ack::kDurable, wal::Status::ok(), {}};
  }

  harness::Applied read(const std::string& k) {
    std::optional<std::string> have;
    const rocksdb::Status status = store_->get(k, &have);
    if (!status.ok()) {
      return {
          harness::Ack::kFailed, wal::Status::io_error("rocksdb: get: " + status.ToString()), {}};
    }
    harness::Applied applied;
    if (auto wrong = kv::read_mismatch("rocksdb", k, have, model_)) {
      applied.violations.push_back(std::move(*wrong));
    }
    return applied;
  }

  const Breakage breakage_;
  TargetSettings settings_;
  std::unique_ptr<Store> store_;
  std::string unopened_;  // why DB::Open refused the files, when no I/O error did
  KvModel model_;
  std::unique_ptr<KvWrite> held_;  // Breakage::kSwapPairs
  std::uint64_t writes_seen_ = 0;  // Breakage::kSkipWrite
  std::uint64_t db_sessions_ = 0;  // the run's DB::Opens, for their session ids (session_id.h)
  std::uint64_t seed_ = 0;         // the run's, from open
  std::uint64_t calls_ = 0;        // the harness's calls so far, for reseed()
  bool noted_ = false;
  std::vector<std::string> notes_;
  struct {
    std::uint64_t tried = 0;
    std::uint64_t acknowledged = 0;
  } ingests_;  // since the last check, for its note
};

}  // namespace

namespace {

// The hunts of the bugs RocksDB once had (planted in fs_files.cc), each its control's
// scenario (scenarios/engines/rocksdb-*-control.toml) cut to 120 ops.
harness::RunConfig control_hunt(std::map<std::string, std::string, std::less<>> settings) {
  harness::RunConfig config;
  config.target = "rocksdb";
  config.workload.ops = 120;
  config.crash.at = *harness::CrashAt::parse("random");
  config.target_settings = std::move(settings);
  config.target_settings["write_buffer_size"] = "65536";
  config.target_settings["value_bytes"] = "1000";
  config.target_settings["max_manifest_file_size"] = "1";
  return config;
}

harness::RunConfig hunt_current_dir_unsynced() {
  harness::RunConfig config = control_hunt({{"track_and_verify_wals_in_manifest", "true"}});
  config.workload.sync_ratio = {1, 2};
  config.crash.power_loss.policy = faults::CrashPolicy::kPrefix;
  config.crash.power_loss.lose_unsynced_dir_ops = true;
  return config;
}

harness::RunConfig hunt_manifest_append_error_kept() {
  harness::RunConfig config = control_hunt({});
  config.workload.sync_ratio = {19, 20};
  config.workload.reopen_ratio = {1, 20};
  config.workload.on_error = harness::OnError::kCarryOn;
  config.faults.target = "MANIFEST-*";
  config.faults.enospc_after_bytes = 800;
  config.crash.power_loss.policy = faults::CrashPolicy::kPrefix;
  config.faults.write_short = {1, 50};
  return config;
}

// The ingest control (rocksdb-ingest-dir-sync-control.toml) cut to 120 ops: a 4 MiB write
// buffer, so no WAL switch and no MANIFEST roll.
harness::RunConfig hunt_ingest_dir_unsynced() {
  harness::RunConfig config;
  config.target = "rocksdb";
  config.workload.ops = 120;
  config.workload.sync_ratio = {3, 10};
  config.crash.at = *harness::CrashAt::parse("inside-op");
  config.crash.power_loss.policy = faults::CrashPolicy::kPrefix;
  config.crash.power_loss.lose_unsynced_dir_ops = true;
  config.target_settings = {{"value_bytes", "1000"}, {"ingest_percent", "10"}};
  return config;
}

std::vector<harness::Mutant> planted_bugs() {
  return {
      harness::Mutant{"rocksdb/current-dir-unsynced", "field",
                      "nothing syncs the directory after CURRENT's rename, as some MANIFEST "
                      "updates before 7.7 (facebook/rocksdb#10573): an acknowledged update's "
                      "CURRENT can come back naming a removed MANIFEST",
                      {harness::Invariant::kIntegrity, harness::Invariant::kDurability},
                      hunt_current_dir_unsynced},
      harness::Mutant{"rocksdb/manifest-append-error-kept", "field",
                      "a failed MANIFEST append is hidden and the next edits land behind the "
                      "torn record, as before facebook/rocksdb#6331 (2020) kept writing that "
                      "MANIFEST: the next open cannot read it",
                      {harness::Invariant::kIntegrity, harness::Invariant::kDurability},
                      hunt_manifest_append_error_kept},
      harness::Mutant{"rocksdb/ingest-dir-unsynced", "field",
                      "IngestExternalFile syncs no directory for the file it adds, as before "
                      "facebook/rocksdb#5435 (2019): the synced MANIFEST can name a table a "
                      "power loss removed",
                      {harness::Invariant::kIntegrity, harness::Invariant::kDurability},
                      hunt_ingest_dir_unsynced},
  };
}

}  // namespace

harness::TargetInfo rocksdb_info(std::string name, Breakage breakage) {
  // The planted bugs belong to the target itself; a broken copy (tests) plants none.
  std::vector<harness::Mutant> planted;
  if (breakage == Breakage::kNone) planted = planted_bugs();
  harness::TargetInfo info{
      std::move(name),
      "RocksDB (Debian's librocksdb 7.8.3, unchanged) through a FileSystem onto the simulated "
      "disk, quiescent mode (flushes and compactions between ops); puts, deletes, batches and "
      "transactions over column families judged by a model map with prefix durability",
      [breakage] { return std::make_unique<RocksdbTarget>(breakage); },
      std::move(planted),
      rocksdb_keys(),
  };
  // Quiescent mode: every call into RocksDB, its flushes and compactions included, runs on the
  // caller's thread (env.h), so `walsim real --diff` can run it on PosixFs beside SimFs.
  info.single_threaded = true;
  info.validate = validate_settings;
  return info;
}

namespace {
const bool kRocksdbRegistered = harness::register_target(rocksdb_info("rocksdb", Breakage::kNone));
}  // namespace

}  // namespace rocksdb_adapter
