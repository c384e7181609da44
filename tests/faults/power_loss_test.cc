// One property per crash policy (SPEC 3.3): whatever the PRNG chooses, the post-crash state obeys
// the policy's constraints. States come from seeded random workloads on SimFs.
#include "faults/power_loss.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace faults {
namespace {

using sim::Bytes;
using sim::PendingOp;
using sim::SimFsState;

constexpr int kFiles = 3;

std::string file_name(int i) { return "d/f" + std::to_string(i); }

// A random workload. append_only: every write extends its file with non-zero bytes and nothing
// truncates, so each write's bytes are recognisable after the crash.
SimFsState random_state(std::uint64_t seed, bool append_only, const sim::DeviceModel& device = {}) {
  sim::Prng prng(seed);
  sim::SimFs fs(device);
  fs.make_durable_dirs("d");
  std::vector<std::unique_ptr<wal::File>> files;
  for (int i = 0; i < kFiles; ++i) files.push_back(fs.open(file_name(i), wal::OpenMode::kCreate).value());
  const int ops = static_cast<int>(prng.range(1, 40));
  for (int n = 0; n < ops; ++n) {
    wal::File& file = *files[prng.below(kFiles)];
    const std::uint64_t size = file.size().value();
    switch (prng.below(append_only ? 6 : 9)) {
      case 0: case 1: case 2: {
        const std::uint64_t length = prng.range(1, 1500);
        const std::uint64_t offset = append_only ? size : prng.below(size + 700);
        Bytes data(length);
        for (auto& b : data) b = static_cast<std::byte>(prng.range(1, 255));
        (void)file.write_at(offset, data).is_ok();
        break;
      }
      case 3: (void)file.sync_data().is_ok(); break;
      case 4: (void)file.sync().is_ok(); break;
      case 5: (void)fs.sync_dir("d").is_ok(); break;
      case 6: (void)file.truncate(prng.below(size + 600)).is_ok(); break;
      case 7: (void)file.allocate(prng.below(size + 1), prng.range(1, 2000)).is_ok(); break;
      default: (void)fs.rename(file_name(static_cast<int>(prng.below(kFiles))), "d/renamed").is_ok(); break;
    }
  }
  return fs.state();
}

const Bytes* bytes_of(const SimFsState& state, sim::InodeId inode) {
  const auto it = state.inodes.find(inode);
  return it == state.inodes.end() ? nullptr : &it->second.file.durable.get();
}

// Every file inode of `before` and its post-crash bytes (null when the file did not survive).
template <typename Check>
void for_each_file(const SimFsState& before, const SimFsState& after, Check check) {
  for (const auto& [id, inode] : before.inodes) {
    if (!inode.is_dir) check(inode.file, bytes_of(after, id));
  }
}

Bytes replay(const sim::FileState& file, std::size_t prefix) {
  Bytes image = file.durable;
  std::size_t unforced = 0;
  for (const PendingOp& op : file.pending) {
    if (op.forced || unforced++ < prefix) sim::apply_op(image, op);
  }
  return image;
}

std::size_t unforced_count(const sim::FileState& file) {
  std::size_t count = 0;
  for (const PendingOp& op : file.pending) count += op.forced ? 0 : 1;
  return count;
}

bool all_zero(const Bytes& data, std::uint64_t begin, std::uint64_t end) {
  for (std::uint64_t i = begin; i < end; ++i) {
    if (data[i] != std::byte{0}) return false;
  }
  return true;
}

bool equal_at(const Bytes& data, const PendingOp& op, std::uint64_t begin, std::uint64_t end) {
  return std::equal(op.bytes.begin() + static_cast<std::ptrdiff_t>(begin),
                    op.bytes.begin() + static_cast<std::ptrdiff_t>(end),
                    data.begin() + static_cast<std::ptrdiff_t>(op.offset + begin));
}

// For a piece [begin, end) of an appended write: what the crash left there.
enum class Piece { kWritten, kAbsent, kPrefix, kOther };
Piece classify(const Bytes& data, const PendingOp& op, std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t size = data.size();
  if (op.offset + begin >= size) return Piece::kAbsent;
  const std::uint64_t visible_end = std::min(end, size - op.offset);
  if (visible_end == end && equal_at(data, op, begin, end)) return Piece::kWritten;
  if (all_zero(data, op.offset + begin, op.offset + visible_end)) return Piece::kAbsent;
  for (std::uint64_t cut = begin + 1; cut <= visible_end; ++cut) {
    if (equal_at(data, op, begin, cut) && all_zero(data, op.offset + cut, op.offset + visible_end)) {
      return Piece::kPrefix;
    }
  }
  return Piece::kOther;
}

SimFsState crashed(const SimFsState& before, CrashPolicy policy, std::uint64_t seed,
                   const sim::DeviceModel& device = {}, bool lose_dir_ops = true) {
  sim::Prng prng(seed);
  return power_loss(before, device, PowerLossOptions{policy, lose_dir_ops}, prng);
}

RC_GTEST_PROP(PowerLoss, DropUnsyncedKeepsExactlyTheDurableImage,
              (std::uint64_t workload, std::uint64_t seed)) {
  const SimFsState before = random_state(workload, false);
  const SimFsState after = crashed(before, CrashPolicy::kDropUnsynced, seed);
  for_each_file(before, after, [](const sim::FileState& file, const Bytes* bytes) {
    if (bytes != nullptr) RC_ASSERT(*bytes == sim::durable_floor(file));
  });
  // Directories hold exactly their durable entries.
  for (const auto& [id, inode] : after.inodes) {
    if (inode.is_dir && before.inodes.count(id) != 0) {
      RC_ASSERT(inode.dir.durable == before.inodes.at(id).dir.durable);
    }
  }
  RC_ASSERT(sim::durable_hash(after) == sim::durable_hash(sim::apply_crash(before, {})));
}

RC_GTEST_PROP(PowerLoss, PrefixKeepsAPrefixOfEachFilesOps, (std::uint64_t workload, std::uint64_t seed)) {
  const SimFsState before = random_state(workload, false);
  const SimFsState after = crashed(before, CrashPolicy::kPrefix, seed);
  for_each_file(before, after, [](const sim::FileState& file, const Bytes* bytes) {
    if (bytes == nullptr) return;
    bool found = false;
    for (std::size_t k = 0; k <= unforced_count(file) && !found; ++k) found = replay(file, k) == *bytes;
    RC_ASSERT(found);
  });
}

RC_GTEST_PROP(PowerLoss, PrefixNeverLeavesAHoleInAnAppendedFile,
              (std::uint64_t workload, std::uint64_t seed)) {
  const SimFsState before = random_state(workload, true);
  const SimFsState after = crashed(before, CrashPolicy::kPrefix, seed);
  for_each_file(before, after, [](const sim::FileState& file, const Bytes* bytes) {
    if (bytes == nullptr) return;
    RC_ASSERT(bytes->size() <= file.visible.size());
    RC_ASSERT(std::equal(bytes->begin(), bytes->end(), file.visible.begin()));
  });
}

RC_GTEST_PROP(PowerLoss, ReorderKeepsOrLosesEachWriteWhole, (std::uint64_t workload, std::uint64_t seed)) {
  const SimFsState before = random_state(workload, true);
  const SimFsState after = crashed(before, CrashPolicy::kReorder, seed);
  for_each_file(before, after, [](const sim::FileState& file, const Bytes* bytes) {
    if (bytes == nullptr) return;
    for (const PendingOp& op : file.pending) {
      if (op.kind != PendingOp::Kind::kWrite) continue;
      const Piece piece = classify(*bytes, op, 0, op.length);
      RC_ASSERT(piece == Piece::kWritten || piece == Piece::kAbsent);
    }
  });
}

RC_GTEST_PROP(PowerLoss, TornNeverTearsAnAtomicSector, (std::uint64_t workload, std::uint64_t seed)) {
  sim::DeviceModel device;
  device.sector_bytes = 256;
  const SimFsState before = random_state(workload, true, device);
  const SimFsState after = crashed(before, CrashPolicy::kTorn, seed, device);
  for_each_file(before, after, [&](const sim::FileState& file, const Bytes* bytes) {
    if (bytes == nullptr) return;
    for (const PendingOp& op : file.pending) {
      if (op.kind != PendingOp::Kind::kWrite) continue;
      for (const sim::ByteRange& range : sector_pieces(op, device)) {
        const Piece piece = classify(*bytes, op, range.begin, range.end);
        RC_ASSERT(piece == Piece::kWritten || piece == Piece::kAbsent);
      }
    }
  });
}

RC_GTEST_PROP(PowerLoss, TornWithoutAtomicSectorsTearsInsideASectorOnlyAsAPrefix,
              (std::uint64_t workload, std::uint64_t seed)) {
  sim::DeviceModel device;
  device.atomic_sector = false;
  const SimFsState before = random_state(workload, true, device);
  const SimFsState after = crashed(before, CrashPolicy::kTorn, seed, device);
  for_each_file(before, after, [&](const sim::FileState& file, const Bytes* bytes) {
    if (bytes == nullptr) return;
    for (const PendingOp& op : file.pending) {
      if (op.kind != PendingOp::Kind::kWrite) continue;
      for (const sim::ByteRange& range : sector_pieces(op, device)) {
        RC_ASSERT(classify(*bytes, op, range.begin, range.end) != Piece::kOther);
      }
    }
  });
}

TEST(PowerLoss, TornWithoutAtomicSectorsDoesTearInsideSectorsSometimes) {
  sim::DeviceModel device;
  device.atomic_sector = false;
  sim::SimFs fs(device);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  Bytes data(4096, std::byte{7});
  ASSERT_TRUE(file->write_at(0, data).is_ok());
  const SimFsState before = fs.state();
  const PendingOp& op = before.inodes.at(before.inodes.rbegin()->first).file.pending.at(0);
  int inside = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const SimFsState after = crashed(before, CrashPolicy::kTorn, seed, device, false);
    const Bytes& bytes = after.inodes.rbegin()->second.file.durable;
    for (const sim::ByteRange& range : sector_pieces(op, device)) {
      inside += classify(bytes, op, range.begin, range.end) == Piece::kPrefix ? 1 : 0;
    }
  }
  EXPECT_GT(inside, 0);
}

RC_GTEST_PROP(PowerLoss, GarbageTailOnlyGrowsPastTheDurableData,
              (std::uint64_t workload, std::uint64_t seed)) {
  const SimFsState before = random_state(workload, true);
  const SimFsState after = crashed(before, CrashPolicy::kGarbageTail, seed);
  for_each_file(before, after, [](const sim::FileState& file, const Bytes* bytes) {
    if (bytes == nullptr) return;
    const Bytes floor = sim::durable_floor(file);
    RC_ASSERT(bytes->size() >= floor.size());
    RC_ASSERT(bytes->size() <= file.visible.size());
    RC_ASSERT(std::equal(floor.begin(), floor.end(), bytes->begin()));
  });
}

TEST(PowerLoss, GarbageTailProducesGrownFilesWithZerosOrJunk) {
  sim::SimFs fs;
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, Bytes(1000, std::byte{9})).is_ok());
  const SimFsState before = fs.state();
  bool zeros = false;
  bool junk = false;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const SimFsState after = crashed(before, CrashPolicy::kGarbageTail, seed, {}, false);
    const Bytes& bytes = after.inodes.rbegin()->second.file.durable;
    if (bytes.size() != 1000 || bytes[0] == std::byte{9}) continue;
    if (all_zero(bytes, 0, 1000)) {
      zeros = true;
    } else {
      junk = true;
    }
  }
  EXPECT_TRUE(zeros);
  EXPECT_TRUE(junk);
}

RC_GTEST_PROP(PowerLoss, DirOpsAllSurviveUnlessLoseUnsyncedDirOps,
              (std::uint64_t workload, std::uint64_t seed)) {
  const SimFsState before = random_state(workload, false);
  const auto names = [](const SimFsState& state) {
    std::vector<std::string> out;
    for (auto& [path, inode] : sim::visible_files(state)) out.push_back(path);
    return out;
  };
  const SimFsState after = crashed(before, CrashPolicy::kReorder, seed, {}, false);
  RC_ASSERT(names(after) == names(before));
}

TEST(PowerLoss, PolicyNamesRoundTrip) {
  for (CrashPolicy policy : {CrashPolicy::kDropUnsynced, CrashPolicy::kPrefix, CrashPolicy::kReorder,
                             CrashPolicy::kTorn, CrashPolicy::kGarbageTail,
                             CrashPolicy::kProcess}) {
    EXPECT_EQ(parse_crash_policy(to_string(policy)), policy);
  }
  EXPECT_FALSE(parse_crash_policy("tron").has_value());
}

TEST(PowerLoss, SamePrngSameCrashAndItIsTraced) {
  const SimFsState before = random_state(77, false);
  EXPECT_EQ(sim::durable_hash(crashed(before, CrashPolicy::kTorn, 5)),
            sim::durable_hash(crashed(before, CrashPolicy::kTorn, 5)));
  sim::Trace trace;
  sim::SimFs fs({}, &trace);
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, Bytes(10, std::byte{1})).is_ok());
  sim::Prng prng(1);
  crash(fs, PowerLossOptions{}, prng);
  EXPECT_EQ(fs.open_handles(), 0u);
  // By path and in words (crash_words.h), with the step of the write.
  EXPECT_NE(trace.dump().find("CRASH torn /f"), std::string::npos) << trace.dump();
  EXPECT_NE(trace.dump().find("[0,10) written at #1"), std::string::npos) << trace.dump();
}

// crash.policy = "process": the process dies, the page cache does not. Every file reads as
// before, unsynced writes stay pending (a later power loss may drop them), handles die, and
// no number is drawn.
TEST(PowerLoss, AProcessCrashKeepsThePageCacheAsItIs) {
  sim::SimFs fs;
  fs.make_durable_dirs("d");
  auto file = fs.open("d/f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, Bytes(10, std::byte{1})).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(fs.sync_dir("d").is_ok());
  ASSERT_TRUE(file->write_at(10, Bytes(5, std::byte{2})).is_ok());
  const SimFsState before = fs.state();
  sim::Prng prng(9);
  const sim::Prng untouched = prng;
  crash(fs, PowerLossOptions{CrashPolicy::kProcess}, prng);
  EXPECT_EQ(fs.open_handles(), 0u);
  EXPECT_EQ(prng.next_u64(), sim::Prng(untouched).next_u64());
  EXPECT_EQ(fs.stat("d/f")->size_bytes, 15u);
  EXPECT_EQ(sim::durable_hash(fs.state()), sim::durable_hash(before));
  sim::Prng again(1);
  crash(fs, PowerLossOptions{CrashPolicy::kDropUnsynced}, again);
  EXPECT_EQ(fs.stat("d/f")->size_bytes, 10u);  // still pending after the process crash
  EXPECT_EQ(sim::durable_hash(power_loss(before, {}, PowerLossOptions{CrashPolicy::kProcess},
                                         prng)),
            sim::durable_hash(before));
}

}  // namespace
}  // namespace faults
