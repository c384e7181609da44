// Log::open, read-only and writable, in every recovery mode, on every broken log of the hostile
// corpus: an error Status with a message or a log whose every entry was appended; a read-only
// open changes no byte; a writable open (a repair) keeps every entry a read-only open of the
// same mode could read, and the log takes appends after it.
#include <gtest/gtest.h>

#include <memory>

#include <wal/log.h>

#include "hostile_corpus.h"
#include "testutil/temp_dir.h"

namespace {

using hostile::BaseLogs;
using hostile::Case;

constexpr wal::RecoveryMode kModes[] = {wal::RecoveryMode::kTolerateTail, wal::RecoveryMode::kAbsolute,
                                        wal::RecoveryMode::kPointInTime, wal::RecoveryMode::kSkipCorrupted};

std::string type_name(wal::EntryType type) {
  switch (type) {
    case wal::EntryType::kBatch: return "batch";
    case wal::EntryType::kCheckpoint: return "checkpoint";
    case wal::EntryType::kData: return "data";
  }
  return "?";
}

struct Read {
  std::vector<wal::Lsn> lsns;
  bool failed = false;
};

class HostileOpen : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    root_ = std::make_unique<testutil::TempDir>();
    base_ = std::make_unique<BaseLogs>(hostile::build_base_logs(root_->path()));
  }
  static void TearDownTestSuite() {
    base_.reset();
    root_.reset();
  }
  void SetUp() override {
    log_ = tmp_.sub("log");
    std::string skip;
    if (!GetParam().make(*base_, log_, &skip)) GTEST_SKIP() << skip;
  }

  static wal::Options options(wal::RecoveryMode mode, bool read_only) {
    wal::Options o;
    o.recovery = mode;
    o.read_only = read_only;
    o.create_if_missing = false;
    o.sync = wal::SyncPolicy::kNone;
    return o;
  }

  // Reads the whole log; every entry must have been appended, in LSN order.
  Read read_all(wal::Log& log, const std::string& what) {
    Read read;
    const wal::RecoveryReport& report = log.recovery_report();
    if (report.last_good_lsn == wal::kNoLsn) return read;
    auto reader = log.reader(report.first_lsn);
    if (!reader) {
      read.failed = true;
      return read;
    }
    for (;;) {
      auto entry = (*reader)->next();
      if (!entry) {
        read.failed = true;
        EXPECT_FALSE(entry.error().message().empty()) << what;
        return read;
      }
      if (!entry->has_value()) return read;
      const wal::Entry& e = **entry;
      const std::string payload(reinterpret_cast<const char*>(e.payload.data()), e.payload.size());
      EXPECT_TRUE(base_->written.holds(e.lsn, type_name(e.type), payload))
          << what << ": lsn " << e.lsn << " '" << payload << "' was never appended";
      if (!read.lsns.empty()) {
        EXPECT_GT(e.lsn, read.lsns.back()) << what;
      }
      read.lsns.push_back(e.lsn);
      if (read.lsns.size() > base_->written.entries.size()) {
        ADD_FAILURE() << what << ": more entries than were ever appended";
        return read;
      }
    }
  }

  static std::unique_ptr<testutil::TempDir> root_;
  static std::unique_ptr<BaseLogs> base_;
  testutil::TempDir tmp_;
  std::string log_;
};

std::unique_ptr<testutil::TempDir> HostileOpen::root_;
std::unique_ptr<BaseLogs> HostileOpen::base_;

TEST_P(HostileOpen, EveryModeAnswersWithAnErrorOrWrittenEntries) {
  const auto before = hostile::snapshot(log_);
  for (wal::RecoveryMode mode : kModes) {
    const std::string name(wal::to_string(mode));
    SCOPED_TRACE(name);
    Read read_only;
    {
      auto log = wal::Log::open(log_, options(mode, true));
      if (!log) {
        EXPECT_FALSE(log.error().message().empty());
        EXPECT_NE(log.error().code(), wal::Code::kInvalidArgument) << log.error().to_string();
      } else {
        read_only = read_all(**log, "read-only " + name);
        if (GetParam().clean) {
          EXPECT_FALSE(read_only.failed);
          EXPECT_EQ(read_only.lsns.size(), base_->written.entries.size() *
                                               (GetParam().name == "empty-directory" ? 0 : 1));
        }
        EXPECT_TRUE((*log)->close().is_ok());
      }
    }
    EXPECT_EQ(hostile::snapshot(log_), before) << "a read-only open in " << name << " changed files";
    if (GetParam().not_a_directory) continue;

    // Writable, on a copy: the open repairs it.
    const std::string copy = tmp_.sub("rw-" + name);
    hostile::copy_dir(log_, copy);
    auto log = wal::Log::open(copy, options(mode, false));
    if (!log) {
      EXPECT_FALSE(log.error().message().empty());
      continue;
    }
    const Read recovered = read_all(**log, "writable " + name);
    if (!read_only.failed && !recovered.failed) {
      EXPECT_EQ(recovered.lsns, read_only.lsns) << "a writable open lost or gained entries";
    }
    const std::string extra = "after recovery";
    auto lsn = (*log)->append(std::as_bytes(std::span<const char>(extra.data(), extra.size())));
    ASSERT_TRUE(lsn.is_ok()) << lsn.error().to_string();
    EXPECT_GT(*lsn, (*log)->recovery_report().last_good_lsn);
    EXPECT_TRUE((*log)->sync().is_ok());
    EXPECT_TRUE((*log)->close().is_ok());
    auto reopened = wal::Log::open(copy, options(mode, true));
    ASSERT_TRUE(reopened.is_ok()) << reopened.error().to_string();
    EXPECT_EQ((*reopened)->recovery_report().last_good_lsn, *lsn);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileOpen, ::testing::ValuesIn(hostile::cases()),
                         [](const ::testing::TestParamInfo<Case>& c) {
                           std::string name = c.param.name;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
