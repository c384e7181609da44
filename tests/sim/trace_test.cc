// The trace hash is a pure function of the event sequence: same events, same hash; any change in
// any field, or in order, gives another.
#include "sim/trace.h"

#include <gtest/gtest.h>

#include <set>

namespace sim {
namespace {

void script(Trace& trace) {
  trace.fs_op(FsOp::kOpen, "wal/0001.wal", 0, 2, wal::Code::kOk);
  trace.fs_op(FsOp::kWrite, "wal/0001.wal", 0, 4096, wal::Code::kOk);
  trace.fault("fsync_eio", FsOp::kSyncData, "wal/0001.wal", 0, 0, "profile ext4");
  trace.note("schedule", "writer 2", 17, 3);
  trace.crash("torn", "", "kept 1 of 3");
}

TEST(TraceTest, SameEventsGiveTheSameHash) {
  Trace a, b, hash_only(/*keep_events=*/false);
  script(a);
  script(b);
  script(hash_only);
  EXPECT_EQ(a.hash(), b.hash());
  EXPECT_EQ(a.hash(), hash_only.hash());
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(hash_only.size(), 5u);
  EXPECT_TRUE(hash_only.events().empty());
}

TEST(TraceTest, HashIsPinnedAcrossBuildsAndMachines) {
  // A change here changes every recorded trace hash: make it only on purpose.
  Trace trace;
  script(trace);
  EXPECT_EQ(trace.hash(), 0x48ce5571a9828c79ull);
}

TEST(TraceTest, AnyFieldChangeChangesTheHash) {
  std::set<std::uint64_t> hashes;
  const auto add = [&](auto mutate) {
    Trace trace;
    script(trace);
    mutate(trace);
    hashes.insert(trace.hash());
  };
  add([](Trace&) {});
  add([](Trace& t) { t.fs_op(FsOp::kRead, "x", 0, 1, wal::Code::kOk); });
  add([](Trace& t) { t.fs_op(FsOp::kRead, "x", 0, 1, wal::Code::kIoError); });
  add([](Trace& t) { t.fs_op(FsOp::kRead, "x", 1, 1, wal::Code::kOk); });
  add([](Trace& t) { t.fs_op(FsOp::kRead, "x", 0, 2, wal::Code::kOk); });
  add([](Trace& t) { t.fs_op(FsOp::kRead, "y", 0, 1, wal::Code::kOk); });
  add([](Trace& t) { t.fs_op(FsOp::kWrite, "x", 0, 1, wal::Code::kOk); });
  add([](Trace& t) { t.note("x", "", 0, 1); });
  add([](Trace& t) { t.note("x", "", 1, 0); });
  add([](Trace& t) { t.note("x", "", 0, 1, "d"); });
  add([](Trace& t) { t.crash("x", "", ""); });
  add([](Trace& t) { t.fault("x", FsOp::kRead, "", 0, 1); });
  EXPECT_EQ(hashes.size(), 12u);
}

TEST(TraceTest, OrderMatters) {
  Trace a, b;
  a.note("one", "");
  a.note("two", "");
  b.note("two", "");
  b.note("one", "");
  EXPECT_NE(a.hash(), b.hash());
}

TEST(TraceTest, StringBoundariesAreEncoded) {
  Trace a, b;
  a.note("ab", "c");
  b.note("a", "bc");
  EXPECT_NE(a.hash(), b.hash());
}

TEST(TraceTest, FaultsAreTaggedInjectedAndTallied) {
  Trace trace;
  script(trace);
  trace.fault("fsync_eio", FsOp::kSync, "f", 0, 0);
  trace.fault("bit_flip", FsOp::kNone, "f", 12, 1);
  EXPECT_TRUE(trace.events()[2].injected);
  EXPECT_FALSE(trace.events()[1].injected);
  EXPECT_EQ(trace.injected_faults().at("fsync_eio"), 2u);
  EXPECT_EQ(trace.injected_faults().at("bit_flip"), 1u);
  EXPECT_EQ(trace.injected_fault_count(), 3u);
}

TEST(TraceTest, DumpIsOneLinePerEvent) {
  Trace trace;
  script(trace);
  const std::string dump = trace.dump();
  EXPECT_EQ(std::count(dump.begin(), dump.end(), '\n'), 5);
  EXPECT_NE(dump.find("#1 write wal/0001.wal @0+4096 -> OK"), std::string::npos) << dump;
  EXPECT_NE(dump.find("FAULT[injected] fsync_eio on sync_data"), std::string::npos) << dump;
}

}  // namespace
}  // namespace sim
