// RocksDB (Debian librocksdb-dev) as a peer: DB::Put through its WAL.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>

#include "kv_contender.h"

namespace bench {
namespace {

void check_rocks(const rocksdb::Status& status, std::string_view what) {
  if (!status.ok()) die(what, status.ToString());
}

class RocksStore {
 public:
  static constexpr const char* kName = "rocksdb";
  static constexpr const char* kLogSuffix = ".log";
  static constexpr std::uint64_t kMaxFillBytes = ~0ull;

  RocksStore(const std::string& dir, StoreUse use) {
    rocksdb::Options options;
    options.create_if_missing = true;
    if (use == StoreUse::kDurable) {
      // Counts WAL syncs (WAL_FILE_SYNCED); timers off. Only where syncs dominate anyway.
      options.statistics = rocksdb::CreateDBStatistics();
      options.statistics->set_stats_level(rocksdb::kExceptTimers);
    }
    if (use == StoreUse::kFill || use == StoreUse::kRecover) {
      // The W5 dataset is ~1 GiB of WAL that recovery must replay: keep it all in one memtable,
      // never flush it, and leave the WAL in place when the DB closes.
      options.write_buffer_size = 4ull << 30;
      options.max_total_wal_size = 8ull << 30;
      options.disable_auto_compactions = true;
      options.avoid_flush_during_shutdown = true;
      options.avoid_flush_during_recovery = true;
    }
    rocksdb::DB* db = nullptr;
    check_rocks(rocksdb::DB::Open(options, dir, &db), "rocksdb open " + dir);
    db_.reset(db);
    statistics_ = options.statistics;
  }

  ~RocksStore() {
    if (db_) check_rocks(db_->Close(), "rocksdb close");
  }

  void put(std::span<const char> key, std::span<const std::byte> value, bool sync) {
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    check_rocks(db_->Put(write_options, rocksdb::Slice(key.data(), key.size()),
                         rocksdb::Slice(reinterpret_cast<const char*>(value.data()), value.size())),
                "rocksdb put");
  }

  void sync_log() { check_rocks(db_->SyncWAL(), "rocksdb SyncWAL"); }

  std::uint64_t log_syncs() const {
    return statistics_ ? statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED) : 0;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
};

}  // namespace

std::unique_ptr<Contender> make_rocksdb_contender() {
  return std::make_unique<KvContender<RocksStore>>();
}

}  // namespace bench
