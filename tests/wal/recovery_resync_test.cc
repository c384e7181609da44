// The resync choice of recovery_resync.h on candidate lists shaped like the damage that led to
// it: out-of-place copies of later and of earlier records, ties, batches and the filters.
#include <gtest/gtest.h>

#include <vector>

#include "recovery_resync.h"

namespace wal::recovery {
namespace {

std::vector<ResyncCandidate> ranked(std::vector<ResyncCandidate> candidates) {
  rank_chains(candidates);
  return candidates;
}

Lsn picked(const std::vector<ResyncCandidate>& candidates, std::uint64_t from, Lsn expected) {
  const ResyncCandidate* next = pick_resync(candidates, from, expected);
  return next ? next->first : kNoLsn;
}

// Swarm seed 930085: a copy of LSN 22 landed where LSN 11 was, before the intact LSNs 13..21.
TEST(RecoveryResync, ACopyOfALaterRecordBeforeTheRestIsPassedOver) {
  std::vector<ResyncCandidate> list = {{.offset = 560, .first = 22, .last = 22}};
  for (Lsn lsn = 13; lsn <= 21; ++lsn) {
    list.push_back({.offset = 48 * lsn, .first = lsn, .last = lsn});
  }
  list.push_back({.offset = 1120, .first = 23, .last = 23});
  list = ranked(list);
  EXPECT_EQ(list[0].chain, 2u);   // 22, 23
  EXPECT_EQ(list[1].chain, 10u);  // 13..21, 23
  EXPECT_EQ(picked(list, 544, 11), 13u);
  EXPECT_EQ(picked(list, 1072, 22), 23u);  // the copy lies behind: the hole resumes at 23
}

// Seed 3079378: a copy of LSN 1 landed past LSN 2. One record either way: the earlier wins, as
// the first-found rule had it, and the copy is then damage the walk meets later.
TEST(RecoveryResync, ACopyOfAnEarlierRecordPastLaterOnesIsPassedOverOnATie) {
  const std::vector<ResyncCandidate> list =
      ranked({{.offset = 680, .first = 2, .last = 2}, {.offset = 3648, .first = 1, .last = 1}});
  EXPECT_EQ(picked(list, 64, 1), 2u);
  EXPECT_EQ(picked(list, 728, 3), kNoLsn);  // LSN 1 is below what the walk expects there
}

TEST(RecoveryResync, ACopyOfAnEarlierRecordPastMoreLaterOnesLosesToThem) {
  const std::vector<ResyncCandidate> list = ranked({{.offset = 100, .first = 5, .last = 5},
                                                    {.offset = 200, .first = 6, .last = 6},
                                                    {.offset = 300, .first = 3, .last = 3}});
  EXPECT_EQ(picked(list, 0, 3), 5u);
}

// A batch covers LSNs first..last: a later candidate continues it only above `last`.
TEST(RecoveryResync, ABatchsLastLsnBoundsWhatContinuesIt) {
  const std::vector<ResyncCandidate> list = ranked({{.offset = 0, .first = 10, .last = 14},
                                                    {.offset = 80, .first = 12, .last = 12},
                                                    {.offset = 160, .first = 15, .last = 15}});
  EXPECT_EQ(list[0].chain, 2u);  // 10..14, 15: LSN 12 lies inside the batch
  EXPECT_EQ(list[1].chain, 2u);  // 12, 15
  EXPECT_EQ(picked(list, 0, 10), 10u);  // a tie: the earlier
  EXPECT_EQ(picked(list, 8, 10), 12u);  // `from` leaves the batch behind
}

TEST(RecoveryResync, NothingAtOrAboveTheExpectedLsnIsNoResync) {
  const std::vector<ResyncCandidate> list = ranked({{.offset = 0, .first = 1, .last = 1}});
  EXPECT_EQ(picked(list, 0, 2), kNoLsn);
  EXPECT_EQ(picked(ranked({}), 0, 1), kNoLsn);
}

}  // namespace
}  // namespace wal::recovery
