// RapidCheck over concurrent simulated writers (SPEC 4.6, second state test): several writer
// tasks under the deterministic scheduler (no threads) drive the real LogCore with `grouped` or
// `periodic` commits; the generated case is an explicit Script (script.h): per-writer command
// lists, a crash point anywhere among the Fs operations, and the scheduler's seed. The model is
// the harness oracle ({durable, pending} per LSN, from what each call returned) and the checks
// are the SPEC 4.3 invariants. RapidCheck shrinks the command lists and the crash point and
// prints the RC_PARAMS reproduce string.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/harness/runner.h"

namespace harness {
namespace {

rc::Gen<Op> op_gen() {
  return rc::gen::mapcat(rc::gen::inRange(0, 10), [](int pick) {
    if (pick < 5) {
      return rc::gen::map(rc::gen::inRange<std::uint32_t>(0, 700), [](std::uint32_t size) {
        Op op;
        op.kind = OpKind::kAppend;
        op.entry_bytes = {size};
        return op;
      });
    }
    if (pick < 7) {
      return rc::gen::map(rc::gen::container<std::vector<std::uint32_t>>(
                              rc::gen::inRange<std::uint32_t>(0, 300)),
                          [](std::vector<std::uint32_t> sizes) {
                            Op op;
                            op.kind = OpKind::kBatch;
                            sizes.resize(std::clamp<std::size_t>(sizes.size(), 2, 6), 10);
                            op.entry_bytes = std::move(sizes);
                            return op;
                          });
    }
    const OpKind kind = pick == 7 ? OpKind::kSync : pick == 8 ? OpKind::kCheckpoint : OpKind::kRead;
    return rc::gen::map(rc::gen::inRange<std::uint32_t>(0, 1'000'000), [kind](std::uint32_t at) {
      Op op;
      op.kind = kind;
      op.position_ppm = at;
      if (kind == OpKind::kCheckpoint) op.entry_bytes = {at % 200 + 1};
      return op;
    });
  });
}

void check_concurrent_writers(wal::SyncPolicy policy) {
  const auto writers = *rc::gen::inRange<std::uint32_t>(2, 5);
  Script script;
  script.payload_seed = *rc::gen::arbitrary<std::uint64_t>();
  script.writers.resize(writers);
  std::uint32_t index = 0;
  for (std::uint32_t w = 0; w < writers; ++w) {
    for (Op op : *rc::gen::container<std::vector<Op>>(op_gen())) {
      op.writer = w;
      op.index = index++;
      script.writers[w].push_back(std::move(op));
    }
  }
  script.crash = CrashAt{CrashAt::Kind::kFsOp, *rc::gen::inRange<std::uint64_t>(0, 400)};
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();

  RunConfig config;
  config.wal.sync = policy;
  config.wal.segment_bytes = 8 << 10;
  config.wal.buffer_bytes = 2 << 10;
  config.wal.sync_interval_us = 400;
  config.wal.group_window_us = 150;
  config.crash.power_loss.policy = *rc::gen::element(
      faults::CrashPolicy::kTorn, faults::CrashPolicy::kReorder, faults::CrashPolicy::kPrefix);
  config.script = script;
  const RunResult r = run_simulation(config, seed);
  RC_LOG() << "seed " << seed << ", crash policy "
           << faults::to_string(config.crash.power_loss.policy) << "\n"
           << r.script.describe() << r.failure << "\n"
           << r.checks.summary();
  RC_ASSERT(r.passed);
  RC_ASSERT(!r.hang);
  RC_ASSERT(r.crashes == 1u);
}

RC_GTEST_PROP(WalStateSchedulerTest, GroupedWritersUnderTheScheduler, ()) {
  check_concurrent_writers(wal::SyncPolicy::kGrouped);
}

RC_GTEST_PROP(WalStateSchedulerTest, PeriodicWritersUnderTheScheduler, ()) {
  check_concurrent_writers(wal::SyncPolicy::kPeriodic);
}

}  // namespace
}  // namespace harness
