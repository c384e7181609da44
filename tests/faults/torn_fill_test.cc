// crash.torn_fill (SPEC 9.3): what the part of a torn write that did not reach the disk reads as.
// One known pending write over known durable bytes, torn at a known sector, byte for byte.
#include <gtest/gtest.h>

#include <set>

#include "faults/crash_enumerator.h"
#include "faults/crash_words.h"
#include "faults/power_loss.h"
#include "tests/faults/torn_write_fixture.h"

namespace faults {
namespace torn_fill_test {
namespace {

using sim::Bytes;
using sim::ByteRange;
using sim::OpFate;
using sim::SimFsState;
using sim::TornFill;

using namespace torn_write_fixture;

// The write [256, 1792) over 2048 old bytes, 512-byte sectors: pieces [256,512) [512,1024)
// [1024,1536) [1536,1792). The second piece survives; the rest of the write does not.
const std::vector<ByteRange> kSecondPiece{{256, 768}};

TEST(TornFill, StaleLeavesTheOldBytesWhereTheWriteDidNotArrive) {
  const Bytes bytes = after_torn(one_pending_write(2048, 256, 1792), kSecondPiece,
                                 TornFill::kStale);
  ASSERT_EQ(bytes.size(), 2048u);
  EXPECT_TRUE(all_are(bytes, 0, 512, kOld));
  EXPECT_TRUE(all_are(bytes, 512, 1024, kNew));
  EXPECT_TRUE(all_are(bytes, 1024, 2048, kOld));
}

TEST(TornFill, ZerosZeroTheLostPartOfTheWriteAndNothingElse) {
  const Bytes bytes = after_torn(one_pending_write(2048, 256, 1792), kSecondPiece,
                                 TornFill::kZeros);
  ASSERT_EQ(bytes.size(), 2048u);
  // Outside the write the old bytes stay, also in the sectors it shares with them.
  EXPECT_TRUE(all_are(bytes, 0, 256, kOld));
  EXPECT_TRUE(all_are(bytes, 256, 512, std::byte{0}));
  EXPECT_TRUE(all_are(bytes, 512, 1024, kNew));
  EXPECT_TRUE(all_are(bytes, 1024, 1792, std::byte{0}));
  EXPECT_TRUE(all_are(bytes, 1792, 2048, kOld));
}

TEST(TornFill, RandomIsJunkFromTheSeedNeitherOldNorNew) {
  const SimFsState before = one_pending_write(2048, 256, 1792);
  const Bytes bytes = after_torn(before, kSecondPiece, TornFill::kRandom, 42);
  ASSERT_EQ(bytes.size(), 2048u);
  EXPECT_TRUE(all_are(bytes, 0, 256, kOld));
  EXPECT_TRUE(all_are(bytes, 512, 1024, kNew));
  EXPECT_TRUE(all_are(bytes, 1792, 2048, kOld));
  // 1024 junk bytes: about 4 each of old, new and zero by chance, never hundreds.
  for (std::byte value : {kOld, kNew, std::byte{0}}) {
    EXPECT_LT(count_of(bytes, 256, 512, value) + count_of(bytes, 1024, 1792, value), 20u);
  }
  EXPECT_EQ(after_torn(before, kSecondPiece, TornFill::kRandom, 42), bytes);
  EXPECT_NE(after_torn(before, kSecondPiece, TornFill::kRandom, 43), bytes);
}

TEST(TornFill, NothingKeptFillsTheWholeWriteUnlessStale) {
  const SimFsState before = one_pending_write(2048, 256, 1792);
  EXPECT_TRUE(all_are(after_torn(before, {}, TornFill::kStale), 0, 2048, kOld));
  const Bytes zeros = after_torn(before, {}, TornFill::kZeros);
  EXPECT_TRUE(all_are(zeros, 256, 1792, std::byte{0}));
  EXPECT_TRUE(all_are(zeros, 1792, 2048, kOld));
}

// A half-written sector (atomic_sector = false): the rest of that sector is filled too.
TEST(TornFill, APieceKeptInPartIsFilledPastItsPrefix) {
  const Bytes bytes = after_torn(one_pending_write(2048, 256, 1792), {{256, 400}},
                                 TornFill::kZeros);
  EXPECT_TRUE(all_are(bytes, 512, 656, kNew));
  EXPECT_TRUE(all_are(bytes, 656, 1792, std::byte{0}));
}

// Past the old end there are no old bytes: a hole below the last kept byte reads as zeros
// (stale too), as junk with random; the file grows only as far as the kept bytes reach.
TEST(TornFill, PastTheOldEndAHoleIsZerosUnlessRandom) {
  const SimFsState before = one_pending_write(1024, 768, 2560);  // pieces ... [1536,2048) ...
  const std::vector<ByteRange> fourth{{1280, 1792}};             // [2048,2560)
  const Bytes stale = after_torn(before, fourth, TornFill::kStale);
  ASSERT_EQ(stale.size(), 2560u);
  EXPECT_TRUE(all_are(stale, 0, 1024, kOld));
  EXPECT_TRUE(all_are(stale, 1024, 2048, std::byte{0}));
  const Bytes zeros = after_torn(before, fourth, TornFill::kZeros);
  EXPECT_TRUE(all_are(zeros, 768, 2048, std::byte{0}));
  EXPECT_TRUE(all_are(zeros, 2048, 2560, kNew));
  const Bytes junk = after_torn(before, fourth, TornFill::kRandom, 7);
  EXPECT_LT(count_of(junk, 1024, 2048, std::byte{0}), 20u);
  for (TornFill fill : {TornFill::kStale, TornFill::kZeros, TornFill::kRandom}) {
    EXPECT_EQ(after_torn(before, {{0, 256}}, fill, 7).size(), 1024u) << sim::to_string(fill);
  }
}

// Through the PRNG: the same seed tears alike under every fill; only what the lost part reads
// as differs, and random's junk is the seed's.
TEST(TornFill, PowerLossTearsAlikeAndFillsAsTold) {
  const SimFsState before = one_pending_write(4096, 0, 4096);
  int torn = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    std::map<TornFill, sim::CrashPlan> plans;
    for (TornFill fill : {TornFill::kStale, TornFill::kZeros, TornFill::kRandom}) {
      sim::Prng prng(seed);
      plans[fill] = choose_crash_plan(before, {}, PowerLossOptions{CrashPolicy::kTorn, true, fill},
                                      prng);
    }
    const OpFate& fate = plans[TornFill::kStale].files.at(file_of(before)).at(0);
    if (fate.kind != OpFate::Kind::kTorn || fate.kept.size() == 8) continue;
    ++torn;
    EXPECT_EQ(plans[TornFill::kZeros].files.at(file_of(before)).at(0).kept.size(),
              fate.kept.size());
    const auto bytes = [&](TornFill fill) {
      const SimFsState after = sim::apply_crash(before, plans[fill]);
      return after.inodes.at(file_of(after)).file.durable.get();
    };
    const Bytes stale = bytes(TornFill::kStale);
    const Bytes zeros = bytes(TornFill::kZeros);
    const Bytes junk = bytes(TornFill::kRandom);
    std::size_t lost = 4096;
    for (const ByteRange& range : fate.kept) lost -= range.end - range.begin;
    EXPECT_EQ(count_of(stale, 0, 4096, kOld), lost);
    EXPECT_EQ(count_of(zeros, 0, 4096, std::byte{0}), lost);
    EXPECT_LT(count_of(junk, 0, 4096, kOld) + count_of(junk, 0, 4096, std::byte{0}), 40u);
    sim::Prng again(seed);
    EXPECT_EQ(sim::durable_hash(power_loss(before, {},
                                           PowerLossOptions{CrashPolicy::kTorn, true,
                                                            TornFill::kRandom},
                                           again)),
              sim::durable_hash(sim::apply_crash(before, plans[TornFill::kRandom])));
  }
  EXPECT_GT(torn, 5);
}

std::uint64_t distinct_states(const SimFsState& state, TornFill fill) {
  EnumerateOptions options;
  options.lose_unsynced_dir_ops = false;
  options.torn_fill = fill;
  return enumerate_crash_states(state, {}, options).distinct;
}

// One pending write of two sectors: stale has kept-both, either one, none (= lost whole);
// a fill adds the write lost whole as a state apart from every piece filled.
TEST(TornFill, TheEnumeratorTellsALostWriteFromAFilledOne) {
  const SimFsState before = one_pending_write(1024, 0, 1024);
  EXPECT_EQ(distinct_states(before, TornFill::kStale), 4u);
  EXPECT_EQ(distinct_states(before, TornFill::kZeros), 5u);
  EXPECT_EQ(distinct_states(before, TornFill::kRandom), 5u);
}

TEST(TornFill, CrashWordsSayWhatTheLostPartReadsAs) {
  const SimFsState before = one_pending_write(2048, 256, 1792);
  const sim::PendingOp& op = before.inodes.at(file_of(before)).file.pending.at(0);
  EXPECT_EQ(describe_file_op(op, OpFate::torn(kSecondPiece, TornFill::kStale, 0)),
            "[256,1792) written at #0: torn: kept [512,1024), rest lost");
  EXPECT_EQ(describe_file_op(op, OpFate::torn(kSecondPiece, TornFill::kZeros, 0)),
            "[256,1792) written at #0: torn: kept [512,1024), rest lost (reads as zeros)");
}

TEST(TornFill, NamesRoundTrip) {
  for (TornFill fill : {TornFill::kStale, TornFill::kZeros, TornFill::kRandom}) {
    EXPECT_EQ(sim::parse_torn_fill(sim::to_string(fill)), fill);
  }
  EXPECT_FALSE(sim::parse_torn_fill("zero").has_value());
}

}  // namespace
}  // namespace torn_fill_test
}  // namespace faults
