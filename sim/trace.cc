#include "sim/trace.h"

#include "sim/thread_scheduler.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <utility>

#include "sim/hash_mix.h"

namespace sim {
namespace {

std::uint64_t fold(std::uint64_t hash, std::uint64_t value) { return fold64(hash, value); }

// Length, then the bytes in little-endian 8-byte words: the encoding does not depend on the
// host's endianness. Whole words are loaded at once (a byte-swap on a big-endian host).
std::uint64_t fold(std::uint64_t hash, std::string_view text) {
  hash = fold(hash, text.size());
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, 8);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    hash = fold(hash, word);
  }
  if (i < text.size()) {
    std::uint64_t word = 0;
    for (int shift = 0; i < text.size(); shift += 8, ++i) {
      word |= static_cast<std::uint64_t>(static_cast<unsigned char>(text[i])) << shift;
    }
    hash = fold(hash, word);
  }
  return hash;
}

}  // namespace

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kFsOp: return "fs";
    case EventKind::kFault: return "fault";
    case EventKind::kCrash: return "crash";
    case EventKind::kNote: return "note";
  }
  return "?";
}

std::string_view to_string(FsOp op) {
  switch (op) {
    case FsOp::kNone: return "-";
    case FsOp::kOpen: return "open";
    case FsOp::kRead: return "read";
    case FsOp::kWrite: return "write";
    case FsOp::kSyncData: return "sync_data";
    case FsOp::kSync: return "sync";
    case FsOp::kTruncate: return "truncate";
    case FsOp::kAllocate: return "allocate";
    case FsOp::kSize: return "size";
    case FsOp::kClose: return "close";
    case FsOp::kRename: return "rename";
    case FsOp::kUnlink: return "unlink";
    case FsOp::kList: return "list";
    case FsOp::kMkdir: return "mkdir";
    case FsOp::kSyncDir: return "sync_dir";
    case FsOp::kStat: return "stat";
    case FsOp::kLock: return "lock";
    case FsOp::kLink: return "link";
    case FsOp::kRmdir: return "rmdir";
    case FsOp::kSyncAll: return "sync_all";
  }
  return "?";
}

void Trace::record(Event event) {
  add(Fields{event.kind, event.op, event.outcome, event.injected, event.name, event.path,
             event.offset, event.length, event.detail});
}

void Trace::add(const Fields& f) {
  std::uint64_t h = fold(hash_, static_cast<std::uint64_t>(f.kind));
  h = fold(h, static_cast<std::uint64_t>(f.op));
  h = fold(h, static_cast<std::uint64_t>(f.outcome));
  h = fold(h, static_cast<std::uint64_t>(f.injected));
  h = fold(h, f.name);
  h = fold(h, f.path);
  h = fold(h, f.offset);
  h = fold(h, f.length);
  hash_ = fold(h, f.detail);
  if (f.kind == EventKind::kFault) ++injected_[std::string(f.name)];
  const std::uint64_t seq = count_++;
  if (!keep_events_) return;
  Event event;
  event.seq = seq;
  event.kind = f.kind;
  event.op = f.op;
  event.outcome = f.outcome;
  event.injected = f.injected;
  event.name = f.name;
  event.path = f.path;
  event.offset = f.offset;
  event.length = f.length;
  event.detail = f.detail;
  event.thread = ThreadScheduler::current_thread();
  events_.push_back(std::move(event));
}

void Trace::fs_op(FsOp op, std::string_view path, std::uint64_t offset, std::uint64_t length,
                  wal::Code outcome) {
  add(Fields{EventKind::kFsOp, op, outcome, false, {}, path, offset, length, {}});
}

void Trace::fault(std::string_view fault_kind, FsOp op, std::string_view path,
                  std::uint64_t offset, std::uint64_t length, std::string_view detail) {
  add(Fields{EventKind::kFault, op, wal::Code::kOk, true, fault_kind, path, offset, length,
             detail});
}

void Trace::crash(std::string_view policy, std::string_view path, std::string_view detail) {
  add(Fields{EventKind::kCrash, FsOp::kNone, wal::Code::kOk, false, policy, path, 0, 0, detail});
}

void Trace::note(std::string_view label, std::string_view subject, std::uint64_t a,
                 std::uint64_t b, std::string_view detail) {
  add(Fields{EventKind::kNote, FsOp::kNone, wal::Code::kOk, false, label, subject, a, b, detail});
}

std::uint64_t Trace::injected_fault_count() const {
  std::uint64_t total = 0;
  for (const auto& [kind, count] : injected_) total += count;
  return total;
}

std::string Trace::format(const Event& e) {
  std::string line;
  switch (e.kind) {
    case EventKind::kFsOp:
      line = fmt::format("#{} {} {} @{}+{} -> {}", e.seq, to_string(e.op), e.path, e.offset,
                         e.length, wal::code_name(e.outcome));
      break;
    case EventKind::kFault:
      line = fmt::format("#{} FAULT[injected] {} on {} {} @{}+{}", e.seq, e.name, to_string(e.op),
                         e.path, e.offset, e.length);
      break;
    case EventKind::kCrash:
      line = fmt::format("#{} CRASH {} {}", e.seq, e.name, e.path);
      break;
    case EventKind::kNote:
      line = fmt::format("#{} {} {} {} {}", e.seq, e.name, e.path, e.offset, e.length);
      break;
  }
  if (!e.detail.empty()) {
    line += " (";
    line += e.detail;
    line += ')';
  }
  return line;
}

std::string Trace::dump() const {
  std::string out;
  for (const Event& event : events_) {
    out += format(event);
    out += '\n';
  }
  return out;
}

}  // namespace sim
