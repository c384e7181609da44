// The replay of a recorded program into SimFs: what each call leaves pending and which call
// made it.
#include "crashes/replay.h"

#include <gtest/gtest.h>

#include "crashes/crash_states.h"
#include "crashes/trace_builder.h"

namespace {

using crashes_test::TraceBuilder;

std::string durable_text(const sim::SimFsState& state, const std::string& name) {
  const auto& root = state.inodes.at(sim::SimFsState::kRoot).dir.durable;
  const auto it = root.find(name);
  if (it == root.end()) return "<none>";
  const sim::Bytes& bytes = state.inodes.at(it->second).file.durable.get();
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

TEST(CrashesReplay, InitialContentsAreDurableAndTheRunIsPending) {
  const systrace::Trace trace = crashes_test::replace_file(false);
  crashes::Replay replay(trace, sim::DeviceModel{});
  ASSERT_EQ(replay.start(), "");
  EXPECT_EQ(replay.applied(), 1u);
  EXPECT_EQ(durable_text(replay.state(), "config"), "old-config\n");
  while (!replay.done()) ASSERT_EQ(replay.step(), "");
  EXPECT_EQ(replay.output(), "replaced\n");
  // Nothing was synced: the write (call 3), the creation (call 2) and the rename (call 4) are
  // pending, in call order.
  const auto items = crashes::pending_items(replay.state(), replay);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].call, 2u);
  EXPECT_TRUE(items[0].dir);
  EXPECT_EQ(items[1].call, 3u);
  EXPECT_TRUE(items[1].write);
  EXPECT_EQ(items[2].call, 4u);
  EXPECT_EQ(items[2].what, "rename \"config.tmp\" -> \"config\"");
  // Made durable whole, the state is the new file.
  const sim::SimFsState end =
      sim::apply_crash(replay.state(), sim::CrashPlan::keep_all(replay.state()));
  EXPECT_EQ(durable_text(end, "config"), "new-config\n");
}

TEST(CrashesReplay, SyncsMakeCallsDurable) {
  const systrace::Trace trace = crashes_test::replace_file(true);
  crashes::Replay replay(trace, sim::DeviceModel{});
  ASSERT_EQ(crashes::replay_to(replay, trace.calls.size()), "");
  EXPECT_TRUE(crashes::pending_items(replay.state(), replay).empty());
  EXPECT_EQ(durable_text(replay.state(), "config"), "new-config\n");
}

TEST(CrashesReplay, FailedCallsAreSkippedAndUnknownFilesNamed) {
  TraceBuilder b;
  b.failed_unlink("missing").write(7, 0, "x");
  crashes::Replay replay(b.trace(), sim::DeviceModel{});
  ASSERT_EQ(replay.start(), "");
  EXPECT_EQ(replay.step(), "");
  EXPECT_FALSE(replay.changed());
  const std::string problem = replay.step();
  EXPECT_NE(problem.find("call 2"), std::string::npos) << problem;
  EXPECT_NE(problem.find("file #7 was never opened"), std::string::npos) << problem;
}

TEST(CrashesSearch, StatesAreDistinctAndTheBoundIsKept) {
  const systrace::Trace trace = crashes_test::replace_file(false);
  std::set<std::uint64_t> hashes;
  std::uint64_t seen = 0;
  const crashes::SearchResult all = crashes::search(
      trace, sim::DeviceModel{}, crashes::SearchOptions{},
      [&](const crashes::CrashState& state, const sim::SimFsState&, const crashes::Replay&,
          const std::vector<crashes::PendingItem>&) {
        ++seen;
        EXPECT_EQ(state.number, seen);
        EXPECT_TRUE(hashes.insert(state.hash).second);
        return true;
      });
  EXPECT_TRUE(all.complete);
  EXPECT_EQ(all.states, seen);
  // Old file; old file beside an empty or a full temporary; new file; the renamed empty file
  // (the rename reached the disk before the data): at least these.
  EXPECT_GE(seen, 5u);
  crashes::SearchOptions bounded;
  bounded.max_states = 2;
  const crashes::SearchResult cut = crashes::search(
      trace, sim::DeviceModel{}, bounded,
      [](const crashes::CrashState&, const sim::SimFsState&, const crashes::Replay&,
         const std::vector<crashes::PendingItem>&) { return true; });
  EXPECT_EQ(cut.states, 2u);
  EXPECT_FALSE(cut.complete);
}

}  // namespace

namespace {

TEST(CrashesReplay, HardLinksAndRemovedDirectoriesFollowPosix) {
  TraceBuilder b;
  b.mkdir("d").open("d/tmp", 1, true).write(1, 0, "obj");
  systrace::Call link;
  link.kind = systrace::CallKind::kLink;
  link.syscall = "link";
  link.path = "d/tmp";
  link.path2 = "d/obj";
  link.file = 1;
  systrace::Trace trace = b.trace();
  trace.calls.push_back(link);
  systrace::Call unlink;
  unlink.kind = systrace::CallKind::kUnlink;
  unlink.syscall = "unlink";
  unlink.path = "d/tmp";
  trace.calls.push_back(unlink);
  systrace::Call rmdir;
  rmdir.kind = systrace::CallKind::kRmdir;
  rmdir.syscall = "rmdir";
  rmdir.path = "d";
  trace.calls.push_back(rmdir);  // fails in SimFs as in the kernel: d is not empty
  crashes::Replay replay(trace, sim::DeviceModel{});
  ASSERT_EQ(replay.start(), "");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(replay.step(), "") << i;
  const std::string refused = replay.step();
  EXPECT_NE(refused.find("not empty"), std::string::npos) << refused;
  // The link and the unlink are two pending entry ops of d, made by calls 4 and 5.
  const auto items = crashes::pending_items(replay.state(), replay);
  ASSERT_GE(items.size(), 2u);
  EXPECT_EQ(items[items.size() - 2].what, "entry \"d/obj\" created");
  EXPECT_EQ(items.back().what, "entry \"d/tmp\" removed");
  EXPECT_EQ(items.back().call, 5u);
}

}  // namespace

namespace {

std::vector<std::uint64_t> state_hashes(const systrace::Trace& trace, std::uint64_t seed) {
  crashes::SearchOptions options;
  options.seed = seed;
  std::vector<std::uint64_t> hashes;
  crashes::search(trace, sim::DeviceModel{}, options,
                  [&](const crashes::CrashState& state, const sim::SimFsState&,
                      const crashes::Replay&, const std::vector<crashes::PendingItem>&) {
                    hashes.push_back(state.hash);
                    return true;
                  });
  return hashes;
}

TEST(CrashesSearch, TheSeedDecidesTheJunkAndNothingElse) {
  TraceBuilder b;
  b.init_file("page", 1, std::string(1024, 'o'));
  b.open("page", 1, false).write(1, 0, std::string(1024, 'n'));
  const std::vector<std::uint64_t> one = state_hashes(b.trace(), 1);
  EXPECT_EQ(one, state_hashes(b.trace(), 1));
  const std::vector<std::uint64_t> two = state_hashes(b.trace(), 2);
  ASSERT_EQ(one.size(), two.size());
  EXPECT_NE(one, two);  // the random-fill states
  // Every state before the first random fill (drop, prefix, reorder, stale and zero tears) is
  // the same under any seed.
  EXPECT_EQ(one.front(), two.front());
}

}  // namespace

namespace {

TEST(CrashesReplay, AnInitialDirectoryUnderAFileIsAnErrorNotAnAbort) {
  TraceBuilder b;
  b.init_file("a", 1, "x");
  systrace::Call dir;
  dir.kind = systrace::CallKind::kInitDir;
  dir.path = "a/b";
  systrace::Trace trace = b.trace();
  trace.calls.push_back(dir);
  crashes::Replay replay(trace, sim::DeviceModel{});
  const std::string problem = replay.start();
  EXPECT_NE(problem.find("call 2: \"a\" is a file, not a directory"), std::string::npos)
      << problem;
  systrace::Trace up;
  systrace::Call escape;
  escape.kind = systrace::CallKind::kInitFile;
  escape.path = "../outside";
  escape.file = 1;
  up.calls.push_back(escape);
  crashes::Replay upward(up, sim::DeviceModel{});
  EXPECT_NE(upward.start(), "");
}

}  // namespace
