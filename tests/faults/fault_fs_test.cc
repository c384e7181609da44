// Each fault decorator fires per its schedule or probability, marks the Status injected, records
// its kind in the trace, and otherwise gets out of the way. Media faults change durable data.
#include <gtest/gtest.h>

#include <string>

#include "faults/io_faults.h"
#include "faults/media_faults.h"
#include "sim/sim_fs.h"

namespace faults {
namespace {

std::span<const std::byte> bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string read_all(wal::File& file) {
  std::string out(file.size().value(), '\0');
  EXPECT_TRUE(file.read_at(0, std::as_writable_bytes(std::span(out.data(), out.size()))).is_ok());
  return out;
}

TEST(FaultFs, TriggerFiresOnTheNthCallOnly) {
  Trigger trigger(TriggerSpec::on_call(3), sim::Prng(1));
  std::string pattern;
  for (int i = 0; i < 6; ++i) pattern += trigger.fire() ? 'X' : '.';
  EXPECT_EQ(pattern, "..X...");
  EXPECT_EQ(trigger.calls(), 6u);
  EXPECT_EQ(trigger.fired(), 1u);
}

TEST(FaultFs, TriggerByProbabilityIsSeededAndRoughlyThatOften) {
  const auto run = [](std::uint64_t seed) {
    Trigger trigger(TriggerSpec::with_probability({1, 4}), sim::Prng(seed));
    std::string pattern;
    for (int i = 0; i < 2000; ++i) pattern += trigger.fire() ? 'X' : '.';
    return pattern;
  };
  const std::string a = run(7);
  EXPECT_EQ(a, run(7));
  EXPECT_NE(a, run(8));
  const auto fired = std::count(a.begin(), a.end(), 'X');
  EXPECT_GT(fired, 400);
  EXPECT_LT(fired, 600);
  EXPECT_EQ(Trigger(TriggerSpec{}, sim::Prng(1)).fire(), false);
}

TEST(FaultFs, WriteEioFailsTheScheduledWriteWithoutWriting) {
  sim::Trace trace;
  sim::SimFs sim;
  WriteEioFs fs(sim, TriggerSpec::on_call(2), sim::Prng(1), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("ab")).is_ok());
  const wal::Status failed = file->write_at(2, bytes("cd"));
  EXPECT_EQ(failed.code(), wal::Code::kIoError);
  EXPECT_TRUE(failed.injected());
  EXPECT_EQ(read_all(*file), "ab");
  ASSERT_TRUE(file->write_at(2, bytes("ef")).is_ok());
  EXPECT_EQ(read_all(*file), "abef");
  EXPECT_EQ(trace.injected_faults().at("write_eio"), 1u);
  EXPECT_EQ(trace.events().at(0).name, "write_eio");
  EXPECT_EQ(trace.events().at(0).offset, 2u);
}

TEST(FaultFs, WriteShortWritesAPrefixThenFails) {
  sim::Trace trace;
  sim::SimFs sim;
  WriteShortFs fs(sim, TriggerSpec::on_call(1), sim::Prng(5), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  const std::string data(1000, 'x');
  const wal::Status failed = file->write_at(0, bytes(data));
  EXPECT_TRUE(failed.injected());
  const std::uint64_t written = file->size().value();
  EXPECT_LT(written, 1000u);
  EXPECT_EQ(read_all(*file), std::string(written, 'x'));
  EXPECT_EQ(trace.injected_faults().at("write_short"), 1u);
}

TEST(FaultFs, EnospcRefusesWritesPastTheBudgetAndKeepsRefusing) {
  sim::Trace trace;
  sim::SimFs sim;
  EnospcFs fs(sim, 100, sim::Prng(1), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes(std::string(40, 'a'))).is_ok());
  ASSERT_TRUE(file->write_at(40, bytes(std::string(40, 'b'))).is_ok());
  const wal::Status full = file->write_at(80, bytes(std::string(40, 'c')));
  EXPECT_EQ(full.code(), wal::Code::kNoSpace);
  EXPECT_TRUE(full.injected());
  // As write(2) on a disk that fills mid-write: the 20 bytes that fit are written, then ENOSPC.
  EXPECT_EQ(file->size().value(), 100u);
  EXPECT_NE(full.message().find("after 20 of 40 bytes"), std::string::npos) << full.message();
  EXPECT_EQ(file->allocate(90, 30).code(), wal::Code::kNoSpace);  // fallocate: all or nothing
  EXPECT_EQ(file->size().value(), 100u);
  ASSERT_TRUE(file->write_at(80, bytes(std::string(20, 'd'))).is_ok());  // overwrites fit
  EXPECT_EQ(file->write_at(100, bytes("e")).code(), wal::Code::kNoSpace);
  EXPECT_EQ(trace.injected_faults().at("enospc_after_bytes"), 3u);
}

TEST(FaultFs, EnospcNeverFailsWritesIntoFallocatedSpace) {
  sim::Trace trace;
  sim::SimFs sim;
  EnospcFs fs(sim, 100, sim::Prng(1), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreateExclusive).value();
  ASSERT_TRUE(file->allocate(0, 100).is_ok());
  for (std::uint64_t at = 0; at < 100; at += 25) {
    EXPECT_TRUE(file->write_at(at, bytes(std::string(25, 'a'))).is_ok()) << at;
  }
  EXPECT_EQ(file->write_at(100, bytes("b")).code(), wal::Code::kNoSpace);
  // A sparse ftruncate reserves nothing: writes into it need blocks the disk lacks.
  auto sparse = fs.open("g", wal::OpenMode::kCreateExclusive).value();
  ASSERT_TRUE(sparse->truncate(100).is_ok());
  EXPECT_EQ(sparse->write_at(0, bytes("c")).code(), wal::Code::kNoSpace);
  // Shrinking a file, or deleting it, gives its blocks back; a rename keeps them.
  ASSERT_TRUE(file->truncate(60).is_ok());
  EXPECT_TRUE(sparse->write_at(0, bytes(std::string(40, 'd'))).is_ok());
  EXPECT_EQ(sparse->write_at(40, bytes("e")).code(), wal::Code::kNoSpace);
  ASSERT_TRUE(file->close().is_ok());
  ASSERT_TRUE(fs.rename("f", "h").is_ok());
  EXPECT_EQ(sparse->write_at(40, bytes("e")).code(), wal::Code::kNoSpace);
  ASSERT_TRUE(fs.unlink("h").is_ok());
  EXPECT_TRUE(sparse->write_at(40, bytes(std::string(60, 'f'))).is_ok());
  EXPECT_EQ(trace.injected_faults().at("enospc_after_bytes"), 4u);
}

// POSIX: unlinking a file that is still open frees nothing until its last close (swarm seed
// 47879: a sync in flight rewrote a segment truncate_front had just unlinked).
TEST(FaultFs, EnospcFreesAnUnlinkedFileAtItsLastClose) {
  sim::Trace trace;
  sim::SimFs sim;
  EnospcFs fs(sim, 100, sim::Prng(1), &trace);
  auto held = fs.open("f", wal::OpenMode::kCreateExclusive).value();
  ASSERT_TRUE(held->allocate(0, 100).is_ok());
  auto other = fs.open("g", wal::OpenMode::kCreateExclusive).value();
  ASSERT_TRUE(fs.unlink("f").is_ok());
  EXPECT_TRUE(held->write_at(0, bytes(std::string(100, 'a'))).is_ok());  // still its blocks
  EXPECT_EQ(other->write_at(0, bytes("b")).code(), wal::Code::kNoSpace);
  ASSERT_TRUE(held->close().is_ok());
  EXPECT_TRUE(other->write_at(0, bytes(std::string(100, 'c'))).is_ok());
}

TEST(FaultFs, ReadEioFailsReads) {
  sim::Trace trace;
  sim::SimFs sim;
  ReadEioFs fs(sim, TriggerSpec::on_call(2), sim::Prng(1), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("abc")).is_ok());
  std::byte buf[3];
  EXPECT_TRUE(file->read_at(0, buf).is_ok());
  const auto failed = file->read_at(0, buf);
  EXPECT_EQ(failed.status().code(), wal::Code::kIoError);
  EXPECT_TRUE(failed.status().injected());
  EXPECT_TRUE(file->read_at(0, buf).is_ok());
  EXPECT_EQ(trace.injected_faults().at("read_eio"), 1u);
}

TEST(FaultFs, MisdirectedWriteLandsElsewhereSilently) {
  sim::Trace trace;
  sim::SimFs sim;
  MisdirectedWriteFs fs(sim, sim.device(), TriggerSpec::on_call(2), sim::Prng(1), &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes(std::string(8192, 'a'))).is_ok());
  const wal::Status status = file->write_at(4096, bytes(std::string(512, 'b')));
  EXPECT_TRUE(status.is_ok());  // silent
  const std::string content = read_all(*file);
  EXPECT_EQ(content.substr(4096, 512), std::string(512, 'a'));  // not where it was aimed
  EXPECT_EQ(std::count(content.begin(), content.end(), 'b'), 512);
  ASSERT_EQ(trace.injected_faults().at("misdirected_write"), 1u);
  EXPECT_TRUE(trace.events().at(0).injected);
}

TEST(FaultFs, DecoratorsLeaveEverythingElseAlone) {
  sim::SimFs sim;
  WriteEioFs fs(sim, TriggerSpec{}, sim::Prng(1));
  ASSERT_TRUE(fs.mkdir("d").is_ok());
  auto file = fs.open("d/f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("x")).is_ok());
  ASSERT_TRUE(fs.rename("d/f", "d/g").is_ok());
  ASSERT_TRUE(fs.sync_dir("d").is_ok());
  EXPECT_EQ(fs.list("d").value(), std::vector<std::string>{"g"});
  EXPECT_EQ(fs.stat("d/g")->size_bytes, 1u);
  EXPECT_TRUE(fs.lock("d/LOCK").is_ok());
  ASSERT_TRUE(file->close().is_ok());
  EXPECT_EQ(sim.open_handles(), 0u);
}

TEST(FaultFs, BitFlipChangesExactlyOneDurableBit) {
  sim::Trace trace;
  sim::SimFs sim({}, &trace);
  auto file = sim.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes(std::string(100, 'a'))).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(sim.sync_dir("/").is_ok());
  sim::Prng prng(3);
  ASSERT_TRUE(inject_bit_flip(sim, prng));
  const std::string content = read_all(*file);  // the cache follows the durable image
  int differing_bits = 0;
  for (char c : content) differing_bits += __builtin_popcount(static_cast<unsigned char>(c ^ 'a'));
  EXPECT_EQ(differing_bits, 1);
  EXPECT_EQ(trace.injected_faults().at("bit_flip"), 1u);
  sim::SimFs empty;
  EXPECT_FALSE(inject_bit_flip(empty, prng));
}

TEST(FaultFs, LatentSectorFailsReadsUntilRewritten) {
  sim::Trace trace;
  sim::SimFs sim({}, &trace);
  auto file = sim.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes(std::string(512, 'a'))).is_ok());  // one sector
  ASSERT_TRUE(file->sync().is_ok());
  sim::Prng prng(3);
  ASSERT_TRUE(inject_latent_sector(sim, prng));
  std::byte buf[16];
  const auto failed = file->read_at(100, buf);
  EXPECT_TRUE(failed.status().injected());
  EXPECT_EQ(trace.injected_faults().at("latent_sector"), 2u);  // planted, then hit
  ASSERT_TRUE(file->write_at(0, bytes(std::string(512, 'b'))).is_ok());
  EXPECT_TRUE(file->read_at(100, buf).is_ok());
}

}  // namespace
}  // namespace faults
