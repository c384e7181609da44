// A rocksdb::FileSystem over wal::Fs: Debian's librocksdb 7.8.3, unchanged, storing its files
// through the seam the harness controls (sim::SimFs under the fault stack in simulation). The
// files obey exactly the durability rules of RocksDB's own PosixFileSystem (fs_files.h,
// R1-R8); the rest, from env/fs_posix.cc at v7.8.3:
//
//   FileExists                stat; missing is NotFound (access(2), l.555-576)
//   GetChildren               list: no "." or ".." (filtered, l.600-611); missing: NotFound
//   DeleteFile                unlink, no directory sync (l.635-642)
//   CreateDir                 mkdir (l.644-650); CreateDirIfMissing: an existing directory is
//                             fine, an existing file is not (l.652-666)
//   DeleteDir                 rmdir: SimFs's one entry removal (unlink)
//   RenameFile                rename(2) alone, no directory sync (l.700-707)
//   LinkFile, NumFileLinks    NotSupported: wal::Fs has no hard links, and RocksDB falls back
//                             (checkpoints and ingestion copy; the DB itself never links)
//   GetFileModificationTime   NotSupported: SimFs keeps no times (only WAL_ttl_seconds uses it)
//   LockFile/UnlockFile       Fs::lock: a second lock of the same path in this process fails,
//                             "lock hold by current process" (l.754-820; no acquire time: it
//                             is the wall clock there)
//   GetAbsolutePath           an absolute path as it is; a relative one under "/" (getcwd is
//                             the host's, l.842-858)
//   NewLogger                 logger.h: the info LOG through the Fs, one write per line
//   NewDirectory              a handle whose Fsync is Fs::sync_dir (R6)
//
// Paths are RocksDB's, given to the Fs as they are.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/file_system.h>

#include <wal/clock.h>
#include <wal/fs.h>

#include "adapters/rocksdb/fs_files.h"

namespace rocksdb_adapter {

struct FsConfig {
  wal::Fs* fs = nullptr;
  wal::Clock* clock = nullptr;  // the info LOG's times
  // Written as "<db>" wherever an info LOG line holds it (RocksDB logs the database's path):
  // the same run then writes the same LOG on PosixFs and on SimFs (walsim real --diff).
  std::string log_hides;
  Breakage breakage = Breakage::kNone;
};

class FsFileSystem final : public rocksdb::FileSystem {
 public:
  explicit FsFileSystem(FsConfig config);

  const char* Name() const override { return "WalFs"; }

  rocksdb::IOStatus NewSequentialFile(const std::string& fname, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& fname,
                                        const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* result,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus FileExists(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& options,
                                std::vector<std::string>* result,
                                rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& dirname, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& dirname,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& dirname, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileSize(const std::string& fname, const rocksdb::IOOptions& options,
                                std::uint64_t* file_size, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFileModificationTime(const std::string& fname,
                                            const rocksdb::IOOptions& options,
                                            std::uint64_t* file_mtime,
                                            rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LockFile(const std::string& fname, const rocksdb::IOOptions& options,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus UnlockFile(rocksdb::FileLock* lock, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetTestDirectory(const rocksdb::IOOptions& options, std::string* path,
                                     rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewLogger(const std::string& fname, const rocksdb::IOOptions& options,
                              std::shared_ptr<rocksdb::Logger>* result,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetAbsolutePath(const std::string& db_path, const rocksdb::IOOptions& options,
                                    std::string* output_path,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus IsDirectory(const std::string& path, const rocksdb::IOOptions& options,
                                bool* is_dir, rocksdb::IODebugContext* dbg) override;

  const FsCounters& counters() const { return counters_; }
  FsCounters& counters() { return counters_; }  // the Store marks its ingests there

 private:
  FileContext context() { return {*config_.fs, counters_, config_.breakage}; }
  rocksdb::IOStatus fail(const wal::Status& status, const std::string& path);
  rocksdb::IOStatus open_writable(const std::string& fname, const rocksdb::FileOptions& options,
                                  bool truncate, std::unique_ptr<rocksdb::FSWritableFile>* result);

  FsConfig config_;
  FsCounters counters_;
};

}  // namespace rocksdb_adapter
