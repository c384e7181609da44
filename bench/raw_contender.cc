// The raw limit: the same bytes per entry as the WAL, written with nothing else: records
// encoded into 64 KiB buffers handed to write(), write+fdatasync per record, the ideal group
// commit, and a sequential read + crc32c for W5.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "appenders.h"
#include "check.h"
#include "contender.h"
#include "payload.h"
#include "raw_file.h"
#include "raw_group_commit.h"
#include "raw_record.h"
#include "scratch.h"
#include "stopwatch.h"

namespace bench {
namespace {

constexpr std::size_t kChunkBytes = 64u << 10;
constexpr std::uint64_t kSegmentBytes = 64ull << 20;  // what the WAL preallocates per segment
constexpr std::size_t kReadChunkBytes = 1u << 20;
constexpr std::uint64_t kWritebackBytes = 4u << 20;  // wal::Options::writeback_bytes' default

// Appends records to a 64 KiB buffer, writing it out whenever the next record would not fit.
class ChunkWriter {
 public:
  explicit ChunkWriter(raw::File& file) : file_(file), chunk_(kChunkBytes) {}
  std::byte* reserve(std::size_t n) {
    if (used_ + n > chunk_.size()) flush();
    return chunk_.data() + used_;
  }
  void commit(std::size_t n) { used_ += n; }
  void flush() {
    if (used_ > 0) file_.append(chunk_.data(), used_);
    used_ = 0;
  }

 private:
  raw::File& file_;
  std::vector<std::byte> chunk_;
  std::size_t used_ = 0;
};

class RawContender final : public Contender {
 public:
  std::string_view name() const override { return "raw"; }

  void prepare_w5(const Config& config) override {
    const std::string dir = config.cache_dir() + "/w5-raw";
    const std::string marker = fmt::format("raw {} {}\n", config.w5_log_bytes, config.w5_entry_bytes);
    if (marker_matches(dir, marker)) return;
    make_fresh_dir(dir);
    const PayloadPool pool(config.w5_entry_bytes);
    raw::File file(dir + "/log.raw", raw::Shape::kGrowing, 0);
    ChunkWriter writer(file);
    const std::size_t record = raw::record_bytes(config.w5_entry_bytes);
    for (std::uint64_t i = 0; i * record < config.w5_log_bytes; ++i) {
      writer.commit(raw::encode(i + 1, pool.entry(i), writer.reserve(record)));
    }
    writer.flush();
    file.sync_data();
    write_marker(dir, marker);
  }

  void w1(Run& run) override {
    const std::uint64_t n = run.config().scaled(run.config().w1_appends);
    const PayloadPool pool(run.config().small_bytes);
    const std::size_t record = raw::record_bytes(pool.entry_bytes());
    {
      // Pre-encoded: the records exist before the clock starts; appending is a copy.
      constexpr std::uint64_t kRing = 4096;
      std::vector<std::byte> encoded(kRing * record);
      for (std::uint64_t i = 0; i < kRing; ++i) raw::encode(i + 1, pool.entry(i), &encoded[i * record]);
      raw::File file(run.path("copy.raw"), raw::Shape::kGrowing, 0);
      ChunkWriter writer(file);
      const AppendStats stats = run_appenders(1, n, false, [&](int, std::uint64_t i) {
        std::memcpy(writer.reserve(record), &encoded[(i % kRing) * record], record);
        writer.commit(record);
        if (i + 1 == n) writer.flush();
      });
      file.sync_data();
      run.throughput("pre-encoded", stats.per_second(), "appends/s");
    }
    {
      raw::File file(run.path("crc.raw"), raw::Shape::kGrowing, 0);
      ChunkWriter writer(file);
      const AppendStats stats = run_appenders(1, n, false, [&](int, std::uint64_t i) {
        writer.commit(raw::encode(i + 1, pool.entry(i), writer.reserve(record)));
        if (i + 1 == n) writer.flush();
      });
      file.sync_data();
      run.throughput("crc32c", stats.per_second(), "appends/s");
      run.record("crc32c", "allocs_per_append", stats.allocs_per_append(), "allocs");
    }
  }

  void w2(Run& run) override {
    const std::uint64_t n = run.config().scaled(run.config().w2_appends);
    const PayloadPool pool(run.config().small_bytes);
    const std::size_t record = raw::record_bytes(pool.entry_bytes());
    for (raw::Shape shape : {raw::Shape::kGrowing, raw::Shape::kFallocated}) {
      raw::File file(run.path(fmt::format("{}.raw", raw::to_string(shape))), shape, kSegmentBytes);
      std::vector<std::byte> buffer(record);
      const AppendStats stats = run_appenders(1, n, true, [&](int, std::uint64_t i) {
        file.append(buffer.data(), raw::encode(i + 1, pool.entry(i), buffer.data()));
        file.sync_data();
      });
      run.throughput(raw::to_string(shape), stats.per_second(), "appends/s");
      run.record(raw::to_string(shape), "p50_latency", stats.p50_us, "us");
      run.record(raw::to_string(shape), "p99_latency", stats.p99_us, "us");
    }
  }

  void w3(Run& run) override {
    const int threads = run.config().w3_threads;
    const std::uint64_t per_thread = run.config().scaled(run.config().w3_appends) / static_cast<std::uint64_t>(threads);
    const PayloadPool pool(run.config().small_bytes);
    const std::size_t record = raw::record_bytes(pool.entry_bytes());
    for (raw::Shape shape : {raw::Shape::kGrowing, raw::Shape::kFallocated, raw::Shape::kPrewritten}) {
      raw::File file(run.path(fmt::format("{}.raw", raw::to_string(shape))), shape, kSegmentBytes);
      raw::GroupCommit group(file, record * static_cast<std::size_t>(threads) * 2);
      const AppendStats stats = run_appenders(threads, per_thread, true, [&](int t, std::uint64_t i) {
        group.append(pool.entry(i * static_cast<std::uint64_t>(threads) + static_cast<std::uint64_t>(t)));
      });
      const char* variant = raw::to_string(shape);
      run.throughput(variant, stats.per_second(), "appends/s");
      run.record(variant, "p50_latency", stats.p50_us, "us");
      run.record(variant, "p99_latency", stats.p99_us, "us");
      run.record(variant, "allocs_per_append", stats.allocs_per_append(), "allocs");
      run.record(variant, "fdatasyncs", static_cast<double>(file.syncs()), "calls");
    }
  }

  void w4(Run& run) override {
    const std::uint64_t n = run.config().scaled(run.config().w4_appends);
    const PayloadPool pool(run.config().large_bytes);
    const std::size_t record = raw::record_bytes(pool.entry_bytes());
    // "crc32c" is the limit; "segment-syncs" also fdatasyncs every 64 MiB, as a log that syncs
    // each segment it finishes on the append path would, to show what that costs;
    // "segment-syncs-hinted" does that too but starts writeback (sync_file_range WRITE) of
    // every 4 MiB written, as ours does (Options::writeback_bytes), so each fdatasync waits
    // only for the residue: the fair reference for a log that must sync every segment it ends.
    struct Variant {
      const char* name;
      bool segment_syncs;
      bool hinted;
    };
    for (const Variant v : {Variant{"crc32c", false, false}, Variant{"segment-syncs", true, false},
                            Variant{"segment-syncs-hinted", true, true}}) {
      const char* variant = v.name;
      raw::File file(run.path(fmt::format("{}.raw", variant)), raw::Shape::kGrowing, 0);
      ChunkWriter writer(file);
      const std::uint64_t per_segment = kSegmentBytes / record;
      std::uint64_t hinted = 0;
      const AppendStats stats = run_appenders(1, n, true, [&](int, std::uint64_t i) {
        writer.commit(raw::encode(i + 1, pool.entry(i), writer.reserve(record)));
        if (v.hinted && file.end() - hinted >= kWritebackBytes) {
          file.start_writeback(hinted, file.end() - hinted);
          hinted = file.end();
        }
        if (v.segment_syncs && (i + 1) % per_segment == 0) {
          writer.flush();
          file.sync_data();
          hinted = file.end();
        }
        if (i + 1 == n) writer.flush();
      });
      file.sync_data();
      run.throughput(variant, stats.per_second() * static_cast<double>(pool.entry_bytes()) / 1e6, "MB/s");
      run.record(variant, "p99_latency", stats.p99_us, "us");
      run.record(variant, "max_latency", stats.max_us, "us");
    }
  }

  void w5(Run& run) override {
    const std::string dir = run.cache_path("w5-raw");
    warm_page_cache(dir);
    const int fd = ::open((dir + "/log.raw").c_str(), O_RDONLY | O_CLOEXEC);
    check_errno(fd, "open raw W5 log");
    // Reads the file in chunks and checks every record's two crc32c as a log reader must; each
    // record is its own checksum chain, which the CPU overlaps (one chain over the whole file
    // would be ~2x slower and not what any log does).
    std::vector<std::byte> buffer(kReadChunkBytes);
    std::size_t have = 0;
    std::uint64_t bytes = 0;
    std::uint64_t records = 0;
    const Stopwatch watch;
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data() + have, buffer.size() - have);
      check_errno(n, "read raw W5 log");
      if (n == 0) break;
      have += static_cast<std::size_t>(n);
      bytes += static_cast<std::uint64_t>(n);
      std::size_t at = 0;
      while (have - at >= raw::kHeaderBytes) {
        const std::size_t size = raw::checked_record_bytes(buffer.data() + at, have - at);
        if (size == 0) break;  // runs past the chunk: finish it after the next read
        at += size;
        ++records;
      }
      std::memmove(buffer.data(), buffer.data() + at, have - at);
      have -= at;
    }
    const double seconds = watch.seconds();
    ::close(fd);
    if (have != 0 || records == 0) die("raw W5", "log does not end on a whole record");
    run.throughput("read+crc32c", static_cast<double>(bytes) / seconds / 1e9, "GB/s");
  }
};

}  // namespace

std::unique_ptr<Contender> make_raw_contender() { return std::make_unique<RawContender>(); }

}  // namespace bench
