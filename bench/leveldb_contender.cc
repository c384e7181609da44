// LevelDB (Debian libleveldb-dev) as a peer: DB::Put through its log. LevelDB has no sync
// counter, so an Env wrapper counts Sync() on the files it writes (the log is the only file
// synced per write).
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <atomic>

#include "kv_contender.h"

namespace bench {
namespace {

void check_level(const leveldb::Status& status, std::string_view what) {
  if (!status.ok()) die(what, status.ToString());
}

class CountingFile final : public leveldb::WritableFile {
 public:
  CountingFile(leveldb::WritableFile* file, std::atomic<std::uint64_t>& syncs)
      : file_(file), syncs_(syncs) {}
  leveldb::Status Append(const leveldb::Slice& data) override { return file_->Append(data); }
  leveldb::Status Close() override { return file_->Close(); }
  leveldb::Status Flush() override { return file_->Flush(); }
  leveldb::Status Sync() override {
    syncs_.fetch_add(1, std::memory_order_relaxed);
    return file_->Sync();
  }

 private:
  std::unique_ptr<leveldb::WritableFile> file_;
  std::atomic<std::uint64_t>& syncs_;
};

class CountingEnv final : public leveldb::EnvWrapper {
 public:
  CountingEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
  leveldb::Status NewWritableFile(const std::string& name, leveldb::WritableFile** out) override {
    return wrap(target()->NewWritableFile(name, out), out);
  }
  leveldb::Status NewAppendableFile(const std::string& name, leveldb::WritableFile** out) override {
    return wrap(target()->NewAppendableFile(name, out), out);
  }
  std::uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }

 private:
  leveldb::Status wrap(leveldb::Status status, leveldb::WritableFile** out) {
    if (status.ok()) *out = new CountingFile(*out, syncs_);
    return status;
  }
  std::atomic<std::uint64_t> syncs_{0};
};

class LevelStore {
 public:
  static constexpr const char* kName = "leveldb";
  static constexpr const char* kLogSuffix = ".log";
  // LevelDB clips write_buffer_size to 1 GiB and a memtable costs more than the bytes it holds:
  // beyond this the fill (and the replay) would compact, and the log would no longer be kept.
  static constexpr std::uint64_t kMaxFillBytes = 900ull << 20;

  LevelStore(const std::string& dir, StoreUse use) {
    leveldb::Options options;
    options.create_if_missing = true;
    options.env = &env_;
    if (use == StoreUse::kFill || use == StoreUse::kRecover) {
      // The W5 dataset is ~1 GiB of log that recovery must replay: one memtable holds it all,
      // and reuse_logs keeps the log (instead of compacting it into a table) after the replay,
      // so every run replays the same bytes.
      options.write_buffer_size = std::size_t{1} << 30;
      options.reuse_logs = true;
      options.compression = leveldb::kNoCompression;
    }
    leveldb::DB* db = nullptr;
    check_level(leveldb::DB::Open(options, dir, &db), "leveldb open " + dir);
    db_.reset(db);
  }

  void put(std::span<const char> key, std::span<const std::byte> value, bool sync) {
    leveldb::WriteOptions write_options;
    write_options.sync = sync;
    check_level(db_->Put(write_options, leveldb::Slice(key.data(), key.size()),
                         leveldb::Slice(reinterpret_cast<const char*>(value.data()), value.size())),
                "leveldb put");
  }

  void sync_log() {
    leveldb::WriteOptions write_options;
    write_options.sync = true;
    leveldb::WriteBatch empty;
    check_level(db_->Write(write_options, &empty), "leveldb synced write");
  }

  std::uint64_t log_syncs() const { return env_.syncs(); }

 private:
  CountingEnv env_;  // outlives db_ (declared first, destroyed last)
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

std::unique_ptr<Contender> make_leveldb_contender() {
  return std::make_unique<KvContender<LevelStore>>();
}

}  // namespace bench
