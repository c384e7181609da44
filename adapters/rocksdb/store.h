// One open RocksDB of the rocksdb target: the Env, the DB (or TransactionDB) and its column
// family handles, and how a model write (adapters/kv/kv_model.h) is made in it: a WriteBatch,
// a transaction, or a two-phase commit held open until the next write. rocksdb_target.cc keeps
// the model and the verdicts; this file keeps RocksDB's calls and their order.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/utilities/transaction.h>
#include <rocksdb/utilities/transaction_db.h>

#include "sim/harness/target.h"

#include "adapters/kv/kv_model.h"
#include "adapters/rocksdb/env.h"
#include "adapters/rocksdb/settings.h"

namespace rocksdb_adapter {

class Store {
 public:
  struct Opened {
    std::unique_ptr<Store> store;  // null when DB::Open failed
    wal::Status io;                // an I/O error from the Fs made DB::Open fail
    std::string refused;           // else: why DB::Open refused the files it found
  };
  // Opens (or creates) the database in env.dir, then rolls back the prepared transactions
  // recovery found (none was acknowledged: a commit that returned is no longer prepared).
  // `sessions`: the run's count of db sessions (EnvConfig::sessions).
  static Opened open(const harness::TargetEnv& env, const TargetSettings& settings,
                     Breakage breakage, std::uint64_t* sessions);
  // The process dies or closes: the held prepared transaction is dropped (recovery finds it),
  // queued background work runs first (RocksDB's destructor waits for it).
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  struct Scan {
    kv::KvMap map;
    rocksdb::Status status;  // the first iterator error, if any
    bool fs_failed = false;  // the Fs reported an I/O error during the scan
  };
  // Every key of every column family.
  Scan scan();

  // One write in one call: a WriteBatch, or a transaction with transaction_db; with
  // disable_wal a sync write is the write and a flush of every memtable.
  rocksdb::Status write(const kv::KvWrite& write);
  // two_phase_commit: a named transaction of `write`, prepared and held until commit_held().
  rocksdb::Status prepare(kv::KvWrite write);
  bool holds_prepared() const { return held_ != nullptr; }
  // Commits the held transaction; `committed` receives its write.
  rocksdb::Status commit_held(kv::KvWrite* committed);
  // An ingest (kv_model.h): `write`'s puts, in key order, written with SstFileWriter to a
  // table file in <dir>/ingest on the same Fs (synced by SstFileWriter::Finish, as an
  // application's file would be), then DB::IngestExternalFile into the default column family.
  // `move_files`: asked to link (the FileSystem cannot, so RocksDB falls back to a copy and
  // removes the outside file) or to copy (the outside file is then removed here).
  rocksdb::Status ingest(const kv::KvWrite& write, bool move_files);
  // A live Get; nullopt: not found.
  rocksdb::Status get(const std::string& key, std::optional<std::string>* value);
  // Flushes every memtable through the quiescent Env (FlushOptions::wait would deadlock).
  void flush_all();
  // Breakage::kPhantomPut: a value no op gave, made durable.
  void phantom_put();
  // Quiescent mode: the queued flushes and compactions, on this thread (env.h).
  void run_background() { env_->run_background(); }

 private:
  Store(std::unique_ptr<QuiescentEnv> env, const TargetSettings& settings, std::string dir)
      : env_(std::move(env)), settings_(settings), dir_(std::move(dir)) {}
  rocksdb::ColumnFamilyHandle* family_of(const std::string& key) const;
  rocksdb::Status batch(const kv::KvWrite& write, const rocksdb::WriteOptions& options);
  rocksdb::Status transact(const kv::KvWrite& write, const rocksdb::WriteOptions& options);
  void roll_back_prepared();

  std::unique_ptr<QuiescentEnv> env_;  // outlives db_ (declared first, destroyed last)
  const TargetSettings settings_;
  const std::string dir_;  // the database's
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::TransactionDB* txn_db_ = nullptr;  // db_ itself, when it is a TransactionDB
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::Transaction> held_;  // two_phase_commit: prepared, not committed
  kv::KvWrite held_write_;
};

}  // namespace rocksdb_adapter
