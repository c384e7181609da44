// facebook/rocksdb#12865 aimed at Debian's librocksdb 7.8.3: the first write of a new MANIFEST
// (VersionSet::WriteCurrentStateToManifest) fails with EIO, in a background flush and on the write
// path. 7.8.3 has the flaw the PR fixes (ProcessManifestWrites leaves manifest_io_status OK, so
// manifest_file_number_ takes the failed MANIFEST's number), but here it does no harm: the same
// error also reaches VersionSet::io_status(), so the flush's error is classified
// kManifestWrite(NoWAL) and ErrorHandler::SetBGError disables file deletions ("Disabling File
// Deletions" in the info LOG) before the failed flush's forced obsolete-file scan. The good
// MANIFEST survives and the database opens again. Deletions come back only through DB::Resume,
// which writes a fresh MANIFEST first; the automatic resume that could race it runs on RocksDB's
// own threads, off in quiescent mode (adapters/rocksdb/env.h). This test pins that finding
// (docs/known-bugs.md): should a library update make the harm appear, it fails. The aim
// (AimedManifestEio) is this test's own minimal decorator: scenarios cannot yet aim an I/O fault at
// one file.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "faults/fs_wrapper.h"
#include "sim/sim_fs.h"

#include "adapters/rocksdb/env.h"
#include "adapters/rocksdb/settings.h"

namespace rocksdb_adapter {
namespace {

class TickClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_ += 10; }

 private:
  std::uint64_t now_ = 0;
};

// Once armed, the write at offset 0 of the next MANIFEST opened fails with EIO (nothing
// written), once.
class AimedManifestEio final : public faults::FsWrapper {
 public:
  using faults::FsWrapper::FsWrapper;
  bool armed = false;
  int fired = 0;

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override {
    const bool aimed = armed && fired == 0 && path.find("/MANIFEST-") != std::string_view::npos;
    if (!aimed) return file;
    return std::make_unique<Head>(std::move(file), std::string(path), *this);
  }

 private:
  class Head final : public faults::FileWrapper {
   public:
    Head(std::unique_ptr<wal::File> base, std::string path, AimedManifestEio& owner)
        : faults::FileWrapper(std::move(base), std::move(path)), owner_(owner) {}
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      if (offset == 0 && owner_.fired == 0) {
        ++owner_.fired;
        return wal::Status::io_error("aimed EIO on a new MANIFEST's head");
      }
      return base_->write_at(offset, data);
    }

   private:
    AimedManifestEio& owner_;
  };
};

std::string current_names(sim::SimFs& fs) {
  wal::Result<std::unique_ptr<wal::File>> file = fs.open("/db/CURRENT", wal::OpenMode::kReadOnly);
  if (!file) return "";
  std::string text(64, '\0');
  wal::Result<std::size_t> read =
      (*file)->read_at(0, {reinterpret_cast<std::byte*>(text.data()), text.size()});
  text.resize(read ? *read : 0);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  static_cast<void>((*file)->close());
  return text;
}

bool log_says(sim::SimFs& fs, const std::string& words) {
  wal::Result<std::unique_ptr<wal::File>> file = fs.open("/db/LOG", wal::OpenMode::kReadOnly);
  if (!file) return false;
  wal::Result<std::uint64_t> size = (*file)->size();
  std::string text(size ? *size : 0, '\0');
  wal::Result<std::size_t> read =
      (*file)->read_at(0, {reinterpret_cast<std::byte*>(text.data()), text.size()});
  static_cast<void>((*file)->close());
  return read && text.find(words) != std::string::npos;
}

TEST(RocksdbBug12865, OnDebian783AFailedManifestHeadDisablesDeletionsAndTheDbReopens) {
  sim::SimFs sim;
  sim.make_durable_dirs("/db");
  AimedManifestEio fs(sim);
  TickClock clock;
  auto env = std::make_unique<QuiescentEnv>(EnvConfig{&fs, &clock, &wal::std_runtime(), "", 1});
  rocksdb::Options options;
  options.env = env.get();
  options.create_if_missing = true;
  options.max_manifest_file_size = 1;  // every version edit rolls to a new MANIFEST
  no_threads_of_its_own(options);
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    env->run_background();
    rocksdb::WriteOptions synced;
    synced.sync = true;
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(db->Put(synced, "k" + std::to_string(i), "v").ok());
    }
    const std::string before = current_names(sim);
    ASSERT_TRUE(sim.stat("/db/" + before)) << before;
    fs.armed = true;
    rocksdb::FlushOptions flush;
    flush.wait = false;  // the quiescent Env runs it below
    static_cast<void>(db->Flush(flush));
    env->run_background();
    ASSERT_EQ(fs.fired, 1) << "the flush wrote no new MANIFEST";
    EXPECT_EQ(current_names(sim), before) << "CURRENT still names the good MANIFEST";
    EXPECT_TRUE(sim.stat("/db/" + before)) << before << " was deleted: #12865's harm shows";
    EXPECT_TRUE(log_says(sim, "Disabling File Deletions"));
    env->run_background();
  }
  env = std::make_unique<QuiescentEnv>(EnvConfig{&fs, &clock, &wal::std_runtime(), "", 1});
  options.env = env.get();
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status reopened = rocksdb::DB::Open(options, "/db", &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  EXPECT_TRUE(reopened.ok()) << reopened.ToString();
  std::string got;
  if (db) {
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "k9", &got).ok()) << "a synced put was lost";
  }
  env->run_background();
}

// The same aimed fault on the write path: with track_and_verify_wals_in_manifest a sync write
// that syncs a closed WAL records it in the MANIFEST (DBImpl::MarkLogsSynced), and with a
// 1-byte max_manifest_file_size that edit rolls to a new MANIFEST whose head fails. The write
// returns the error; deletions are disabled there too, and the database opens again.
TEST(RocksdbBug12865, OnTheWritePathTooDeletionsAreDisabledAndTheDbReopens) {
  sim::SimFs sim;
  sim.make_durable_dirs("/db");
  AimedManifestEio fs(sim);
  TickClock clock;
  auto env = std::make_unique<QuiescentEnv>(EnvConfig{&fs, &clock, &wal::std_runtime(), "", 1});
  rocksdb::Options options;
  options.env = env.get();
  options.create_if_missing = true;
  options.max_manifest_file_size = 1;
  options.track_and_verify_wals_in_manifest = true;
  options.write_buffer_size = 64 << 10;
  no_threads_of_its_own(options);
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    env->run_background();
    rocksdb::WriteOptions synced;
    synced.sync = true;
    const std::string value(1000, 'v');
    fs.armed = true;
    bool failed = false;
    for (int i = 0; i < 300 && fs.fired == 0; ++i) {
      failed = !db->Put(synced, "k" + std::to_string(i), value).ok();
      env->run_background();
    }
    ASSERT_EQ(fs.fired, 1) << "no sync write rolled the MANIFEST";
    EXPECT_TRUE(failed) << "the write whose MANIFEST edit failed returned OK";
    const std::string current = current_names(sim);
    EXPECT_TRUE(sim.stat("/db/" + current)) << current << " was deleted: #12865's harm shows";
    EXPECT_TRUE(log_says(sim, "Disabling File Deletions"));
    env->run_background();
  }
  env = std::make_unique<QuiescentEnv>(EnvConfig{&fs, &clock, &wal::std_runtime(), "", 1});
  options.env = env.get();
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status reopened = rocksdb::DB::Open(options, "/db", &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  EXPECT_TRUE(reopened.ok()) << reopened.ToString();
  env->run_background();
}
}  // namespace
}  // namespace rocksdb_adapter
