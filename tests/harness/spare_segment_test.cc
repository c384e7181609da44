// The spare segment (log_core.h: begin_prepare/run_prepare/finish_prepare, and a rotation that
// publishes the spare instead of creating a segment) under power loss: the workload below
// prepares spares at some rotations and not at others, syncs after every append, and is cut at
// every one of its Fs operations in turn (HaltingFs); at each cut every distinct post-crash state
// of the torn-write policy is recovered and must hold every entry whose sync returned, in order,
// and nothing that was never appended. The same check must fail when the bug zoo's skip-dir-sync
// is switched on after the open, and fail at a cut where only rotations onto a spare had
// happened, or it proves nothing about them.
#include <gtest/gtest.h>

#include <fiu-control.h>
#include <fiu.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <wal/clock.h>
#include <wal/log_core.h>

#include "faults/crash_enumerator.h"
#include "sim/harness/halting_fs.h"
#include "sim/sim_fs.h"
#include "testutil/log_entries.h"
#include "wal/src/mutant.h"

namespace {

using testutil::bytes_of;

class ZeroClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return 0; }
};

constexpr int kEntries = 60;

wal::Options spare_options() {
  wal::Options options;
  options.sync = wal::SyncPolicy::kImmediate;
  options.segment_bytes = 2048;  // a rotation every 7 entries
  options.buffer_bytes = 4096;
  options.salt = 0x5ba4e;
  return options;
}

std::string payload_for(int i) { return std::string(200, static_cast<char>('a' + i % 26)); }

struct Cut {
  std::uint64_t operations = 0;  // Fs operations the workload attempted (all of them: unbounded)
  int durable = 0;               // entries 1..durable had their sync return OK before the cut
  int appended = 0;              // entries handed to append() before the cut
  std::uint64_t rotations_onto_spare = 0;
  std::uint64_t rotations = 0;
};

// Runs the workload on `fs` until its Fs operations run out (`budget`). `mutant`: a bug zoo
// point switched on once the log is open (so the first segment, created by the open, is sound)
// and off again before the return.
Cut run_until_cut(sim::SimFs& fs, std::uint64_t budget, const char* mutant = nullptr) {
  harness::HaltingFs halting(fs, budget);
  ZeroClock clock;
  Cut cut;
  wal::Result<std::unique_ptr<wal::LogCore>> opened =
      wal::LogCore::open(halting, clock, "/log", spare_options());
  if (opened && mutant != nullptr) {
    EXPECT_EQ(wal::mutant::enable(mutant), 0);
  }
  if (opened) {
    wal::LogCore& core = **opened;
    for (int i = 0; i < kEntries && !halting.halted(); ++i) {
      // A spare for two rotations in three; the third creates its segment inline.
      if (core.spare_wanted() && core.metrics().rotations.load() % 3 != 2) {
        wal::PrepareTicket ticket = core.begin_prepare();
        wal::LogCore::run_prepare(ticket);
        core.finish_prepare(std::move(ticket));
      }
      cut.appended = i + 1;
      if (!core.append(bytes_of(payload_for(i)))) {
        break;
      }
      wal::Result<wal::SyncTicket> ticket = core.begin_sync();
      if (!ticket) break;
      const wal::Status synced = wal::LogCore::run_sync(*ticket);
      core.finish_sync(*ticket, synced);
      if (!synced) break;
      cut.durable = i + 1;
    }
    const wal::MetricsSnapshot metrics = core.metrics().snapshot();
    cut.rotations = metrics.rotations;
    cut.rotations_onto_spare = metrics.rotations_onto_spare;
    const wal::Status closed = core.close();
    if (!halting.halted()) {
      EXPECT_TRUE(closed.is_ok()) << closed.to_string();
    }
  }
  if (mutant != nullptr) {
    wal::mutant::disable(mutant);
  }
  cut.operations = halting.operations();
  return cut;
}

// Every post-crash state of `state`: the first problem found, or "" when all recover well.
std::string check_crash_states(const sim::SimFsState& state, const Cut& cut,
                               std::uint64_t* states) {
  std::string problem;
  faults::EnumerateOptions options;
  options.policy = faults::CrashPolicy::kTorn;
  options.max_states = 2000;
  faults::enumerate_crash_states(
      state, sim::DeviceModel{}, options,
      [&](const sim::SimFsState& crashed, const sim::CrashPlan&, std::uint64_t) {
        ++*states;
        sim::SimFs fs;
        fs.restore(crashed);
        ZeroClock clock;
        wal::Result<std::unique_ptr<wal::LogCore>> core =
            wal::LogCore::open(fs, clock, "/log", spare_options());
        if (!core) {
          problem = "recovery failed: " + core.status().to_string();
          return false;
        }
        wal::Result<std::unique_ptr<wal::Reader>> reader = (*core)->reader(1);
        if (!reader) {
          problem = "reader failed: " + reader.status().to_string();
          return false;
        }
        const std::vector<testutil::Seen> seen = testutil::read_all(**reader);
        if (static_cast<int>(seen.size()) < cut.durable) {
          problem = "lost durable entries: " + std::to_string(seen.size()) + " of " +
                    std::to_string(cut.durable) + " recovered";
          return false;
        }
        for (std::size_t i = 0; i < seen.size(); ++i) {
          if (seen[i].lsn != i + 1 || static_cast<int>(i) >= cut.appended ||
              seen[i].payload != payload_for(static_cast<int>(i))) {
            problem = "entry " + std::to_string(i + 1) + " is not the one appended";
            return false;
          }
        }
        return true;
      });
  return problem;
}

struct Sweep {
  std::string first_problem;
  Cut failing_cut;  // the cut of first_problem
  std::uint64_t cuts = 0;
  std::uint64_t states = 0;
  std::uint64_t rotations_onto_spare = 0;
  std::uint64_t rotations = 0;
};

Sweep sweep_every_cut(const char* mutant = nullptr) {
  Sweep sweep;
  sim::SimFs counting;
  const Cut whole = run_until_cut(counting, harness::HaltingFs::kUnlimited, mutant);
  sweep.rotations = whole.rotations;
  sweep.rotations_onto_spare = whole.rotations_onto_spare;
  for (std::uint64_t budget = 0; budget <= whole.operations; ++budget) {
    sim::SimFs fs;
    const Cut cut = run_until_cut(fs, budget, mutant);
    ++sweep.cuts;
    const std::string problem = check_crash_states(fs.state(), cut, &sweep.states);
    if (!problem.empty()) {
      sweep.first_problem = "cut after " + std::to_string(budget) + " Fs operations: " + problem;
      sweep.failing_cut = cut;
      return sweep;
    }
  }
  return sweep;
}

TEST(SpareSegmentCrashTest, EveryCutOfPreparationAndRotationRecoversEveryDurableEntry) {
  const Sweep sweep = sweep_every_cut();
  EXPECT_EQ(sweep.first_problem, "");
  // The workload must exercise both kinds of rotation, or the sweep proves less than it says.
  EXPECT_GE(sweep.rotations_onto_spare, 3u);
  EXPECT_GT(sweep.rotations, sweep.rotations_onto_spare);
  EXPECT_GT(sweep.cuts, 150u);
  RecordProperty("cuts", static_cast<int>(sweep.cuts));
  RecordProperty("states", static_cast<int>(sweep.states));
}

TEST(SpareSegmentCrashTest, TheSweepCatchesARotationThatSkipsTheDirectorySync) {
  ASSERT_EQ(fiu_init(0), 0);
  const Sweep sweep = sweep_every_cut("wal/mutant/skip-dir-sync");
  EXPECT_NE(sweep.first_problem.find("lost durable entries"), std::string::npos)
      << sweep.first_problem;
  // The first segment came from the open, with its directory synced: what the sweep caught is a
  // segment published by a rotation onto a spare, the only kind that had happened by then.
  EXPECT_GE(sweep.failing_cut.rotations_onto_spare, 1u);
  EXPECT_EQ(sweep.failing_cut.rotations, sweep.failing_cut.rotations_onto_spare);
}

TEST(SpareSegmentTest, CloseRemovesTheSpareAndReopenDeletesALeftoverOne) {
  sim::SimFs fs;
  ZeroClock clock;
  {
    auto core = wal::LogCore::open(fs, clock, "/log", spare_options());
    ASSERT_TRUE(core.is_ok()) << core.status().to_string();
    wal::PrepareTicket ticket = (*core)->begin_prepare();
    wal::LogCore::run_prepare(ticket);
    (*core)->finish_prepare(std::move(ticket));
    ASSERT_TRUE((*core)->has_spare());
    ASSERT_TRUE(fs.stat("/log/spare-segment.tmp").is_ok());
    ASSERT_TRUE((*core)->close().is_ok());
    EXPECT_FALSE(fs.stat("/log/spare-segment.tmp").is_ok());
  }
  {
    auto core = wal::LogCore::open(fs, clock, "/log", spare_options());
    ASSERT_TRUE(core.is_ok());
    wal::PrepareTicket ticket = (*core)->begin_prepare();
    wal::LogCore::run_prepare(ticket);
    (*core)->finish_prepare(std::move(ticket));
    // Destroyed without close: a crash, as far as the log is concerned.
  }
  ASSERT_TRUE(fs.stat("/log/spare-segment.tmp").is_ok());
  auto core = wal::LogCore::open(fs, clock, "/log", spare_options());
  ASSERT_TRUE(core.is_ok());
  EXPECT_FALSE(fs.stat("/log/spare-segment.tmp").is_ok()) << "a leftover *.tmp is deleted at open";
  EXPECT_TRUE((*core)->close().is_ok());
}

}  // namespace
