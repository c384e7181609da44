// What both halves of the differential share (differential_fs_ops.cc, differential_wal.cc): the
// two sides, the verdict that keeps the first mismatch, and the comparison of the visible files.
// Internal to the harness: not part of its interface.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wal/clock.h>
#include <wal/fs.h>
#include <wal/status.h>

#include "sim/harness/differential.h"
#include "sim/sim_fs.h"

namespace harness::differential_internal {

using Bytes = std::vector<std::byte>;
constexpr const char* kSimRoot = "/diff";

// One filesystem under comparison, with the directory every path is relative to.
struct Side {
  wal::Fs& fs;
  std::string root;
  std::string path(const std::string& relative) const {
    return relative.empty() ? root : wal::join_path(root, relative);
  }
};

// Each side's time: the same sequence of readings, since both run the same code.
class StepClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_ += 10; }

 private:
  std::uint64_t now_ = 1'000'000;
};

// Records the first mismatch; every later one is a consequence of it, so it is the one to read.
class Verdict {
 public:
  bool failed() const { return !result_.ok; }
  void fail(std::string what) {
    if (failed()) return;
    result_.ok = false;
    result_.first_mismatch = std::move(what);
  }
  // Both calls gave the same kind of outcome (the messages name different paths).
  bool same(const wal::Status& real, const wal::Status& sim, const std::string& where) {
    ++result_.ops;
    if (real.code() == sim.code()) return true;
    fail(fmt::format("{}: real {}, sim {}", where, describe(real), describe(sim)));
    return false;
  }
  DiffResult& result() { return result_; }

  static std::string describe(const wal::Status& status) {
    return status.is_ok() ? "OK" : status.to_string();
  }

 private:
  DiffResult result_;
};

// Names, sizes and bytes of everything below `dir` on both sides; `when` says at which point.
void compare_files(const Side& real, const Side& sim, const std::string& dir,
                   const std::string& when, Verdict& verdict);

// Every visible entry below `dir`: relative path -> bytes ("<dir>" for a directory); a failure
// to read is returned as text naming the path.
using Files = std::map<std::string, std::string>;
std::optional<std::string> snapshot(const Side& side, const std::string& dir, Files& out);
// The same comparison of two snapshots taken apart (the real one first, the sim one later).
void compare_snapshots(const Files& real, const Files& sim, const std::string& when,
                       Verdict& verdict);

// The SimFs of one comparison, decorated as the options ask.
struct SimSide {
  sim::SimFs fs;
  std::unique_ptr<wal::Fs> decorated;

  explicit SimSide(const DiffOptions& options) {
    fs.make_durable_dirs(kSimRoot);
    if (options.decorate_sim) decorated = options.decorate_sim(fs);
  }
  wal::Fs& top() { return decorated ? *decorated : fs; }

  // After everything is closed: SimFs noticed nothing the contract forbids.
  void check(Verdict& verdict) {
    if (!fs.contract_violations().empty()) {
      verdict.fail("SimFs recorded a contract violation: " + fs.contract_violations().front());
    } else if (fs.open_handles() != 0) {
      verdict.fail(fmt::format("{} SimFs handle(s) still open at the end", fs.open_handles()));
    }
  }
};

// `dir` and any missing parent; empty on success, else why not.
std::string make_real_dir(const std::string& dir);

}  // namespace harness::differential_internal
