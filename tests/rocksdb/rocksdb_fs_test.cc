// The rocksdb::FileSystem and Env over wal::Fs (adapters/rocksdb/): on SimFs's worst power loss
// (every unsynced write and directory entry lost), its files keep exactly what RocksDB 7.8.3's
// PosixFileSystem keeps (fs_files.h, R1-R8), the quiescent Env runs and unschedules jobs as
// ThreadPoolImpl does, RocksDB's own code opens, writes and reads through it, and its db session
// ids are the run's (session_id.h).
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/unique_id.h>

#include "sim/crash_plan.h"
#include "sim/sim_fs.h"
#include "testutil/temp_dir.h"

#include "adapters/rocksdb/env.h"
#include "adapters/rocksdb/session_id.h"
#include "adapters/rocksdb/settings.h"

namespace rocksdb_adapter {
namespace {

class StepClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_ += 10; }

 private:
  std::uint64_t now_ = 0;
};

struct Rig {
  sim::SimFs fs;
  StepClock clock;
  std::unique_ptr<QuiescentEnv> env;

  explicit Rig(Breakage breakage = Breakage::kNone) {
    fs.make_durable_dirs("/db");
    env = std::make_unique<QuiescentEnv>(
        EnvConfig{&fs, &clock, &wal::std_runtime(), "", 7, breakage});
  }

  rocksdb::FileSystem& file_system() { return *env->GetFileSystem(); }

  // A small database on this Env: 64 KiB memtables, so a few hundred 1 KiB puts flush
  // several; no thread RocksDB could start by itself (env.h).
  rocksdb::Options db_options() const {
    rocksdb::Options options;
    options.env = env.get();
    options.create_if_missing = true;
    options.write_buffer_size = 64 << 10;
    no_threads_of_its_own(options);
    return options;
  }

  std::unique_ptr<rocksdb::FSWritableFile> create(const std::string& path) {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    EXPECT_TRUE(file_system().NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr).ok());
    return file;
  }

  // Creates `path`, appends `data` and syncs it (fdatasync), no directory sync.
  void write_synced(const std::string& path, const std::string& data) {
    std::unique_ptr<rocksdb::FSWritableFile> file = create(path);
    ASSERT_TRUE(file->Append(data, rocksdb::IOOptions(), nullptr).ok());
    ASSERT_TRUE(file->Sync(rocksdb::IOOptions(), nullptr).ok());
    ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
  }

  void sync_dir(const std::string& dir) {
    std::unique_ptr<rocksdb::FSDirectory> handle;
    ASSERT_TRUE(file_system().NewDirectory(dir, rocksdb::IOOptions(), &handle, nullptr).ok());
    ASSERT_TRUE(handle->Fsync(rocksdb::IOOptions(), nullptr).ok());
  }

  std::uint64_t size_of(const std::string& path) {
    wal::Result<wal::FileStat> stat = fs.stat(path);
    return stat ? stat->size_bytes : UINT64_MAX;  // UINT64_MAX: no such file
  }

  void power_loss() { fs.crash(sim::CrashPlan{}); }
};

TEST(RocksdbFs, ASyncedFileSurvivesOnlyWithItsDirectorySynced) {
  Rig rig;
  rig.write_synced("/db/000003.log", "record");
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/000003.log"), UINT64_MAX) << "an entry survived without dir sync";
  rig.write_synced("/db/000004.log", "record");
  rig.sync_dir("/db");
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/000004.log"), 6u);
  EXPECT_EQ(rig.env->counters().dir_syncs, 1u);
}

TEST(RocksdbFs, AppendsReachTheFileAtOnceAndOnlySyncMakesThemDurable) {
  Rig rig;
  rig.write_synced("/db/000005.log", "first");
  rig.sync_dir("/db");
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(rig.file_system()
                  .ReopenWritableFile("/db/000005.log", rocksdb::FileOptions(), &file, nullptr)
                  .ok());
  ASSERT_TRUE(file->Append("-second", rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(rig.size_of("/db/000005.log"), 12u) << "R1: no buffer below RocksDB's own";
  EXPECT_EQ(file->GetFileSize(rocksdb::IOOptions(), nullptr), 12u);
  ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/000005.log"), 5u) << "R3: close synced nothing";
}

TEST(RocksdbFs, ARenameIsNotDurableWithoutADirectorySync) {
  Rig rig;
  rig.write_synced("/db/000002.dbtmp", "MANIFEST-000002\n");
  rig.sync_dir("/db");
  ASSERT_TRUE(rig.file_system()
                  .RenameFile("/db/000002.dbtmp", "/db/CURRENT", rocksdb::IOOptions(), nullptr)
                  .ok());
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/CURRENT"), UINT64_MAX);
  EXPECT_EQ(rig.size_of("/db/000002.dbtmp"), 16u);
}

TEST(RocksdbFs, MissingFilesAreNotFoundOrPathNotFoundAsPosixFileSystemSays) {
  Rig rig;
  EXPECT_TRUE(rig.file_system().FileExists("/db/nope", rocksdb::IOOptions(), nullptr).IsNotFound());
  std::unique_ptr<rocksdb::FSSequentialFile> file;
  const rocksdb::IOStatus opened =
      rig.file_system().NewSequentialFile("/db/nope", rocksdb::FileOptions(), &file, nullptr);
  EXPECT_TRUE(opened.IsPathNotFound()) << opened.ToString();
  EXPECT_EQ(rig.env->counters().io_errors, 0u) << "a missing file is no device error";
  EXPECT_TRUE(rig.env->CreateDirIfMissing("/db").ok());
}

TEST(RocksdbFs, ASecondLockOfTheSameFileFails) {
  Rig rig;
  rocksdb::FileLock* first = nullptr;
  rocksdb::FileLock* second = nullptr;
  ASSERT_TRUE(rig.env->LockFile("/db/LOCK", &first).ok());
  EXPECT_FALSE(rig.env->LockFile("/db/LOCK", &second).ok());
  ASSERT_TRUE(rig.env->UnlockFile(first).ok());
  ASSERT_TRUE(rig.env->LockFile("/db/LOCK", &second).ok());
  ASSERT_TRUE(rig.env->UnlockFile(second).ok());
}

TEST(RocksdbFs, DropLogSyncBreakageLosesASyncedLog) {
  Rig rig(Breakage::kDropLogSync);
  rig.write_synced("/db/000007.log", "record");
  rig.sync_dir("/db");
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/000007.log"), 0u) << "the broken adapter must lose the data";
}

// Quiescent mode: Schedule only queues; run_background runs the queue to empty, work that
// schedules more included; UnSchedule drops by tag and tells each job.
struct Work {
  QuiescentEnv* env = nullptr;
  int runs = 0;
  int unscheduled = 0;
};

void schedule_once_more(void* arg) { static_cast<Work*>(arg)->runs += 10; }
void first_work(void* arg) {
  auto* work = static_cast<Work*>(arg);
  ++work->runs;
  work->env->Schedule(&schedule_once_more, work);
}
void told(void* arg) { ++static_cast<Work*>(arg)->unscheduled; }

TEST(RocksdbEnv, ScheduleQueuesRunBackgroundRunsUnScheduleDropsByTag) {
  Rig rig;
  Work work{rig.env.get()};
  rig.env->Schedule(&first_work, &work);
  rig.env->Schedule(&first_work, &work, rocksdb::Env::HIGH, &work, &told);
  EXPECT_EQ(rig.env->GetThreadPoolQueueLen(rocksdb::Env::HIGH), 1u);
  EXPECT_EQ(rig.env->UnSchedule(&work, rocksdb::Env::HIGH), 1);
  EXPECT_EQ(work.unscheduled, 1);
  EXPECT_EQ(work.runs, 0);
  EXPECT_EQ(rig.env->run_background(), 2u);
  EXPECT_EQ(work.runs, 11);
  EXPECT_EQ(rig.env->queued(), 0u);
}

TEST(RocksdbEnv, TimeIsVirtualAndIdsAreTheSeeds) {
  Rig rig;
  std::int64_t now = 0;
  ASSERT_TRUE(rig.env->GetCurrentTime(&now).ok());
  EXPECT_EQ(now, SimClock::kEpochSeconds);
  Rig again;
  EXPECT_EQ(rig.env->GenerateUniqueId(), again.env->GenerateUniqueId());
}

// RocksDB's own code through the FileSystem: open, write past several memtables (flushes and
// compactions run by run_background), close, reopen, read everything back.
TEST(RocksdbEnv, OpenPutGetCloseRoundTripOnSimFs) {
  Rig rig;
  rocksdb::Options options = rig.db_options();
  const std::string value(1000, 'v');
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rig.env->run_background();
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(
          db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), value + std::to_string(i))
              .ok());
      rig.env->run_background();
    }
    rig.env->run_background();
  }
  EXPECT_GT(rig.env->background_runs(), 2u) << "no memtable was flushed";
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rig.env->run_background();
  for (int i = 0; i < 300; ++i) {
    std::string got;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "k" + std::to_string(i), &got).ok()) << i;
    EXPECT_EQ(got, value + std::to_string(i));
  }
  rig.env->run_background();
}

// A run of seed 7 on SimFs: its session ids for DB::Open n = 1, 2, ...
std::string open_session_id(Rig& rig, const rocksdb::Options& options) {
  rocksdb::DB* raw = nullptr;
  EXPECT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rig.env->run_background();
  std::string id;
  EXPECT_TRUE(db->GetDbSessionId(id).ok());
  return id;
}

TEST(RocksdbSessionIds, TheEncodingIsRocksdbsAndEachSeedAndCountHasItsOwn) {
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{7}, ~std::uint64_t{0}}) {
    for (const std::uint64_t n : {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{1} << 40}) {
      const std::string id = run_session_id(seed, n);
      ASSERT_EQ(id.size(), 20u) << id;  // EncodeSessionId's length
      EXPECT_EQ(id.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos)
          << id;
      EXPECT_EQ(id, run_session_id(seed, n));
      EXPECT_NE(id, run_session_id(seed, n + 1));
      EXPECT_NE(id, run_session_id(seed + 1, n));
    }
  }
}

// DB::Open's session id is the run's: the seed's first id, then the next at each open of the
// run, and every table written carries one RocksDB can make an SST unique id of (its decoder
// accepts it). Two Envs of one seed that share a count continue one run's ids.
TEST(RocksdbSessionIds, DbOpenTakesTheRunsIdsAndTablesCarryValidOnes) {
  Rig rig;  // seed 7, the Env counting its own sessions
  rocksdb::Options options = rig.db_options();
  EXPECT_EQ(open_session_id(rig, options), run_session_id(7, 1));
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string id;
    ASSERT_TRUE(db->GetDbSessionId(id).ok());
    EXPECT_EQ(id, run_session_id(7, 2));
    for (int i = 0; i < 300; ++i) {  // past several memtables: tables written
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), std::string(1000, 'v'))
                      .ok());
      rig.env->run_background();
    }
    rocksdb::TablePropertiesCollection tables;
    ASSERT_TRUE(db->GetPropertiesOfAllTables(&tables).ok());
    ASSERT_FALSE(tables.empty());
    for (const auto& [name, properties] : tables) {
      EXPECT_EQ(properties->db_session_id, id) << name;
      EXPECT_EQ(properties->db_host_id, "sim") << name;
      std::string unique_id;
      EXPECT_TRUE(rocksdb::GetUniqueIdFromTableProperties(*properties, &unique_id).ok()) << name;
    }
    rig.env->run_background();
  }
  std::uint64_t count = 4;
  rig.env.reset();
  rig.env = std::make_unique<QuiescentEnv>(
      EnvConfig{&rig.fs, &rig.clock, &wal::std_runtime(), "", 7, Breakage::kNone, &count});
  EXPECT_EQ(open_session_id(rig, rig.db_options()), run_session_id(7, 5));
  EXPECT_EQ(count, 5u);
}

// Outside a run (RocksDB's own Env on the host, or no Env) the id is the library's own: its
// generator counts, so no two are alike.
TEST(RocksdbSessionIds, WithoutARunsEnvTheLibrarysOwnFunctionAnswers) {
  const std::string first = library_session_id();
  EXPECT_EQ(first.size(), 20u);
  EXPECT_NE(first, library_session_id());
  testutil::TempDir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir.path() + "/db", &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string id;
  ASSERT_TRUE(db->GetDbSessionId(id).ok());
  EXPECT_EQ(id.size(), 20u);
  EXPECT_NE(id, first);
  EXPECT_NE(id, run_session_id(0, 1));
}

}  // namespace
}  // namespace rocksdb_adapter
