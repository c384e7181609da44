// The production wal::Log (log.cc: group commit, the followers' wait, `immediate`'s wait, the
// spare preparer) on deterministic threads: its runtime is sim::SimRuntime, its Fs is SimFs
// behind a YieldingFs (each call a scheduling point with a device latency on virtual time) and
// a HaltingFs (the power cut). Writers are simulated threads; the seed drives every switch.
//
// Checked: the same seed gives the same schedule, the same SimFs trace and the same results;
// every acknowledged entry of a grouped or immediate log survives a power cut at any Fs
// operation; and each bug planted in log.cc's acknowledgement and thread logic is caught,
// which the step-driven runner (it drives LogCore through its own copy of these loops) cannot.
#include <gtest/gtest.h>


#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/runtime.h>

#include "faults/power_loss.h"
#include "sim/harness/halting_fs.h"
#include "sim/harness/mutants.h"
#include "sim/harness/quiet_log.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"
#include "sim/sim_runtime.h"
#include "sim/thread_scheduler.h"
#include "sim/trace.h"
#include "sim/yielding_fs.h"
#include "testutil/log_entries.h"

namespace {

using testutil::bytes_of;

constexpr int kWriters = 4;
constexpr int kAppendsPerWriter = 12;

struct ThreadedRun {
  sim::ThreadScheduler::Outcome outcome = sim::ThreadScheduler::Outcome::kDone;
  std::string stuck;                    // describe() when the run did not finish
  std::uint64_t schedule_hash = 0;
  std::uint64_t fs_hash = 0;
  std::uint64_t fs_operations = 0;      // Fs calls the Log made (HaltingFs count)
  std::map<wal::Lsn, std::string> acknowledged;
  std::vector<std::string> lost;        // acknowledged entries missing after the power cut
};

// Writers append concurrently through one wal::Log; with `cut_after`, the power goes out at
// that Fs operation, the SimFs loses what a torn power loss may lose, and the log is recovered
// and read back. A run that cannot finish (a deadlock) is a verdict: the scheduler leaks its
// parked threads, which this test binary tolerates.
ThreadedRun run_threaded(std::uint64_t seed, wal::SyncPolicy policy, std::uint64_t cut_after) {
  harness::quiet_wal_log();  // every power cut would log the poisoning
  ThreadedRun result;
  sim::Trace trace(/*keep_events=*/false);
  sim::SimFs fs({}, &trace);
  fs.make_durable_dirs("/");
  sim::ThreadLimits limits;
  limits.max_steps = 2'000'000;
  auto* scheduler = new sim::ThreadScheduler(seed, limits);  // leaked if the run is stuck
  sim::SimRuntime runtime(*scheduler);
  sim::DeviceModel device;
  sim::YieldingFs yielding(fs, *scheduler, device);
  harness::HaltingFs halting(yielding, cut_after);

  result.outcome = scheduler->run([&] {
    wal::Options options;
    options.fs = &halting;
    options.clock = &runtime;
    options.runtime = &runtime;
    options.salt = seed | 1;
    options.sync = policy;
    options.segment_bytes = 2048;  // rotations, onto spares the preparer thread makes
    options.buffer_bytes = 512;
    auto log = wal::Log::open("/wal", options);
    if (!log) return;
    std::vector<std::unique_ptr<wal::Runtime::Thread>> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.push_back(runtime.start_thread("writer", [&, w] {
        for (int i = 0; i < kAppendsPerWriter; ++i) {
          const std::string payload = "w" + std::to_string(w) + "-" + std::to_string(i) +
                                      std::string(static_cast<std::size_t>(i * 7 % 40), '.');
          wal::Result<wal::Lsn> lsn = (*log)->append(bytes_of(payload));
          if (lsn) result.acknowledged[*lsn] = payload;
        }
      }));
    }
    for (auto& writer : writers) writer->join();
    (*log)->close().ignore_error("after a power cut the close fails; nothing to check there");
  });
  result.schedule_hash = scheduler->trace_hash();
  result.fs_operations = halting.operations();
  if (result.outcome != sim::ThreadScheduler::Outcome::kDone) {
    result.stuck = scheduler->describe();
    delete scheduler;  // keeps its state alive for the parked threads (thread_scheduler.h)
    return result;
  }
  delete scheduler;
  result.fs_hash = trace.hash();

  if (halting.halted()) {
    sim::Prng prng(seed ^ 0x706f776572ull);
    faults::crash(fs, faults::PowerLossOptions{}, prng);
  }
  // Recovery and the read-back, single-threaded: a read-only open starts no thread.
  wal::Options options;
  options.fs = &fs;
  options.read_only = true;
  options.create_if_missing = false;
  std::map<wal::Lsn, std::string> recovered;
  auto log = wal::Log::open("/wal", options);
  if (log) {
    auto reader = (*log)->reader(1);
    while (reader) {
      auto entry = (*reader)->next();
      if (!entry || !entry->has_value()) break;
      recovered[(*entry)->lsn] = std::string(reinterpret_cast<const char*>((*entry)->payload.data()),
                                             (*entry)->payload.size());
    }
  }
  for (const auto& [lsn, payload] : result.acknowledged) {
    auto it = recovered.find(lsn);
    if (it == recovered.end() || it->second != payload) {
      result.lost.push_back("LSN " + std::to_string(lsn) + " '" + payload + "'");
    }
  }
  return result;
}

std::string repro(std::uint64_t seed, wal::SyncPolicy policy, std::uint64_t cut) {
  return "seed " + std::to_string(seed) + ", sync " + std::string(wal::to_string(policy)) +
         ", power cut at Fs operation " + std::to_string(cut);
}

TEST(ThreadedLog, TheSameSeedIsTheSameRunBitForBit) {
  std::map<std::uint64_t, int> distinct;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const ThreadedRun a = run_threaded(seed, wal::SyncPolicy::kGrouped, harness::HaltingFs::kUnlimited);
    const ThreadedRun b = run_threaded(seed, wal::SyncPolicy::kGrouped, harness::HaltingFs::kUnlimited);
    ASSERT_EQ(a.outcome, sim::ThreadScheduler::Outcome::kDone) << "seed " << seed << "\n" << a.stuck;
    EXPECT_EQ(a.schedule_hash, b.schedule_hash) << "seed " << seed;
    EXPECT_EQ(a.fs_hash, b.fs_hash) << "seed " << seed;
    EXPECT_EQ(a.acknowledged, b.acknowledged) << "seed " << seed;
    EXPECT_EQ(a.acknowledged.size(), static_cast<std::size_t>(kWriters * kAppendsPerWriter));
    EXPECT_TRUE(a.lost.empty()) << "seed " << seed << ": " << a.lost.front();
    ++distinct[a.schedule_hash];
  }
  // The seed really drives the interleaving: not one schedule for every seed.
  EXPECT_GT(distinct.size(), 15u);
}

// The schedules of seeds 1-5 pinned (tests/golden/threaded-log-hashes.txt): a schedule that
// differs on another machine or compiler is a determinism bug; WAL_UPDATE_GOLDEN=1 rewrites
// the file for a deliberate change.
TEST(ThreadedLog, SchedulesOfFixedSeedsHashAsPinned) {
  const std::string golden =
      (std::filesystem::path(WAL_SOURCE_DIR) / "tests" / "golden" / "threaded-log-hashes.txt").string();
  std::string actual = "# tests/harness/threaded_log_test.cc: <seed> <schedule hash> <SimFs trace hash>\n";
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const ThreadedRun run = run_threaded(seed, wal::SyncPolicy::kGrouped, harness::HaltingFs::kUnlimited);
    char line[96];
    std::snprintf(line, sizeof line, "%llu %016llx %016llx\n", static_cast<unsigned long long>(seed),
                  static_cast<unsigned long long>(run.schedule_hash),
                  static_cast<unsigned long long>(run.fs_hash));
    actual += line;
  }
  if (std::getenv("WAL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::trunc) << actual;
    return;
  }
  std::ifstream in(golden);
  const std::string pinned((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(actual, pinned) << golden << " differs: a determinism bug, or a deliberate change "
                            << "that must update it (WAL_UPDATE_GOLDEN=1)";
}

// Every acknowledged entry survives a power cut at any of a run's Fs operations (a spread of
// them per seed): the production group commit, followers and `immediate` waits under crashes.
std::vector<std::string> sweep_cuts(wal::SyncPolicy policy, std::uint64_t seeds, std::string* stuck) {
  std::vector<std::string> failures;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const ThreadedRun full = run_threaded(seed, policy, harness::HaltingFs::kUnlimited);
    if (full.outcome != sim::ThreadScheduler::Outcome::kDone) {
      *stuck = repro(seed, policy, 0) + ": the run did not finish\n" + full.stuck;
      return failures;
    }
    if (!full.lost.empty()) failures.push_back(repro(seed, policy, 0) + ": lost " + full.lost.front());
    sim::Prng prng(seed);
    for (int k = 0; k < 6; ++k) {
      const std::uint64_t cut = 1 + prng.below(full.fs_operations);
      const ThreadedRun run = run_threaded(seed, policy, cut);
      if (run.outcome != sim::ThreadScheduler::Outcome::kDone) {
        *stuck = repro(seed, policy, cut) + ": the run did not finish\n" + run.stuck;
        return failures;
      }
      if (!run.lost.empty()) failures.push_back(repro(seed, policy, cut) + ": lost " + run.lost.front());
    }
  }
  return failures;
}

TEST(ThreadedLog, AcknowledgedEntriesSurviveAPowerCutAtAnyFsOperation) {
  for (wal::SyncPolicy policy : {wal::SyncPolicy::kGrouped, wal::SyncPolicy::kImmediate}) {
    std::string stuck;
    const std::vector<std::string> failures = sweep_cuts(policy, 12, &stuck);
    EXPECT_TRUE(stuck.empty()) << stuck;
    EXPECT_TRUE(failures.empty()) << failures.size() << " runs lost an acknowledged entry, first: "
                                  << failures.front();
  }
}

// The bugs planted in log.cc (docs/bug-zoo.md, harness::log_runtime_mutants()): each must be
// caught here, by an acknowledged entry lost to a power cut or by a deadlock verdict.
void expect_caught(const std::string& name, wal::SyncPolicy policy) {
  if (!harness::mutants_available()) GTEST_SKIP() << "this build has no mutant points (WAL_FIU=OFF)";
  harness::ScopedMutant mutant(name);
  std::string stuck;
  const std::vector<std::string> failures = sweep_cuts(policy, 12, &stuck);
  EXPECT_FALSE(failures.empty()) << name << " survived";
  if (!failures.empty()) std::printf("%s caught: %s\n", name.c_str(), failures.front().c_str());
}

TEST(ThreadedLog, AFollowerAcknowledgingTheSyncInFlightIsCaught) {
  expect_caught("log-follower-acks-in-flight", wal::SyncPolicy::kGrouped);
}

TEST(ThreadedLog, ImmediateRidingAnotherThreadsSyncIsCaught) {
  expect_caught("log-immediate-rides-inflight-sync", wal::SyncPolicy::kImmediate);
}

TEST(ThreadedLog, ALeaderThatForgetsItsFollowersIsADeadlockVerdict) {
  if (!harness::mutants_available()) GTEST_SKIP() << "this build has no mutant points (WAL_FIU=OFF)";
  harness::ScopedMutant mutant("log-leader-forgets-followers");
  ThreadedRun run;
  std::uint64_t seed = 1;
  for (; seed <= 20; ++seed) {
    run = run_threaded(seed, wal::SyncPolicy::kGrouped, harness::HaltingFs::kUnlimited);
    if (run.outcome != sim::ThreadScheduler::Outcome::kDone) break;
  }
  ASSERT_EQ(run.outcome, sim::ThreadScheduler::Outcome::kDeadlock)
      << "log-leader-forgets-followers survived 20 seeds";
  EXPECT_NE(run.stuck.find("waits on a condition variable"), std::string::npos) << run.stuck;
  std::printf("caught at seed %llu:\n%s", static_cast<unsigned long long>(seed), run.stuck.c_str());
}

}  // namespace
