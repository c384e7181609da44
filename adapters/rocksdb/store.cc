// The Store of store.h.
#include "adapters/rocksdb/store.h"

#include <fmt/format.h>

#include <rocksdb/sst_file_writer.h>

namespace rocksdb_adapter {

Store::Opened Store::open(const harness::TargetEnv& env, const TargetSettings& settings,
                          Breakage breakage, std::uint64_t* sessions) {
  auto quiescent = std::make_unique<QuiescentEnv>(
      EnvConfig{env.fs, env.clock, env.runtime, env.dir, env.seed, breakage, sessions});
  std::unique_ptr<Store> store(new Store(std::move(quiescent), settings, env.dir));
  rocksdb::Options options = settings.options;
  options.env = store->env_.get();
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int i = 0; i < settings.column_families; ++i) {
    families.emplace_back(i == 0 ? rocksdb::kDefaultColumnFamilyName : fmt::format("cf{}", i),
                          rocksdb::ColumnFamilyOptions(options));
  }
  const std::uint64_t errors_before = store->env_->counters().io_errors;
  rocksdb::Status status;
  if (settings.transaction_db) {
    rocksdb::TransactionDB* db = nullptr;
    status = rocksdb::TransactionDB::Open(options, rocksdb::TransactionDBOptions(), env.dir,
                                          families, &store->handles_, &db);
    store->txn_db_ = db;
    store->db_.reset(db);
  } else {
    rocksdb::DB* db = nullptr;
    status = rocksdb::DB::Open(options, env.dir, families, &store->handles_, &db);
    store->db_.reset(db);
  }
  store->run_background();
  Opened opened;
  if (status.ok()) {
    store->roll_back_prepared();
    if (breakage == Breakage::kPhantomPut) store->phantom_put();
    opened.store = std::move(store);
    return opened;
  }
  // An I/O error from the Fs (an injected fault, a power cut) is the harness's to judge;
  // RocksDB refusing the files it found is the target's rocksdb-open.
  if (store->env_->counters().io_errors != errors_before) {
    opened.io = wal::Status::io_error("rocksdb: open: " + status.ToString());
  } else {
    opened.refused = status.ToString();
  }
  return opened;
}

Store::~Store() {
  if (db_) run_background();  // RocksDB's destructor waits for scheduled work
  held_.reset();              // a dying process's prepared transaction: recovery finds it
  // A failed DB::Open leaves no handles of its own to free (it deletes them).
  for (rocksdb::ColumnFamilyHandle* family : db_ ? handles_ : decltype(handles_){}) {
    static_cast<void>(db_->DestroyColumnFamilyHandle(family));
  }
  handles_.clear();
  txn_db_ = nullptr;
  db_.reset();
  env_.reset();
}

void Store::roll_back_prepared() {
  if (txn_db_ == nullptr || !settings_.two_phase_commit) return;
  std::vector<rocksdb::Transaction*> prepared;
  txn_db_->GetAllPreparedTransactions(&prepared);
  for (rocksdb::Transaction* txn : prepared) {
    static_cast<void>(txn->Rollback());
    delete txn;
  }
  run_background();
}

Store::Scan Store::scan() {
  Scan out;
  const std::uint64_t errors_before = env_->counters().io_errors;
  for (rocksdb::ColumnFamilyHandle* family : handles_) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.map.emplace(it->key().ToString(), it->value().ToString());
    }
    if (!it->status().ok()) {
      out.status = it->status();
      break;
    }
  }
  out.fs_failed = env_->counters().io_errors != errors_before;
  run_background();
  return out;
}

rocksdb::ColumnFamilyHandle* Store::family_of(const std::string& key) const {
  const std::uint64_t n = std::stoull(key.substr(1));  // "k<n>", made by the target
  return handles_[n % handles_.size()];
}

rocksdb::Status Store::write(const kv::KvWrite& write) {
  rocksdb::WriteOptions options;
  options.disableWAL = settings_.disable_wal;
  options.sync = write.sync && !settings_.disable_wal;
  rocksdb::Status status = txn_db_ != nullptr ? transact(write, options) : batch(write, options);
  if (!status.ok() || !write.sync || !settings_.disable_wal) return status;
  // Without a WAL a write is durable once its memtable is flushed: flush, then ask whether a
  // background error (the flush failing) stopped the database.
  std::uint64_t errors_before = 0;
  db_->GetIntProperty("rocksdb.background-errors", &errors_before);
  flush_all();
  std::uint64_t errors_after = 0;
  db_->GetIntProperty("rocksdb.background-errors", &errors_after);
  return errors_after == errors_before ? rocksdb::Status::OK()
                                       : rocksdb::Status::IOError("the flush failed");
}

rocksdb::Status Store::batch(const kv::KvWrite& write, const rocksdb::WriteOptions& options) {
  rocksdb::WriteBatch batch;
  for (const auto& [k, v] : write.changes) {
    const rocksdb::Status added =
        v ? batch.Put(family_of(k), k, *v) : batch.Delete(family_of(k), k);
    if (!added.ok()) return added;
  }
  return db_->Write(options, &batch);
}

rocksdb::Status Store::transact(const kv::KvWrite& write, const rocksdb::WriteOptions& options) {
  std::unique_ptr<rocksdb::Transaction> txn(txn_db_->BeginTransaction(options));
  rocksdb::Status status;
  for (const auto& [k, v] : write.changes) {
    if (!status.ok()) break;
    status = v ? txn->Put(family_of(k), k, *v) : txn->Delete(family_of(k), k);
  }
  if (status.ok()) status = txn->Commit();
  if (!status.ok()) static_cast<void>(txn->Rollback());
  return status;
}

rocksdb::Status Store::prepare(kv::KvWrite write) {
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
    return status;
  }
  held_ = std::move(txn);
  held_write_ = std::move(write);
  return status;
}

rocksdb::Status Store::commit_held(kv::KvWrite* committed) {
  const rocksdb::Status status = held_->Commit();
  held_.reset();
  *committed = std::move(held_write_);
  held_write_ = {};
  return status;
}

rocksdb::Status Store::ingest(const kv::KvWrite& write, bool move_files) {
  const std::string folder = dir_ + "/ingest";
  const std::string path = fmt::format("{}/op{}.sst", folder, write.op);
  rocksdb::Status status = env_->CreateDirIfMissing(folder);
  rocksdb::Options options = settings_.options;
  options.env = env_.get();
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options);
  if (status.ok()) status = writer.Open(path);
  for (const auto& [k, v] : write.changes) {
    if (status.ok()) status = writer.Put(k, *v);
  }
  if (status.ok()) status = writer.Finish();
  if (!status.ok()) return status;
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = move_files;
  // A file that overlaps an earlier ingest takes a sequence number; written into the file it
  // needs NewRandomRWFile, which the FileSystem does not offer. The MANIFEST keeps it instead.
  ingest.write_global_seqno = false;
  FsCounters& counters = env_->counters();
  counters.ingesting = true;  // for the planted bug rocksdb/ingest-dir-unsynced
  status = db_->IngestExternalFile(handles_.front(), {path}, ingest);
  counters.ingesting = false;
  // The application's copy is no longer needed (a successful move removed it already).
  if (!status.ok() || !move_files) static_cast<void>(env_->DeleteFile(path));
  return status;
}

rocksdb::Status Store::get(const std::string& key, std::optional<std::string>* value) {
  std::string got;
  const rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family_of(key), key, &got);
  *value = status.ok() ? std::optional{std::move(got)} : std::nullopt;
  return status.IsNotFound() ? rocksdb::Status::OK() : status;
}

void Store::flush_all() {
  rocksdb::FlushOptions flush;
  flush.wait = false;  // the quiescent Env runs the flush below; waiting would deadlock
  static_cast<void>(db_->Flush(flush, handles_));
  run_background();
}

void Store::phantom_put() {
  rocksdb::WriteOptions options;
  options.sync = !settings_.disable_wal;
  options.disableWAL = settings_.disable_wal;
  static_cast<void>(db_->Put(options, handles_.front(), "k00000", "phantom"));
  if (settings_.disable_wal) flush_all();
  run_background();
}

}  // namespace rocksdb_adapter
