// The info LOG of logger.h.
#include "adapters/rocksdb/logger.h"

#include <cstdarg>
#include <string>
#include <string_view>

#include "adapters/kv/info_log.h"

namespace rocksdb_adapter {
namespace {

// What RocksDB writes into a LOG line from the host rather than the run. Two stamps of the
// host's clock, past its Env: LogBuffer's "(Original Log Time YYYY/MM/DD-hh:mm:ss.uuuuuu)"
// (gettimeofday in the host's zone, logging/log_buffer.cc) on what a flush or compaction
// logged while holding the DB mutex, and EventLogger's "time_micros": N (system_clock::now,
// logging/event_logger.h, db/event_helpers.cc). Both become the line's virtual time: its stamp
// (the line's first 26 characters) and `now_us`. In quiescent mode a buffered line is written
// in the job that buffered it, so the stamp is the nearest virtual time there is.
//
// And a flush's "memory_usage" (db/flush_job.cc): it counts the memtable arena's blocks as
// glibc's malloc_usable_size reports them (memory/arena.cc AllocateNewBlock), which depends on
// the heap's history (a reused free chunk can be larger than a fresh one). It is written as
// "<heap>": the differential's two sides, run one after the other in one process, differed
// there. MemTable::ShouldFlushNow reads the same count and is not made the run's: a flush
// moved by it would change the operations, which the differential and the replays compare.
void drop_host_state(std::string& line, std::uint64_t now_us) {
  constexpr std::string_view kOriginal = "(Original Log Time ";
  constexpr std::size_t kStamp = 26;  // "YYYY/MM/DD-hh:mm:ss.uuuuuu"
  if (const auto at = line.find(kOriginal); at != std::string::npos && line.size() > kStamp) {
    const std::size_t from = at + kOriginal.size();
    if (const auto end = line.find(')', from); end != std::string::npos) {
      line.replace(from, end - from, line.substr(0, kStamp));
    }
  }
  constexpr std::string_view kMicros = "\"time_micros\": ";
  for (auto at = line.find(kMicros); at != std::string::npos; at = line.find(kMicros, at + 1)) {
    const std::size_t from = at + kMicros.size();
    std::size_t end = from;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    line.replace(from, end - from, std::to_string(now_us));
  }
  constexpr std::string_view kMemory = "\"memory_usage\": ";
  for (auto at = line.find(kMemory); at != std::string::npos; at = line.find(kMemory, at + 1)) {
    const std::size_t from = at + kMemory.size();
    std::size_t end = from;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end > from) line.replace(from, end - from, "\"<heap>\"");
  }
}

// A line whose appearance depends on the process, not the run: BlockBasedTable::Open
// (table/block_based/block_based_table_reader.cc at v7.8.3) warns about a table it cannot
// verify by unique id (an ingested file has none) only when a process-wide static count is 0
// or a multiple of 1000, so the first run in a process writes it and later ones do not (the
// differential's second side did not: rocksdb-ingest-dir-sync-control seed 1). Not written;
// known by its format string.
bool process_history_line(std::string_view format) {
  // "At least one SST file opened without ..." and "Another ~1000 SST files opened without ...".
  return format.find("opened without unique ID to verify") != std::string_view::npos;
}

class FsLogger final : public rocksdb::Logger {
 public:
  FsLogger(std::unique_ptr<rocksdb::FSWritableFile> file, wal::Clock& clock, std::string hides)
      : file_(std::move(file)), clock_(clock), hides_(std::move(hides)) {}

  ~FsLogger() override {
    if (!closed_) static_cast<void>(FsLogger::CloseImpl());
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, std::va_list arguments) override {
    // Before the clock is read: reading it may move virtual time, as writing the line would.
    if (!file_ || process_history_line(format)) return;
    const std::uint64_t now_us = clock_.now_us();
    std::string line = kv::info_log_line(now_us, format, arguments, hides_);
    drop_host_state(line, now_us);
    // The info log is advisory: RocksDB's loggers ignore their write errors too.
    static_cast<void>(file_->Append(line, rocksdb::IOOptions(), nullptr));
  }

 protected:
  rocksdb::Status CloseImpl() override {
    if (!file_) return rocksdb::Status::OK();
    const rocksdb::IOStatus closed = file_->Close(rocksdb::IOOptions(), nullptr);
    file_.reset();
    return closed;
  }

 private:
  std::unique_ptr<rocksdb::FSWritableFile> file_;
  wal::Clock& clock_;
  const std::string hides_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_fs_logger(std::unique_ptr<rocksdb::FSWritableFile> file,
                                                wal::Clock& clock, std::string hides) {
  return std::make_shared<FsLogger>(std::move(file), clock, std::move(hides));
}

}  // namespace rocksdb_adapter
