// The crash rows of a report and the diagnosis say what a power loss kept in words, by path,
// with the step (trace seq) of each call: never "dir inode 2: DDDD".
#include "faults/crash_words.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/sim_fs.h"
#include "sim/trace.h"

namespace faults {
namespace {

using sim::ByteRange;
using sim::OpFate;

struct Disk {
  sim::Trace trace;
  sim::SimFs fs{{}, &trace};
  sim::InodeId file = 0;
  sim::InodeId dir = 0;

  // /wal durable; /wal/a.wal created (its entry pending) and written at [0,100), [100,200),
  // [300,400), nothing synced.
  Disk() {
    fs.make_durable_dirs("/wal");
    auto handle = fs.open("/wal/a.wal", wal::OpenMode::kCreate).value();
    for (std::uint64_t at : {0u, 100u, 300u}) {
      EXPECT_TRUE(handle->write_at(at, sim::Bytes(100, std::byte{7})).is_ok());
    }
    file = fs.inode_of(*handle);
    for (const auto& [id, path] : inode_paths(fs.state())) {
      if (path == "/wal") dir = id;
    }
  }
};

TEST(CrashWords, PathsAreAbsoluteAndReachPendingEntries) {
  const Disk disk;
  const auto paths = inode_paths(disk.fs.state());
  EXPECT_EQ(paths.at(sim::SimFsState::kRoot), "/");
  EXPECT_EQ(paths.at(disk.file), "/wal/a.wal");
  EXPECT_EQ(path_of(paths, 999), "an unlinked file (inode 999)");
}

TEST(CrashWords, MergesContiguousWritesAndSaysWhatATornWriteKept) {
  const Disk disk;
  sim::CrashPlan plan;
  plan.files[disk.file] = {OpFate::keep(), OpFate::keep(),
                           OpFate{OpFate::Kind::kTorn, {ByteRange{0, 50}}, 0}};
  plan.dirs[disk.dir] = {false};
  const std::vector<CrashLine> lines = describe_crash(disk.fs.state(), plan);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].path, "/wal/a.wal");
  EXPECT_EQ(lines[0].words,
            "durable size 0; [0,200) in 2 writes #1..#2: survived; "
            "[300,400) written at #3: torn: kept [300,350), rest lost");
  EXPECT_EQ(lines[1].path, "/wal");
  EXPECT_EQ(lines[1].words, "new entry /wal/a.wal (#0): lost");
}

TEST(CrashWords, TouchingSectorPiecesOfATornWriteAreOneRange) {
  const Disk disk;
  const sim::PendingOp& write = disk.fs.state().inodes.at(disk.file).file.pending[2];
  const OpFate torn{OpFate::Kind::kTorn, {ByteRange{0, 10}, ByteRange{10, 20}, ByteRange{50, 60}},
                    0};
  EXPECT_EQ(kept_ranges(write, torn), "[300,320) [350,360)");
  EXPECT_EQ(kept_ranges(write, OpFate{OpFate::Kind::kTorn, {}, 0}), "");
}

TEST(CrashWords, AMissingPlanLosesEverythingAndDifferentFatesAreNotMerged) {
  const Disk disk;
  sim::CrashPlan plan;
  plan.files[disk.file] = {OpFate::keep()};  // the rest unlisted: lost
  const std::vector<CrashLine> lines = describe_crash(disk.fs.state(), plan);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].words,
            "durable size 0; [0,100) written at #1: survived; [100,200) written at #2: lost; "
            "[300,400) written at #3: lost");
  EXPECT_EQ(lines[1].words, "new entry /wal/a.wal (#0): lost");
}

TEST(CrashWords, EachPendingOpCarriesTheStepOfItsCall) {
  const Disk disk;
  const sim::FileState& file = disk.fs.state().inodes.at(disk.file).file;
  ASSERT_EQ(file.pending.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const sim::Event& event = disk.trace.events().at(file.pending[i].seq);
    EXPECT_EQ(event.op, sim::FsOp::kWrite);
    EXPECT_EQ(event.offset, file.pending[i].offset);
  }
  EXPECT_EQ(describe_file_op(file.pending[2], OpFate::drop()), "[300,400) written at #3: lost");
}

}  // namespace
}  // namespace faults
