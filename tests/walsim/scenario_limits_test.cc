// Every limit a scenario key has (those wal::LogCore::open and append enforce, the simulator's
// and the device model's), one bad value per key and per class of mistake: out-of-range sizes,
// non-power-of-two sectors and pages, sector > page, negative and overflowing numbers, wrong
// types. Each must be one error that names the key and the line that sets it, so a scenario
// the WAL would refuse never reaches a run and fails every seed as if the WAL were at fault.
#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "sim/walsim/scenario.h"
#include "sim/walsim/scenario_limits.h"
#include "wal/src/record_format.h"

namespace walsim {
namespace {

// The parser's copy of the WAL's format limits must be the WAL's.
static_assert(limits::kWalSegmentBytesMax ==
              static_cast<std::int64_t>(wal::format::kMaxSegmentBytes));
static_assert(limits::kSegmentHeaderBytes ==
              static_cast<std::int64_t>(wal::format::kSegmentHeaderBytes));
static_assert(limits::record_bytes(0) == wal::format::record_bytes(0));
static_assert(limits::record_bytes(1) == wal::format::record_bytes(1));
static_assert(limits::record_bytes(4093) == wal::format::record_bytes(4093));
// The simulator's ranges sit inside the WAL's: what parses, LogCore::open accepts.
static_assert(limits::kSegmentBytesMin >=
              limits::kSegmentHeaderBytes + static_cast<std::int64_t>(limits::record_bytes(1)));
static_assert(limits::kSegmentBytesMax <= limits::kWalSegmentBytesMax);

struct Limit {
  const char* text;  // after `name = "x"` on line 1
  ErrorKind kind;
  const char* key;
  std::uint32_t line;
};

class LimitTest : public testing::TestWithParam<Limit> {};

TEST_P(LimitTest, IsOneErrorNamingTheKeyAndItsLine) {
  const Limit& bad = GetParam();
  const ParseResult r = parse_scenario(std::string("name = \"x\"\n") + bad.text, "s.toml");
  ASSERT_EQ(r.errors.size(), 1u) << bad.text
                                 << (r.errors.empty() ? "" : "\n" + r.errors[0].to_string());
  const ScenarioError& e = r.errors.front();
  EXPECT_EQ(e.kind, bad.kind) << e.to_string();
  EXPECT_EQ(e.key, bad.key) << e.to_string();
  EXPECT_EQ(e.line, bad.line) << e.to_string();
  EXPECT_NE(e.to_string().find(bad.key), std::string::npos) << e.to_string();
  EXPECT_EQ(e.to_string().rfind(fmt::format("s.toml:{}: ", bad.line), 0), 0u) << e.to_string();
}

constexpr ErrorKind kRange = ErrorKind::kRange;
constexpr ErrorKind kType = ErrorKind::kType;
constexpr ErrorKind kSyntax = ErrorKind::kSyntax;

INSTANTIATE_TEST_SUITE_P(
    WalLimits, LimitTest,
    testing::Values(
        // The outside finding: 1 TiB + 1000 * 1000 parsed and failed every seed.
        Limit{"[wal]\nsegment_bytes = 1099511627777000\n", kRange, "wal.segment_bytes", 3},
        Limit{"[wal]\nsegment_bytes = 1099511627777\n", kRange, "wal.segment_bytes", 3},
        Limit{"[wal]\nsegment_bytes = 1073741825\n", kRange, "wal.segment_bytes", 3},
        Limit{"[wal]\nsegment_bytes = 4095\n", kRange, "wal.segment_bytes", 3},
        Limit{"[wal]\nsegment_bytes = -4096\n", kRange, "wal.segment_bytes", 3},
        Limit{"[wal]\nsync_interval_us = -5\n", kRange, "wal.sync_interval_us", 3},
        Limit{"[wal]\nsync_every_bytes = -1\n", kRange, "wal.sync_every_bytes", 3},
        Limit{"[wal]\ngroup_window_us = -1\n", kRange, "wal.group_window_us", 3},
        Limit{"[wal]\nmax_segments = -1\n", kRange, "wal.max_segments", 3},
        Limit{"[wal]\nmax_segments = 4294967296\n", kRange, "wal.max_segments", 3},
        Limit{"[wal]\nmax_bytes = -1\n", kRange, "wal.max_bytes", 3},
        Limit{"[wal]\nmax_entry_bytes = 0\n", kRange, "wal.max_entry_bytes", 3},
        Limit{"[wal]\nmax_entry_bytes = 16777217\n", kRange, "wal.max_entry_bytes", 3},
        Limit{"[wal]\nbuffer_bytes = 0\n", kRange, "wal.buffer_bytes", 3},
        Limit{"[wal]\nbuffer_bytes = 268435457\n", kRange, "wal.buffer_bytes", 3},
        Limit{"[wal]\nbuffer_bytes = 4294967295\n", kRange, "wal.buffer_bytes", 3},
        // Entries the WAL would refuse, or that no segment can hold: blamed on the key set last.
        Limit{"[workload]\nentry_bytes = [1, 5000]\n[wal]\nmax_entry_bytes = 4096\n", kRange,
              "wal.max_entry_bytes", 5},
        Limit{"[wal]\nmax_entry_bytes = 4096\n[workload]\nentry_bytes = [1, 5000]\n", kRange,
              "workload.entry_bytes", 5},
        Limit{"[wal]\nsegment_bytes = 4096\n[workload]\nentry_bytes = [1, 4096]\n", kRange,
              "workload.entry_bytes", 5},
        Limit{"[workload]\nentry_bytes = 8150\n[wal]\nsegment_bytes = 8192\n", kRange,
              "wal.segment_bytes", 5},
        // A [script] replaces the drawn workload: its entries are the ones checked.
        Limit{"[wal]\nmax_entry_bytes = 100\n[script]\n"
              "ops = [{ writer = 0, index = 0, kind = \"append\", bytes = [200] }]\n",
              kRange, "script.ops", 5},
        Limit{"[script]\nops = [{ writer = 0, index = 0, kind = \"append\", bytes = [9000] }]\n"
              "[wal]\nsegment_bytes = 8192\n",
              kRange, "wal.segment_bytes", 5}));

INSTANTIATE_TEST_SUITE_P(
    DeviceLimits, LimitTest,
    testing::Values(
        // The outside finding: this blamed page_bytes at line 1.
        Limit{"[device]\nsector_bytes = 500\n", kRange, "device.sector_bytes", 3},
        Limit{"[device]\nsector_bytes = 0\n", kRange, "device.sector_bytes", 3},
        Limit{"[device]\nsector_bytes = -512\n", kRange, "device.sector_bytes", 3},
        Limit{"[device]\nsector_bytes = 2097152\n", kRange, "device.sector_bytes", 3},
        Limit{"[device]\npage_bytes = 1000\n", kRange, "device.page_bytes", 3},
        Limit{"[device]\npage_bytes = 6144\n", kRange, "device.page_bytes", 3},
        Limit{"[device]\npage_bytes = 33554432\n", kRange, "device.page_bytes", 3},
        // sector > page: the key the file sets, or of two the later one.
        Limit{"[device]\nsector_bytes = 8192\n", kRange, "device.sector_bytes", 3},
        Limit{"[device]\npage_bytes = 256\n", kRange, "device.page_bytes", 3},
        Limit{"[device]\nsector_bytes = 4096\npage_bytes = 2048\n", kRange, "device.page_bytes",
              4},
        Limit{"[device]\npage_bytes = 2048\nsector_bytes = 4096\n", kRange,
              "device.sector_bytes", 4},
        Limit{"[device]\nfsync_latency_us = [-1, 5]\n", kRange, "device.fsync_latency_us", 3},
        Limit{"[device]\nwrite_latency_us = 60000001\n", kRange, "device.write_latency_us", 3},
        Limit{"[device]\ncapacity_bytes = -1\n", kRange, "device.capacity_bytes", 3}));

INSTANTIATE_TEST_SUITE_P(
    CountsAndProbabilities, LimitTest,
    testing::Values(
        Limit{"seeds = -1\n", kRange, "seeds", 2},
        Limit{"seeds = 100000001\n", kRange, "seeds", 2},
        Limit{"first_seed = -1\n", kRange, "first_seed", 2},
        Limit{"max_steps = 999\n", kRange, "max_steps", 2},
        Limit{"max_steps = 1000000001\n", kRange, "max_steps", 2},
        Limit{"[workload]\nwriters = 257\n", kRange, "workload.writers", 3},
        Limit{"[workload]\nwriters = -1\n", kRange, "workload.writers", 3},
        Limit{"[workload]\nops = 10000001\n", kRange, "workload.ops", 3},
        Limit{"[workload]\nentry_bytes = [-1, 5]\n", kRange, "workload.entry_bytes", 3},
        Limit{"[workload]\nentry_bytes = 16777217\n", kRange, "workload.entry_bytes", 3},
        Limit{"[workload]\ncheckpoint_every = -1\n", kRange, "workload.checkpoint_every", 3},
        Limit{"[workload]\nbatch_entries_max = 4097\n", kRange, "workload.batch_entries_max",
              3},
        Limit{"[workload]\nsync_ratio = 1.5\n", kRange, "workload.sync_ratio", 3},
        Limit{"[workload]\ntruncate_ratio = -0.5\n", kRange, "workload.truncate_ratio", 3},
        Limit{"[workload]\nreopen_ratio = 2\n", kRange, "workload.reopen_ratio", 3},
        Limit{"[crash]\ncount = 65\n", kRange, "crash.count", 3},
        Limit{"[crash]\ncount = -1\n", kRange, "crash.count", 3},
        Limit{"[crash]\nepochs = 65\n", kRange, "crash.epochs", 3},
        Limit{"[crash]\nat = \"op:-1\"\n", kRange, "crash.at", 3},
        Limit{"[crash]\nat = \"op:99999999999999999999999\"\n", kRange, "crash.at", 3},
        Limit{"[crash]\nat = \"time:soon\"\n", kRange, "crash.at", 3},
        Limit{"[faults]\nfsync_eio = -0.1\n", kRange, "faults.fsync_eio", 3},
        Limit{"[faults]\nwrite_eio = 1.1\n", kRange, "faults.write_eio", 3},
        Limit{"[faults]\nwrite_short = 2\n", kRange, "faults.write_short", 3},
        Limit{"[faults]\nread_eio = -1\n", kRange, "faults.read_eio", 3},
        Limit{"[faults]\nlatent_sector = 1.5\n", kRange, "faults.latent_sector", 3},
        Limit{"[faults]\nmisdirected_write = 7\n", kRange, "faults.misdirected_write", 3},
        Limit{"[faults]\nbit_flip = nan\n", kRange, "faults.bit_flip", 3},
        Limit{"[faults]\nenospc_after_bytes = -1\n", kRange, "faults.enospc_after_bytes", 3}));

// A number past 64 bits is not TOML: still the key and its line, not only the line.
INSTANTIATE_TEST_SUITE_P(
    Overflow, LimitTest,
    testing::Values(
        Limit{"seeds = 99999999999999999999\n", kSyntax, "seeds", 2},
        Limit{"[wal]\nsegment_bytes = 99999999999999999999\n", kSyntax, "wal.segment_bytes", 3},
        Limit{"[device]\natomic_sector = true\nsector_bytes = -99999999999999999999\n", kSyntax,
              "device.sector_bytes", 4},
        Limit{"[crash]\ncount = 18446744073709551616\n", kSyntax, "crash.count", 3}));

INSTANTIATE_TEST_SUITE_P(
    WrongTypes, LimitTest,
    testing::Values(
        Limit{"[device]\nsector_bytes = \"512\"\n", kType, "device.sector_bytes", 3},
        Limit{"[device]\npage_bytes = 4096.0\n", kType, "device.page_bytes", 3},
        Limit{"[device]\ncapacity_bytes = [1]\n", kType, "device.capacity_bytes", 3},
        Limit{"[wal]\nbuffer_bytes = true\n", kType, "wal.buffer_bytes", 3},
        Limit{"[wal]\nmax_entry_bytes = \"1M\"\n", kType, "wal.max_entry_bytes", 3},
        Limit{"[wal]\nmax_bytes = 1e9\n", kType, "wal.max_bytes", 3},
        Limit{"[crash]\nepochs = \"2\"\n", kType, "crash.epochs", 3},
        Limit{"[faults]\nmisdirected_write = \"x\"\n", kType, "faults.misdirected_write", 3},
        Limit{"[workload]\nreopen_ratio = [0.1]\n", kType, "workload.reopen_ratio", 3},
        Limit{"[workload]\nops = 1.5\n", kType, "workload.ops", 3}));

TEST(ScenarioLimitsTest, TheLargestValuesInRangeParse) {
  const ParseResult r = parse_scenario(
      "name = \"x\"\n[wal]\nsegment_bytes = 1073741824\nmax_entry_bytes = 16777216\n"
      "buffer_bytes = 268435456\n[workload]\nentry_bytes = [1, 16777216]\n"
      "[device]\nsector_bytes = 1048576\npage_bytes = 16777216\n",
      "s.toml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
}

}  // namespace
}  // namespace walsim
