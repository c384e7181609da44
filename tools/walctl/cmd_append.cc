// walctl append: stdin -> entries. Reads stdin in bulk and appends every entry found in each
// chunk. Under `grouped` the whole chunk shares one fdatasync (a group commit done here,
// since one reader thread never has concurrent appends to group): the log runs with kNone and
// walctl calls sync() before printing the chunk's LSNs, so an LSN is printed only once durable.
#include <unistd.h>

#include <fmt/format.h>
#include <wal/log.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "log_dir.h"

namespace walctl {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;

// Splits stdin into entries: lines (without '\n') or u32-LE-length frames.
class EntrySplitter {
 public:
  EntrySplitter(bool framed, std::uint32_t max_entry_bytes)
      : framed_(framed), max_entry_bytes_(max_entry_bytes) {}

  // Appends `data` and calls emit(span) for every complete entry now available.
  template <typename Emit>
  wal::Status feed(std::string_view data, Emit&& emit) {
    pending_.append(data);
    std::size_t pos = 0;
    while (pos < pending_.size()) {
      std::size_t begin = 0;
      std::size_t length = 0;
      if (framed_) {
        if (pending_.size() - pos < 4) break;
        std::uint32_t frame = 0;
        for (int i = 3; i >= 0; --i) {
          frame = (frame << 8) | static_cast<unsigned char>(pending_[pos + static_cast<std::size_t>(i)]);
        }
        // Refuse an impossible length at once rather than buffering stdin waiting for it.
        if (frame > max_entry_bytes_) {
          return wal::Status::invalid_argument(
              fmt::format("stdin frame at byte {} claims {} bytes, more than the {} an entry "
                          "may hold", offset_ + pos, frame, max_entry_bytes_));
        }
        if (pending_.size() - pos - 4 < frame) break;
        begin = pos + 4;
        length = frame;
        pos = begin + length;
      } else {
        const std::size_t newline = pending_.find('\n', pos);
        if (newline == std::string::npos) break;
        begin = pos;
        length = newline - pos;
        pos = newline + 1;
      }
      WAL_RETURN_IF_ERROR(emit(std::as_bytes(std::span(pending_.data() + begin, length))));
    }
    offset_ += pos;
    pending_.erase(0, pos);
    return wal::Status::ok();
  }

  // At end of input: a last line without '\n' is an entry; a partial frame is an error.
  template <typename Emit>
  wal::Status finish(Emit&& emit) {
    if (pending_.empty()) return wal::Status::ok();
    if (framed_) {
      return wal::Status::invalid_argument(fmt::format(
          "stdin ends inside a frame at byte {} ({} bytes left over)", offset_, pending_.size()));
    }
    WAL_RETURN_IF_ERROR(emit(std::as_bytes(std::span(pending_.data(), pending_.size()))));
    pending_.clear();
    return wal::Status::ok();
  }

 private:
  bool framed_;
  std::uint32_t max_entry_bytes_;
  std::string pending_;
  std::uint64_t offset_ = 0;  // stdin bytes before pending_
};

// Reads up to `capacity` bytes; 0 at end of input.
wal::Result<std::size_t> read_stdin(char* buffer, std::size_t capacity) {
  for (;;) {
    const ssize_t n = ::read(STDIN_FILENO, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return wal::Status::from_errno(errno, "read stdin");
  }
}

void flush_stdout(std::string& out) {
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  out.clear();
}

}  // namespace

int run_append(const AppendArgs& args) {
  if (auto code = check_log_dir("append", args.dir, /*may_create=*/true)) return *code;
  wal::Options options;
  if (args.segment_bytes != 0) options.segment_bytes = args.segment_bytes;
  const bool group_here = args.sync == wal::SyncPolicy::kGrouped;
  options.sync = group_here ? wal::SyncPolicy::kNone : args.sync;

  wal::Result<std::unique_ptr<wal::Log>> opened = wal::Log::open(args.dir, options);
  if (!opened) return report_failure("append", opened.error());
  wal::Log& log = **opened;

  std::vector<char> buffer(kReadChunk);
  std::string out;
  std::vector<wal::Lsn> chunk_lsns;
  EntrySplitter splitter(args.framed, options.max_entry_bytes);
  auto append_one = [&](std::span<const std::byte> payload) -> wal::Status {
    wal::Result<wal::Lsn> lsn = log.append(payload);
    if (!lsn) return lsn.error();
    if (group_here) {
      chunk_lsns.push_back(*lsn);
    } else {
      out += fmt::format("{}\n", *lsn);
    }
    return wal::Status::ok();
  };
  // Under `grouped`, the LSNs of a chunk are printed only after the sync that covers them.
  auto end_chunk = [&]() -> wal::Status {
    if (group_here && !chunk_lsns.empty()) {
      WAL_RETURN_IF_ERROR(log.sync());
      for (wal::Lsn lsn : chunk_lsns) out += fmt::format("{}\n", lsn);
      chunk_lsns.clear();
    }
    flush_stdout(out);
    return wal::Status::ok();
  };

  wal::Status status;
  for (;;) {
    wal::Result<std::size_t> n = read_stdin(buffer.data(), buffer.size());
    if (!n) {
      status = n.error();
      break;
    }
    if (*n == 0) {
      status = splitter.finish(append_one);
      if (status.is_ok()) status = end_chunk();
      break;
    }
    status = splitter.feed(std::string_view(buffer.data(), *n), append_one);
    if (status.is_ok()) status = end_chunk();
    if (!status.is_ok()) break;
  }
  // Periodic promises durability soon after the append; the process is about to end, so
  // "soon" is now.
  if (status.is_ok() && args.sync == wal::SyncPolicy::kPeriodic) status = log.sync();
  // LSNs acknowledged before a failure were as durable as promised; grouped ones not yet
  // synced stay unprinted.
  flush_stdout(out);
  wal::Status closed = log.close();
  if (!status.is_ok()) {
    closed.ignore_error("the first failure is the one to report");
    return report_failure("append", status);
  }
  if (!closed.is_ok()) return report_failure("append", closed);
  return kExitOk;
}

}  // namespace walctl
