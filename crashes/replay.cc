#include "crashes/replay.h"

#include <fcntl.h>

#include <algorithm>
#include <span>

#include <fmt/format.h>

namespace crashes {
namespace {

using systrace::Call;
using systrace::CallKind;

std::span<const std::byte> bytes_of(const std::string& data) {
  return std::as_bytes(std::span<const char>(data.data(), data.size()));
}

// The parent directories of `path` ("a/b/c" -> "a/b"; "c" -> "").
std::string parent_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool changes_state(const Call& call) {
  if (call.result < 0) return false;
  switch (call.kind) {
    case CallKind::kOpen: return call.created;
    case CallKind::kWrite: return !call.data.empty();
    case CallKind::kFallocate: return call.flags == 0;
    case CallKind::kSyncFileRange:
    case CallKind::kClose:
    case CallKind::kExit:
    case CallKind::kInitDir:
    case CallKind::kInitFile:
    case CallKind::kInitSymlink: return false;
    case CallKind::kOutput: return !call.data.empty();
    default: return true;
  }
}

}  // namespace

Replay::Replay(const systrace::Trace& trace, sim::DeviceModel device)
    : trace_(&trace), fs_(device, &sim_trace_) {}

std::size_t Replay::call_of(std::uint64_t seq) const {
  auto it = std::upper_bound(seq_starts_.begin(), seq_starts_.end(),
                             std::pair<std::uint64_t, std::size_t>{seq, SIZE_MAX});
  return it == seq_starts_.begin() ? 0 : std::prev(it)->second;
}

std::string Replay::path_at(std::size_t call) const {
  if (call == 0 || call > trace_->calls.size()) return {};
  const Call& made = trace_->calls[call - 1];
  if (!made.path.empty() || made.file == 0) return made.path;
  const auto it = named_at_.find(call);
  return it == named_at_.end() ? std::string() : it->second;
}

wal::File* Replay::file(std::uint64_t id) {
  const auto it = files_.find(id);
  return it == files_.end() ? nullptr : it->second.get();
}

// Every directory on `path`, created durable where missing. A trace is bytes from anywhere: a
// name that is already a file, or a ".." on the way, is an error (SimFs's own set-up helper
// would assert on the first).
std::string Replay::durable_dirs(const std::string& path) {
  std::size_t end = 0;
  while (end < path.size()) {
    end = path.find('/', end + 1);
    if (end == std::string::npos) end = path.size();
    const std::string prefix = path.substr(0, end);
    if (prefix.empty() || prefix.back() == '/') continue;
    const wal::Result<wal::FileStat> found = fs_.stat(prefix);
    if (found) {
      if (!found->is_directory) return fmt::format("\"{}\" is a file, not a directory", prefix);
      continue;
    }
    if (const wal::Status made = fs_.mkdir(prefix); !made.is_ok()) return made.to_string();
    if (const wal::Status synced = fs_.sync_dir(parent_of(prefix)); !synced.is_ok()) {
      return synced.to_string();
    }
  }
  return {};
}

std::string Replay::start() {
  while (!done() && trace_->calls[next_].kind <= CallKind::kInitSymlink) {
    const Call& call = trace_->calls[next_];
    const std::size_t number = next_ + 1;
    ++next_;
    switch (call.kind) {
      case CallKind::kInitDir:
        if (std::string problem = durable_dirs(call.path); !problem.empty()) {
          return fmt::format("call {}: {}", number, problem);
        }
        break;
      case CallKind::kInitFile: {
        if (std::string problem = durable_dirs(parent_of(call.path)); !problem.empty()) {
          return fmt::format("call {}: {}", number, problem);
        }
        if (const auto first = opened_as_.find(call.file); first != opened_as_.end()) {
          // A second name of a file already loaded: a hard link.
          if (!fs_.link(first->second, call.path).is_ok() ||
              !fs_.sync_dir(parent_of(call.path)).is_ok()) {
            return fmt::format("call {}: cannot link {} to {}", number, call.path, first->second);
          }
          break;
        }
        auto opened = fs_.open(call.path, wal::OpenMode::kCreate);
        if (!opened) return fmt::format("call {}: {}", number, opened.error().to_string());
        wal::File& f = **opened;
        if (!f.write_at(0, bytes_of(call.data)).is_ok() || !f.sync().is_ok() ||
            !fs_.sync_dir(parent_of(call.path)).is_ok()) {
          return fmt::format("call {}: cannot load {}", number, call.path);
        }
        files_[call.file] = std::move(*opened);
        opened_as_[call.file] = call.path;
        break;
      }
      default:
        return fmt::format("call {}: {} \"{}\": symbolic links are not modelled", number,
                           systrace::to_string(call.kind), call.path);
    }
  }
  return {};
}

std::string Replay::step() {
  const Call& call = trace_->calls[next_];
  const std::size_t number = ++next_;
  seq_starts_.emplace_back(sim_trace_.size(), number);
  changed_ = changes_state(call);
  if (call.result < 0) return {};
  if (call.path.empty() && call.file != 0) {
    // The name the file has now: a later open under another name must not rename this call.
    if (const auto it = opened_as_.find(call.file); it != opened_as_.end()) {
      named_at_.emplace(number, it->second);
    }
  }
  std::string problem = apply(call);
  if (problem.empty()) return {};
  return fmt::format("call {} {}: {}", number, systrace::show_call(call, number), problem);
}

std::string Replay::apply(const Call& call) {
  const auto status_text = [](const wal::Status& status) {
    return status.is_ok() ? std::string() : status.to_string();
  };
  const auto need_file = [&]() -> wal::File* { return file(call.file); };
  switch (call.kind) {
    case CallKind::kOpen: {
      if (call.is_dir) return {};
      opened_as_[call.file] = call.path;
      if (wal::File* known = file(call.file); known != nullptr && !call.created) return {};
      auto opened = fs_.open(call.path, call.created ? wal::OpenMode::kCreate
                                                     : wal::OpenMode::kReadWrite);
      if (!opened) return opened.error().to_string();
      files_[call.file] = std::move(*opened);
      return {};
    }
    case CallKind::kWrite: {
      wal::File* f = need_file();
      if (f == nullptr) return fmt::format("file #{} was never opened", call.file);
      if (const wal::Status written = f->write_at(call.offset, bytes_of(call.data));
          !written.is_ok()) {
        return written.to_string();
      }
      // O_SYNC/O_DSYNC (of the descriptor, or RWF_SYNC/RWF_DSYNC): durable when it returned.
      if ((call.flags & (O_SYNC | O_DSYNC)) != 0) return status_text(f->sync());
      return {};
    }
    case CallKind::kTruncate: {
      wal::File* f = need_file();
      if (f == nullptr) {  // truncate(2) by path of a file the program never opened
        auto opened = fs_.open(call.path, wal::OpenMode::kReadWrite);
        if (!opened) return opened.error().to_string();
        return status_text((*opened)->truncate(call.length));
      }
      return status_text(f->truncate(call.length));
    }
    case CallKind::kFallocate: {
      if (call.flags != 0) return {};  // FALLOC_FL_KEEP_SIZE: no byte a reader sees changes
      wal::File* f = need_file();
      if (f == nullptr) return fmt::format("file #{} was never opened", call.file);
      return status_text(f->allocate(call.offset, call.length));
    }
    case CallKind::kFsync:
    case CallKind::kFdatasync: {
      if (call.is_dir) return status_text(fs_.sync_dir(call.path));
      wal::File* f = need_file();
      if (f == nullptr) return fmt::format("file #{} was never opened", call.file);
      return status_text(f->sync());
    }
    case CallKind::kSyncfs:
    case CallKind::kSync:
      fs_.sync_all();
      return {};
    case CallKind::kRename:
      return status_text(fs_.rename(call.path, call.path2));
    case CallKind::kUnlink:
      return status_text(fs_.unlink(call.path));
    case CallKind::kRmdir:
      return status_text(fs_.rmdir(call.path));
    case CallKind::kMkdir:
      return status_text(fs_.mkdir(call.path));
    case CallKind::kLink:
      return status_text(fs_.link(call.path, call.path2));
    case CallKind::kSymlink:
    case CallKind::kInitDir:
    case CallKind::kInitFile:
    case CallKind::kInitSymlink:
      return "symbolic links and initial contents in the middle of a run are not modelled";
    case CallKind::kOutput:
      output_ += call.data;
      return {};
    case CallKind::kSyncFileRange:
    case CallKind::kClose:
    case CallKind::kExit:
      return {};
  }
  return "unknown call kind";
}

}  // namespace crashes
