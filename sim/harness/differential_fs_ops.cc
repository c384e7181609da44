// The differential's half (a): a seeded sequence of raw Fs calls made on both sides, each
// outcome compared. Apart from half (b) because it exercises the Fs contract itself, no WAL.
#include "sim/harness/differential.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <wal/posix_fs.h>

#include "sim/harness/differential_internal.h"
#include "sim/prng.h"

namespace harness {
namespace differential_internal {
namespace {

Bytes random_bytes(sim::Prng& prng, std::uint64_t length) {
  Bytes data(length);
  for (auto& b : data) b = static_cast<std::byte>(prng.next_u64());
  return data;
}

// ---- (a) raw fs operations ----

class FsOps {
 public:
  FsOps(const FsOpsConfig& config, std::uint64_t seed, const Side& real, const Side& sim,
        Verdict& verdict)
      : config_(config), prng_(seed), real_(real), sim_(sim), verdict_(verdict) {}

  void run() {
    op_ = "mkdir sub";
    if (!same(real_.fs.mkdir(real_.path("sub")), sim_.fs.mkdir(sim_.path("sub")))) return;
    for (step_ = 0; step_ < config_.ops && !verdict_.failed(); ++step_) one_op();
    op_ = "close at the end";
    for (Handle& handle : handles_) {
      const wal::Status a = handle.real->close();
      const wal::Status b = handle.sim->close();
      same(a, b);
    }
    handles_.clear();
    compare_files(real_, sim_, "", "at the end", verdict_);
  }

 private:
  struct Handle {
    std::unique_ptr<wal::File> real, sim;
    std::string name;
    bool writable = false;
  };

  std::string where() const { return fmt::format("step {} {}", step_, op_); }
  bool same(const wal::Status& a, const wal::Status& b) { return verdict_.same(a, b, where()); }
  void values(std::uint64_t a, std::uint64_t b, const char* what) {
    if (a != b) verdict_.fail(fmt::format("{}: {} real {}, sim {}", where(), what, a, b));
  }
  void synced() { compare_files(real_, sim_, "", "after " + where(), verdict_); }

  std::string random_name() {
    static const char* const kNames[] = {"f0", "f1", "f2", "f3", "sub/f0", "sub/f1"};
    return kNames[prng_.below(6)];
  }

  // The real side's size decides offsets: it is the reference.
  std::uint64_t size_of(Handle& handle) {
    auto size = handle.real->size();
    return size ? *size : 0;
  }

  void one_op() {
    const std::uint64_t pick = prng_.below(handles_.empty() ? 4 : 16);
    if (pick < 3) return open();
    if (pick == 3) return namespace_op();
    Handle& handle = handles_[prng_.below(handles_.size())];
    switch (pick) {
      case 4:
      case 5:
      case 6:
      case 7:
        return write(handle);
      case 8:
        return read(handle);
      case 9:
        return truncate_or_allocate(handle);
      case 10: {
        op_ = "size " + handle.name;
        auto a = handle.real->size();
        auto b = handle.sim->size();
        if (same(a.status(), b.status()) && a.is_ok()) values(*a, *b, "size");
        return;
      }
      case 11:
      case 12: {
        op_ = (pick == 11 ? "sync_data " : "sync ") + handle.name;
        const wal::Status a = pick == 11 ? handle.real->sync_data() : handle.real->sync();
        const wal::Status b = pick == 11 ? handle.sim->sync_data() : handle.sim->sync();
        if (same(a, b)) synced();
        return;
      }
      case 13: {
        op_ = "close " + handle.name;
        const wal::Status a = handle.real->close();
        const wal::Status b = handle.sim->close();
        same(a, b);
        std::swap(handle, handles_.back());
        handles_.pop_back();
        return;
      }
      default:
        return namespace_op();
    }
  }

  void open() {
    const std::string name = random_name();
    const auto mode = static_cast<wal::OpenMode>(prng_.below(4));
    op_ = fmt::format("open {} mode {}", name, static_cast<int>(mode));
    auto a = real_.fs.open(real_.path(name), mode);
    auto b = sim_.fs.open(sim_.path(name), mode);
    if (!same(a.status(), b.status()) || !a.is_ok() || handles_.size() >= 6) return;
    handles_.push_back(
        Handle{std::move(a).value(), std::move(b).value(), name, mode != wal::OpenMode::kReadOnly});
  }

  void write(Handle& handle) {
    if (!handle.writable) return read(handle);
    const std::uint64_t size = size_of(handle);
    const std::uint64_t offset = prng_.coin() ? size : prng_.below(size + 200);
    const Bytes data =
        random_bytes(prng_, prng_.range(config_.write_bytes_min, config_.write_bytes_max));
    op_ = fmt::format("write {} @{}+{}", handle.name, offset, data.size());
    const wal::Status a = handle.real->write_at(offset, data);
    const wal::Status b = handle.sim->write_at(offset, data);
    same(a, b);
  }

  void read(Handle& handle) {
    const std::uint64_t size = size_of(handle);
    const std::uint64_t offset = prng_.below(size + 100);
    Bytes a(prng_.range(1, 4000)), b(a.size());
    op_ = fmt::format("read {} @{}+{}", handle.name, offset, a.size());
    auto ra = handle.real->read_at(offset, a);
    auto rb = handle.sim->read_at(offset, b);
    if (!same(ra.status(), rb.status()) || !ra.is_ok()) return;
    if (*ra != *rb) return values(*ra, *rb, "bytes read");
    const auto diff =
        std::mismatch(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(*ra), b.begin());
    if (diff.first != a.begin() + static_cast<std::ptrdiff_t>(*ra)) {
      const auto at = static_cast<std::uint64_t>(diff.first - a.begin());
      verdict_.fail(fmt::format("{}: byte at file offset {}: real {:#04x}, sim {:#04x}", where(),
                                offset + at, static_cast<unsigned>(*diff.first),
                                static_cast<unsigned>(*diff.second)));
    }
  }

  void truncate_or_allocate(Handle& handle) {
    if (!handle.writable) return read(handle);
    const std::uint64_t size = size_of(handle);
    if (prng_.coin()) {
      const std::uint64_t to = prng_.below(size + 3000);
      op_ = fmt::format("truncate {} to {}", handle.name, to);
      const wal::Status a = handle.real->truncate(to);
      const wal::Status b = handle.sim->truncate(to);
      same(a, b);
    } else {
      const std::uint64_t offset = prng_.below(size + 100);
      const std::uint64_t length = prng_.range(1, 9000);
      op_ = fmt::format("allocate {} @{}+{}", handle.name, offset, length);
      const wal::Status a = handle.real->allocate(offset, length);
      const wal::Status b = handle.sim->allocate(offset, length);
      same(a, b);
    }
  }

  void namespace_op() {
    switch (prng_.below(5)) {
      case 0: {
        const std::string from = random_name(), to = random_name();
        op_ = fmt::format("rename {} {}", from, to);
        const wal::Status a = real_.fs.rename(real_.path(from), real_.path(to));
        const wal::Status b = sim_.fs.rename(sim_.path(from), sim_.path(to));
        same(a, b);
        return;
      }
      case 1: {
        const std::string name = random_name();
        op_ = "unlink " + name;
        const wal::Status a = real_.fs.unlink(real_.path(name));
        const wal::Status b = sim_.fs.unlink(sim_.path(name));
        same(a, b);
        return;
      }
      case 2: {
        const std::string dir = prng_.coin() ? "" : "sub";
        op_ = "sync_dir " + (dir.empty() ? std::string(".") : dir);
        const wal::Status a = real_.fs.sync_dir(real_.path(dir));
        const wal::Status b = sim_.fs.sync_dir(sim_.path(dir));
        if (same(a, b)) synced();
        return;
      }
      case 3: {
        const std::string name = random_name();
        op_ = "stat " + name;
        auto a = real_.fs.stat(real_.path(name));
        auto b = sim_.fs.stat(sim_.path(name));
        if (!same(a.status(), b.status()) || !a.is_ok()) return;
        values(a->size_bytes, b->size_bytes, "size");
        values(a->is_directory, b->is_directory, "is_directory");
        return;
      }
      default: {
        op_ = "list sub";
        auto a = real_.fs.list(real_.path("sub"));
        auto b = sim_.fs.list(sim_.path("sub"));
        if (!same(a.status(), b.status()) || !a.is_ok() || *a == *b) return;
        verdict_.fail(fmt::format("{}: real [{}], sim [{}]", where(), fmt::join(*a, " "),
                                  fmt::join(*b, " ")));
        return;
      }
    }
  }

  FsOpsConfig config_;
  sim::Prng prng_;
  Side real_, sim_;
  Verdict& verdict_;
  std::vector<Handle> handles_;
  std::uint64_t step_ = 0;
  std::string op_;
};

}  // namespace
}  // namespace differential_internal

FsOpsConfig fs_ops_config(const RunConfig& config) {
  FsOpsConfig out;
  out.ops = config.workload.ops;
  out.write_bytes_min = std::max<std::uint32_t>(1, config.workload.entry_bytes_min);
  out.write_bytes_max = std::max(out.write_bytes_min, config.workload.entry_bytes_max);
  return out;
}

DiffResult diff_fs_ops(const FsOpsConfig& config, std::uint64_t seed, const std::string& dir,
                       const DiffOptions& options) {
  using namespace differential_internal;
  Verdict verdict;
  if (std::string error = make_real_dir(dir); !error.empty()) {
    verdict.fail(std::move(error));
    return verdict.result();
  }
  SimSide sim(options);
  FsOps(config, seed, Side{wal::posix_fs(), dir}, Side{sim.top(), kSimRoot}, verdict).run();
  if (!verdict.failed()) sim.check(verdict);
  return verdict.result();
}

}  // namespace harness
