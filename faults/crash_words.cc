#include "faults/crash_words.h"

#include <optional>

#include <fmt/format.h>

namespace faults {
namespace {

using sim::OpFate;
using sim::PendingOp;

void walk(const sim::SimFsState& state, sim::InodeId dir, const std::string& path,
          std::map<sim::InodeId, std::string>& out) {
  const sim::DirState& entries = state.inodes.at(dir).dir;
  auto visit = [&](const std::string& name, sim::InodeId child) {
    if (child == 0 || state.inodes.count(child) == 0 || out.count(child) != 0) return;
    out.emplace(child, join_path(path, name));
    if (state.inodes.at(child).is_dir) walk(state, child, join_path(path, name), out);
  };
  // Visible names first (what the run saw last), then durable ones, then pending links.
  for (const auto& [name, child] : entries.visible) visit(name, child);
  for (const auto& [name, child] : entries.durable) visit(name, child);
  for (const sim::DirOp& op : entries.pending) {
    if (op.kind == sim::DirOp::Kind::kLink) visit(op.name, op.inode);
    if (op.kind == sim::DirOp::Kind::kRename) visit(op.target, op.inode);
  }
}

std::string range(std::uint64_t begin, std::uint64_t end) {
  return fmt::format("[{},{})", begin, end);
}

// Stale says nothing: the words (and the trace hashes) of the crashes before torn_fill.
std::string filled_words(sim::TornFill fill) {
  switch (fill) {
    case sim::TornFill::kStale: return "";
    case sim::TornFill::kZeros: return " (reads as zeros)";
    case sim::TornFill::kRandom: return " (reads as junk)";
  }
  return "";
}

std::string fate_words(const PendingOp& op, const OpFate& fate) {
  if (op.forced) return "durable (synced)";
  switch (fate.kind) {
    case OpFate::Kind::kDrop: return "lost";
    case OpFate::Kind::kKeep: return "survived";
    case OpFate::Kind::kTorn: {
      const std::string kept = kept_ranges(op, fate);
      // The write scope says nothing either: only the sector scope's crashes gain words.
      const std::string rest = filled_words(fate.fill) +
                               (fate.damage_sector_bytes != 0 ? " with its unfinished sectors"
                                                              : "");
      return kept.empty() ? "torn: nothing of it kept" + rest
                          : "torn: kept " + kept + ", rest lost" + rest;
    }
    case OpFate::Kind::kGarbage:
      return fate.fill == sim::TornFill::kRandom
                 ? "garbage: the size grew, the bytes read as junk"
                 : "garbage: the size grew, the bytes read as zeros";
  }
  return "?";
}

// A run of writes told as one range: same plain fate (lost or survived), contiguous.
struct Run {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::size_t writes = 0;
  std::string fate;
};

std::string run_words(const Run& run) {
  if (run.writes == 1) {
    return fmt::format("{} written at #{}: {}", range(run.begin, run.end), run.first_seq, run.fate);
  }
  return fmt::format("{} in {} writes #{}..#{}: {}", range(run.begin, run.end), run.writes,
                     run.first_seq, run.last_seq, run.fate);
}

std::string file_words(const sim::FileState& file, const sim::CrashPlan& plan,
                       sim::InodeId inode) {
  std::vector<std::string> parts{fmt::format("durable size {}", file.durable.size())};
  std::optional<Run> run;
  auto flush = [&] {
    if (run) parts.push_back(run_words(*run));
    run.reset();
  };
  for (std::size_t i = 0; i < file.pending.size(); ++i) {
    const PendingOp& op = file.pending[i];
    const OpFate fate = fate_of(plan, inode, i, op);
    const bool plain = op.kind == PendingOp::Kind::kWrite &&
                       (op.forced || fate.kind == OpFate::Kind::kDrop ||
                        fate.kind == OpFate::Kind::kKeep);
    if (!plain) {
      flush();
      parts.push_back(describe_file_op(op, fate));
      continue;
    }
    const std::string words = fate_words(op, fate);
    if (run && run->fate == words && run->end == op.offset) {
      run->end = op.end();
      run->last_seq = op.seq;
      ++run->writes;
      continue;
    }
    flush();
    run = Run{op.offset, op.end(), op.seq, op.seq, 1, words};
  }
  flush();
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

}  // namespace

std::string kept_ranges(const PendingOp& op, const OpFate& fate) {
  // Sector pieces that touch are one range: "[2560,3952)", not three.
  std::vector<sim::ByteRange> merged;
  for (const sim::ByteRange& piece : fate.kept) {
    if (!merged.empty() && merged.back().end == piece.begin) {
      merged.back().end = piece.end;
    } else {
      merged.push_back(piece);
    }
  }
  std::string out;
  for (const sim::ByteRange& piece : merged) {
    out += (out.empty() ? "" : " ") + range(op.offset + piece.begin, op.offset + piece.end);
  }
  return out;
}

std::string join_path(const std::string& dir, const std::string& name) {
  return dir.empty() || dir == "/" ? "/" + name : dir + "/" + name;
}

std::map<sim::InodeId, std::string> inode_paths(const sim::SimFsState& state) {
  std::map<sim::InodeId, std::string> out{{sim::SimFsState::kRoot, "/"}};
  walk(state, sim::SimFsState::kRoot, "/", out);
  return out;
}

std::string path_of(const std::map<sim::InodeId, std::string>& paths, sim::InodeId inode) {
  const auto it = paths.find(inode);
  return it != paths.end() ? it->second : fmt::format("an unlinked file (inode {})", inode);
}

OpFate fate_of(const sim::CrashPlan& plan, sim::InodeId inode, std::size_t index,
               const PendingOp& op) {
  if (op.forced) return OpFate::keep();
  const auto it = plan.files.find(inode);
  if (it == plan.files.end() || index >= it->second.size()) return OpFate::drop();
  return it->second[index];
}

bool dir_op_survives(const sim::CrashPlan& plan, sim::InodeId inode, std::size_t index) {
  const auto it = plan.dirs.find(inode);
  return it != plan.dirs.end() && index < it->second.size() && it->second[index];
}

std::string describe_file_op(const PendingOp& op, const OpFate& fate) {
  const std::string words = fate_words(op, fate);
  switch (op.kind) {
    case PendingOp::Kind::kWrite:
      return fmt::format("{} written at #{}: {}", range(op.offset, op.end()), op.seq, words);
    case PendingOp::Kind::kTruncate:
      return fmt::format("truncate to {} at #{}: {}", op.offset, op.seq, words);
    case PendingOp::Kind::kAllocate:
      return fmt::format("allocate {} at #{}: {}", range(op.offset, op.end()), op.seq, words);
  }
  return "?";
}

std::string describe_dir_op(const std::string& dir_path, const sim::DirOp& op, bool survived) {
  const char* fate = survived ? "survived" : "lost";
  switch (op.kind) {
    case sim::DirOp::Kind::kLink:
      return fmt::format("new entry {} (#{}): {}", join_path(dir_path, op.name), op.seq, fate);
    case sim::DirOp::Kind::kUnlink:
      return fmt::format("removal of {} (#{}): {}", join_path(dir_path, op.name), op.seq, fate);
    case sim::DirOp::Kind::kRename:
      return fmt::format("rename {} -> {} (#{}): {}", join_path(dir_path, op.name), op.target,
                         op.seq, fate);
  }
  return "?";
}

std::vector<CrashLine> describe_crash(const sim::SimFsState& before, const sim::CrashPlan& plan) {
  const std::map<sim::InodeId, std::string> paths = inode_paths(before);
  std::vector<CrashLine> lines;
  for (const auto& [id, inode] : before.inodes) {
    if (inode.is_dir || inode.file.pending.empty()) continue;
    lines.push_back({path_of(paths, id), file_words(inode.file, plan, id)});
  }
  for (const auto& [id, inode] : before.inodes) {
    if (!inode.is_dir || inode.dir.pending.empty()) continue;
    const std::string path = path_of(paths, id);
    std::string words;
    for (std::size_t i = 0; i < inode.dir.pending.size(); ++i) {
      words += (words.empty() ? "" : "; ") +
               describe_dir_op(path, inode.dir.pending[i], dir_op_survives(plan, id, i));
    }
    lines.push_back({path, std::move(words)});
  }
  return lines;
}

}  // namespace faults
