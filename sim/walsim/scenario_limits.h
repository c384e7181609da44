// The limits of the scenario keys, in one place: those wal::LogCore::open and append enforce
// (a value past them would make every seed fail as if the WAL were at fault), those of the
// simulator (SimFs keeps every byte of every file in memory) and those of the device model.
// The parser (scenario.cc) checks each key against its range as it reads it; the rules that
// tie several keys together are here, checked once the whole file is read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/harness/run_config.h"

namespace walsim::limits {

// wal::LogCore::open: a segment holds its 64-byte header and at least one record, and at most
// 1 TiB (wal/src/record_format.h kMaxSegmentBytes). The simulator holds a preallocated segment
// in memory, several times over (visible, durable, crash images), so it stops far lower.
inline constexpr std::int64_t kSegmentHeaderBytes = 64;
inline constexpr std::int64_t kRecordHeaderBytes = 40;
inline constexpr std::int64_t kRecordAlign = 8;
inline constexpr std::int64_t kWalSegmentBytesMax = std::int64_t{1} << 40;
inline constexpr std::int64_t kSegmentBytesMin = 4096;
inline constexpr std::int64_t kSegmentBytesMax = std::int64_t{1} << 30;
// wal::LogCore::open rejects 0; entries are at most 16 MiB in the simulator's workloads.
inline constexpr std::int64_t kEntryBytesMax = 16 << 20;
// The WAL allocates its write buffer twice (buffer and in-flight copy) at open.
inline constexpr std::int64_t kBufferBytesMax = 256 << 20;
// Device geometry: powers of two, sector <= page.
inline constexpr std::int64_t kSectorBytesMax = 1 << 20;
inline constexpr std::int64_t kPageBytesMax = 1 << 24;
inline constexpr std::int64_t kLatencyUsMax = 60'000'000;
inline constexpr std::int64_t kSeedsMax = 100'000'000;
inline constexpr std::int64_t kOpsMax = 10'000'000;
inline constexpr std::int64_t kWritersMax = 256;
inline constexpr std::int64_t kCrashCountMax = 64;
inline constexpr std::int64_t kBatchEntriesMax = 4096;
inline constexpr std::int64_t kMaxStepsMin = 1000;
// The scheduler's bound is what turns a livelock into a "hang" verdict; past ~1e9 steps (tens of
// minutes a run) a stuck run would look like walsim hanging instead.
inline constexpr std::int64_t kMaxStepsMax = 1'000'000'000;
inline constexpr std::int64_t kU63Max = INT64_MAX;

// Bytes a record with this payload takes in a segment (wal/src/record_format.h record_bytes).
constexpr std::uint64_t record_bytes(std::uint64_t payload_bytes) {
  return (kRecordHeaderBytes + payload_bytes + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
}

constexpr bool power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// A rule spanning keys that the config breaks: the dotted keys involved (the error names the
// one the file sets last, so the line points at something the user wrote) and why.
struct CrossKeyProblem {
  std::vector<std::string> keys;
  std::string message;
};
std::vector<CrossKeyProblem> check_cross_keys(const harness::RunConfig& config);

}  // namespace walsim::limits
