// The clock of clock.h.
#include "adapters/rocksdb/clock.h"

#include <cstdio>
#include <ctime>
#include <memory>

namespace rocksdb_adapter {

void SimClock::SleepForMicroseconds(int micros) {
  if (micros <= 0) return;
  const std::unique_ptr<wal::Runtime::Mutex> mutex = runtime_.make_mutex();
  const std::unique_ptr<wal::Runtime::CondVar> wake = runtime_.make_condvar();
  mutex->lock();
  wake->wait_for(*mutex, static_cast<std::uint64_t>(micros));
  mutex->unlock();
}

rocksdb::Status SimClock::GetCurrentTime(std::int64_t* unix_time) {
  *unix_time = kEpochSeconds + static_cast<std::int64_t>(clock_.now_us() / 1'000'000);
  return rocksdb::Status::OK();
}

std::string SimClock::TimeToString(std::uint64_t seconds) {
  // PosixClock's format (env/env_posix.cc), in UTC rather than the host's zone.
  const auto when = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&when, &parts);
  char text[80];
  std::snprintf(text, sizeof(text), "%04d/%02d/%02d-%02d:%02d:%02d ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
  return text;
}

}  // namespace rocksdb_adapter
