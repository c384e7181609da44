// rocksdb::SystemClock on the run's virtual wal::Clock: RocksDB's times (write stalls' delays,
// the info LOG, LOG.old.<micros> names, compaction statistics) come from the run, never from
// the host. SleepForMicroseconds is a timed wait on the run's runtime (virtual time passes,
// the scheduler may run another simulated thread). GetCurrentTime is a fixed epoch plus the
// virtual time: RocksDB writes it into table properties (creation_time, file_creation_time),
// which must not vary between runs of one seed.
#pragma once

#include <cstdint>
#include <string>

#include <rocksdb/system_clock.h>

#include <wal/clock.h>
#include <wal/runtime.h>

namespace rocksdb_adapter {

class SimClock final : public rocksdb::SystemClock {
 public:
  // 2026-01-01 00:00:00 UTC: the virtual time's zero as a calendar date.
  static constexpr std::int64_t kEpochSeconds = 1'767'225'600;

  SimClock(wal::Clock& clock, wal::Runtime& runtime) : clock_(clock), runtime_(runtime) {}

  const char* Name() const override { return "WalSimClock"; }
  std::uint64_t NowMicros() override { return clock_.now_us(); }
  std::uint64_t NowNanos() override { return clock_.now_us() * 1000; }
  void SleepForMicroseconds(int micros) override;
  rocksdb::Status GetCurrentTime(std::int64_t* unix_time) override;
  std::string TimeToString(std::uint64_t seconds) override;

 private:
  wal::Clock& clock_;
  wal::Runtime& runtime_;
};

}  // namespace rocksdb_adapter
