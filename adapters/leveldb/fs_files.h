// LevelDB's file classes over wal::Fs, each mirroring its PosixXxxFile of LevelDB 1.23's
// util/env_posix.cc (the line numbers below are of that file at tag 1.23). What a crash keeps
// depends on exactly when bytes reach write_at and which sync runs, so these rules copy the
// POSIX Env's, no more careful and no less:
//
//   R1 Append buffers up to 64 KiB in the process (kWritableFileBufferSize, l.58; Append,
//      l.265-292): a small append reaches the file only on Flush, Sync, Close or when the buffer
//      overflows; an append that does not fit after the flush is written unbuffered.
//   R2 Flush writes the buffer (write(2), l.304, l.326-344): visible, survives a process crash,
//      not a power loss.
//   R3 Sync (l.306-323): first SyncDirIfManifest (l.347-361): a sync_dir() of the file's
//      directory only when its basename starts with "MANIFEST" (IsManifest, l.425-427), then
//      the buffer, then fdatasync (SyncFd, l.369-388). POSIX fdatasync makes an appended
//      file's new size durable (the size is needed to read the data back); wal::File::
//      sync_data() does not promise that (SimFs drops the growth), so the data sync is
//      sync(): what Linux's fdatasync does for an appended file, nothing more.
//   R4 Close flushes the buffer and closes; nothing is synced (l.294-302). The destructor of
//      a file not closed closes it, ignoring errors (l.259-263).
//   R5 NewWritableFile opens O_TRUNC | O_CREAT (l.545-556): an existing file is emptied, and
//      no directory sync follows the create (a new log's entry is durable only once some later
//      MANIFEST sync, R3, syncs the directory).
//   R6 NewAppendableFile opens O_APPEND | O_CREAT (l.558-569): writes go to the end.
//   R7 RenameFile is rename(2) alone (l.621-626): no directory sync (CURRENT's rename is durable
//      only through a later MANIFEST sync's directory sync).
//   R8 A sequential read is one read(2) (l.114-130): a short read is returned as it is, past
//      the end reads nothing. Random reads are of a mapped table (PosixMmapReadableFile,
//      l.212-236, the default for the first 1000 files on a 64-bit build): never short, and a
//      read past the mapped end fails with EINVAL.
//   Close errors: Close reports the failed close(2) (l.294-302); the destructor, and so every
//      `delete logfile_` of DBImpl 1.23 (MakeRoomForWrite's log switch, ~DBImpl), drops it
//      (google/leveldb#1081, fixed after 1.23 by closing explicitly at the switch).
#pragma once

#include <leveldb/env.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <wal/fs.h>

namespace leveldb_adapter {

// A wal::Status as LevelDB's PosixError makes one (l.60-66): ENOENT is NotFound, the rest
// IOError, with the path in front.
leveldb::Status to_leveldb(const wal::Status& status, const std::string& path);

struct EnvCounters;
// to_leveldb, counted in `counters`.
leveldb::Status count_failure(const wal::Status& status, const std::string& path,
                              EnvCounters& counters);

inline constexpr std::size_t kWritableFileBufferSize = 65536;  // R1

// True when `path`'s basename starts with "MANIFEST" (R3).
bool is_manifest(const std::string& path);
// The directory part of `path`, "." without a separator (Dirname, l.395-406).
std::string dirname_of(const std::string& path);

// Counts of what LevelDB asked of the files, for tests and notes.
struct EnvCounters {
  std::uint64_t syncs = 0;        // WritableFile::Sync calls
  std::uint64_t dir_syncs = 0;    // of them, MANIFEST syncs that synced the directory
  std::uint64_t renames = 0;
  std::uint64_t fs_errors = 0;    // calls of the Fs below that failed
  std::uint64_t io_errors = 0;    // of them, any but kNotFound and kAlreadyExists
  std::uint64_t log_close_errors = 0;  // closes of a *.log that failed, reported or dropped
  // Set by the Env (EnvConfig::fail_log_writes_after_close_error), not counted: once a log's
  // close failed, every later Append, Flush and Sync of a log fails with that error.
  bool fail_log_writes_after_close_error = false;
};

std::unique_ptr<leveldb::WritableFile> make_writable_file(std::string path,
                                                          std::unique_ptr<wal::File> file,
                                                          std::uint64_t offset, wal::Fs& fs,
                                                          EnvCounters& counters);
std::unique_ptr<leveldb::SequentialFile> make_sequential_file(std::string path,
                                                              std::unique_ptr<wal::File> file,
                                                              EnvCounters& counters);
std::unique_ptr<leveldb::RandomAccessFile> make_random_access_file(
    std::string path, std::unique_ptr<wal::File> file, EnvCounters& counters);

}  // namespace leveldb_adapter
