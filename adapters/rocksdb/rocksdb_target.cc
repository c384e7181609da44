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

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/transaction.h>
#include <rocksdb/utilities/transaction_db.h>

#include "adapters/kv/kv_model.h"
#include "adapters/rocksdb/env.h"
#include "adapters/rocksdb/settings.h"

namespace rocksdb_adapter {
namespace {

using kv::KvMap;
using kv::KvModel;
using kv::KvWrite;
using kv::ModelVerdict;
using kv::Verdict;

constexpr const char* kQuiescentNote =
    "rocksdb: quiescent mode: flushes and compactions ran on the op's thread after each call "
    "into RocksDB, never beside a write (adapters/rocksdb/env.h)";
constexpr const char* kThreadsNote =
    "rocksdb: not simulated: RocksDB's periodic-task timer thread (host clock, started by every "
    "DB::Open for kFlushInfoLog) runs beside the run; its only call here, Logger::Flush, does "
    "nothing. Its db session id (in table properties and the info LOG) comes from the host's "
    "randomness: file bytes may differ between runs of one seed, file sizes and operations do "
    "not";

std::string letters(std::size_t size, sim::Prng& choices) {
  std::string text(size, 'a');
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (i % 8 == 0) bits = choices.next_u64();
    text[i] = static_cast<char>('a' + (bits & 0xff) % 26);
    bits >>= 8;
  }
  return text;
}

harness::Violation violation(harness::Invariant category, std::string_view name,
                             const std::string& text) {
  return {category, wal::kNoLsn, 0,
          fmt::format("{}: {}: {}", harness::to_string(category), name, text)};
}

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
    crash();
    settings_ = read_settings(env.settings);
    env_ = std::make_unique<QuiescentEnv>(
        EnvConfig{env.fs, env.clock, env.runtime, env.dir, env.seed, breakage_});
    rocksdb::Options options = settings_.options;
    options.env = env_.get();
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (int i = 0; i < settings_.column_families; ++i) {
      families.emplace_back(i == 0 ? rocksdb::kDefaultColumnFamilyName : fmt::format("cf{}", i),
                            rocksdb::ColumnFamilyOptions(options));
    }
    const std::uint64_t errors_before = env_->counters().io_errors;
    rocksdb::Status status;
    if (settings_.transaction_db) {
      rocksdb::TransactionDB* db = nullptr;
      status = rocksdb::TransactionDB::Open(options, rocksdb::TransactionDBOptions(), env.dir,
                                            families, &handles_, &db);
      txn_db_ = db;
      db_.reset(db);
    } else {
      rocksdb::DB* db = nullptr;
      status = rocksdb::DB::Open(options, env.dir, families, &handles_, &db);
      db_.reset(db);
    }
    env_->run_background();
    unopened_.clear();
    if (status.ok()) {
      roll_back_prepared();
      if (breakage_ == Breakage::kPhantomPut) phantom_put();
      return wal::Status::ok();
    }
    handles_.clear();
    // An I/O error from the Fs (an injected fault, a power cut) is the harness's to judge;
    // RocksDB refusing the files it found is this target's rocksdb-open.
    if (env_->counters().io_errors != errors_before) {
      return wal::Status::io_error("rocksdb: open: " + status.ToString());
    }
    unopened_ = status.ToString();
    return wal::Status::ok();
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    if (!db_) return {harness::Ack::kFailed, wal::Status::io_error("rocksdb: not open"), {}};
    harness::Applied applied = run(op, choices);
    env_->run_background();  // quiescent mode: outside RocksDB's mutex, on this thread
    return applied;
  }

  wal::Status close() override {
    if (db_ && prepared_) static_cast<void>(commit_prepared());  // the application's last
    if (db_ && settings_.disable_wal) flush_all();  // what avoid_flush_during_shutdown skips
    drop_db();
    return wal::Status::ok();
  }

  void crash() override { drop_db(); }

  std::vector<harness::Violation> check(bool power_lost) override {
    if (!noted_) {
      notes_.push_back(kQuiescentNote);
      notes_.push_back(kThreadsNote);
    }
    noted_ = true;
    std::vector<harness::Violation> out;
    if (!db_) {
      out.push_back(violation(harness::Invariant::kIntegrity, "rocksdb-open",
                              "DB::Open refused the recovered files: " + unopened_));
      model_.forget();
      return out;
    }
    KvMap recovered;
    const std::uint64_t errors_before = env_->counters().io_errors;
    for (rocksdb::ColumnFamilyHandle* family : handles_) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        recovered.emplace(it->key().ToString(), it->value().ToString());
      }
      if (it->status().ok()) continue;
      if (env_->counters().io_errors != errors_before) {
        // The Fs failed the scan (an injected fault, or the power cut while this check ran: a
        // reopen op may be cut anywhere): nothing to judge. The writes stay with the model for
        // the next check, after the recovery the harness runs next.
        notes_.push_back("rocksdb: a check's scan met an I/O error from the Fs and was not "
                         "judged: " + it->status().ToString());
        return out;
      }
      out.push_back(
          violation(harness::Invariant::kIntegrity, "rocksdb-open",
                    "a full scan of the recovered database failed: " + it->status().ToString()));
      model_.forget();
      return out;
    }
    env_->run_background();
    const ModelVerdict verdict = model_.judge(recovered, !power_lost);
    const std::string when = power_lost ? "" : " (clean reopen: nothing may be lost)";
    switch (verdict.verdict) {
      case Verdict::kOk:
        break;
      case Verdict::kPhantom:
        out.push_back(
            violation(harness::Invariant::kIntegrity, "rocksdb-phantom", verdict.detail + when));
        break;
      case Verdict::kDurability:
        out.push_back(violation(harness::Invariant::kDurability, "rocksdb-durability",
                                verdict.detail + when));
        break;
      case Verdict::kPrefix:
        out.push_back(
            violation(harness::Invariant::kPrefix, "rocksdb-prefix", verdict.detail + when));
        break;
    }
    return out;
  }

  std::vector<std::string> take_notes() override { return std::exchange(notes_, {}); }

 private:
  void drop_db() {
    // RocksDB's destructor waits for scheduled background work, so that runs first; after a
    // power cut nothing it writes reaches the disk.
    if (db_) env_->run_background();
    for (rocksdb::ColumnFamilyHandle* family : handles_) {
      static_cast<void>(db_->DestroyColumnFamilyHandle(family));
    }
    handles_.clear();
    held_.reset();
    prepared_.reset();  // a dying process's prepared transaction: recovery finds it
    txn_db_ = nullptr;
    db_.reset();
    env_.reset();
  }

  // Prepared transactions the recovery found: none was acknowledged (a commit that returned
  // is no longer prepared), so the application rolls them back.
  void roll_back_prepared() {
    if (txn_db_ == nullptr || !settings_.two_phase_commit) return;
    std::vector<rocksdb::Transaction*> prepared;
    txn_db_->GetAllPreparedTransactions(&prepared);
    for (rocksdb::Transaction* txn : prepared) {
      static_cast<void>(txn->Rollback());
      delete txn;
    }
    env_->run_background();
  }

  void phantom_put() {  // Breakage::kPhantomPut: a value no op gave, made durable
    rocksdb::WriteOptions options;
    options.sync = !settings_.disable_wal;
    options.disableWAL = settings_.disable_wal;
    static_cast<void>(db_->Put(options, handles_.front(), "k00000", "phantom"));
    if (settings_.disable_wal) flush_all();
    env_->run_background();
  }

  void flush_all() {
    rocksdb::FlushOptions flush;
    flush.wait = false;  // the quiescent Env runs the flush below; waiting would deadlock
    static_cast<void>(db_->Flush(flush, handles_));
    env_->run_background();
  }

  std::uint64_t key_number(sim::Prng& choices) const {
    return choices.below(static_cast<std::uint64_t>(settings_.keys));
  }

  std::string key(sim::Prng& choices) const { return fmt::format("k{:05}", key_number(choices)); }

  rocksdb::ColumnFamilyHandle* family_of(const std::string& k) const {
    const std::uint64_t n = std::stoull(k.substr(1));
    return handles_[n % handles_.size()];
  }

  std::string value(const harness::Op& op, sim::Prng& choices) const {
    const std::size_t size = settings_.value_bytes != 0 ? settings_.value_bytes
                             : op.entry_bytes.empty()   ? 8
                                                        : op.entry_bytes.front();
    return fmt::format("op{}-", op.index) + letters(size, choices);
  }

  harness::Applied run(const harness::Op& op, sim::Prng& choices) {
    KvWrite write;
    write.op = op.index;
    switch (op.kind) {
      case harness::OpKind::kAppend:
      case harness::OpKind::kSync:
      case harness::OpKind::kCheckpoint:
        write.sync = op.kind != harness::OpKind::kAppend;
        write.changes.emplace_back(key(choices), value(op, choices));
        break;
      case harness::OpKind::kBatch:
        for (std::size_t i = 0; i < op.entry_bytes.size(); ++i) {
          const bool erase = choices.below(4) == 0;
          std::string k = key(choices);
          write.changes.emplace_back(std::move(k), erase ? std::optional<std::string>{}
                                                         : std::optional{value(op, choices)});
        }
        break;
      case harness::OpKind::kTruncate:
        write.changes.emplace_back(key(choices), std::nullopt);
        break;
      case harness::OpKind::kRead:
        return read(key(choices));
      case harness::OpKind::kReopen:
        return {};  // the harness's own
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
    if (txn_db_ != nullptr && settings_.two_phase_commit) return prepare_then_commit(write);
    rocksdb::Status status = make(write);
    if (status.ok() && held_) {
      env_->run_background();
      status = make(*held_);
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

  rocksdb::Status make(const KvWrite& write) {
    rocksdb::WriteOptions options;
    options.disableWAL = settings_.disable_wal;
    options.sync = write.sync && !settings_.disable_wal;
    rocksdb::Status status = txn_db_ != nullptr ? transact(write, options) : batch(write, options);
    if (!status.ok() || !write.sync || !settings_.disable_wal) return status;
    // Without a WAL a write is durable once its memtable is flushed: flush, then ask whether
    // a background error (the flush failing) stopped the database.
    std::uint64_t errors_before = 0;
    db_->GetIntProperty("rocksdb.background-errors", &errors_before);
    flush_all();
    std::uint64_t errors_after = 0;
    db_->GetIntProperty("rocksdb.background-errors", &errors_after);
    return errors_after == errors_before ? rocksdb::Status::OK()
                                         : rocksdb::Status::IOError("the flush failed");
  }

  // Two-phase commit, pipelined: commits the write prepared by the last write op, then prepares
  // this one. The ack is the committed write's.
  harness::Applied prepare_then_commit(KvWrite write) {
    harness::Applied applied{harness::Ack::kPending, wal::Status::ok(), {}};
    if (rocksdb::Status committed = commit_prepared(); !committed.ok()) {
      return {harness::Ack::kFailed,
              wal::Status::io_error("rocksdb: commit: " + committed.ToString()),
              {}};
    } else if (committed_sync_) {
      applied.ack = harness::Ack::kDurable;
    }
    rocksdb::WriteOptions options;
    options.sync = write.sync;
    std::unique_ptr<rocksdb::Transaction> txn(txn_db_->BeginTransaction(options));
    rocksdb::Status status = txn->SetName(fmt::format("op{}", write.op));
    for (const auto& [k, v] : write.changes) {
      if (!status.ok()) break;
      status = v ? txn->Put(family_of(k), k, *v) : txn->Delete(family_of(k), k);
    }
    if (status.ok()) status = txn->Prepare();
    if (!status.ok()) {
      static_cast<void>(txn->Rollback());
      return {harness::Ack::kFailed,
              wal::Status::io_error("rocksdb: prepare: " + status.ToString()),
              {}};
    }
    prepared_ = std::move(txn);
    prepared_write_ = std::move(write);
    return applied;
  }

  // Commits the prepared transaction, if any, and tells the model.
  rocksdb::Status commit_prepared() {
    committed_sync_ = false;
    if (!prepared_) return rocksdb::Status::OK();
    const rocksdb::Status status = prepared_->Commit();
    prepared_.reset();
    if (!status.ok()) {
      model_.failed(std::move(prepared_write_));
      return status;
    }
    committed_sync_ = prepared_write_.sync;
    model_.accepted(std::move(prepared_write_), committed_sync_);
    return status;
  }

  rocksdb::Status batch(const KvWrite& write, const rocksdb::WriteOptions& options) {
    rocksdb::WriteBatch batch;
    for (const auto& [k, v] : write.changes) {
      const rocksdb::Status added =
          v ? batch.Put(family_of(k), k, *v) : batch.Delete(family_of(k), k);
      if (!added.ok()) return added;
    }
    return db_->Write(options, &batch);
  }

  rocksdb::Status transact(const KvWrite& write, const rocksdb::WriteOptions& options) {
    std::unique_ptr<rocksdb::Transaction> txn(txn_db_->BeginTransaction(options));
    rocksdb::Status status;
    if (settings_.two_phase_commit) status = txn->SetName(fmt::format("op{}", write.op));
    for (const auto& [k, v] : write.changes) {
      if (!status.ok()) break;
      status = v ? txn->Put(family_of(k), k, *v) : txn->Delete(family_of(k), k);
    }
    if (status.ok() && settings_.two_phase_commit) status = txn->Prepare();
    if (status.ok()) status = txn->Commit();
    if (!status.ok()) static_cast<void>(txn->Rollback());
    return status;
  }

  harness::Applied read(const std::string& k) {
    std::string got;
    const rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family_of(k), k, &got);
    if (!status.ok() && !status.IsNotFound()) {
      return {
          harness::Ack::kFailed, wal::Status::io_error("rocksdb: get: " + status.ToString()), {}};
    }
    const std::optional<std::string> have = status.IsNotFound() ? std::nullopt : std::optional{got};
    harness::Applied applied;
    if (have != model_.live(k)) {
      applied.violations.push_back(
          violation(harness::Invariant::kIntegrity, "rocksdb-read",
                    fmt::format("Get({}) returned {}, the model holds {}", k,
                                have ? *have : "nothing", model_.live(k).value_or("nothing"))));
    }
    return applied;
  }

  const Breakage breakage_;
  TargetSettings settings_;
  std::unique_ptr<QuiescentEnv> env_;  // outlives db_ (declared first, destroyed last)
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::TransactionDB* txn_db_ = nullptr;  // db_ itself, when it is a TransactionDB
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::string unopened_;  // why DB::Open refused the files, when no I/O error did
  KvModel model_;
  std::unique_ptr<rocksdb::Transaction> prepared_;  // two_phase_commit: awaits the next op
  KvWrite prepared_write_;
  bool committed_sync_ = false;
  std::unique_ptr<KvWrite> held_;  // Breakage::kSwapPairs
  std::uint64_t writes_seen_ = 0;  // Breakage::kSkipWrite
  bool noted_ = false;
  std::vector<std::string> notes_;
};

}  // namespace

harness::TargetInfo rocksdb_info(std::string name, Breakage breakage) {
  harness::TargetInfo info{
      std::move(name),
      "RocksDB (Debian's librocksdb 7.8.3, unchanged) through a FileSystem onto the simulated "
      "disk, quiescent mode (flushes and compactions between ops); puts, deletes, batches and "
      "transactions over column families judged by a model map with prefix durability",
      [breakage] { return std::make_unique<RocksdbTarget>(breakage); },
      {},
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
