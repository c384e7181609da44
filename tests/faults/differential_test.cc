// The differential test (SPEC 4.5a): the same seeded sequence of fs operations, and the same
// seeded WAL workload, run on PosixFs in a temp dir on ext4 and on SimFs. Every call must give the
// same outcome, and the visible files (names, sizes, bytes) must match after every sync and at
// the end. This is how we know SimFs is faithful to the real thing.
// WAL_DIFF_SEEDS=N runs N seeds per test instead of the bounded default (for `make soak`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <wal/clock.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "sim/prng.h"
#include "sim/sim_fs.h"
#include "testutil/temp_dir.h"

namespace {

using Bytes = std::vector<std::byte>;

std::uint64_t seeds(std::uint64_t bounded) {
  const char* env = std::getenv("WAL_DIFF_SEEDS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : bounded;
}

// One filesystem under test with the directory all paths are relative to.
struct Side {
  wal::Fs& fs;
  std::string root;
  std::string path(const std::string& relative) const {
    return relative.empty() ? root : wal::join_path(root, relative);
  }
};

// Every visible file below `dir`: relative path -> bytes (directories as "<dir>").
void snapshot(const Side& side, const std::string& dir, std::map<std::string, std::string>& out) {
  auto names = side.fs.list(side.path(dir));
  ASSERT_TRUE(names.is_ok()) << names.status().to_string();
  for (const std::string& name : *names) {
    const std::string relative = dir.empty() ? name : dir + "/" + name;
    auto stat = side.fs.stat(side.path(relative));
    ASSERT_TRUE(stat.is_ok()) << stat.status().to_string();
    if (stat->is_directory) {
      out[relative] = "<dir>";
      snapshot(side, relative, out);
      continue;
    }
    auto file = side.fs.open(side.path(relative), wal::OpenMode::kReadOnly);
    ASSERT_TRUE(file.is_ok()) << file.status().to_string();
    std::string content(stat->size_bytes, '\0');
    auto got = (*file)->read_at(0, std::as_writable_bytes(std::span(content.data(), content.size())));
    ASSERT_TRUE(got.is_ok());
    ASSERT_EQ(*got, content.size()) << relative;
    ASSERT_TRUE((*file)->close().is_ok());
    out[relative] = std::move(content);
  }
}

void expect_same_files(const Side& real, const Side& sim, const std::string& dir,
                       const std::string& when) {
  std::map<std::string, std::string> a, b;
  snapshot(real, dir, a);
  snapshot(sim, dir, b);
  ASSERT_EQ(a.size(), b.size()) << when;
  for (auto ai = a.begin(), bi = b.begin(); ai != a.end(); ++ai, ++bi) {
    ASSERT_EQ(ai->first, bi->first) << when;
    ASSERT_EQ(ai->second.size(), bi->second.size()) << when << ": size of " << ai->first;
    const auto diff = std::mismatch(ai->second.begin(), ai->second.end(), bi->second.begin());
    ASSERT_TRUE(diff.first == ai->second.end())
        << when << ": bytes of " << ai->first << " differ first at offset "
        << (diff.first - ai->second.begin());
  }
}

Bytes random_bytes(sim::Prng& prng, std::uint64_t length) {
  Bytes data(length);
  for (auto& b : data) b = static_cast<std::byte>(prng.next_u64());
  return data;
}

// ---- raw fs operations ----

class FsDifferential {
 public:
  FsDifferential(std::uint64_t seed, const Side& real, const Side& sim)
      : prng_(seed), real_(real), sim_(sim) {}

  void run(int ops) {
    ASSERT_TRUE(real_.fs.mkdir(real_.path("sub")).is_ok());
    ASSERT_TRUE(sim_.fs.mkdir(sim_.path("sub")).is_ok());
    for (step_ = 0; step_ < ops && !::testing::Test::HasFatalFailure(); ++step_) one_op();
    for (auto& handle : handles_) {
      ASSERT_TRUE(handle.real->close().is_ok());
      ASSERT_TRUE(handle.sim->close().is_ok());
    }
    expect_same_files(real_, sim_, "", "at the end");
  }

 private:
  struct Handle {
    std::unique_ptr<wal::File> real, sim;
    bool writable = false;
  };

  std::string where() const { return "step " + std::to_string(step_) + " " + op_; }

  std::string random_name() {
    static const char* const kNames[] = {"f0", "f1", "f2", "f3", "sub/f0", "sub/f1"};
    return kNames[prng_.below(6)];
  }

  void same(const wal::Status& a, const wal::Status& b) {
    ASSERT_EQ(a.code(), b.code()) << where() << ": real " << a.to_string() << " sim "
                                  << b.to_string();
  }

  void synced(const std::string& dir) { expect_same_files(real_, sim_, dir, "after " + where()); }

  void one_op() {
    const std::uint64_t pick = prng_.below(handles_.empty() ? 4 : 16);
    if (pick < 3) return open();
    if (pick == 3) return namespace_op();
    Handle& handle = handles_[prng_.below(handles_.size())];
    switch (pick) {
      case 4: case 5: case 6: case 7: return write(handle);
      case 8: return read(handle);
      case 9: return truncate_or_allocate(handle);
      case 10: {
        op_ = "size";
        auto a = handle.real->size();
        auto b = handle.sim->size();
        same(a.status(), b.status());
        if (a.is_ok()) {
          ASSERT_EQ(*a, *b) << where();
        }
        return;
      }
      case 11: case 12: {
        op_ = pick == 11 ? "sync_data" : "sync";
        same(pick == 11 ? handle.real->sync_data() : handle.real->sync(),
             pick == 11 ? handle.sim->sync_data() : handle.sim->sync());
        return synced("");
      }
      case 13: {
        op_ = "close";
        same(handle.real->close(), handle.sim->close());
        std::swap(handle, handles_.back());
        handles_.pop_back();
        return;
      }
      default: return namespace_op();
    }
  }

  void open() {
    const std::string name = random_name();
    const auto mode = static_cast<wal::OpenMode>(prng_.below(4));
    op_ = "open " + name + " mode " + std::to_string(static_cast<int>(mode));
    auto a = real_.fs.open(real_.path(name), mode);
    auto b = sim_.fs.open(sim_.path(name), mode);
    same(a.status(), b.status());
    if (!a.is_ok() || handles_.size() >= 6) return;
    handles_.push_back(Handle{std::move(a).value(), std::move(b).value(),
                              mode != wal::OpenMode::kReadOnly});
  }

  void write(Handle& handle) {
    if (!handle.writable) return read(handle);
    const std::uint64_t size = handle.sim->size().value();
    const std::uint64_t offset = prng_.coin() ? size : prng_.below(size + 200);
    const Bytes data = random_bytes(prng_, prng_.range(1, 3000));
    op_ = "write @" + std::to_string(offset) + "+" + std::to_string(data.size());
    same(handle.real->write_at(offset, data), handle.sim->write_at(offset, data));
  }

  void read(Handle& handle) {
    const std::uint64_t size = handle.sim->size().value();
    const std::uint64_t offset = prng_.below(size + 100);
    Bytes a(prng_.range(1, 4000)), b(a.size());
    op_ = "read @" + std::to_string(offset) + "+" + std::to_string(a.size());
    auto ra = handle.real->read_at(offset, a);
    auto rb = handle.sim->read_at(offset, b);
    same(ra.status(), rb.status());
    if (!ra.is_ok()) return;
    ASSERT_EQ(*ra, *rb) << where();
    ASSERT_TRUE(std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(*ra), b.begin()))
        << where();
  }

  void truncate_or_allocate(Handle& handle) {
    if (!handle.writable) return read(handle);
    const std::uint64_t size = handle.sim->size().value();
    if (prng_.coin()) {
      const std::uint64_t to = prng_.below(size + 3000);
      op_ = "truncate " + std::to_string(to);
      same(handle.real->truncate(to), handle.sim->truncate(to));
    } else {
      const std::uint64_t offset = prng_.below(size + 100);
      const std::uint64_t length = prng_.range(1, 9000);
      op_ = "allocate @" + std::to_string(offset) + "+" + std::to_string(length);
      same(handle.real->allocate(offset, length), handle.sim->allocate(offset, length));
    }
  }

  void namespace_op() {
    switch (prng_.below(5)) {
      case 0: {
        const std::string from = random_name(), to = random_name();
        op_ = "rename " + from + " " + to;
        return same(real_.fs.rename(real_.path(from), real_.path(to)),
                    sim_.fs.rename(sim_.path(from), sim_.path(to)));
      }
      case 1: {
        const std::string name = random_name();
        op_ = "unlink " + name;
        return same(real_.fs.unlink(real_.path(name)), sim_.fs.unlink(sim_.path(name)));
      }
      case 2: {
        const std::string dir = prng_.coin() ? "" : "sub";
        op_ = "sync_dir " + dir;
        same(real_.fs.sync_dir(real_.path(dir)), sim_.fs.sync_dir(sim_.path(dir)));
        return synced("");
      }
      case 3: {
        const std::string name = random_name();
        op_ = "stat " + name;
        auto a = real_.fs.stat(real_.path(name));
        auto b = sim_.fs.stat(sim_.path(name));
        same(a.status(), b.status());
        if (a.is_ok()) {
          ASSERT_EQ(a->size_bytes, b->size_bytes) << where();
        }
        return;
      }
      default: {
        op_ = "list";
        auto a = real_.fs.list(real_.path("sub"));
        auto b = sim_.fs.list(sim_.path("sub"));
        same(a.status(), b.status());
        if (a.is_ok()) {
          ASSERT_EQ(*a, *b) << where();
        }
        return;
      }
    }
  }

  sim::Prng prng_;
  Side real_, sim_;
  std::vector<Handle> handles_;
  int step_ = 0;
  std::string op_;
};

TEST(Differential, FsOperationsMatchTheRealDisk) {
  const std::uint64_t count = seeds(12);
  for (std::uint64_t seed = 1; seed <= count && !HasFatalFailure(); ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testutil::TempDir dir;
    sim::SimFs sim_fs;
    sim_fs.make_durable_dirs("/diff");
    FsDifferential(seed, Side{wal::posix_fs(), dir.path()}, Side{sim_fs, "/diff"}).run(150);
    EXPECT_TRUE(sim_fs.contract_violations().empty());
    EXPECT_EQ(sim_fs.open_handles(), 0u);
  }
}

// ---- a WAL workload ----

class StepClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_ += 10; }

 private:
  std::uint64_t now_ = 1'000'000;
};

struct WalSide {
  Side side;
  StepClock clock;
  std::unique_ptr<wal::LogCore> core;
};

wal::Status sync_core(wal::LogCore& core) {
  auto ticket = core.begin_sync();
  if (!ticket) return ticket.status();
  const wal::Status status = wal::LogCore::run_sync(*ticket);
  core.finish_sync(*ticket, status);
  return status;
}

std::vector<std::pair<wal::Lsn, Bytes>> read_log(wal::LogCore& core) {
  std::vector<std::pair<wal::Lsn, Bytes>> out;
  auto reader = core.reader(core.first_lsn() == wal::kNoLsn ? 1 : core.first_lsn());
  EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
  if (!reader.is_ok()) return out;
  for (;;) {
    auto entry = (*reader)->next();
    EXPECT_TRUE(entry.is_ok()) << entry.status().to_string();
    if (!entry.is_ok() || !entry->has_value()) break;
    out.emplace_back((*entry)->lsn, Bytes((*entry)->payload.begin(), (*entry)->payload.end()));
  }
  return out;
}

void run_wal_workload(std::uint64_t seed, WalSide& real, WalSide& sim) {
  sim::Prng prng(seed);
  wal::Options options;
  options.segment_bytes = 16 << 10;
  options.sync = wal::SyncPolicy::kNone;
  options.preallocate = prng.coin();
  options.buffer_bytes = 4096;
  options.salt = prng.next_u64() | 1;  // else derived from the dir path, which differs
  for (WalSide* side : {&real, &sim}) {
    auto core = wal::LogCore::open(side->side.fs, side->clock, side->side.path("wal"), options);
    ASSERT_TRUE(core.is_ok()) << core.status().to_string();
    side->core = std::move(core).value();
  }
  for (int op = 0; op < 120 && !::testing::Test::HasFatalFailure(); ++op) {
    const std::uint64_t pick = prng.below(10);
    if (pick < 7) {
      const Bytes payload = random_bytes(prng, prng.range(1, 3000));
      auto a = real.core->append(payload);
      auto b = sim.core->append(payload);
      ASSERT_EQ(a.status().code(), b.status().code()) << "append at op " << op;
      if (a.is_ok()) {
        ASSERT_EQ(*a, *b);
      }
    } else if (pick < 9) {
      ASSERT_EQ(sync_core(*real.core).code(), sync_core(*sim.core).code()) << "sync at op " << op;
      ASSERT_EQ(real.core->durable_lsn(), sim.core->durable_lsn());
      expect_same_files(real.side, sim.side, "wal", "after sync at op " + std::to_string(op));
    } else if (real.core->last_lsn() > 2) {
      const wal::Lsn to = 1 + prng.below(real.core->last_lsn());
      ASSERT_EQ(real.core->truncate_front(to).code(), sim.core->truncate_front(to).code());
    }
  }
  ASSERT_TRUE(real.core->close().is_ok());
  ASSERT_TRUE(sim.core->close().is_ok());
  expect_same_files(real.side, sim.side, "wal", "after close");
  // Recover on both and compare what each log gives back.
  std::vector<std::pair<wal::Lsn, Bytes>> logs[2];
  int i = 0;
  for (WalSide* side : {&real, &sim}) {
    auto core = wal::LogCore::open(side->side.fs, side->clock, side->side.path("wal"), options);
    ASSERT_TRUE(core.is_ok()) << core.status().to_string();
    logs[i++] = read_log(**core);
    ASSERT_TRUE((*core)->close().is_ok());
  }
  EXPECT_EQ(logs[0], logs[1]);
  EXPECT_FALSE(logs[1].empty());
}

TEST(Differential, WalWorkloadWritesTheSameFilesAndRecoversTheSameLog) {
  const std::uint64_t count = seeds(6);
  for (std::uint64_t seed = 1; seed <= count && !HasFatalFailure(); ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testutil::TempDir dir;
    sim::SimFs sim_fs;
    sim_fs.make_durable_dirs("/diff");
    WalSide real{Side{wal::posix_fs(), dir.path()}, {}, nullptr};
    WalSide sim{Side{sim_fs, "/diff"}, {}, nullptr};
    run_wal_workload(seed, real, sim);
    EXPECT_TRUE(sim_fs.contract_violations().empty());
    EXPECT_EQ(sim_fs.open_handles(), 0u);
  }
}

}  // namespace
