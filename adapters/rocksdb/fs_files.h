// RocksDB's file classes over wal::Fs, each mirroring its Posix class of RocksDB 7.8.3
// (env/io_posix.cc and env/fs_posix.cc at tag v7.8.3; line numbers are of those files). What a
// crash keeps depends on exactly when bytes reach write_at and which sync runs, so these rules
// copy the POSIX FileSystem's, no more careful and no less:
//
//   R1 Append is write(2) at once (PosixWritableFile::Append, io_posix.cc l.1296-1311): the
//      buffering is RocksDB's own WritableFileWriter, above this class. Flush does nothing
//      (l.1396-1399).
//   R2 Sync is fdatasync (l.1401-1413), Fsync is fsync (l.1415-1427); RocksDB picks Fsync when
//      DBOptions::use_fsync. POSIX fdatasync makes an appended file's new size durable (the
//      size is needed to read the data back); wal::File::sync_data() does not promise that
//      (SimFs drops the growth), so both map to sync(): what Linux's fdatasync does for an
//      appended file, nothing more. No directory is synced here: RocksDB syncs directories
//      itself, through FSDirectory::Fsync (R6), where it chooses to.
//   R3 Close closes; nothing is synced (l.1345-1394: the ftruncate there only trims a
//      preallocation, which this class never makes, R7).
//   R4 NewWritableFile opens O_CREAT | O_TRUNC, ReopenWritableFile O_CREAT | O_APPEND
//      (fs_posix.cc l.286-293): no directory sync follows the create.
//   R5 Sequential and random reads are fread(3)/pread(2) (mmap reads are off by default), each
//      looping until the buffer is full (l.226-249, l.576-593): a short read is read on from,
//      a read ending early means the end of the file; past the end reads nothing.
//   R6 FSDirectory::Fsync is fsync of the directory (l.1663-1667): Fs::sync_dir.
//   R7 Allocate (fallocate with FALLOC_FL_KEEP_SIZE by default) changes no byte a reader or a
//      crash sees, so it is not passed on (wal::File::allocate grows the size). RangeSync
//      (sync_file_range(SYNC_FILE_RANGE_WRITE), only with bytes_per_sync) is a hint:
//      File::start_writeback, which makes nothing durable.
//   R8 Truncate is ftruncate (l.1332-1343).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

#include <wal/fs.h>

#include "adapters/rocksdb/breakage.h"

namespace rocksdb_adapter {

// Counts of what RocksDB asked of the files, for tests and notes.
struct FsCounters {
  std::uint64_t syncs = 0;      // FSWritableFile Sync and Fsync calls
  std::uint64_t fsyncs = 0;     // of them, Fsync
  std::uint64_t dir_syncs = 0;  // FSDirectory::Fsync calls
  std::uint64_t renames = 0;
  std::uint64_t fs_errors = 0;  // calls of the Fs below that failed
  std::uint64_t io_errors = 0;  // of them, any but kNotFound and kAlreadyExists
  bool ingesting = false;       // the Store is inside DB::IngestExternalFile (a planted bug)
};

// A wal::Status as RocksDB's IOError makes one: ENOENT is NotFound, the rest IOError, with the
// path in front. kNoSpace is an IOError with the NoSpace subcode, as ENOSPC is.
rocksdb::IOStatus to_rocksdb(const wal::Status& status, const std::string& path);
// to_rocksdb, counted in `counters`.
rocksdb::IOStatus count_failure(const wal::Status& status, const std::string& path,
                                FsCounters& counters);

// True when `path`'s basename ends with ".log" (a WAL: Breakage::kDropLogSync).
bool is_wal(const std::string& path);

struct FileContext {
  wal::Fs& fs;
  FsCounters& counters;
  Breakage breakage = Breakage::kNone;
};

std::unique_ptr<rocksdb::FSWritableFile> make_writable_file(std::string path,
                                                            std::unique_ptr<wal::File> file,
                                                            std::uint64_t offset,
                                                            const rocksdb::FileOptions& options,
                                                            FileContext context);
std::unique_ptr<rocksdb::FSSequentialFile> make_sequential_file(std::string path,
                                                                std::unique_ptr<wal::File> file,
                                                                FileContext context);
std::unique_ptr<rocksdb::FSRandomAccessFile> make_random_access_file(
    std::string path, std::unique_ptr<wal::File> file, FileContext context);
std::unique_ptr<rocksdb::FSDirectory> make_directory(std::string path, FileContext context);

}  // namespace rocksdb_adapter
