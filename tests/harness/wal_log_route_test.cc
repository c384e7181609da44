// The WAL's log lines in simulation go into the run's trace, never to the terminal
// (wal_log_route.h).
#include "sim/harness/wal_log_route.h"

#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "sim/harness/quiet_log.h"
#include "sim/harness/runner.h"

namespace harness {
namespace {

TEST(WalLogRoute, LinesGoToThisThreadsListenerAndNestedListenersRestore) {
  route_wal_log();
  std::shared_ptr<spdlog::logger> wal = spdlog::get("wal");
  ASSERT_NE(wal, nullptr);
  std::vector<std::string> outer;
  std::vector<std::string> inner;
  {
    const ScopedWalLogListener a([&](std::string_view level, std::string_view text) {
      outer.push_back(std::string(level) + " " + std::string(text));
    });
    wal->error("first {}", 1);
    {
      const ScopedWalLogListener b([&](std::string_view level, std::string_view text) {
        inner.push_back(std::string(level) + " " + std::string(text));
      });
      wal->warn("second");
    }
    wal->debug("below the level: dropped");
    wal->error("third");
  }
  testing::internal::CaptureStderr();
  wal->error("nobody listens");  // dropped, not printed
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(outer, (std::vector<std::string>{"error first 1", "error third"}));
  EXPECT_EQ(inner, (std::vector<std::string>{"warning second"}));
}

TEST(WalLogRoute, APowerCutsLogLinesAreNotesOfTheRunsTrace) {
  RunConfig config;
  config.workload.ops = 20;
  config.crash.at = CrashAt{CrashAt::Kind::kOp, 10};
  sim::Trace trace;
  testing::internal::CaptureStderr();
  const RunResult result = run_simulation(config, 3, &trace);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  std::vector<std::string> lines;
  for (const sim::Event& e : trace.events()) {
    if (e.kind == sim::EventKind::kNote && e.name == "log") lines.push_back(e.path + " " + e.detail);
  }
  ASSERT_FALSE(lines.empty()) << trace.dump();
  EXPECT_NE(lines.front().find("simulated power cut"), std::string::npos) << lines.front();
  // Same seed, same lines, same hash.
  sim::Trace again;
  EXPECT_EQ(run_simulation(config, 3, &again).trace_hash, result.trace_hash);
}

// A quiet_wal_log() earlier in the process (a real-disk run, a test) must not change what a
// later simulated run's trace holds: before, the level stayed off and the run hashed no log
// lines, so the same seed gave another hash than in a fresh process.
TEST(WalLogRoute, AQuietLogEarlierInTheProcessDoesNotChangeARunsTrace) {
  RunConfig config;
  config.workload.ops = 20;
  config.crash.at = CrashAt{CrashAt::Kind::kOp, 10};
  const RunResult before = run_simulation(config, 3);
  quiet_wal_log();
  const RunResult after = run_simulation(config, 3);
  EXPECT_EQ(after.trace_hash, before.trace_hash);
}

}  // namespace
}  // namespace harness
