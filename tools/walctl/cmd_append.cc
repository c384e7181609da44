// walctl append: stdin -> entries. Reads stdin in bulk and appends every entry found in each
// chunk. Under `grouped` the whole chunk shares one fdatasync (a group commit done here,
// since one reader thread never has concurrent appends to group): the log runs with kNone and
// walctl calls sync() before printing the chunk's LSNs, so an LSN is printed only once durable.
//
// An acknowledgement is written to stdout (and flushed: stdout may be a pipe or a file, where
// stdio would hold it back) as soon as its entry is as durable as the policy promises, and every
// entry appended before a failure is acknowledged the same way before walctl reports the
// failure: a caller that retries the unacknowledged entries then never duplicates one.
#include <unistd.h>

#include <fmt/format.h>
#include <wal/log.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "entry_splitter.h"
#include "exit_codes.h"
#include "log_dir.h"

namespace walctl {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;
// Under none/periodic an LSN is acknowledged at once; within one large chunk of stdin the
// acknowledgements are written out at least this often rather than one write(2) per entry.
constexpr std::size_t kAckFlushBytes = 1 << 16;

// Reads up to `capacity` bytes; 0 at end of input.
wal::Result<std::size_t> read_stdin(char* buffer, std::size_t capacity) {
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return wal::Status::from_errno(errno, "read stdin");
  }
}

// The LSNs appended and not yet acknowledged, and when they may be.
class Acks {
 public:
  Acks(wal::Log& log, wal::SyncPolicy policy) : log_(log), policy_(policy) {}

  // `lsn` was just appended under the policy.
  wal::Status appended(wal::Lsn lsn) {
    switch (policy_) {
      case wal::SyncPolicy::kGrouped:  // walctl's own group commit: durable at the next sync
        unsynced_.push_back(lsn);
        return wal::Status::ok();
      case wal::SyncPolicy::kImmediate:  // append returned after its own sync
        out_ += fmt::format("{}\n", lsn);
        return flush();
      case wal::SyncPolicy::kNone:
      case wal::SyncPolicy::kPeriodic:  // nothing promised at return: acknowledged at once
        out_ += fmt::format("{}\n", lsn);
        return out_.size() >= kAckFlushBytes ? flush() : wal::Status::ok();
    }
    return wal::Status::ok();
  }

  // Makes everything appended as durable as promised and acknowledges it: at the end of each
  // chunk of stdin, and before reporting a failure.
  wal::Status settle() {
    if (!unsynced_.empty()) {
      if (wal::Status synced = log_.sync(); !synced.is_ok()) {
        unsynced_.clear();  // never acknowledged; the failure is reported once, by the caller
        return synced;
      }
      for (wal::Lsn lsn : unsynced_) out_ += fmt::format("{}\n", lsn);
      unsynced_.clear();
    }
    return flush();
  }

 private:
  wal::Status flush() {
    const std::size_t written = std::fwrite(out_.data(), 1, out_.size(), stdout);
    const bool short_write = written != out_.size();
    out_.clear();
    if (std::fflush(stdout) != 0 || short_write) {
      return wal::Status::from_errno(errno, "write acknowledgements to stdout");
    }
    return wal::Status::ok();
  }

  wal::Log& log_;
  wal::SyncPolicy policy_;
  std::vector<wal::Lsn> unsynced_;
  std::string out_;
};

// Appends every entry on stdin; returns the first failure.
wal::Status append_stdin(wal::Log& log, const AppendArgs& args, std::uint32_t max_entry_bytes,
                         Acks& acks) {
  std::vector<char> buffer(kReadChunk);
  EntrySplitter splitter(args.framed, max_entry_bytes);
  auto append_one = [&](std::span<const std::byte> payload) -> wal::Status {
    wal::Result<wal::Lsn> lsn = log.append(payload);
    if (!lsn) return lsn.error();
    return acks.appended(*lsn);
  };
  for (;;) {
    wal::Result<std::size_t> n = read_stdin(buffer.data(), buffer.size());
    if (!n) return n.error();
    if (*n == 0) return splitter.finish(append_one);
    WAL_RETURN_IF_ERROR(splitter.feed(std::string_view(buffer.data(), *n), append_one));
    WAL_RETURN_IF_ERROR(acks.settle());
  }
}

}  // namespace

int run_append(const AppendArgs& args) {
  if (auto code = check_append_target(args.dir, args.create_in_nonempty)) return *code;
  wal::Options options;
  if (args.segment_bytes != 0) options.segment_bytes = args.segment_bytes;
  options.sync = args.sync == wal::SyncPolicy::kGrouped ? wal::SyncPolicy::kNone : args.sync;

  wal::Result<std::unique_ptr<wal::Log>> opened = wal::Log::open(args.dir, options);
  if (!opened) return report_failure("append", opened.error());
  wal::Log& log = **opened;

  Acks acks(log, args.sync);
  const wal::Status status = append_stdin(log, args, options.max_entry_bytes, acks);
  // Whatever ended the input, what was appended before it is acknowledged as promised. If that
  // fails (a sync error), those entries stay unacknowledged and the sync error is reported too.
  wal::Status settled = acks.settle();
  // Periodic promises durability soon after the append; the process is about to end, so
  // "soon" is now.
  if (settled.is_ok() && args.sync == wal::SyncPolicy::kPeriodic) settled = log.sync();
  wal::Status closed = log.close();
  int code = kExitOk;
  if (!status.is_ok()) code = report_failure("append", status);
  if (!settled.is_ok()) {
    const int settle_code = report_failure("append", settled);
    if (code == kExitOk || code == kExitUsage) code = settle_code;
  }
  if (code != kExitOk) {
    closed.ignore_error("an earlier failure is the one to report");
    return code;
  }
  if (!closed.is_ok()) return report_failure("append", closed);
  return kExitOk;
}

}  // namespace walctl
