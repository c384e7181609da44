#include <gtest/gtest.h>
#include <wal/options.h>
#include <wal/status.h>

namespace wal {
namespace {

TEST(OptionsTest, EveryPolicyNameRoundTrips) {
  for (SyncPolicy p : {SyncPolicy::kNone, SyncPolicy::kImmediate, SyncPolicy::kPeriodic,
                       SyncPolicy::kGrouped}) {
    EXPECT_EQ(parse_sync_policy(to_string(p)), p);
  }
  for (RecoveryMode m : {RecoveryMode::kTolerateTail, RecoveryMode::kAbsolute,
                         RecoveryMode::kPointInTime, RecoveryMode::kSkipCorrupted}) {
    EXPECT_EQ(parse_recovery_mode(to_string(m)), m);
  }
  for (ChecksumKind k : {ChecksumKind::kCrc32c, ChecksumKind::kCrc64, ChecksumKind::kXxh3}) {
    EXPECT_EQ(parse_checksum_kind(to_string(k)), k);
  }
  EXPECT_FALSE(parse_sync_policy("sometimes").has_value());
  EXPECT_FALSE(parse_recovery_mode("").has_value());
}

TEST(StatusTest, ErrnoMapsToCodesAndInjectedIsVisible) {
  EXPECT_EQ(Status::from_errno(28, "write").code(), Code::kNoSpace);  // ENOSPC
  EXPECT_EQ(Status::from_errno(2, "open").code(), Code::kNotFound);   // ENOENT
  Status eio = Status::from_errno(5, "fdatasync x");
  EXPECT_EQ(eio.code(), Code::kIoError);
  EXPECT_FALSE(eio.injected());
  eio.mark_injected();
  EXPECT_NE(eio.to_string().find("[injected]"), std::string::npos);
  Result<int> r = Status::corruption("bad");
  EXPECT_FALSE(r.is_ok());
  EXPECT_EQ(r.error().code(), Code::kCorruption);
  Result<int> v = 7;
  EXPECT_EQ(*v, 7);
}

}  // namespace
}  // namespace wal
