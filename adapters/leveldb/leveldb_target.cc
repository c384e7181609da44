// LevelDB as a harness target (target = "leveldb", its [leveldb] table below): Debian's
// libleveldb 1.23, unchanged, through the Env of env.h onto the run's Fs (SimFs under the
// fault stack), in quiescent mode (env.h: background compaction runs on the op's thread right
// after each call into LevelDB), judged by a model map with prefix durability
// (adapters/kv/kv_model.h).
//
// Op mapping (workload.h kinds; keys "k00000".."k<keys-1>" drawn per op; every value is
// "op<index>-" and letters, value_bytes long, so each write's value is its own):
//   append      Put, WriteOptions::sync = false
//   sync        Put, sync = true: the workload's sync_ratio is the fraction of sync writes
//   checkpoint  Put, sync = true (LevelDB has no checkpoint; CompactRange waits for the
//               background thread, which quiescent mode runs only between ops)
//   batch       a WriteBatch of puts and deletes (one per entry), sync = false
//   truncate    Delete, sync = false
//   read        Get, compared with the model at once (leveldb-read)
// Invariants:
//   leveldb-open (integrity)       DB::Open succeeds on the recovered files and a full scan
//                                  reads them, when no I/O error was injected
//   leveldb-durability (durability), leveldb-prefix (prefix), leveldb-phantom (integrity):
//                                  adapters/kv/kv_model.h
//   leveldb-read (integrity)       a live Get returns the model's value
#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <array>
#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "adapters/leveldb/env.h"
#include "adapters/kv/kv_model.h"
#include "adapters/kv/kv_ops.h"
#include "sim/harness/mutants.h"
#include "sim/harness/target.h"

namespace leveldb_adapter {
namespace {

using kv::KvMap;
using kv::KvModel;
using kv::KvWrite;
using kv::ModelVerdict;

constexpr const char* kQuiescentNote =
    "leveldb: quiescent mode: background compaction ran on the op's thread after each call "
    "into LevelDB, never beside a write (adapters/leveldb/env.h), so the verdict is bit for "
    "bit: the seed replays to the same trace hash and the same verdict";

std::int64_t number(const std::map<std::string, std::string, std::less<>>& settings,
                    std::string_view key) {
  const auto it = settings.find(key);
  std::int64_t value = 0;
  if (it != settings.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  }
  return value;
}

class LeveldbTarget final : public harness::Target {
 public:
  ~LeveldbTarget() override { crash(); }

  std::vector<harness::TargetInvariant> invariants() const override {
    return {
        {"leveldb-open", harness::Invariant::kIntegrity,
         "DB::Open succeeds on the recovered files and a full scan reads them"},
        {"leveldb-durability", harness::Invariant::kDurability,
         "a sync write and every write before it survive"},
        {"leveldb-prefix", harness::Invariant::kPrefix,
         "the database is the state after one prefix of the writes"},
        {"leveldb-phantom", harness::Invariant::kIntegrity,
         "no key holds a value it was never given"},
        {"leveldb-read", harness::Invariant::kIntegrity, "a live Get returns the model's value"},
    };
  }

  wal::Status open(const harness::TargetEnv& env) override {
    crash();
    keys_ = number(env.settings, "keys");
    value_bytes_ = static_cast<std::size_t>(number(env.settings, "value_bytes"));
    process_crash_ = env.process_crash;
    EnvConfig config{env.fs, env.clock, env.runtime, env.dir};
    config.fail_log_writes_after_close_error =
        env.settings.at("log_close_error") == "fails-writes";
    env_ = std::make_unique<FsEnv>(config);
    leveldb::Options options;
    options.env = env_.get();
    options.create_if_missing = true;
    options.write_buffer_size = static_cast<std::size_t>(number(env.settings,
                                                                "write_buffer_size"));
    options.paranoid_checks = env.settings.at("paranoid_checks") == "true";
    const std::uint64_t errors_before = env_->counters().io_errors;
    leveldb::DB* db = nullptr;
    const leveldb::Status status = leveldb::DB::Open(options, env.dir, &db);
    db_.reset(db);
    env_->run_background();
    unopened_.clear();
    if (status.ok()) return wal::Status::ok();
    // An I/O error from the Fs (an injected fault, a power cut) is the harness's to judge;
    // LevelDB refusing the files it found (or not finding one CURRENT names: a missing file
    // is no I/O error) is this target's leveldb-open.
    if (env_->counters().io_errors != errors_before) {
      return wal::Status::io_error("leveldb: open: " + status.ToString());
    }
    unopened_ = status.ToString();
    return wal::Status::ok();
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    if (!db_) return {harness::Ack::kFailed, wal::Status::io_error("leveldb: not open"), {}};
    harness::Applied applied = run(op, choices);
    env_->run_background();  // quiescent mode: outside LevelDB's mutex, on this thread
    return applied;
  }

  wal::Status close() override {
    if (db_) env_->run_background();
    db_.reset();  // ~DBImpl: closes the log (flushed, not synced), unlocks
    env_.reset();
    return wal::Status::ok();
  }

  void crash() override {
    // LevelDB has no way to die: its destructor waits for scheduled background work, so that
    // runs first, and with the power cut neither reaches the disk.
    if (db_) env_->run_background();
    db_.reset();
    env_.reset();
  }

  std::vector<harness::Violation> check(bool power_lost) override {
    if (!noted_) notes_.push_back(kQuiescentNote);
    noted_ = true;
    std::vector<harness::Violation> out;
    if (!db_) {
      out.push_back(kv::violation(harness::Invariant::kIntegrity, "leveldb", "open",
                              "DB::Open refused the recovered files: " + unopened_));
      model_.forget();
      return out;
    }
    KvMap recovered;
    const std::uint64_t io_errors_before = env_->counters().io_errors;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      recovered.emplace(it->key().ToString(), it->value().ToString());
    }
    if (!it->status().ok() && env_->counters().io_errors != io_errors_before) {
      // The Fs failed the scan (an injected fault, or the power cut while this check ran: a
      // reopen op may be cut anywhere): nothing to judge, as in the rocksdb target. The writes
      // stay with the model for the next check, after the recovery the harness runs next.
      notes_.push_back("leveldb: a check's scan met an I/O error from the Fs and was not judged: " +
                       it->status().ToString());
      return out;
    }
    if (!it->status().ok()) {
      out.push_back(kv::violation(harness::Invariant::kIntegrity, "leveldb", "open",
                              "a full scan of the recovered database failed: " +
                                  it->status().ToString()));
      model_.forget();
      return out;
    }
    // doc/index.md: "if just the process crashes (i.e., the machine does not reboot), no
    // writes will be lost even if sync == false", unless LevelDB reported an error first, after
    // which the unsynced writes are what a power loss would leave.
    const bool kept_cache = power_lost && process_crash_ && !error_reported_;
    error_reported_ = false;
    const ModelVerdict verdict = model_.judge(recovered, !power_lost || kept_cache);
    const std::string when = kept_cache   ? " (process crash: nothing may be lost)"
                             : power_lost ? ""
                                          : " (clean reopen: nothing may be lost)";
    if (auto judged = kv::judged("leveldb", verdict, when)) out.push_back(std::move(*judged));
    return out;
  }

  std::vector<std::string> take_notes() override { return std::exchange(notes_, {}); }

 private:
  harness::Applied run(const harness::Op& op, sim::Prng& choices) {
    kv::KvOp asked = kv::kv_op(op, choices, {keys_, value_bytes_});
    if (asked.kind == kv::KvOp::Kind::kRead) return read(asked.key);
    if (asked.kind == kv::KvOp::Kind::kNone) return {};
    return commit(std::move(asked.write));
  }

  harness::Applied commit(KvWrite write) {
    leveldb::WriteBatch batch;
    for (const auto& [k, v] : write.changes) {
      if (v) {
        batch.Put(k, *v);
      } else {
        batch.Delete(k);
      }
    }
    leveldb::WriteOptions options;
    options.sync = write.sync;
    const leveldb::Status status = db_->Write(options, &batch);
    if (!status.ok()) {
      error_reported_ = true;
      model_.failed(std::move(write));
      return {harness::Ack::kFailed, wal::Status::io_error("leveldb: write: " + status.ToString()),
              {}};
    }
    const bool durable = write.sync;
    model_.accepted(std::move(write), durable);
    return {durable ? harness::Ack::kDurable : harness::Ack::kPending, wal::Status::ok(), {}};
  }

  harness::Applied read(const std::string& k) {
    std::string got;
    const leveldb::Status status = db_->Get(leveldb::ReadOptions(), k, &got);
    if (!status.ok() && !status.IsNotFound()) {
      return {harness::Ack::kFailed, wal::Status::io_error("leveldb: get: " + status.ToString()),
              {}};
    }
    const std::optional<std::string> have =
        status.IsNotFound() ? std::nullopt : std::optional{got};
    harness::Applied applied;
    if (auto wrong = kv::read_mismatch("leveldb", k, have, model_)) {
      applied.violations.push_back(std::move(*wrong));
    }
    return applied;
  }

  std::unique_ptr<FsEnv> env_;  // outlives db_ (declared first, destroyed last)
  std::unique_ptr<leveldb::DB> db_;
  std::string unopened_;  // why DB::Open refused the files, when no I/O error did
  std::int64_t keys_ = 512;
  std::size_t value_bytes_ = 100;
  KvModel model_;
  bool process_crash_ = false;   // TargetEnv::process_crash
  bool error_reported_ = false;  // a write failed since the last check
  bool noted_ = false;
  std::vector<std::string> notes_;
};

// The planted bugs' hunts: the negative controls' scenarios (scenarios/engines), which pass on
// LevelDB 1.23 and must fail with the bug back in.
harness::RunConfig hunt_newdb_manifest_unsynced() {
  harness::RunConfig config;
  config.target = "leveldb";
  config.workload.ops = 4;
  config.workload.sync_ratio = {1, 1};
  // The power goes out at once, the recovery creates the database and is cut itself.
  config.crash.at = *harness::CrashAt::parse("fs-op:1");
  config.crash.count = 2;
  config.crash.power_loss.lose_unsynced_dir_ops = false;
  return config;
}

harness::RunConfig hunt_current_unsynced() {
  harness::RunConfig config;
  config.target = "leveldb";
  config.workload.ops = 60;
  config.workload.reopen_ratio = {1, 5};
  config.workload.sync_ratio = {1, 10};
  config.crash.at = *harness::CrashAt::parse("inside-op");
  config.crash.power_loss.policy = faults::CrashPolicy::kGarbageTail;
  config.crash.power_loss.lose_unsynced_dir_ops = false;
  return config;
}

harness::TargetInfo leveldb_info() {
  harness::TargetInfo info{
      "leveldb",
      "LevelDB (Debian's libleveldb 1.23, unchanged) through an Env onto the simulated disk, "
      "quiescent mode (background compaction between ops); puts, deletes and batches judged "
      "by a model map with prefix durability",
      [] { return std::make_unique<LeveldbTarget>(); },
      {harness::Mutant{"leveldb/newdb-manifest-unsynced", "field",
                       "a new database's MANIFEST-000001 is closed without a sync, as before "
                       "1.23 (google/leveldb#189): CURRENT can name a MANIFEST with nothing in it",
                       {harness::Invariant::kIntegrity}, hunt_newdb_manifest_unsynced},
       harness::Mutant{"leveldb/current-unsynced", "field",
                       "CURRENT's temp file is renamed without a sync, as before January 2012 "
                       "(issue 68): a crash can keep the rename and not the bytes",
                       {harness::Invariant::kIntegrity}, hunt_current_unsynced}},
      {
          {.name = "write_buffer_size",
           .min = 65536,
           .max = 64 << 20,
           .default_value = "4194304",
           .doc = "Options::write_buffer_size in bytes: a memtable this full switches to a new "
                  "log (small: many log switches; LevelDB clips it to [64 KiB, 1 GiB])"},
          {.name = "paranoid_checks",
           .words = {"false", "true"},
           .default_value = "false",
           .doc = "Options::paranoid_checks: refuse to open on a corrupt log instead of "
                  "dropping its damaged part"},
          {.name = "value_bytes",
           .min = 0,
           .max = 1 << 20,
           .default_value = "100",
           .doc = "every value's size in bytes after its \"op<index>-\" head; 0: the op's "
                  "[workload] entry_bytes"},
          {.name = "log_close_error",
           .words = {"dropped", "fails-writes"},
           .default_value = "dropped",
           .doc = "after a log's close fails: `dropped` (LevelDB 1.23 as it ships, "
                  "google/leveldb#1081) or `fails-writes` (the fix, emulated in the Env: every "
                  "later log write fails, so LevelDB reports the error)"},
          {.name = "keys",
           .min = 1,
           .max = 1 << 20,
           .default_value = "512",
           .doc = "the key space, k00000.. (few keys: writes overwrite each other)"},
      },
  };
  // Quiescent mode: every call into LevelDB, its compactions included, runs on the caller's
  // thread (env.h), so `walsim real --diff` can run it on PosixFs beside SimFs.
  info.single_threaded = true;
  return info;
}

const bool kLeveldbRegistered = harness::register_target(leveldb_info());

}  // namespace
}  // namespace leveldb_adapter
