// RocksDB's info LOG through the Fs: the format of its EnvLogger (logging/env_logger.h at
// v7.8.3: a time, a thread id, the line), one Append per line straight to the file, never
// synced. Info only, but its create, its rename to LOG.old.<time> and its writes are real
// file operations of a RocksDB open, so crash points count them.
//
// What RocksDB itself stamps with the host's clock inside a line (LogBuffer's original time,
// EventLogger's time_micros) is rewritten to the line's virtual time; a flush's memory_usage
// (the heap's malloc_usable_size) and addresses (adapters/kv/info_log.h) are hidden: a seed
// writes the same LOG on every run and every machine.
//
// Why not RocksDB's own EnvLogger: it stamps lines with the host's gettimeofday and thread id,
// and its Flush writes its buffer from RocksDB's periodic-task thread (the kFlushInfoLog task,
// a real thread started on every DB::Open, db_impl.cc StartPeriodicTaskScheduler), beside the
// simulated one. Here the time is virtual, the thread id is "sim", the database's path is
// "<db>", nothing is buffered and Flush does nothing: that thread then touches no state of the
// run.
#pragma once

#include <memory>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <wal/clock.h>

namespace rocksdb_adapter {

std::shared_ptr<rocksdb::Logger> make_fs_logger(std::unique_ptr<rocksdb::FSWritableFile> file,
                                                wal::Clock& clock, std::string hides);

}  // namespace rocksdb_adapter
