// crash.torn_scope: how far a torn write's damage reaches. A device with powersafe overwrite
// ("write") fills only the write's own lost bytes; one without it ("sector") may damage every
// sector the write did not finish whole, durable bytes beside the write included
// (https://www.sqlite.org/psow.html). One known write into a partly durable sector, byte for byte.
#include <gtest/gtest.h>

#include "faults/crash_enumerator.h"
#include "faults/crash_words.h"
#include "faults/power_loss.h"
#include "tests/faults/torn_write_fixture.h"

namespace faults {
namespace torn_scope_test {
namespace {

using sim::Bytes;
using sim::ByteRange;
using sim::OpFate;
using sim::SimFsState;
using sim::TornFill;
using sim::TornScope;

using namespace torn_write_fixture;

constexpr std::byte kDurable = kOld;
constexpr std::byte kAppended = kNew;
constexpr std::byte kZero{0};
constexpr std::uint32_t kSector = 512;

// torn_scope "sector" is torn_write_fixture's damage_sector_bytes.
Bytes after_torn(const SimFsState& before, std::vector<ByteRange> kept, TornFill fill,
                 TornScope scope, std::uint64_t junk_seed = 0) {
  return torn_write_fixture::after_torn(before, std::move(kept), fill, junk_seed,
                                        scope == TornScope::kSector ? kSector : 0);
}

// A log's append: 700 durable bytes (sector 1 holds [512,700) of them), then [700,1300)
// pending. Its pieces are [700,1024) and [1024,1300); the power goes with only the second kept.
constexpr std::uint64_t kDurableEnd = 700;
const std::vector<ByteRange> kSecondPieceOnly{{324, 600}};

TEST(TornScope, WriteScopeLeavesTheDurableHeadOfTheSectorAlone) {
  const Bytes bytes = after_torn(one_pending_write(kDurableEnd, 700, 1300), kSecondPieceOnly,
                                 TornFill::kZeros, TornScope::kWrite);
  ASSERT_EQ(bytes.size(), 1300u);
  EXPECT_TRUE(all_are(bytes, 0, 700, kDurable));
  EXPECT_TRUE(all_are(bytes, 700, 1024, kZero));
  EXPECT_TRUE(all_are(bytes, 1024, 1300, kAppended));
}

TEST(TornScope, SectorScopeZeroesTheDurableBytesBesideTheAppend) {
  const Bytes bytes = after_torn(one_pending_write(kDurableEnd, 700, 1300), kSecondPieceOnly,
                                 TornFill::kZeros, TornScope::kSector);
  ASSERT_EQ(bytes.size(), 1300u);
  EXPECT_TRUE(all_are(bytes, 0, 512, kDurable));   // a sector the write never touched
  EXPECT_TRUE(all_are(bytes, 512, 700, kZero));    // durable, but in the unfinished sector
  EXPECT_TRUE(all_are(bytes, 700, 1024, kZero));
  EXPECT_TRUE(all_are(bytes, 1024, 1300, kAppended));
}

TEST(TornScope, SectorScopeJunksTheDurableBytesBesideTheAppend) {
  const SimFsState before = one_pending_write(kDurableEnd, 700, 1300);
  const Bytes bytes = after_torn(before, kSecondPieceOnly, TornFill::kRandom, TornScope::kSector,
                                 42);
  ASSERT_EQ(bytes.size(), 1300u);
  EXPECT_TRUE(all_are(bytes, 0, 512, kDurable));
  // 512 junk bytes: about 2 each of durable, appended and zero by chance, never hundreds.
  for (std::byte value : {kDurable, kAppended, kZero}) {
    EXPECT_LT(count_of(bytes, 512, 1024, value), 20u);
  }
  EXPECT_TRUE(all_are(bytes, 1024, 1300, kAppended));
  EXPECT_EQ(after_torn(before, kSecondPieceOnly, TornFill::kRandom, TornScope::kSector, 42),
            bytes);
}

// Lost whole in flight (nothing kept, the file does not grow): only the sector scope shows it,
// as the durable head of the sector the append began in, zeroed.
TEST(TornScope, AnAppendLostInFlightDamagesTheDurableHeadOfItsSector) {
  const SimFsState before = one_pending_write(kDurableEnd, 700, 1300);
  const Bytes write = after_torn(before, {}, TornFill::kZeros, TornScope::kWrite);
  ASSERT_EQ(write.size(), 700u);
  EXPECT_TRUE(all_are(write, 0, 700, kDurable));
  const Bytes sector = after_torn(before, {}, TornFill::kZeros, TornScope::kSector);
  ASSERT_EQ(sector.size(), 700u);
  EXPECT_TRUE(all_are(sector, 0, 512, kDurable));
  EXPECT_TRUE(all_are(sector, 512, 700, kZero));
}

// The sector the append began in was finished: nothing beside the write is damaged, and the
// lost second piece leaves no sector past the size the kept bytes reached.
TEST(TornScope, AFinishedSectorKeepsItsDurableBytes) {
  const Bytes bytes = after_torn(one_pending_write(kDurableEnd, 700, 1300), {{0, 324}},
                                 TornFill::kZeros, TornScope::kSector);
  ASSERT_EQ(bytes.size(), 1024u);
  EXPECT_TRUE(all_are(bytes, 0, 700, kDurable));
  EXPECT_TRUE(all_are(bytes, 700, 1024, kAppended));
}

// An overwrite in the middle, [256,1792) of 2048, only [512,1024) kept: the old bytes before
// and after it in its first and last sectors are damaged too.
TEST(TornScope, AnOverwriteDamagesBothItsPartialSectors) {
  const SimFsState before = one_pending_write(2048, 256, 1792);
  const std::vector<ByteRange> second{{256, 768}};
  const Bytes write = after_torn(before, second, TornFill::kZeros, TornScope::kWrite);
  EXPECT_TRUE(all_are(write, 0, 256, kDurable));
  EXPECT_TRUE(all_are(write, 1792, 2048, kDurable));
  const Bytes sector = after_torn(before, second, TornFill::kZeros, TornScope::kSector);
  ASSERT_EQ(sector.size(), 2048u);
  EXPECT_TRUE(all_are(sector, 0, 512, kZero));
  EXPECT_TRUE(all_are(sector, 512, 1024, kAppended));
  EXPECT_TRUE(all_are(sector, 1024, 2048, kZero));
}

// A half-written sector (atomic_sector = false): its kept prefix stays, the rest of the sector
// is damaged, bytes after the write's end in it too.
TEST(TornScope, APieceKeptInPartKeepsOnlyItsPrefix) {
  const Bytes bytes = after_torn(one_pending_write(2048, 256, 800), {{256, 400}},
                                 TornFill::kZeros, TornScope::kSector);
  ASSERT_EQ(bytes.size(), 2048u);
  EXPECT_TRUE(all_are(bytes, 0, 512, kZero));
  EXPECT_TRUE(all_are(bytes, 512, 656, kAppended));
  EXPECT_TRUE(all_are(bytes, 656, 1024, kZero));
  EXPECT_TRUE(all_are(bytes, 1024, 2048, kDurable));
}

// Through the PRNG: the scope draws nothing, so a seed tears the same pieces under either;
// only the sector scope's fate carries the sector, and only it can damage the durable head.
TEST(TornScope, PowerLossTearsAlikeUnderEitherScope) {
  const SimFsState before = one_pending_write(kDurableEnd, 700, 4000);
  int damaged = 0;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    std::map<TornScope, sim::CrashPlan> plans;
    std::map<TornScope, std::uint64_t> next;
    for (TornScope scope : {TornScope::kWrite, TornScope::kSector}) {
      PowerLossOptions options{CrashPolicy::kTorn, true, TornFill::kZeros};
      options.torn_scope = scope;
      sim::Prng prng(seed);
      plans[scope] = choose_crash_plan(before, {}, options, prng);
      next[scope] = prng.next_u64();
    }
    EXPECT_EQ(next[TornScope::kWrite], next[TornScope::kSector]) << "seed " << seed;
    const OpFate& write = plans[TornScope::kWrite].files.at(file_of(before)).at(0);
    const OpFate& sector = plans[TornScope::kSector].files.at(file_of(before)).at(0);
    ASSERT_EQ(write.kind, sector.kind);
    EXPECT_EQ(write.kept.size(), sector.kept.size());
    EXPECT_EQ(write.damage_sector_bytes, 0u);
    if (sector.kind != OpFate::Kind::kTorn) continue;
    EXPECT_EQ(sector.damage_sector_bytes, kSector);
    const SimFsState after = sim::apply_crash(before, plans[TornScope::kSector]);
    const Bytes bytes = after.inodes.at(file_of(after)).file.durable.get();
    damaged += all_are(bytes, 512, 700, kZero) ? 1 : 0;
    const SimFsState psow = sim::apply_crash(before, plans[TornScope::kWrite]);
    EXPECT_TRUE(all_are(psow.inodes.at(file_of(psow)).file.durable.get(), 0, 700, kDurable));
  }
  EXPECT_GT(damaged, 5);
}

std::uint64_t distinct_states(const SimFsState& state, TornScope scope) {
  EnumerateOptions options;
  options.lose_unsynced_dir_ops = false;
  options.torn_fill = TornFill::kZeros;
  options.torn_scope = scope;
  return enumerate_crash_states(state, {}, options).distinct;
}

// The append of two pieces: never issued, both, first, second, none. With the write scope,
// none kept is never issued (the file does not grow, nothing to zero); with the sector scope
// it zeroes the durable head of sector 1: one state more.
TEST(TornScope, TheEnumeratorCarriesTheScope) {
  const SimFsState before = one_pending_write(kDurableEnd, 700, 1300);
  EXPECT_EQ(distinct_states(before, TornScope::kWrite), 4u);
  EXPECT_EQ(distinct_states(before, TornScope::kSector), 5u);
}

TEST(TornScope, CrashWordsSayTheUnfinishedSectorsAreDamaged) {
  const SimFsState before = one_pending_write(kDurableEnd, 700, 1300);
  const sim::PendingOp& op = before.inodes.at(file_of(before)).file.pending.at(0);
  OpFate fate = OpFate::torn(kSecondPieceOnly, TornFill::kZeros, 0);
  EXPECT_EQ(describe_file_op(op, fate),
            "[700,1300) written at #0: torn: kept [1024,1300), rest lost (reads as zeros)");
  fate.damage_sector_bytes = kSector;
  EXPECT_EQ(describe_file_op(op, fate),
            "[700,1300) written at #0: torn: kept [1024,1300), rest lost (reads as zeros) with "
            "its unfinished sectors");
}

TEST(TornScope, NamesRoundTrip) {
  for (TornScope scope : {TornScope::kWrite, TornScope::kSector}) {
    EXPECT_EQ(sim::parse_torn_scope(sim::to_string(scope)), scope);
  }
  EXPECT_FALSE(sim::parse_torn_scope("sectors").has_value());
}

}  // namespace
}  // namespace torn_scope_test
}  // namespace faults
