#include "sim/harness/differential.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <wal/clock.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "sim/harness/workload.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"

namespace harness {
namespace {

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

// Every visible entry below `dir`: relative path -> bytes ("<dir>" for a directory). A failure
// to read is returned as text naming the path.
using Files = std::map<std::string, std::string>;
std::optional<std::string> snapshot(const Side& side, const std::string& dir, Files& out) {
  auto names = side.fs.list(side.path(dir));
  if (!names) return fmt::format("list {}: {}", dir, names.error().to_string());
  for (const std::string& name : *names) {
    const std::string relative = dir.empty() ? name : dir + "/" + name;
    auto stat = side.fs.stat(side.path(relative));
    if (!stat) return fmt::format("stat {}: {}", relative, stat.error().to_string());
    if (stat->is_directory) {
      out[relative] = "<dir>";
      if (auto error = snapshot(side, relative, out)) return error;
      continue;
    }
    auto file = side.fs.open(side.path(relative), wal::OpenMode::kReadOnly);
    if (!file) return fmt::format("open {}: {}", relative, file.error().to_string());
    std::string content(stat->size_bytes, '\0');
    auto got =
        (*file)->read_at(0, std::as_writable_bytes(std::span(content.data(), content.size())));
    const wal::Status closed = (*file)->close();
    if (!got) return fmt::format("read {}: {}", relative, got.error().to_string());
    if (*got != content.size()) {
      return fmt::format("read {}: {} of {} bytes", relative, *got, content.size());
    }
    if (!closed) return fmt::format("close {}: {}", relative, closed.to_string());
    out[relative] = std::move(content);
  }
  return std::nullopt;
}

std::string byte_text(char c) { return fmt::format("{:#04x}", static_cast<unsigned char>(c)); }

// Names, sizes and bytes of everything below `dir` on both sides; `when` says at which point.
void compare_files(const Side& real, const Side& sim, const std::string& dir,
                   const std::string& when, Verdict& verdict) {
  if (verdict.failed()) return;
  ++verdict.result().snapshots;
  Files a, b;
  if (auto error = snapshot(real, dir, a)) return verdict.fail(when + ": real side: " + *error);
  if (auto error = snapshot(sim, dir, b)) return verdict.fail(when + ": sim side: " + *error);
  for (const auto& [name, bytes] : a) {
    if (!b.contains(name)) return verdict.fail(fmt::format("{}: {} is on real only", when, name));
  }
  for (const auto& [name, theirs] : b) {
    const auto mine = a.find(name);
    if (mine == a.end()) return verdict.fail(fmt::format("{}: {} is on sim only", when, name));
    const std::string& ours = mine->second;
    const std::size_t common = std::min(ours.size(), theirs.size());
    const auto diff = std::mismatch(
        ours.begin(), ours.begin() + static_cast<std::ptrdiff_t>(common), theirs.begin());
    const auto offset = static_cast<std::size_t>(diff.first - ours.begin());
    const std::string bytes_differ =
        offset < common ? fmt::format("offset {}: real {}, sim {}", offset, byte_text(ours[offset]),
                                      byte_text(theirs[offset]))
                        : "";
    if (ours.size() != theirs.size()) {
      return verdict.fail(
          fmt::format("{}: file {}: size real {}, sim {}{}", when, name, ours.size(), theirs.size(),
                      bytes_differ.empty() ? "" : " (first differing " + bytes_differ + ")"));
    }
    if (!bytes_differ.empty()) {
      return verdict.fail(
          fmt::format("{}: file {} {} (size {})", when, name, bytes_differ, ours.size()));
    }
  }
}

Bytes random_bytes(sim::Prng& prng, std::uint64_t length) {
  Bytes data(length);
  for (auto& b : data) b = static_cast<std::byte>(prng.next_u64());
  return data;
}

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
std::string make_real_dir(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  return error ? fmt::format("cannot create {}: {}", dir, error.message()) : "";
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

// ---- (b) a WAL workload ----

// Each side's time: the same sequence of readings, since both run the same code.
class StepClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_ += 10; }

 private:
  std::uint64_t now_ = 1'000'000;
};

struct WalSide {
  Side side;
  std::string dir;
  StepClock clock;
  std::unique_ptr<wal::LogCore> core;
};

struct LoggedEntry {
  wal::Lsn lsn = wal::kNoLsn;
  wal::EntryType type = wal::EntryType::kData;
  Bytes payload;
  friend bool operator==(const LoggedEntry&, const LoggedEntry&) = default;
};

wal::Status sync_core(wal::LogCore& core) {
  auto ticket = core.begin_sync();
  if (!ticket) return ticket.status();
  const wal::Status status = wal::LogCore::run_sync(*ticket);
  core.finish_sync(*ticket, status);
  return status;
}

// Entries from `from` up to the durable end (or the first error, returned).
wal::Status read_entries(wal::LogCore& core, wal::Lsn from, std::vector<LoggedEntry>& out) {
  auto reader = core.reader(from);
  if (!reader) return reader.status();
  for (;;) {
    auto entry = (*reader)->next();
    if (!entry) return entry.status();
    if (!entry->has_value()) return wal::Status::ok();
    const wal::Entry& e = **entry;
    out.push_back(LoggedEntry{e.lsn, e.type, Bytes(e.payload.begin(), e.payload.end())});
  }
}

std::string entry_text(const LoggedEntry& e) {
  return fmt::format("LSN {} type {} {} bytes", e.lsn, static_cast<int>(e.type), e.payload.size());
}

class WalDiff {
 public:
  WalDiff(const RunConfig& config, std::uint64_t seed, WalSide& real, WalSide& sim,
          Verdict& verdict)
      : workload_(workload_for(config, seed)), real_(real), sim_(sim), verdict_(verdict) {
    options_ = config.wal;
    options_.fs = nullptr;
    options_.clock = nullptr;
    options_.create_if_missing = true;
    options_.read_only = false;
    // Else derived from the directory path, which differs between the sides.
    options_.salt = sim::Prng(seed ^ 0x5a17).next_u64() | 1;
  }

  void run() {
    where_ = "open";
    if (!open_both()) return;
    for (const Op* op : in_order(workload_)) {
      if (verdict_.failed()) return;
      where_ = fmt::format("op {} {}", op->index, to_string(op->kind));
      one_op(*op);
      positions();
    }
    if (verdict_.failed()) return;
    where_ = "close at the end";
    if (!close_both()) return;
    // Recover on both and compare what each log gives back.
    where_ = "recovery at the end";
    if (!open_both()) return;
    std::vector<LoggedEntry> logs[2];
    const wal::Lsn first = real_.core->first_lsn();
    const wal::Status a = read_entries(*real_.core, first == wal::kNoLsn ? 1 : first, logs[0]);
    const wal::Status b = read_entries(*sim_.core, first == wal::kNoLsn ? 1 : first, logs[1]);
    if (!verdict_.same(a, b, where_ + ": read")) return;
    if (!same_entries(logs[0], logs[1])) return;
    verdict_.result().entries = logs[0].size();
    where_ = "close after recovery";
    close_both();
  }

 private:
  bool same(const wal::Status& a, const wal::Status& b) { return verdict_.same(a, b, where_); }
  bool values(std::uint64_t a, std::uint64_t b, const char* what) {
    if (a == b) return true;
    verdict_.fail(fmt::format("{}: {} real {}, sim {}", where_, what, a, b));
    return false;
  }
  void files(const std::string& when) {
    compare_files(real_.side, sim_.side, "wal", when, verdict_);
  }

  bool open_both() {
    auto a = wal::LogCore::open(real_.side.fs, real_.clock, real_.dir, options_);
    auto b = wal::LogCore::open(sim_.side.fs, sim_.clock, sim_.dir, options_);
    if (!same(a.status(), b.status())) return false;
    if (!a.is_ok()) {
      verdict_.fail(fmt::format("{}: failed on both sides: real {}, sim {}", where_,
                                a.error().to_string(), b.error().to_string()));
      return false;
    }
    real_.core = std::move(a).value();
    sim_.core = std::move(b).value();
    positions();
    files("after " + where_);
    return !verdict_.failed();
  }

  bool close_both() {
    const wal::Status a = real_.core->close();
    const wal::Status b = sim_.core->close();
    real_.core.reset();
    sim_.core.reset();
    if (!same(a, b)) return false;
    files("after " + where_);
    return !verdict_.failed();
  }

  void positions() {
    if (verdict_.failed() || !real_.core || !sim_.core) return;
    values(real_.core->last_lsn(), sim_.core->last_lsn(), "last_lsn") &&
        values(real_.core->durable_lsn(), sim_.core->durable_lsn(), "durable_lsn") &&
        values(real_.core->first_lsn(), sim_.core->first_lsn(), "first_lsn") &&
        values(real_.core->poisoned(), sim_.core->poisoned(), "poisoned");
  }

  bool same_entries(const std::vector<LoggedEntry>& a, const std::vector<LoggedEntry>& b) {
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (a[i] == b[i]) continue;
      verdict_.fail(fmt::format(
          "{}: entry {}: real {}, sim {}{}", where_, i, entry_text(a[i]), entry_text(b[i]),
          a[i].payload.size() == b[i].payload.size() ? " (payload bytes differ)" : ""));
      return false;
    }
    if (a.size() == b.size()) return true;
    verdict_.fail(fmt::format("{}: real gave {} entries, sim {}", where_, a.size(), b.size()));
    return false;
  }

  void sync_both() {
    const std::string what = where_;
    where_ += " sync";
    if (same(sync_core(*real_.core), sync_core(*sim_.core))) {
      positions();
      files("after " + where_);
    }
    where_ = what;
  }

  // What the sync policy asks after `lsn` was appended (one thread: nobody else will sync).
  void settle(wal::Lsn lsn) {
    const wal::SyncPolicy policy = options_.sync;
    if (policy == wal::SyncPolicy::kPeriodic) {
      const bool a = real_.core->sync_due(real_.clock.now_us());
      const bool b = sim_.core->sync_due(sim_.clock.now_us());
      if (values(a, b, "sync_due") && a) sync_both();
      return;
    }
    if (policy != wal::SyncPolicy::kImmediate && policy != wal::SyncPolicy::kGrouped) return;
    for (int round = 0; round < 3 && !verdict_.failed(); ++round) {
      const wal::CommitStep a = real_.core->commit_step(lsn, real_.clock.now_us());
      const wal::CommitStep b = sim_.core->commit_step(lsn, sim_.clock.now_us());
      if (!values(static_cast<std::uint64_t>(a.action), static_cast<std::uint64_t>(b.action),
                  "commit action")) {
        return;
      }
      if (a.action == wal::CommitAction::kDurable || a.action == wal::CommitAction::kFailed) return;
      sync_both();
    }
  }

  void one_op(const Op& op) {
    std::vector<Bytes> payloads;
    for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
      payloads.push_back(workload_.payload(op, part));
    }
    switch (op.kind) {
      case OpKind::kAppend:
      case OpKind::kCheckpoint: {
        const bool checkpoint = op.kind == OpKind::kCheckpoint;
        auto a = checkpoint ? real_.core->append_checkpoint(payloads[0])
                            : real_.core->append(payloads[0]);
        auto b =
            checkpoint ? sim_.core->append_checkpoint(payloads[0]) : sim_.core->append(payloads[0]);
        if (!same(a.status(), b.status()) || !a.is_ok() || !values(*a, *b, "LSN")) return;
        if (checkpoint) return sync_both();  // a checkpoint is durable on return
        return settle(*a);
      }
      case OpKind::kBatch: {
        std::vector<std::span<const std::byte>> views(payloads.begin(), payloads.end());
        auto a = real_.core->append_batch(views);
        auto b = sim_.core->append_batch(views);
        if (!same(a.status(), b.status()) || !a.is_ok()) return;
        if (!values(a->first, b->first, "first LSN") || !values(a->last, b->last, "last LSN")) {
          return;
        }
        return settle(a->last);
      }
      case OpKind::kSync:
        return sync_both();
      case OpKind::kTruncate: {
        const wal::Lsn durable = real_.core->durable_lsn();
        if (durable == wal::kNoLsn) return;
        const wal::Lsn at = 1 + (durable - 1) * op.position_ppm / kMillion;
        where_ += fmt::format(" at LSN {}", at);
        same(real_.core->truncate_front(at), sim_.core->truncate_front(at));
        return;
      }
      case OpKind::kRead: {
        const wal::Lsn durable = real_.core->durable_lsn();
        const wal::Lsn first = real_.core->first_lsn();
        if (durable == wal::kNoLsn || first == wal::kNoLsn || first > durable) return;
        const wal::Lsn from = first + (durable - first) * op.position_ppm / kMillion;
        where_ += fmt::format(" from LSN {}", from);
        std::vector<LoggedEntry> a, b;
        const wal::Status ra = read_entries(*real_.core, from, a);
        const wal::Status rb = read_entries(*sim_.core, from, b);
        if (same(ra, rb)) same_entries(a, b);
        return;
      }
      case OpKind::kReopen:
        if (close_both()) open_both();
        return;
    }
  }

  Workload workload_;
  WalSide& real_;
  WalSide& sim_;
  Verdict& verdict_;
  wal::Options options_;
  std::string where_;
};

}  // namespace

class DropNthWrite::File final : public faults::FileWrapper {
 public:
  File(std::unique_ptr<wal::File> base, std::string path, DropNthWrite& fs)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (fs_.left_ == 0 || --fs_.left_ != 0) return base_->write_at(offset, data);
    fs_.dropped_->path = path_;
    fs_.dropped_->offset = offset;
    fs_.dropped_->bytes = data.size();
    return wal::Status::ok();
  }

 private:
  DropNthWrite& fs_;
};

std::unique_ptr<wal::File> DropNthWrite::wrap(std::unique_ptr<wal::File> file,
                                              std::string_view path) {
  return std::make_unique<File>(std::move(file), std::string(path), *this);
}

FsOpsConfig fs_ops_config(const RunConfig& config) {
  FsOpsConfig out;
  out.ops = config.workload.ops;
  out.write_bytes_min = std::max<std::uint32_t>(1, config.workload.entry_bytes_min);
  out.write_bytes_max = std::max(out.write_bytes_min, config.workload.entry_bytes_max);
  return out;
}

DiffResult diff_fs_ops(const FsOpsConfig& config, std::uint64_t seed, const std::string& dir,
                       const DiffOptions& options) {
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

DiffResult diff_wal(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                    const DiffOptions& options) {
  Verdict verdict;
  if (std::string error = make_real_dir(dir); !error.empty()) {
    verdict.fail(std::move(error));
    return verdict.result();
  }
  SimSide sim(options);
  WalSide real_side{Side{wal::posix_fs(), dir}, wal::join_path(dir, "wal"), {}, nullptr};
  WalSide sim_side{Side{sim.top(), kSimRoot}, wal::join_path(kSimRoot, "wal"), {}, nullptr};
  WalDiff(config, seed, real_side, sim_side, verdict).run();
  real_side.core.reset();
  sim_side.core.reset();
  if (!verdict.failed()) sim.check(verdict);
  return verdict.result();
}

}  // namespace harness
