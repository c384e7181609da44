// Recovery costs what the data costs, not what a segment's capacity claims. A segment with a
// valid header and a few records may be 10 GiB long: preallocated (unwritten extents), sparse
// (a hole), or claiming 10 GiB in its header and preallocated to it by a writable open. Reading
// those zeros cost 20 s a command. The count here is of bytes read through the Fs, not time:
// a scan that walks the capacity reads gigabytes, one that asks the file where data resumes
// (File::next_data, SEEK_DATA) reads about what was written.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "record_format.h"
#include "recovery.h"
#include "testutil/counting_fs.h"
#include "testutil/temp_dir.h"

namespace {

constexpr std::uint64_t kTenGiB = 10ull << 30;
// Far below the capacity, far above what a few records and the read-ahead take.
constexpr std::uint64_t kReadBudget = 16ull << 20;

class SparseSegment : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.sub("log");
    wal::Options options;
    options.segment_bytes = 64 << 10;
    options.sync = wal::SyncPolicy::kNone;
    auto log = wal::Log::open(dir_, options);
    ASSERT_TRUE(log.is_ok()) << log.error().to_string();
    for (int i = 0; i < 100; ++i) {
      const std::string payload = "entry " + std::to_string(i);
      ASSERT_TRUE((*log)->append(std::as_bytes(std::span(payload))).is_ok());
    }
    ASSERT_TRUE((*log)->close().is_ok());
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      wal::Lsn lsn = wal::kNoLsn;
      if (wal::recovery::parse_segment_name(entry.path().filename().string(), &lsn)) {
        newest_ = std::max(newest_, entry.path().string());
      }
    }
    ASSERT_FALSE(newest_.empty());
  }

  // Verifies in every mode and reads the log back read-only, counting the bytes read.
  std::uint64_t bytes_read_by_verify_and_read() {
    testutil::CountingFs fs(wal::posix_fs());
    for (wal::RecoveryMode mode : {wal::RecoveryMode::kTolerateTail, wal::RecoveryMode::kAbsolute,
                                   wal::RecoveryMode::kPointInTime,
                                   wal::RecoveryMode::kSkipCorrupted}) {
      wal::Options options;
      options.recovery = mode;
      auto report = wal::verify(fs, dir_, options);
      EXPECT_TRUE(report.is_ok()) << report.error().to_string();
      if (report.is_ok()) {
        EXPECT_EQ(report->last_good_lsn, 100u);
      }
    }
    wal::Options options;
    options.read_only = true;
    options.fs = &fs;
    auto log = wal::Log::open(dir_, options);
    EXPECT_TRUE(log.is_ok()) << log.error().to_string();
    if (log.is_ok()) {
      auto reader = (*log)->reader(1);
      EXPECT_TRUE(reader.is_ok());
      std::uint64_t entries = 0;
      for (;;) {
        auto entry = (*reader)->next();
        EXPECT_TRUE(entry.is_ok()) << entry.error().to_string();
        if (!entry.is_ok() || !entry->has_value()) break;
        ++entries;
      }
      EXPECT_EQ(entries, 100u);
    }
    return fs.bytes_read();
  }

  testutil::TempDir tmp_;
  std::string dir_;
  std::string newest_;
};

TEST_F(SparseSegment, AHoleOfTenGiBAfterTheRecordsIsNotRead) {
  std::filesystem::resize_file(newest_, kTenGiB);
  EXPECT_LT(bytes_read_by_verify_and_read(), kReadBudget);
}

TEST_F(SparseSegment, TenGiBPreallocatedAfterTheRecordsIsNotRead) {
  const int fd = ::open(newest_.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const int rc = ::fallocate(fd, 0, 0, static_cast<off_t>(kTenGiB));
  ::close(fd);
  if (rc != 0) GTEST_SKIP() << "fallocate of 10 GiB failed here: " << std::strerror(errno);
  EXPECT_LT(bytes_read_by_verify_and_read(), kReadBudget);
}

// A header claiming 10 GiB: a writable open preallocates the newest segment to it, and a
// process killed before its close (which trims it) leaves it at 10 GiB. Every later command
// must still cost only the data.
TEST_F(SparseSegment, AHeaderClaimingTenGiBCostsOnlyItsData) {
  std::string bytes(wal::format::kSegmentHeaderBytes, '\0');
  {
    const int fd = ::open(newest_.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pread(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    const std::uint64_t capacity = kTenGiB;
    std::memcpy(bytes.data() + 32, &capacity, sizeof capacity);
    const std::uint32_t crc =
        wal::format::crc32c(0, std::as_bytes(std::span(bytes)).first(60));
    std::memcpy(bytes.data() + 60, &crc, sizeof crc);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    wal::Options options;
    options.sync = wal::SyncPolicy::kNone;
    auto log = wal::Log::open(dir_, options);  // continues the newest segment: preallocates it
    ::_exit(log.is_ok() ? 0 : 1);              // killed before the close could trim it
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_GT(std::filesystem::file_size(newest_), kTenGiB / 2) << "the open did not preallocate";
  EXPECT_LT(bytes_read_by_verify_and_read(), kReadBudget);
}

}  // namespace
