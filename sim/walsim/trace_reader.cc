#include "sim/walsim/trace_reader.h"

#include <fmt/format.h>

namespace walsim {
namespace {

std::optional<harness::CallKind> call_kind(std::string_view subject) {
  for (int k = 0; k <= static_cast<int>(harness::CallKind::kClose); ++k) {
    const auto kind = static_cast<harness::CallKind>(k);
    if (harness::to_string(kind) == subject) return kind;
  }
  return std::nullopt;
}

bool is_append(harness::CallKind kind) {
  return kind == harness::CallKind::kAppend || kind == harness::CallKind::kBatch ||
         kind == harness::CallKind::kCheckpoint;
}

// Queries that change nothing and say little: left out of the timeline.
bool shown(sim::FsOp op) {
  return op != sim::FsOp::kSize && op != sim::FsOp::kStat && op != sim::FsOp::kList &&
         op != sim::FsOp::kNone;
}

bool ranged(sim::FsOp op) {
  return op == sim::FsOp::kWrite || op == sim::FsOp::kRead || op == sim::FsOp::kAllocate;
}

std::string open_mode(std::uint64_t mode) {
  switch (mode) {
    case 0: return "read-only";
    case 1: return "read-write";
    case 2: return "create";
    case 3: return "create-exclusive";
    default: return fmt::format("mode {}", mode);
  }
}

std::string fs_detail(const sim::Event& e) {
  const std::string outcome(wal::code_name(e.outcome));
  if (ranged(e.op)) {
    return fmt::format("[{},{}) {}", e.offset, e.offset + e.length, outcome);
  }
  if (e.op == sim::FsOp::kOpen) return fmt::format("{} {}", open_mode(e.length), outcome);
  if (e.op == sim::FsOp::kTruncate) return fmt::format("to {} {}", e.offset, outcome);
  return outcome;
}

}  // namespace

void TraceReader::add(reports::TimelineEvent event) {
  merge_.row = SIZE_MAX;  // a row between two writes ends their merge
  if (keep_) timeline.push_back(std::move(event));
}

void TraceReader::visit(const sim::Event& e) {
  if (e.kind == sim::EventKind::kNote && e.name == "schedule") {
    now_ = e.offset;
    return;
  }
  if (e.kind == sim::EventKind::kFsOp) {
    fs_op(e);
    return;
  }
  if (e.kind == sim::EventKind::kFault) {
    add({now_, 0, e.seq, "fault", e.name,
         fmt::format("{} {} @{}+{}{}{}", sim::to_string(e.op), e.path, e.offset, e.length,
                     e.detail.empty() ? "" : " ", e.detail),
         true});
    return;
  }
  if (e.kind == sim::EventKind::kCrash) {
    // SimFs's own line (the image's hash) says nothing to a reader; the policy's lines do.
    if (!e.path.empty()) add({now_, 0, e.seq, "crash", e.path, e.detail, false});
    return;
  }
  if (e.kind == sim::EventKind::kNote && e.name == "log") {
    add({now_, 0, e.seq, "log", "wal " + e.path, e.detail, e.path == "error"});
    return;
  }
  if (e.kind == sim::EventKind::kNote && e.name == "harness") harness_note(e);
}

void TraceReader::fs_op(const sim::Event& e) {
  if (!keep_ || !shown(e.op)) return;
  Merge& m = merge_;
  if (ranged(e.op) && m.row != SIZE_MAX && m.op == e.op && m.path == e.path &&
      m.end == e.offset && m.outcome == e.outcome) {
    m.end += e.length;
    ++m.calls;
    timeline[m.row].detail = fmt::format("[{},{}) in {} calls #{}..#{} {}", m.begin, m.end,
                                         m.calls, m.first_seq, e.seq, wal::code_name(e.outcome));
    return;
  }
  add({now_, 0, e.seq, "fs", fmt::format("{} {}", sim::to_string(e.op), e.path), fs_detail(e),
       e.outcome != wal::Code::kOk});
  if (ranged(e.op)) {
    merge_ = Merge{timeline.size() - 1, e.op, e.path, e.offset, e.offset + e.length, e.seq, 1,
                   e.outcome};
  }
}

void TraceReader::harness_note(const sim::Event& e) {
  if (auto kind = call_kind(e.path)) {
    Open open{SIZE_MAX, now_, *kind};
    const bool recovery = *kind == harness::CallKind::kOpen && crashed_;
    std::string label = *kind == harness::CallKind::kOpen || *kind == harness::CallKind::kClose
                            ? std::string(e.path)
                            : fmt::format("{} w{} op{}", e.path, e.offset, e.length);
    if (keep_) {
      add({now_, 0, e.seq, recovery ? "recovery" : "call", std::move(label), "in flight", false});
      open.row = timeline.size() - 1;
    }
    calls_.emplace(next_call_++, open);
    return;
  }
  if (e.path == "return") {
    call_returned(e);
  } else if (e.path == "sync-begin") {
    add({now_, 0, e.seq, "sync", fmt::format("sync #{} begins", e.offset),
         fmt::format("up to LSN {}", e.length), false});
  } else if (e.path == "sync-end") {
    const auto code = static_cast<wal::Code>(e.length);
    add({now_, 0, e.seq, "sync", fmt::format("sync #{} ends", e.offset),
         std::string(wal::code_name(code)), code != wal::Code::kOk});
  } else if (e.path == "power-loss") {
    crashed_ = true;
    add({now_, 0, e.seq, "crash", "power loss",
         fmt::format("after {} ops, {} syncs; what each file and directory kept follows", e.offset,
                     e.length),
         false});
  } else if (e.path == "crash-during-recovery") {
    add({now_, 0, e.seq, "crash", "power loss during recovery",
         fmt::format("after {} of {} fs ops", e.offset, e.length), false});
  }
}

void TraceReader::call_returned(const sim::Event& e) {
  auto found = calls_.find(e.offset);
  if (found == calls_.end()) return;
  const Open open = found->second;
  calls_.erase(found);
  const std::uint64_t duration = now_ - open.begin_us;
  const auto code = static_cast<wal::Code>(e.length);
  if (is_append(open.kind) && code == wal::Code::kOk) latency.add(duration);
  if (open.row != SIZE_MAX) {
    timeline[open.row].duration_us = duration;
    timeline[open.row].failed = code != wal::Code::kOk;
    timeline[open.row].detail =
        fmt::format("-> {} at #{} after {} us", wal::code_name(code), e.seq, duration);
  }
}

}  // namespace walsim
