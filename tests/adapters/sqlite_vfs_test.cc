// The SQLite VFS over wal::Fs (adapters/sqlite/vfs.h): SQLite's own pager through it writes the
// same database as through SQLite's unix VFS, on the real disk and on SimFs; the durability of
// synchronous modes shows under SimFs's power loss; locks and shared memory serve several
// connections; the C-level calls behave as the unix VFS's do.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <wal/posix_fs.h>

#include "adapters/sqlite/vfs.h"
#include "sim/crash_plan.h"
#include "sim/sim_fs.h"
#include "testutil/temp_dir.h"

namespace sqlite_adapter {
namespace {

struct Db {
  sqlite3* handle = nullptr;
  ~Db() { sqlite3_close_v2(handle); }
};

std::unique_ptr<Db> open_db(const std::string& path, const char* vfs) {
  auto db = std::make_unique<Db>();
  const int rc = sqlite3_open_v2(path.c_str(), &db->handle,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  EXPECT_EQ(rc, SQLITE_OK) << (db->handle ? sqlite3_errmsg(db->handle) : "no handle");
  return db;
}

int exec(Db& db, const std::string& sql) {
  return sqlite3_exec(db.handle, sql.c_str(), nullptr, nullptr, nullptr);
}

void must(Db& db, const std::string& sql) {
  ASSERT_EQ(exec(db, sql), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db.handle);
}

// The rows of t, one "k=v" line each, or the error.
std::string dump(Db& db) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.handle, "SELECT k, v FROM t ORDER BY k", -1, &statement, nullptr) !=
      SQLITE_OK) {
    return std::string("error: ") + sqlite3_errmsg(db.handle);
  }
  std::string text;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    text += std::to_string(sqlite3_column_int64(statement, 0)) + "=" +
            reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)) + "\n";
  }
  sqlite3_finalize(statement);
  return text;
}

std::string integrity(Db& db) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.handle, "PRAGMA integrity_check", -1, &statement, nullptr) !=
      SQLITE_OK) {
    return std::string("error: ") + sqlite3_errmsg(db.handle);
  }
  std::string text;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    text += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  return text;
}

// `count` transactions of inserts, updates and deletes, rows large enough to spread over pages.
void run_transactions(Db& db, int first, int count) {
  for (int i = first; i < first + count; ++i) {
    std::string sql = "BEGIN;";
    const std::size_t bytes = 200 + static_cast<std::size_t>(i * 37 % 900);
    sql += "INSERT INTO t VALUES(" + std::to_string(i) + ", '" +
           std::string(bytes, static_cast<char>('a' + i % 26)) + "');";
    if (i % 3 == 0) sql += "UPDATE t SET v = v || 'u' WHERE k % 7 = " + std::to_string(i % 7) + ";";
    if (i % 5 == 4) sql += "DELETE FROM t WHERE k = " + std::to_string(i - 3) + ";";
    sql += "COMMIT;";
    must(db, sql);
  }
}

void set_up(Db& db, const std::string& journal, const std::string& synchronous) {
  must(db, "PRAGMA page_size = 4096; PRAGMA journal_mode = " + journal +
               "; PRAGMA synchronous = " + synchronous + ";");
  must(db, "CREATE TABLE IF NOT EXISTS t(k INTEGER PRIMARY KEY, v TEXT)");
}

std::vector<std::byte> read_all(wal::Fs& fs, const std::string& path) {
  std::vector<std::byte> bytes;
  wal::Result<std::unique_ptr<wal::File>> file = fs.open(path, wal::OpenMode::kReadOnly);
  if (!file) return bytes;
  const wal::Result<std::uint64_t> size = (*file)->size();
  bytes.resize(size ? *size : 0);
  const wal::Result<std::size_t> got = (*file)->read_at(0, bytes);
  bytes.resize(got ? *got : 0);
  static_cast<void>((*file)->close());
  return bytes;
}

VfsConfig config_on(wal::Fs& fs) {
  VfsConfig config;
  config.fs = &fs;
  config.random_seed = 42;
  // What the unix VFS reports on Linux by default (os_unix.c: psow on, 4096-byte sectors).
  config.device_characteristics = SQLITE_IOCAP_POWERSAFE_OVERWRITE;
  return config;
}

TEST(SqliteVfs, SqlitesPagerWritesTheSameDatabaseAsThroughTheUnixVfs) {
  testutil::TempDir dir;
  for (const char* journal : {"delete", "truncate", "persist", "wal"}) {
    SCOPED_TRACE(journal);
    const std::string name = std::string("same-") + journal + ".db";
    {
      auto db = open_db(dir.sub("unix-" + name), "unix");
      set_up(*db, journal, "full");
      run_transactions(*db, 0, 40);
    }
    wal::Result<std::unique_ptr<Vfs>> posix = Vfs::make("wal-posix", config_on(wal::posix_fs()));
    ASSERT_TRUE(posix.is_ok()) << posix.error().to_string();
    {
      auto db = open_db(dir.sub("ours-" + name), "wal-posix");
      set_up(*db, journal, "full");
      run_transactions(*db, 0, 40);
    }
    sim::SimFs sim_fs;
    sim_fs.make_durable_dirs("/db");
    wal::Result<std::unique_ptr<Vfs>> simulated = Vfs::make("wal-sim", config_on(sim_fs));
    ASSERT_TRUE(simulated.is_ok()) << simulated.error().to_string();
    {
      auto db = open_db("/db/" + name, "wal-sim");
      set_up(*db, journal, "full");
      run_transactions(*db, 0, 40);
    }
    const std::vector<std::byte> unix_bytes = read_all(wal::posix_fs(), dir.sub("unix-" + name));
    ASSERT_GT(unix_bytes.size(), 4096u * 4);
    EXPECT_TRUE(unix_bytes == read_all(wal::posix_fs(), dir.sub("ours-" + name)));
    EXPECT_TRUE(unix_bytes == read_all(sim_fs, "/db/" + name));
    EXPECT_GT((*simulated)->counters().syncs, 40u);
  }
}

// The documented durability of each synchronous level (pragma.html#pragma_synchronous), through
// SQLite's own journal code on SimFs's worst power loss (every unsynced write and directory
// entry lost):
//   delete/full   the journal's unlink is not synced: it comes back as a hot journal and rolls
//                 the last acknowledged commit back (allowed: "EXTRA ... provides additional
//                 durability if the commit is followed closely by a power loss")
//   delete/extra, wal/full   every acknowledged commit survives
//   delete/off    nothing is promised: here the never-synced database file itself is lost
TEST(SqliteVfs, APowerLossLosesWhatEachSynchronousLevelAllows) {
  struct Case {
    const char* journal;
    const char* synchronous;
    const char* expect;  // "all", "all but the last", "not all"
  };
  for (const Case& c : {Case{"delete", "full", "all but the last"}, Case{"delete", "extra", "all"},
                        Case{"wal", "full", "all"}, Case{"delete", "off", "not all"}}) {
    SCOPED_TRACE(std::string(c.journal) + "/" + c.synchronous);
    sim::SimFs fs;
    fs.make_durable_dirs("/db");
    std::string all_but_last;
    std::string all;
    {
      wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make("wal-crash", config_on(fs));
      ASSERT_TRUE(vfs.is_ok());
      auto db = open_db("/db/crash.db", "wal-crash");
      set_up(*db, c.journal, c.synchronous);
      run_transactions(*db, 0, 19);
      all_but_last = dump(*db);
      run_transactions(*db, 19, 1);
      all = dump(*db);
      ASSERT_NE(all, all_but_last);
      fs.crash(sim::CrashPlan{});  // the power goes; the process with it
      db.reset();
    }
    wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make("wal-crash", config_on(fs));
    ASSERT_TRUE(vfs.is_ok());
    auto db = open_db("/db/crash.db", "wal-crash");
    const std::string after = dump(*db);
    if (std::string(c.expect) == "not all") {
      EXPECT_NE(after, all);
      continue;
    }
    EXPECT_EQ(after, std::string(c.expect) == "all" ? all : all_but_last);
    EXPECT_EQ(integrity(*db), "ok");
  }
}

// synchronous = EXTRA syncs the directory after deleting the rollback journal; FULL does not
// (pragma.html#pragma_synchronous): the VFS passes SQLite's dirSync request through.
TEST(SqliteVfs, ExtraSyncsTheDirectoryAfterTheJournalIsDeletedFullDoesNot) {
  std::uint64_t dir_syncs[2] = {0, 0};
  int index = 0;
  for (const char* synchronous : {"full", "extra"}) {
    sim::SimFs fs;
    fs.make_durable_dirs("/db");
    wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make("wal-extra", config_on(fs));
    ASSERT_TRUE(vfs.is_ok());
    {
      auto db = open_db("/db/x.db", "wal-extra");
      set_up(*db, "delete", synchronous);
      run_transactions(*db, 0, 10);
    }
    EXPECT_GE((*vfs)->counters().deletes, 10u);
    dir_syncs[index++] = (*vfs)->counters().dir_syncs;
  }
  // FULL: one directory sync per journal created (after its first sync); EXTRA: one more per
  // journal deleted.
  EXPECT_GE(dir_syncs[1], dir_syncs[0] + 10);
}

TEST(SqliteVfs, TwoConnectionsShareLocksAndTheWalIndex) {
  sim::SimFs fs;
  fs.make_durable_dirs("/db");
  wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make("wal-two", config_on(fs));
  ASSERT_TRUE(vfs.is_ok());
  for (const char* journal : {"delete", "wal"}) {
    SCOPED_TRACE(journal);
    const std::string path = std::string("/db/two-") + journal + ".db";
    auto a = open_db(path, "wal-two");
    set_up(*a, journal, "full");
    auto b = open_db(path, "wal-two");
    must(*a, "BEGIN IMMEDIATE; INSERT INTO t VALUES(1, 'one')");
    EXPECT_EQ(exec(*b, "BEGIN IMMEDIATE"), SQLITE_BUSY);  // one writer at a time
    must(*a, "COMMIT");
    EXPECT_EQ(dump(*b), "1=one\n");
    must(*b, "BEGIN IMMEDIATE; INSERT INTO t VALUES(2, 'two'); COMMIT");
    EXPECT_EQ(dump(*a), "1=one\n2=two\n");
    if (std::strcmp(journal, "wal") == 0) {
      // A reader's snapshot holds while the other connection commits.
      must(*b, "BEGIN; SELECT count(*) FROM t");
      must(*a, "INSERT INTO t VALUES(3, 'three')");
      EXPECT_EQ(dump(*b), "1=one\n2=two\n");
      must(*b, "COMMIT");
      EXPECT_EQ(dump(*b), "1=one\n2=two\n3=three\n");
    }
  }
}

TEST(SqliteVfs, AShortReadZeroFillsAndSaysSo) {
  sim::SimFs fs;
  fs.make_durable_dirs("/db");
  wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make("wal-short", config_on(fs));
  ASSERT_TRUE(vfs.is_ok());
  sqlite3_vfs* raw = sqlite3_vfs_find("wal-short");
  ASSERT_NE(raw, nullptr);
  std::vector<char> memory(static_cast<std::size_t>(raw->szOsFile));
  auto* file = reinterpret_cast<sqlite3_file*>(memory.data());
  int flags = 0;
  ASSERT_EQ(raw->xOpen(raw, "/db/short", file,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &flags),
            SQLITE_OK);
  ASSERT_EQ(file->pMethods->xWrite(file, "0123456789", 10, 0), SQLITE_OK);
  char buffer[20];
  std::memset(buffer, 'x', sizeof buffer);
  EXPECT_EQ(file->pMethods->xRead(file, buffer, 20, 0), SQLITE_IOERR_SHORT_READ);
  EXPECT_EQ(std::string(buffer, 10), "0123456789");
  EXPECT_EQ(std::string(buffer + 10, 10), std::string(10, '\0'));
  EXPECT_EQ(file->pMethods->xRead(file, buffer, 5, 2), SQLITE_OK);
  EXPECT_EQ(std::string(buffer, 5), "23456");
  EXPECT_EQ(file->pMethods->xClose(file), SQLITE_OK);
  // An empty file does not exist for SQLite (unixAccess), a written one does.
  int exists = -1;
  ASSERT_EQ(raw->xAccess(raw, "/db/short", SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
  EXPECT_EQ(exists, 1);
  ASSERT_EQ(raw->xOpen(raw, "/db/empty", file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &flags),
            SQLITE_OK);
  EXPECT_EQ(file->pMethods->xClose(file), SQLITE_OK);
  ASSERT_EQ(raw->xAccess(raw, "/db/empty", SQLITE_ACCESS_EXISTS, &exists), SQLITE_OK);
  EXPECT_EQ(exists, 0);
  EXPECT_EQ(raw->xDelete(raw, "/db/missing", 0), SQLITE_IOERR_DELETE_NOENT);
}

TEST(SqliteVfs, RandomnessAndTimeComeFromTheSeedAndTheClock) {
  struct FixedClock final : wal::Clock {
    std::uint64_t now = 0;
    std::uint64_t now_us() override { return now; }
  } clock;
  sim::SimFs fs;
  std::vector<std::string> streams;
  for (const char* name : {"wal-seed-a", "wal-seed-b"}) {
    VfsConfig config = config_on(fs);
    config.clock = &clock;
    wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make(name, config);
    ASSERT_TRUE(vfs.is_ok());
    sqlite3_vfs* raw = sqlite3_vfs_find(name);
    char bytes[16];
    EXPECT_EQ(raw->xRandomness(raw, sizeof bytes, bytes), 16);
    streams.emplace_back(bytes, sizeof bytes);
    clock.now = 86'400'000'000;  // one virtual day
    sqlite3_int64 ms = 0;
    ASSERT_EQ(raw->xCurrentTimeInt64(raw, &ms), SQLITE_OK);
    EXPECT_EQ(ms, 212'633'985'600'000 + 86'400'000);  // 2026-01-02 as a Julian day, in ms
    clock.now = 0;
  }
  EXPECT_EQ(streams[0], streams[1]);
  EXPECT_NE(streams[0], std::string(16, '\0'));
}

TEST(SqliteVfs, ATakenNameIsRefused) {
  sim::SimFs fs;
  wal::Result<std::unique_ptr<Vfs>> first = Vfs::make("wal-taken", config_on(fs));
  ASSERT_TRUE(first.is_ok());
  EXPECT_FALSE(Vfs::make("wal-taken", config_on(fs)).is_ok());
  EXPECT_FALSE(Vfs::make("unix", config_on(fs)).is_ok());
}

}  // namespace
}  // namespace sqlite_adapter
