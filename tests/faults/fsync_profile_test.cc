// What each fsync profile leaves behind after an injected fsync EIO (SPEC 3.4): ext4/xfs keep the
// data readable but never durable, btrfs reverts the page cache; in all three the retry lies.
#include "faults/fsync_eio_fs.h"

#include <gtest/gtest.h>

#include <string>

#include "faults/io_faults.h"

// In a namespace of its own: the unity build compiles this file in one unit with the other
// tests of tests/faults, and fault_fs_test.cc has helpers of the same names.
namespace faults::fsync_profile_test {
namespace {

std::span<const std::byte> bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string read_all(wal::File& file) {
  std::string out(file.size().value(), '\0');
  EXPECT_TRUE(file.read_at(0, std::as_writable_bytes(std::span(out.data(), out.size()))).is_ok());
  return out;
}

// The file's bytes after a crash kind enough to keep everything still pending.
std::string after_best_crash(sim::SimFs& fs) {
  fs.crash(sim::CrashPlan::keep_all(fs.state()));
  auto file = fs.open("f", wal::OpenMode::kReadOnly).value();
  return read_all(*file);
}

class FsyncProfileTest : public ::testing::TestWithParam<FsyncProfile> {
 protected:
  // "old" durable, then "new!" written over it, then a sync that fails (the 2nd sync call).
  void SetUp() override {
    fs_ = std::make_unique<FsyncEioFs>(sim_, &sim_, GetParam(), TriggerSpec::on_call(2),
                                       sim::Prng(1), &trace_);
    file_ = fs_->open("f", wal::OpenMode::kCreate).value();
    ASSERT_TRUE(file_->write_at(0, bytes("old")).is_ok());
    ASSERT_TRUE(file_->sync().is_ok());
    ASSERT_TRUE(fs_->sync_dir("/").is_ok());
    ASSERT_TRUE(file_->write_at(0, bytes("new!")).is_ok());
    failed_ = file_->sync();
  }

  sim::Trace trace_;
  sim::SimFs sim_{{}, &trace_};
  std::unique_ptr<FsyncEioFs> fs_;
  std::unique_ptr<wal::File> file_;
  wal::Status failed_;
};

TEST_P(FsyncProfileTest, TheFailureIsAnInjectedEioAndTraced) {
  EXPECT_EQ(failed_.code(), wal::Code::kIoError);
  EXPECT_TRUE(failed_.injected());
  EXPECT_EQ(trace_.injected_faults().at("fsync_eio"), 1u);
  EXPECT_NE(trace_.dump().find(std::string("profile ") + std::string(to_string(GetParam()))),
            std::string::npos);
}

TEST_P(FsyncProfileTest, TheRetriedFsyncLiesAndTheDataNeverBecomesDurable) {
  ASSERT_TRUE(file_->sync().is_ok());  // the lie
  if (GetParam() == FsyncProfile::kBtrfs) {
    EXPECT_EQ(read_all(*file_), "old");  // the page cache reverted
  } else {
    EXPECT_EQ(read_all(*file_), "new!");  // still in the cache, marked clean
  }
  EXPECT_EQ(after_best_crash(sim_), "old");
}

TEST_P(FsyncProfileTest, LaterWritesBecomeDurableAsUsual) {
  ASSERT_TRUE(file_->write_at(0, bytes("NE")).is_ok());
  ASSERT_TRUE(file_->sync().is_ok());
  EXPECT_EQ(after_best_crash(sim_), "NEd");
}

INSTANTIATE_TEST_SUITE_P(Profiles, FsyncProfileTest,
                         ::testing::Values(FsyncProfile::kExt4, FsyncProfile::kXfs,
                                           FsyncProfile::kBtrfs),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST(FsyncProfile, NamesRoundTrip) {
  for (FsyncProfile profile : {FsyncProfile::kExt4, FsyncProfile::kXfs, FsyncProfile::kBtrfs}) {
    EXPECT_EQ(parse_fsync_profile(to_string(profile)), profile);
  }
  EXPECT_FALSE(parse_fsync_profile("zfs").has_value());
}

TEST(FsyncProfile, TheHookReachesSimFsThroughOtherDecorators) {
  sim::SimFs sim;
  WriteEioFs below(sim, TriggerSpec{}, sim::Prng(2));
  FsyncEioFs fsync(below, &sim, FsyncProfile::kBtrfs, TriggerSpec::on_call(1), sim::Prng(3));
  ReadEioFs above(fsync, TriggerSpec{}, sim::Prng(4));
  auto file = above.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("data")).is_ok());
  EXPECT_TRUE(file->sync_data().injected());
  EXPECT_EQ(file->size().value(), 0u);  // btrfs: reverted to the (empty) durable image
}

TEST(FsyncProfile, OverARealFsOnlyTheErrorIsInjected) {
  sim::SimFs sim;
  FsyncEioFs fs(sim, /*sim=*/nullptr, FsyncProfile::kBtrfs, TriggerSpec::on_call(1),
                sim::Prng(3));
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(file->write_at(0, bytes("data")).is_ok());
  EXPECT_TRUE(file->sync_data().injected());
  EXPECT_EQ(file->size().value(), 4u);
}

// A directory's fsync fails too when asked (walsim's fault stack asks): injected and traced,
// its entries stay pending, so an empty plan (every pending op lost) drops the new name; a
// later directory fsync that succeeds makes them durable. Off, directories pass untouched and
// the trigger counts only the files' syncs.
TEST(FsyncProfile, ADirectoryFsyncFailsWhenAskedAndItsEntriesStayPending) {
  sim::Trace trace;
  sim::SimFs sim({}, &trace);
  FsyncEioFs fs(sim, &sim, FsyncProfile::kExt4, TriggerSpec::on_call(1), sim::Prng(3), &trace);
  fs.fail_directories(true);
  ASSERT_TRUE(fs.open("f", wal::OpenMode::kCreate).is_ok());
  const wal::Status failed = fs.sync_dir("/");
  EXPECT_EQ(failed.code(), wal::Code::kIoError);
  EXPECT_TRUE(failed.injected());
  EXPECT_EQ(trace.injected_faults().at("fsync_eio"), 1u);
  EXPECT_NE(trace.dump().find("sync_dir"), std::string::npos);
  sim::SimFs lost;
  lost.restore(sim::apply_crash(sim.state(), sim::CrashPlan{}));
  EXPECT_EQ(lost.stat("f").status().code(), wal::Code::kNotFound);

  ASSERT_TRUE(fs.sync_dir("/").is_ok());  // on_call(1): only the first fails
  sim::SimFs kept;
  kept.restore(sim::apply_crash(sim.state(), sim::CrashPlan{}));
  EXPECT_TRUE(kept.stat("f").is_ok());
}

TEST(FsyncProfile, DirectoriesAreLeftAloneUnlessAsked) {
  sim::SimFs sim;
  FsyncEioFs fs(sim, &sim, FsyncProfile::kExt4, TriggerSpec::on_call(1), sim::Prng(3));
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  ASSERT_TRUE(fs.sync_dir("/").is_ok());
  EXPECT_TRUE(file->sync().injected());  // still the first call the trigger counts
}

}  // namespace
}  // namespace faults::fsync_profile_test
