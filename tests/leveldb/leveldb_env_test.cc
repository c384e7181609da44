// The leveldb::Env over wal::Fs (adapters/leveldb/env.h): on SimFs's worst power loss (every
// unsynced write and directory entry lost), its files keep exactly what LevelDB 1.23's POSIX
// Env keeps (fs_files.h, R1-R8), and LevelDB's own code opens, writes and reads through it.
#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <memory>
#include <string>

#include "adapters/leveldb/env.h"
#include "faults/close_eio_fs.h"
#include "faults/read_short_fs.h"
#include "sim/crash_plan.h"
#include "sim/sim_fs.h"

namespace leveldb_adapter {
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
  std::unique_ptr<FsEnv> env;

  Rig() {
    fs.make_durable_dirs("/db");
    env = std::make_unique<FsEnv>(EnvConfig{&fs, &clock, &wal::std_runtime(), ""});
  }

  // Creates `path` through the Env, appends `data` and syncs it.
  void write_synced(const std::string& path, const std::string& data) {
    leveldb::WritableFile* raw = nullptr;
    ASSERT_TRUE(env->NewWritableFile(path, &raw).ok());
    std::unique_ptr<leveldb::WritableFile> file(raw);
    ASSERT_TRUE(file->Append(data).ok());
    ASSERT_TRUE(file->Sync().ok());
    ASSERT_TRUE(file->Close().ok());
  }

  std::uint64_t size_of(const std::string& path) {
    wal::Result<wal::FileStat> stat = fs.stat(path);
    return stat ? stat->size_bytes : UINT64_MAX;  // UINT64_MAX: no such file
  }

  void power_loss() { fs.crash(sim::CrashPlan{}); }
};

TEST(LeveldbEnv, AManifestSyncSyncsTheDirectoryALogSyncDoesNot) {
  Rig rig;
  rig.write_synced("/db/000003.log", "record");
  EXPECT_EQ(rig.env->counters().dir_syncs, 0u);
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/000003.log"), UINT64_MAX) << "a synced log's entry survived";

  rig.write_synced("/db/000005.log", "record");
  rig.write_synced("/db/MANIFEST-000004", "edit");
  EXPECT_EQ(rig.env->counters().dir_syncs, 1u);
  rig.power_loss();
  // The MANIFEST's directory sync came before its data sync: both entries are durable, and
  // the log's synced data with them.
  EXPECT_EQ(rig.size_of("/db/MANIFEST-000004"), 4u);
  EXPECT_EQ(rig.size_of("/db/000005.log"), 6u);
}

TEST(LeveldbEnv, ARenameIsNotDurableWithoutADirectorySync) {
  Rig rig;
  rig.write_synced("/db/MANIFEST-000002", "edit");  // the directory sync: the temp is durable
  rig.write_synced("/db/000002.dbtmp", "MANIFEST-000002\n");
  rig.write_synced("/db/MANIFEST-000003", "edit");
  ASSERT_TRUE(rig.env->RenameFile("/db/000002.dbtmp", "/db/CURRENT").ok());
  EXPECT_EQ(rig.size_of("/db/CURRENT"), 16u);
  rig.power_loss();
  EXPECT_EQ(rig.size_of("/db/CURRENT"), UINT64_MAX) << "the rename survived without a dir sync";
  EXPECT_EQ(rig.size_of("/db/000002.dbtmp"), 16u);
}

TEST(LeveldbEnv, AppendsWaitInA64KiBBufferUntilFlushSyncOrOverflow) {
  Rig rig;
  leveldb::WritableFile* raw = nullptr;
  ASSERT_TRUE(rig.env->NewWritableFile("/db/000007.ldb", &raw).ok());
  std::unique_ptr<leveldb::WritableFile> file(raw);
  ASSERT_TRUE(file->Append(std::string(100, 'a')).ok());
  EXPECT_EQ(rig.size_of("/db/000007.ldb"), 0u);  // still in the process
  ASSERT_TRUE(file->Flush().ok());
  EXPECT_EQ(rig.size_of("/db/000007.ldb"), 100u);
  // A 70,000-byte append fills the empty buffer, which is written; the rest waits in it.
  ASSERT_TRUE(file->Append(std::string(70'000, 'b')).ok());
  EXPECT_EQ(rig.size_of("/db/000007.ldb"), 100u + kWritableFileBufferSize);
  // One append larger than the buffer after the flush is written unbuffered.
  ASSERT_TRUE(file->Append(std::string(200'000, 'c')).ok());
  EXPECT_EQ(rig.size_of("/db/000007.ldb"), 100u + 70'000u + 200'000u);
  ASSERT_TRUE(file->Close().ok());
}

TEST(LeveldbEnv, NewWritableFileTruncatesNewAppendableFileAppends) {
  Rig rig;
  rig.write_synced("/db/LOG", "0123456789");
  leveldb::WritableFile* raw = nullptr;
  ASSERT_TRUE(rig.env->NewAppendableFile("/db/LOG", &raw).ok());
  ASSERT_TRUE(raw->Append("ab").ok());
  ASSERT_TRUE(raw->Close().ok());
  delete raw;
  EXPECT_EQ(rig.size_of("/db/LOG"), 12u);
  ASSERT_TRUE(rig.env->NewWritableFile("/db/LOG", &raw).ok());
  EXPECT_EQ(rig.size_of("/db/LOG"), 0u);
  delete raw;
}

TEST(LeveldbEnv, ASecondLockOfTheSameFileFails) {
  Rig rig;
  leveldb::FileLock* first = nullptr;
  leveldb::FileLock* second = nullptr;
  ASSERT_TRUE(rig.env->LockFile("/db/LOCK", &first).ok());
  EXPECT_FALSE(rig.env->LockFile("/db/LOCK", &second).ok());
  ASSERT_TRUE(rig.env->UnlockFile(first).ok());
  ASSERT_TRUE(rig.env->LockFile("/db/LOCK", &second).ok());
  ASSERT_TRUE(rig.env->UnlockFile(second).ok());
}

// Quiescent mode: Schedule only queues (LevelDB calls it with its mutex held); run_background
// runs the queue to empty, work that schedules more included.
struct Work {
  FsEnv* env = nullptr;
  int runs = 0;
};

void schedule_once_more(void* arg) { static_cast<Work*>(arg)->runs += 10; }

void first_work(void* arg) {
  auto* work = static_cast<Work*>(arg);
  ++work->runs;
  work->env->Schedule(&schedule_once_more, work);  // as BackgroundCall's MaybeScheduleCompaction
}

TEST(LeveldbEnv, ScheduleQueuesAndRunBackgroundRunsWhatTheWorkSchedulesToo) {
  Rig rig;
  Work work{rig.env.get()};
  rig.env->Schedule(&first_work, &work);
  EXPECT_EQ(work.runs, 0);
  EXPECT_EQ(rig.env->queued(), 1u);
  EXPECT_EQ(rig.env->run_background(), 2u);
  EXPECT_EQ(work.runs, 11);
  EXPECT_EQ(rig.env->queued(), 0u);
}

// LevelDB's own code through the Env: open, write past several memtables (log switches and
// compactions run by run_background), close, reopen, read everything back.
TEST(LeveldbEnv, OpenPutGetCloseRoundTripOnSimFs) {
  Rig rig;
  leveldb::Options options;
  options.env = rig.env.get();
  options.create_if_missing = true;
  options.write_buffer_size = 64 << 10;
  const std::string value(1000, 'v');
  {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    rig.env->run_background();
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "k" + std::to_string(i),
                          value + std::to_string(i)).ok());
      rig.env->run_background();
    }
  }
  EXPECT_GT(rig.env->background_runs(), 2u) << "no memtable was compacted";
  leveldb::DB* raw = nullptr;
  ASSERT_TRUE(leveldb::DB::Open(options, "/db", &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  rig.env->run_background();
  for (int i = 0; i < 300; ++i) {
    std::string got;
    ASSERT_TRUE(db->Get(leveldb::ReadOptions(), "k" + std::to_string(i), &got).ok()) << i;
    EXPECT_EQ(got, value + std::to_string(i));
  }
}

}  // namespace
}  // namespace leveldb_adapter

namespace leveldb_adapter {
namespace {

// As env_posix.cc 1.23 reports them: a sequential read is one read(2), returned short as it
// is; a random read is a mapped table's, never short, and EINVAL past the end; Close reports
// a failed close(2), the destructor drops it.
TEST(LeveldbEnvFaults, ReadsAndClosesReportWhatThePosixEnvReports) {
  sim::SimFs sim;
  sim.make_durable_dirs("/db");
  faults::ReadShortFs short_reads(sim, faults::TriggerSpec::with_probability({1, 1}),
                                  sim::Prng(1));
  faults::CloseEioFs fs(short_reads, &sim, faults::FsyncProfile::kExt4,
                        faults::TriggerSpec::with_probability({1, 1}), sim::Prng(2));
  StepClock clock;
  FsEnv env(EnvConfig{&fs, &clock, &wal::std_runtime(), ""});
  leveldb::WritableFile* raw = nullptr;
  ASSERT_TRUE(env.NewWritableFile("/db/000003.log", &raw).ok());
  std::unique_ptr<leveldb::WritableFile> log(raw);
  ASSERT_TRUE(log->Append(std::string(1000, 'x')).ok());
  EXPECT_TRUE(log->Close().IsIOError());  // reported by Close
  ASSERT_TRUE(env.NewWritableFile("/db/000004.log", &raw).ok());
  {
    std::unique_ptr<leveldb::WritableFile> dropped(raw);
    ASSERT_TRUE(dropped->Append("y").ok());
  }  // the destructor's close fails too, and nobody hears of it (DBImpl 1.23's `delete`)

  leveldb::SequentialFile* seq = nullptr;
  ASSERT_TRUE(env.NewSequentialFile("/db/000003.log", &seq).ok());
  std::unique_ptr<leveldb::SequentialFile> sequential(seq);
  std::string scratch(1000, '\0');
  leveldb::Slice got;
  ASSERT_TRUE(sequential->Read(1000, &got, scratch.data()).ok());
  EXPECT_LT(got.size(), 1000u);  // short, and no error: the log reader's "end of file"
  EXPECT_GT(got.size(), 0u);

  leveldb::RandomAccessFile* ra = nullptr;
  ASSERT_TRUE(env.NewRandomAccessFile("/db/000003.log", &ra).ok());
  std::unique_ptr<leveldb::RandomAccessFile> random(ra);
  ASSERT_TRUE(random->Read(0, 1000, &got, scratch.data()).ok());
  EXPECT_EQ(got.size(), 1000u);  // a mapping is never short
  EXPECT_TRUE(random->Read(500, 1000, &got, scratch.data()).IsIOError());  // EINVAL past the end
}

}  // namespace
}  // namespace leveldb_adapter
