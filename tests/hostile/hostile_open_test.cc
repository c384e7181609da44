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

  // Reads the log from `from`; every entry must have been appended, in LSN order.
  Read read_from(wal::Log& log, wal::Lsn from, const std::string& what) {
    Read read;
    auto reader = log.reader(from);
    if (!reader) {
      ADD_FAILURE() << what << ": reader(" << from << "): " << reader.error().to_string();
      read.failed = true;
      return read;
    }
    for (;;) {
      auto entry = (*reader)->next();
      if (!entry) {
        // Whatever recovery kept is readable, in every mode, from any LSN: a reader that stops
        // at damage recovery stepped over loses what the open promised.
        ADD_FAILURE() << what << ": reading from " << from << " failed after "
                      << read.lsns.size() << " entries: " << entry.error().to_string();
        read.failed = true;
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

  // Reads the whole log, then again from a spread of start LSNs (every gap's edges among them):
  // each read yields exactly the entries of the whole read at or above its start.
  Read read_all(wal::Log& log, const std::string& what) {
    const wal::RecoveryReport& report = log.recovery_report();
    if (report.last_good_lsn == wal::kNoLsn) return Read{};
    Read all = read_from(log, report.first_lsn, what);
    if (all.failed || all.lsns.empty()) return all;
    EXPECT_EQ(all.lsns.back(), report.last_good_lsn) << what << ": the last entry recovered is not read";
    std::vector<wal::Lsn> starts = {all.lsns.front() > 1 ? all.lsns.front() - 1 : 1,
                                    all.lsns.back(), all.lsns.back() + 1};
    for (std::size_t i = 0; i < all.lsns.size(); ++i) {
      if (i % 17 == 0) starts.push_back(all.lsns[i]);
      if (i > 0 && all.lsns[i] != all.lsns[i - 1] + 1) {
        starts.push_back(all.lsns[i - 1] + 1);  // inside the gap
        starts.push_back(all.lsns[i]);          // where reading resumes
      }
    }
    for (const wal::Lsn start : starts) {
      const Read part = read_from(log, start, what + " from " + std::to_string(start));
      std::vector<wal::Lsn> expected;
      for (const wal::Lsn lsn : all.lsns) {
        if (lsn >= start) expected.push_back(lsn);
      }
      if (!part.failed) {
        EXPECT_EQ(part.lsns, expected) << what << ": reading from " << start;
      }
    }
    return all;
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
    if (!recovered.failed) {
      // What was kept and what was appended after it, in one read from the oldest entry.
      std::vector<wal::Lsn> expected = recovered.lsns;
      expected.push_back(*lsn);
      std::vector<wal::Lsn> lsns;
      auto reader = (*log)->reader(recovered.lsns.empty() ? *lsn : recovered.lsns.front());
      ASSERT_TRUE(reader.is_ok()) << reader.error().to_string();
      for (;;) {
        auto entry = (*reader)->next();
        ASSERT_TRUE(entry.is_ok()) << name << ": " << entry.error().to_string();
        if (!entry->has_value()) break;
        lsns.push_back((*entry)->lsn);
        ASSERT_LE(lsns.size(), expected.size());
      }
      EXPECT_EQ(lsns, expected) << name << ": reading across recovery and the new append";
    }
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
