// The newer fault kinds and the aim: read_short returns part of a read and no error, close_eio
// fails a close and leaves the page cache as a failed writeback does (close_eio_fs.h),
// faults.target's glob picks files by base name, and the disk-full budget ignores the rest.
#include <gtest/gtest.h>

#include <string>

#include "faults/close_eio_fs.h"
#include "faults/file_glob.h"
#include "faults/io_faults.h"
#include "faults/power_loss.h"
#include "faults/read_short_fs.h"
#include "sim/sim_fs.h"

namespace faults::aimed_test {
namespace {

std::span<const std::byte> bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string read_all(wal::Fs& fs, const std::string& path) {
  auto file = fs.open(path, wal::OpenMode::kReadOnly).value();
  std::string out(file->size().value(), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    auto got = file->read_at(done, std::as_writable_bytes(std::span(out)).subspan(done));
    EXPECT_TRUE(got.is_ok());
    if (!got || *got == 0) break;
    done += *got;
  }
  EXPECT_TRUE(file->close().is_ok());
  return out;
}

TEST(FileGlob, MatchesTheBaseNameOnly) {
  EXPECT_TRUE(glob_matches("MANIFEST-*", "/db/MANIFEST-000002"));
  EXPECT_TRUE(glob_matches("*.log", "db/000003.log"));
  EXPECT_FALSE(glob_matches("*.log", "db/LOG"));
  EXPECT_FALSE(glob_matches("db*", "db/CURRENT"));  // the directory is not part of the name
  EXPECT_TRUE(glob_matches("[0-9]*.wal", "/wal/00000000000000000001.wal"));
  EXPECT_TRUE(glob_matches("", "anything"));
  EXPECT_FALSE(valid_glob(""));
  EXPECT_FALSE(valid_glob("db/*.log"));
  EXPECT_TRUE(valid_glob("CURRENT"));
}

TEST(ReadShortFs, ReturnsAPrefixOfTheBytesAndNoError) {
  sim::Trace trace;
  sim::SimFs sim;
  ReadShortFs fs(sim, TriggerSpec::on_call(2), sim::Prng(3), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("abcdefgh")).is_ok());
  std::string buf(8, '\0');
  auto out = std::as_writable_bytes(std::span(buf));
  EXPECT_EQ(file->read_at(0, out).value(), 8u);
  const std::size_t got = file->read_at(0, out).value();
  EXPECT_GE(got, 1u);  // never 0: that is the end of the file
  EXPECT_LT(got, 8u);
  EXPECT_EQ(buf.substr(0, got), std::string("abcdefgh").substr(0, got));
  EXPECT_EQ(file->read_at(0, out).value(), 8u);
  EXPECT_EQ(trace.injected_faults().at("read_short"), 1u);
}

TEST(ReadShortFs, OneByteReadsAreNeverShortened) {
  sim::SimFs sim;
  ReadShortFs fs(sim, TriggerSpec::with_probability({1, 1}), sim::Prng(3));
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("ab")).is_ok());
  std::byte one[1];
  EXPECT_EQ(file->read_at(1, one).value(), 1u);
}

TEST(ReadShortFs, SameSeedSameShortReads) {
  const auto run = [](std::uint64_t seed) {
    sim::SimFs sim;
    ReadShortFs fs(sim, TriggerSpec::with_probability({1, 2}), sim::Prng(seed));
    auto file = fs.open("f", wal::OpenMode::kCreate).value();
    EXPECT_TRUE(file->write_at(0, bytes(std::string(1000, 'x'))).is_ok());
    std::string sizes;
    std::string buf(1000, '\0');
    for (int i = 0; i < 50; ++i) {
      sizes += std::to_string(file->read_at(0, std::as_writable_bytes(std::span(buf))).value());
      sizes += ',';
    }
    return sizes;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

// Writes "old" durably and "new" after it unsynced, then closes through a failing close.
wal::Status close_after_unsynced_write(wal::Fs& fs) {
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  EXPECT_TRUE(file->write_at(0, bytes("old")).is_ok());
  EXPECT_TRUE(file->sync().is_ok());
  EXPECT_TRUE(file->write_at(3, bytes("new")).is_ok());
  return file->close();
}

TEST(CloseEioFs, FailsTheCloseReleasesTheHandleAndKeepsTheDataAsExt4Would) {
  sim::Trace trace;
  sim::SimFs sim;
  CloseEioFs fs(sim, &sim, FsyncProfile::kExt4, TriggerSpec::on_call(1), sim::Prng(1), &trace);
  const wal::Status closed = close_after_unsynced_write(fs);
  EXPECT_EQ(closed.code(), wal::Code::kIoError);
  EXPECT_TRUE(closed.injected());
  EXPECT_EQ(sim.open_handles(), 0u);
  EXPECT_EQ(trace.injected_faults().at("close_eio"), 1u);
  // ext4: still readable, but never to be written back: a power loss that keeps every pending
  // write still loses it.
  EXPECT_EQ(read_all(sim, "f"), "oldnew");
  ASSERT_TRUE(sim.sync_dir(".").is_ok());
  const sim::SimFsState before = sim.state();
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    sim.restore(before);
    sim::Prng prng(seed);
    crash(sim, PowerLossOptions{CrashPolicy::kPrefix}, prng);
    EXPECT_EQ(read_all(sim, "f"), "old") << "seed " << seed;
  }
}

TEST(CloseEioFs, UnderBtrfsTheUnsyncedDataIsDroppedAtOnce) {
  sim::SimFs sim;
  CloseEioFs fs(sim, &sim, FsyncProfile::kBtrfs, TriggerSpec::on_call(1), sim::Prng(1));
  EXPECT_FALSE(close_after_unsynced_write(fs).is_ok());
  EXPECT_EQ(read_all(sim, "f"), "old");  // the synced part is never touched
}

TEST(CloseEioFs, AFileSyncedBeforeItsCloseLosesNothing) {
  sim::SimFs sim;
  CloseEioFs fs(sim, &sim, FsyncProfile::kBtrfs, TriggerSpec::on_call(1), sim::Prng(1));
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("all")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_FALSE(file->close().is_ok());
  EXPECT_EQ(read_all(sim, "f"), "all");
}

TEST(EnospcFs, AimedAtAGlobIgnoresOtherFiles) {
  sim::SimFs sim;
  EnospcFs fs(sim, 10, sim::Prng(1));
  fs.aim("*.log");
  auto other = fs.open("MANIFEST-1", wal::OpenMode::kCreate).value();
  EXPECT_TRUE(other->write_at(0, bytes(std::string(100, 'm'))).is_ok());  // not counted
  auto log = fs.open("000003.log", wal::OpenMode::kCreate).value();
  EXPECT_TRUE(log->write_at(0, bytes(std::string(10, 'l'))).is_ok());
  EXPECT_EQ(log->write_at(10, bytes("x")).code(), wal::Code::kNoSpace);
  EXPECT_TRUE(other->write_at(100, bytes("y")).is_ok());
}

}  // namespace
}  // namespace faults::aimed_test
