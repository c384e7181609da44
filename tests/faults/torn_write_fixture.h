// One known pending write over known durable bytes, and what a torn power loss leaves of it:
// the fixture of the torn_fill and torn_scope tests (faults/power_loss.h, sim/torn_fill.h).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/crash_plan.h"
#include "sim/sim_fs.h"
#include "sim/sim_fs_state.h"

namespace faults::torn_write_fixture {

inline constexpr std::byte kOld{0xaa};  // the durable bytes
inline constexpr std::byte kNew{0x55};  // the pending write's

// A file of `durable_bytes` synced bytes kOld, then a pending write of kNew over [offset, end).
inline sim::SimFsState one_pending_write(std::uint64_t durable_bytes, std::uint64_t offset,
                                         std::uint64_t end, const sim::DeviceModel& device = {}) {
  sim::SimFs fs(device);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  EXPECT_TRUE(file->write_at(0, sim::Bytes(durable_bytes, kOld)).is_ok());
  EXPECT_TRUE(file->sync().is_ok());
  EXPECT_TRUE(fs.sync_dir("/").is_ok());
  EXPECT_TRUE(file->write_at(offset, sim::Bytes(end - offset, kNew)).is_ok());
  return fs.state();
}

inline sim::InodeId file_of(const sim::SimFsState& state) { return state.inodes.rbegin()->first; }

// The durable bytes after a power loss that keeps `kept` of the write (relative to its start)
// and fills its lost part as `fill`; `damage_sector_bytes` != 0: torn_scope "sector".
inline sim::Bytes after_torn(const sim::SimFsState& before, std::vector<sim::ByteRange> kept,
                             sim::TornFill fill, std::uint64_t junk_seed = 0,
                             std::uint32_t damage_sector_bytes = 0) {
  sim::OpFate fate = sim::OpFate::torn(std::move(kept), fill, junk_seed);
  fate.damage_sector_bytes = damage_sector_bytes;
  sim::CrashPlan plan;
  plan.files[file_of(before)] = {fate};
  const sim::SimFsState after = sim::apply_crash(before, plan);
  return after.inodes.at(file_of(after)).file.durable.get();
}

// How many of [begin, end) hold `value`.
inline std::size_t count_of(const sim::Bytes& bytes, std::uint64_t begin, std::uint64_t end,
                            std::byte value) {
  std::size_t n = 0;
  for (std::uint64_t i = begin; i < end; ++i) n += bytes[i] == value ? 1 : 0;
  return n;
}

inline bool all_are(const sim::Bytes& bytes, std::uint64_t begin, std::uint64_t end,
                    std::byte value) {
  return count_of(bytes, begin, end, value) == end - begin;
}

}  // namespace faults::torn_write_fixture
