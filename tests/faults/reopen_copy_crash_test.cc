// A power loss anywhere in a writable open that copies the newest segment (wal/FORMAT.md 3.1)
// loses no acknowledged entry, whatever a torn write's lost part reads back as (stale, zeros,
// junk): every post-crash state the enumerator finds (faults/crash_enumerator.h) of the state
// before each call of the open that changes the disk, and of the state after it, recovers
// them all. The same walk finds the states that lose them with the open of before
// (rewrite-tail-in-place, under zeros and junk) and with the copy renamed before its sync
// (rename-unsynced-tail-copy). And after an fsync EIO that left the lost pages readable and
// clean (ext4), a reopen in the same process makes the entries it adopts durable (fsyncgate),
// which trust-page-cache-on-reopen does not.
#include <gtest/gtest.h>

#include <fiu-control.h>
#include <fiu.h>

#include <optional>
#include <string>
#include <vector>

#include <wal/clock.h>
#include <wal/log_core.h>

#include "faults/crash_enumerator.h"
#include "faults/fs_wrapper.h"
#include "faults/fsync_eio_fs.h"
#include "sim/sim_fs.h"
#include "wal/src/mutant.h"

namespace reopen_copy_crash_test {
namespace {

struct StillClock final : wal::Clock {
  std::uint64_t now_us() override { return 0; }
};

constexpr char kDir[] = "/wal";

sim::DeviceModel device() {
  sim::DeviceModel model;
  model.atomic_sector = false;  // a sector itself may be half written
  return model;
}

wal::Options log_options() {
  wal::Options options;
  options.segment_bytes = 16 << 10;
  options.salt = 7;
  return options;
}

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

wal::Status sync_core(wal::LogCore& core) {
  wal::Result<wal::SyncTicket> ticket = core.begin_sync();
  if (!ticket) return ticket.error();
  const wal::Status status = wal::LogCore::run_sync(*ticket);
  core.finish_sync(*ticket, status);
  return status;
}

// Appends entries `first`.. `last` to `core`, a group commit after every fourth and the last:
// all acknowledged durable when it returns.
std::vector<std::string> append_synced(wal::LogCore& core, int first, int last) {
  std::vector<std::string> payloads;
  for (int i = first; i <= last; ++i) {
    payloads.push_back("entry " + std::to_string(i) + std::string(40 + i * 13 % 150, 'x'));
    EXPECT_TRUE(core.append(bytes_of(payloads.back())).is_ok());
    if (i % 4 == 0 || i == last) {
      EXPECT_TRUE(sync_core(core).is_ok());
    }
  }
  EXPECT_EQ(core.durable_lsn(), static_cast<wal::Lsn>(last));
  return payloads;
}

// The entries a read-only open of `state` recovers; nullopt (and `*why`) when it fails.
std::optional<std::vector<std::string>> recover(const sim::SimFsState& state, std::string* why) {
  sim::SimFs fs(device());
  fs.restore(state);
  StillClock clock;
  wal::Options options = log_options();
  options.read_only = true;
  wal::Result<std::unique_ptr<wal::LogCore>> core = wal::LogCore::open(fs, clock, kDir, options);
  if (!core) {
    *why = core.error().to_string();
    return std::nullopt;
  }
  wal::Result<std::unique_ptr<wal::Reader>> reader = (*core)->reader(1);
  if (!reader) {
    *why = reader.error().to_string();
    return std::nullopt;
  }
  std::vector<std::string> entries;
  for (;;) {
    wal::Result<std::optional<wal::Entry>> entry = (*reader)->next();
    if (!entry) {
      *why = entry.error().to_string();
      return std::nullopt;
    }
    if (!entry->has_value()) return entries;
    const std::span<const std::byte> payload = (*entry)->payload;
    entries.emplace_back(reinterpret_cast<const char*>(payload.data()), payload.size());
  }
}

// The SimFs state before each call through it that changes the disk.
class Snapshots final : public faults::FsWrapper {
 public:
  explicit Snapshots(sim::SimFs& fs) : FsWrapper(fs), sim_(fs) {}
  std::vector<sim::SimFsState> states;

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override {
    if (mode == wal::OpenMode::kCreate || mode == wal::OpenMode::kCreateExclusive) take();
    return FsWrapper::open(path, mode);
  }
  wal::Status rename(std::string_view source, std::string_view target) override {
    take();
    return FsWrapper::rename(source, target);
  }
  wal::Status unlink(std::string_view path) override {
    take();
    return FsWrapper::unlink(path);
  }
  wal::Status sync_dir(std::string_view dir) override {
    take();
    return FsWrapper::sync_dir(dir);
  }
  void take() { states.push_back(sim_.state()); }

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override {
    return std::make_unique<File>(*this, std::move(file), std::string(path));
  }

 private:
  class File final : public faults::FileWrapper {
   public:
    File(Snapshots& fs, std::unique_ptr<wal::File> base, std::string path)
        : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      fs_.take();
      return FileWrapper::write_at(offset, data);
    }
    wal::Status sync_data() override {
      fs_.take();
      return FileWrapper::sync_data();
    }
    wal::Status sync() override {
      fs_.take();
      return FileWrapper::sync();
    }
    wal::Status truncate(std::uint64_t size_bytes) override {
      fs_.take();
      return FileWrapper::truncate(size_bytes);
    }
    wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
      fs_.take();
      return FileWrapper::allocate(offset, length);
    }

   private:
    Snapshots& fs_;
  };

  sim::SimFs& sim_;
};

struct Walk {
  std::uint64_t states = 0;  // crash states recovered
  std::uint64_t lossy = 0;   // of which lost an acknowledged entry (or failed to open)
  bool complete = true;      // every enumeration ran to its end
  std::string first;         // the first loss, described
};

// Power lost at each of `snapshots` under `fill`: every crash state must recover exactly
// `acknowledged`.
Walk walk(const std::vector<sim::SimFsState>& snapshots, sim::TornFill fill,
          const std::vector<std::string>& acknowledged) {
  Walk result;
  faults::EnumerateOptions options;
  options.torn_fill = fill;
  options.max_states = 400;
  for (std::size_t step = 0; step < snapshots.size(); ++step) {
    const faults::EnumerationResult enumerated = faults::enumerate_crash_states(
        snapshots[step], device(), options,
        [&](const sim::SimFsState& state, const sim::CrashPlan&, std::uint64_t) {
          ++result.states;
          std::string why;
          const std::optional<std::vector<std::string>> entries = recover(state, &why);
          if (entries && *entries == acknowledged) return true;
          if (result.lossy++ == 0) {
            result.first = "power lost before call " + std::to_string(step) + " of the open: " +
                           (entries ? std::to_string(entries->size()) + " of " +
                                          std::to_string(acknowledged.size()) + " entries"
                                    : why);
          }
          return true;
        });
    result.complete = result.complete && enumerated.complete;
  }
  return result;
}

// A log whose process died after acknowledging 14 entries, then the states of a writable open
// of it, call by call (the last: after the open).
std::vector<sim::SimFsState> states_of_an_open(std::vector<std::string>* acknowledged) {
  sim::SimFs fs(device());
  fs.make_durable_dirs(kDir);
  StillClock clock;
  {
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(fs, clock, kDir, log_options());
    EXPECT_TRUE(core.is_ok()) << core.error().to_string();
    if (!core) return {};
    *acknowledged = append_synced(**core, 1, 14);
  }  // unclosed: a process crash
  fs.crash(sim::CrashPlan::keep_all(fs.state()));  // and a power loss that kept every byte
  Snapshots snapshots(fs);
  wal::Result<std::unique_ptr<wal::LogCore>> reopened =
      wal::LogCore::open(snapshots, clock, kDir, log_options());
  EXPECT_TRUE(reopened.is_ok()) << reopened.error().to_string();
  snapshots.take();
  return std::move(snapshots.states);
}

class ReopenCopyCrashTest : public ::testing::TestWithParam<sim::TornFill> {};

TEST_P(ReopenCopyCrashTest, APowerLossAnywhereInTheOpenKeepsEveryAcknowledgedEntry) {
  std::vector<std::string> acknowledged;
  const std::vector<sim::SimFsState> states = states_of_an_open(&acknowledged);
  ASSERT_GE(states.size(), 6u);  // the copy: create, write, sync, rename, sync_dir, ...
  const Walk result = walk(states, GetParam(), acknowledged);
  EXPECT_GT(result.states, 100u);
  EXPECT_EQ(result.lossy, 0u) << result.first;
}

INSTANTIATE_TEST_SUITE_P(EveryFill, ReopenCopyCrashTest,
                         ::testing::Values(sim::TornFill::kStale, sim::TornFill::kZeros,
                                           sim::TornFill::kRandom),
                         [](const ::testing::TestParamInfo<sim::TornFill>& param_info) {
                           return std::string(sim::to_string(param_info.param));
                         });

// The walk above sees the bugs it guards against: the states of an open with a mutant on.
Walk walk_with(const char* mutant, sim::TornFill fill) {
  EXPECT_EQ(fiu_init(0), 0);
  EXPECT_EQ(wal::mutant::enable(mutant), 0);
  std::vector<std::string> acknowledged;
  const std::vector<sim::SimFsState> states = states_of_an_open(&acknowledged);
  wal::mutant::disable(mutant);
  return walk(states, fill, acknowledged);
}

TEST(ReopenCopyCrashWalk, SeesTheRewriteInPlaceUnderZerosAndJunkOnly) {
  constexpr char kInPlace[] = "wal/mutant/rewrite-tail-in-place";
  EXPECT_EQ(walk_with(kInPlace, sim::TornFill::kStale).lossy, 0u);
  EXPECT_GT(walk_with(kInPlace, sim::TornFill::kZeros).lossy, 0u);
  EXPECT_GT(walk_with(kInPlace, sim::TornFill::kRandom).lossy, 0u);
}

TEST(ReopenCopyCrashWalk, SeesACopyRenamedBeforeItsSync) {
  EXPECT_GT(walk_with("wal/mutant/rename-unsynced-tail-copy", sim::TornFill::kStale).lossy, 0u);
}

// fsyncgate: the second group commit's fsync fails the ext4 way (its pages stay readable and are
// marked clean, never to be written); the process dies; a reopen in the same boot recovers the
// entries from the page cache and calls them durable. Every power loss after that open must
// keep them.
std::uint64_t lossy_after_fsync_failure_and_reopen() {
  sim::SimFs fs(device());
  fs.make_durable_dirs(kDir);
  StillClock clock;
  std::vector<std::string> acknowledged;
  {
    // Sync calls: the new segment's (1), the first group commit's (2), the second's (3).
    faults::FsyncEioFs eio(fs, &fs, faults::FsyncProfile::kExt4,
                           faults::TriggerSpec::on_call(3), sim::Prng(1));
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(eio, clock, kDir, log_options());
    EXPECT_TRUE(core.is_ok());
    if (!core) return 0;
    acknowledged = append_synced(**core, 1, 4);
    for (int i = 5; i <= 7; ++i) {
      acknowledged.push_back("adopted " + std::to_string(i));
      EXPECT_TRUE((*core)->append(bytes_of(acknowledged.back())).is_ok());
    }
    EXPECT_FALSE(sync_core(**core).is_ok());
    EXPECT_EQ(eio.trigger().fired(), 1u);
  }  // the process dies poisoned; the page cache stays
  wal::Result<std::unique_ptr<wal::LogCore>> reopened =
      wal::LogCore::open(fs, clock, kDir, log_options());
  EXPECT_TRUE(reopened.is_ok());
  if (!reopened) return 0;
  EXPECT_EQ((*reopened)->durable_lsn(), 7u);  // the open acknowledges what it recovered
  return walk({fs.state()}, sim::TornFill::kStale, acknowledged).lossy;
}

TEST(ReopenCopyCrashWalk, AReopenAfterAFailedFsyncMakesWhatItAdoptsDurable) {
  EXPECT_EQ(lossy_after_fsync_failure_and_reopen(), 0u);
  EXPECT_EQ(fiu_init(0), 0);
  EXPECT_EQ(wal::mutant::enable("wal/mutant/trust-page-cache-on-reopen"), 0);
  const std::uint64_t trusting = lossy_after_fsync_failure_and_reopen();
  wal::mutant::disable("wal/mutant/trust-page-cache-on-reopen");
  EXPECT_GT(trusting, 0u);
}

}  // namespace
}  // namespace reopen_copy_crash_test
