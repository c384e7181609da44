#include "sim/sim_fs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "sim/interval_set.h"

namespace sim {
namespace {

using wal::Result;
using wal::Status;

// Offsets and lengths past this are a caller bug (off_t is signed).
constexpr std::uint64_t kOffsetLimit = std::uint64_t{1} << 63;

bool range_overflows(std::uint64_t offset, std::uint64_t length) {
  return offset >= kOffsetLimit || length > kOffsetLimit - offset;
}

Status injected_eio(std::string message) {
  Status status = Status::io_error(std::move(message), EIO);
  status.mark_injected();
  return status;
}

// The next component of `path` from `pos`, skipping separators and "."; empty at the end.
std::string_view next_component(std::string_view path, std::size_t& pos) {
  for (;;) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    if (pos >= path.size()) return {};
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view name = path.substr(pos, end - pos);
    pos = end;
    if (name != ".") return name;
  }
}

}  // namespace

class SimFile final : public wal::File {
 public:
  SimFile(SimFs* fs, InodeId inode, FileState* state, std::string path, bool writable)
      : fs_(fs),
        alive_(fs->alive_),
        generation_(fs->generation_),
        inode_(inode),
        state_(state),
        path_(std::move(path)),
        writable_(writable) {}

  ~SimFile() override {
    if (open_ && *alive_) fs_->file_close(*this).ignore_error("the destructor closes");
  }
  SimFile(const SimFile&) = delete;
  SimFile& operator=(const SimFile&) = delete;

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (!*alive_) return gone();
    return fs_->file_read(*this, offset, out);
  }
  Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (!*alive_) return gone();
    return fs_->file_write(*this, offset, data);
  }
  Status sync_data() override {
    if (!*alive_) return gone();
    return fs_->file_sync_data(*this);
  }
  Status sync() override {
    if (!*alive_) return gone();
    return fs_->file_sync(*this);
  }
  Status truncate(std::uint64_t size_bytes) override {
    if (!*alive_) return gone();
    return fs_->file_truncate(*this, size_bytes);
  }
  Status allocate(std::uint64_t offset, std::uint64_t length) override {
    if (!*alive_) return gone();
    return fs_->file_allocate(*this, offset, length);
  }
  Result<std::uint64_t> size() override {
    if (!*alive_) return gone();
    WAL_RETURN_IF_ERROR(fs_->check_handle(*this, FsOp::kSize, false));
    return static_cast<std::uint64_t>(state_->visible.size());
  }
  Status close() override {
    if (!*alive_) return gone();
    return fs_->file_close(*this);
  }

 private:
  friend class SimFs;

  Status gone() const {
    return Status::invalid_argument(fmt::format("{}: its SimFs was destroyed", path_));
  }

  SimFs* fs_;
  std::shared_ptr<bool> alive_;
  std::uint64_t generation_;
  InodeId inode_;
  FileState* state_;  // stable: std::map node, kept while this handle is open
  std::string path_;
  bool writable_;
  bool open_ = true;
};

class SimFileLock final : public wal::FileLock {
 public:
  SimFileLock(SimFs* fs, InodeId inode)
      : fs_(fs), alive_(fs->alive_), generation_(fs->generation_), inode_(inode) {}
  ~SimFileLock() override {
    if (*alive_ && fs_->generation_ == generation_) fs_->locks_.erase(inode_);
  }
  SimFileLock(const SimFileLock&) = delete;
  SimFileLock& operator=(const SimFileLock&) = delete;

 private:
  SimFs* fs_;
  std::shared_ptr<bool> alive_;
  std::uint64_t generation_;
  InodeId inode_;
};

SimFs::SimFs(DeviceModel device, Trace* trace) : device_(device), trace_(trace) {
  WAL_ASSERT(device_.sector_bytes > 0);
}

SimFs::~SimFs() { *alive_ = false; }

// ---- paths and inodes ----

Result<InodeId> SimFs::lookup(std::string_view path) const {
  InodeId current = SimFsState::kRoot;
  std::size_t pos = 0;
  for (std::string_view name = next_component(path, pos); !name.empty();
       name = next_component(path, pos)) {
    if (name == "..") return Status::invalid_argument(fmt::format("{}: '..' is not supported", path));
    const Inode& node = state_.inodes.at(current);
    if (!node.is_dir) return Status::io_error(fmt::format("{}: not a directory", path), ENOTDIR);
    const auto it = node.dir.visible.find(name);
    if (it == node.dir.visible.end()) {
      return Status::not_found(fmt::format("{}: no such file or directory", path), ENOENT);
    }
    current = it->second;
  }
  return current;
}

Result<SimFs::Parent> SimFs::lookup_parent(std::string_view path) const {
  std::size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  const std::size_t slash = path.substr(0, end).rfind('/');
  const std::size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
  const std::string_view name = path.substr(begin, end - begin);
  if (name.empty() || name == "." || name == "..") {
    return Status::invalid_argument(fmt::format("{}: names no entry", path));
  }
  Result<InodeId> dir = lookup(path.substr(0, begin));
  if (!dir) return dir.status();
  if (!state_.inodes.at(*dir).is_dir) {
    return Status::io_error(fmt::format("{}: not a directory", path), ENOTDIR);
  }
  return Parent{*dir, name};
}

InodeId SimFs::new_inode(bool is_dir) {
  const InodeId id = state_.next_inode++;
  state_.inodes[id].is_dir = is_dir;
  return id;
}

void SimFs::make_durable_dirs(std::string_view path) {
  InodeId current = SimFsState::kRoot;
  std::size_t pos = 0;
  for (std::string_view name = next_component(path, pos); !name.empty();
       name = next_component(path, pos)) {
    Entries& visible = state_.inodes.at(current).dir.visible;
    auto it = visible.find(name);
    if (it == visible.end()) {
      const InodeId dir = new_inode(true);
      DirState& parent = state_.inodes.at(current).dir;
      parent.visible.emplace(std::string(name), dir);
      parent.durable.emplace(std::string(name), dir);
      current = dir;
    } else {
      WAL_ASSERT(state_.inodes.at(it->second).is_dir);
      current = it->second;
    }
  }
}

// ---- bookkeeping ----

void SimFs::record(FsOp op, std::string_view path, std::uint64_t offset, std::uint64_t length,
                   const Status& status) {
  if (trace_ != nullptr) trace_->fs_op(op, path, offset, length, status.code());
}

Status SimFs::violation(FsOp op, std::string_view path, std::string what) {
  std::string message = fmt::format("contract violation: {} {}: {}", to_string(op), path, what);
  if (trace_ != nullptr) trace_->note("contract_violation", path, 0, 0, message);
  violations_.push_back(message);
  return Status::invalid_argument(std::move(message));
}

Status SimFs::check_handle(SimFile& file, FsOp op, bool write) {
  if (!file.open_) return violation(op, file.path_, "call on a closed handle");
  if (file.generation_ != generation_) {
    return violation(op, file.path_, "call on a handle from before a crash");
  }
  if (write && !file.writable_) {
    return violation(op, file.path_, "modification through a read-only handle");
  }
  return Status::ok();
}

Status SimFs::grow_check(const FileState& file, std::uint64_t new_end, std::string_view path) {
  if (new_end > kMaxFileBytes) {
    return Status::no_space(fmt::format("{}: {} bytes exceeds the simulator's file limit", path,
                                        new_end), ENOSPC);
  }
  const std::uint64_t size = file.visible.size();
  const std::uint64_t growth = new_end > size ? new_end - size : 0;
  if (device_.capacity_bytes > 0 && used_bytes_ + growth > device_.capacity_bytes) {
    return Status::no_space(fmt::format("{}: device full ({} of {} bytes used)", path,
                                        used_bytes_, device_.capacity_bytes), ENOSPC);
  }
  return Status::ok();
}

void SimFs::set_visible_size(FileState& file, std::uint64_t size) {
  used_bytes_ = used_bytes_ - file.visible.size() + size;
  file.visible.mut().resize(size);
}

void SimFs::rebuild_visible(FileState& file) {
  CowBytes image = file.durable;
  for (const PendingOp& op : file.pending) apply_op(image.mut(), op);
  used_bytes_ = used_bytes_ - file.visible.size() + image.size();
  file.visible = std::move(image);
}

void SimFs::collect_garbage() {
  garbage_possible_ = false;
  std::set<InodeId> live = reachable_inodes(state_, Reach::kAny);
  for (const auto& [id, count] : open_by_inode_) live.insert(id);
  live.insert(locks_.begin(), locks_.end());
  for (auto it = state_.inodes.begin(); it != state_.inodes.end();) {
    if (live.count(it->first) != 0) {
      ++it;
      continue;
    }
    if (!it->second.is_dir) used_bytes_ -= it->second.file.visible.size();
    it = state_.inodes.erase(it);
  }
}

bool SimFs::named(InodeId inode) const {
  for (const auto& [id, node] : state_.inodes) {
    if (!node.is_dir) continue;
    for (const Entries* entries : {&node.dir.visible, &node.dir.durable}) {
      for (const auto& [name, child] : *entries) {
        if (child == inode) return true;
      }
    }
    for (const DirOp& op : node.dir.pending) {
      if (op.inode == inode) return true;
    }
  }
  return false;
}

void SimFs::invalidate_handles() {
  ++generation_;
  open_handles_ = 0;
  open_by_inode_.clear();
  locks_.clear();
  used_bytes_ = 0;
  for (const auto& [id, inode] : state_.inodes) {
    if (!inode.is_dir) used_bytes_ += inode.file.visible.size();
  }
}

// ---- wal::Fs ----

Result<std::unique_ptr<wal::File>> SimFs::open(std::string_view path, wal::OpenMode mode) {
  const auto finish = [&](Status status) {
    record(FsOp::kOpen, path, 0, static_cast<std::uint64_t>(mode), status);
    return status;
  };
  Result<Parent> parent = lookup_parent(path);
  if (!parent) {
    if (parent.error().code() == wal::Code::kInvalidArgument && lookup(path).is_ok()) {
      return finish(Status::io_error(fmt::format("{}: is a directory", path), EISDIR));
    }
    return finish(parent.status());
  }
  DirState& dir = state_.inodes.at(parent->dir).dir;
  InodeId inode = 0;
  const auto it = dir.visible.find(parent->name);
  if (it != dir.visible.end()) {
    if (mode == wal::OpenMode::kCreateExclusive) {
      return finish(Status::already_exists(fmt::format("{}: exists", path)));
    }
    inode = it->second;
    if (state_.inodes.at(inode).is_dir) {
      return finish(Status::io_error(fmt::format("{}: is a directory", path), EISDIR));
    }
  } else {
    if (mode == wal::OpenMode::kReadOnly || mode == wal::OpenMode::kReadWrite) {
      return finish(Status::not_found(fmt::format("{}: no such file", path), ENOENT));
    }
    inode = new_inode(false);
    dir.visible.emplace(std::string(parent->name), inode);
    dir.pending.push_back(DirOp{DirOp::Kind::kLink, std::string(parent->name), {}, inode});
    dir.pending.back().seq = next_seq();
  }
  ++open_handles_;
  ++open_by_inode_[inode];
  finish(Status::ok()).ignore_error("recorded");
  return std::unique_ptr<wal::File>(new SimFile(this, inode, &state_.inodes.at(inode).file,
                                                std::string(path),
                                                mode != wal::OpenMode::kReadOnly));
}

Status SimFs::rename(std::string_view source, std::string_view target) {
  const auto finish = [&](Status status) {
    if (trace_ != nullptr) {
      trace_->fs_op(FsOp::kRename, fmt::format("{} -> {}", source, target), 0, 0, status.code());
    }
    return status;
  };
  Result<Parent> from = lookup_parent(source);
  if (!from) return finish(from.status());
  Result<Parent> to = lookup_parent(target);
  if (!to) return finish(to.status());
  const auto src = state_.inodes.at(from->dir).dir.visible.find(from->name);
  if (src == state_.inodes.at(from->dir).dir.visible.end()) {
    return finish(Status::not_found(fmt::format("rename {}: no such file", source), ENOENT));
  }
  const InodeId inode = src->second;
  const bool moving_dir = state_.inodes.at(inode).is_dir;
  DirState& to_dir = state_.inodes.at(to->dir).dir;
  const auto dst = to_dir.visible.find(to->name);
  if (dst != to_dir.visible.end()) {
    if (dst->second == inode) return finish(Status::ok());  // POSIX: same file, nothing to do
    const Inode& replaced = state_.inodes.at(dst->second);
    if (replaced.is_dir && !moving_dir) {
      return finish(Status::io_error(fmt::format("rename {}: target is a directory", target), EISDIR));
    }
    if (!replaced.is_dir && moving_dir) {
      return finish(Status::io_error(fmt::format("rename {}: target is not a directory", target),
                                     ENOTDIR));
    }
    if (replaced.is_dir && !replaced.dir.visible.empty()) {
      return finish(Status::io_error(fmt::format("rename {}: target not empty", target), ENOTEMPTY));
    }
    garbage_possible_ = true;
  }
  if (moving_dir) {
    // A directory must not move into its own subtree.
    std::vector<InodeId> stack{inode};
    while (!stack.empty()) {
      const InodeId id = stack.back();
      stack.pop_back();
      if (id == to->dir) {
        return finish(Status::io_error(fmt::format("rename {} into itself", source), EINVAL));
      }
      for (const auto& [name, child] : state_.inodes.at(id).dir.visible) {
        if (state_.inodes.at(child).is_dir) stack.push_back(child);
      }
    }
  }
  const std::string from_name(from->name);
  const std::string to_name(to->name);
  if (from->dir == to->dir) {
    to_dir.visible.erase(from_name);
    to_dir.visible[to_name] = inode;
    to_dir.pending.push_back(DirOp{DirOp::Kind::kRename, from_name, to_name, inode});
    to_dir.pending.back().seq = next_seq();
  } else {
    DirState& from_dir = state_.inodes.at(from->dir).dir;
    from_dir.visible.erase(from_name);
    from_dir.pending.push_back(DirOp{DirOp::Kind::kUnlink, from_name, {}, 0});
    from_dir.pending.back().seq = next_seq();
    to_dir.visible[to_name] = inode;
    to_dir.pending.push_back(DirOp{DirOp::Kind::kLink, to_name, {}, inode});
    to_dir.pending.back().seq = next_seq();
  }
  return finish(Status::ok());
}

// unlink and rmdir: one entry removed, durable after sync_dir of its directory.
Status SimFs::remove_entry(std::string_view path, FsOp op, bool want_dir) {
  const std::string_view verb = want_dir ? "rmdir" : "unlink";
  const auto finish = [&](Status status) {
    record(op, path, 0, 0, status);
    return status;
  };
  Result<Parent> parent = lookup_parent(path);
  if (!parent) return finish(parent.status());
  DirState& dir = state_.inodes.at(parent->dir).dir;
  const auto it = dir.visible.find(parent->name);
  if (it == dir.visible.end()) {
    return finish(Status::not_found(
        fmt::format("{} {}: no such {}", verb, path, want_dir ? "directory" : "file"), ENOENT));
  }
  const Inode& node = state_.inodes.at(it->second);
  if (node.is_dir && !want_dir) {
    return finish(Status::io_error(fmt::format("{} {}: is a directory", verb, path), EISDIR));
  }
  if (!node.is_dir && want_dir) {
    return finish(Status::io_error(fmt::format("{} {}: not a directory", verb, path), ENOTDIR));
  }
  if (node.is_dir && !node.dir.visible.empty()) {
    return finish(Status::io_error(fmt::format("{} {}: not empty", verb, path), ENOTEMPTY));
  }
  dir.pending.push_back(DirOp{DirOp::Kind::kUnlink, it->first, {}, 0});
  dir.pending.back().seq = next_seq();
  dir.visible.erase(it);
  garbage_possible_ = true;
  return finish(Status::ok());
}

Status SimFs::unlink(std::string_view path) { return remove_entry(path, FsOp::kUnlink, false); }

Status SimFs::rmdir(std::string_view path) { return remove_entry(path, FsOp::kRmdir, true); }

Status SimFs::link(std::string_view existing, std::string_view new_path) {
  const auto finish = [&](Status status) {
    if (trace_ != nullptr) {
      trace_->fs_op(FsOp::kLink, fmt::format("{} -> {}", existing, new_path), 0, 0,
                    status.code());
    }
    return status;
  };
  Result<InodeId> inode = lookup(existing);
  if (!inode) return finish(inode.status());
  if (state_.inodes.at(*inode).is_dir) {
    return finish(Status::io_error(fmt::format("link {}: is a directory", existing), EPERM));
  }
  Result<Parent> parent = lookup_parent(new_path);
  if (!parent) return finish(parent.status());
  DirState& dir = state_.inodes.at(parent->dir).dir;
  if (dir.visible.count(parent->name) != 0) {
    return finish(Status::already_exists(fmt::format("link {}: exists", new_path)));
  }
  dir.visible.emplace(std::string(parent->name), *inode);
  dir.pending.push_back(DirOp{DirOp::Kind::kLink, std::string(parent->name), {}, *inode});
  dir.pending.back().seq = next_seq();
  return finish(Status::ok());
}

void SimFs::sync_all() {
  for (auto& [id, inode] : state_.inodes) {
    if (inode.is_dir) {
      for (const DirOp& op : inode.dir.pending) apply_dir_op(inode.dir.durable, op);
      inode.dir.pending.clear();
    } else {
      for (const PendingOp& op : inode.file.pending) apply_op(inode.file.durable.mut(), op);
      inode.file.pending.clear();
    }
  }
  record(FsOp::kSyncAll, "", 0, 0, Status::ok());
  collect_garbage();
}

Result<std::vector<std::string>> SimFs::list(std::string_view dir_path) {
  Result<InodeId> dir = lookup(dir_path);
  if (dir && !state_.inodes.at(*dir).is_dir) {
    dir = Status::io_error(fmt::format("{}: not a directory", dir_path), ENOTDIR);
  }
  record(FsOp::kList, dir_path, 0, 0, dir.status());
  if (!dir) return dir.status();
  std::vector<std::string> names;
  for (const auto& [name, child] : state_.inodes.at(*dir).dir.visible) names.push_back(name);
  return names;
}

Status SimFs::mkdir(std::string_view path) {
  const auto finish = [&](Status status) {
    record(FsOp::kMkdir, path, 0, 0, status);
    return status;
  };
  Result<Parent> parent = lookup_parent(path);
  if (!parent) {
    if (parent.error().code() == wal::Code::kInvalidArgument && lookup(path).is_ok()) {
      return finish(Status::already_exists(fmt::format("mkdir {}: exists", path)));
    }
    return finish(parent.status());
  }
  if (state_.inodes.at(parent->dir).dir.visible.count(parent->name) != 0) {
    return finish(Status::already_exists(fmt::format("mkdir {}: exists", path)));
  }
  const InodeId inode = new_inode(true);
  DirState& dir = state_.inodes.at(parent->dir).dir;
  dir.visible.emplace(std::string(parent->name), inode);
  dir.pending.push_back(DirOp{DirOp::Kind::kLink, std::string(parent->name), {}, inode});
  dir.pending.back().seq = next_seq();
  return finish(Status::ok());
}

Status SimFs::sync_dir(std::string_view dir_path) {
  Result<InodeId> dir = lookup(dir_path);
  if (dir && !state_.inodes.at(*dir).is_dir) {
    dir = Status::io_error(fmt::format("{}: not a directory", dir_path), ENOTDIR);
  }
  record(FsOp::kSyncDir, dir_path, 0, 0, dir.status());
  if (!dir) return dir.status();
  DirState& state = state_.inodes.at(*dir).dir;
  for (const DirOp& op : state.pending) apply_dir_op(state.durable, op);
  if (!state.pending.empty()) garbage_possible_ = true;
  state.pending.clear();
  if (garbage_possible_) collect_garbage();
  return Status::ok();
}

Result<wal::FileStat> SimFs::stat(std::string_view path) {
  Result<InodeId> inode = lookup(path);
  record(FsOp::kStat, path, 0, 0, inode.status());
  if (!inode) return inode.status();
  const Inode& node = state_.inodes.at(*inode);
  wal::FileStat stat;
  stat.is_directory = node.is_dir;
  stat.size_bytes = node.is_dir ? 0 : node.file.visible.size();
  return stat;
}

Result<std::unique_ptr<wal::FileLock>> SimFs::lock(std::string_view path) {
  const auto finish = [&](Status status) {
    record(FsOp::kLock, path, 0, 0, status);
    return status;
  };
  Result<Parent> parent = lookup_parent(path);
  if (!parent) return finish(parent.status());
  InodeId inode = 0;
  DirState& dir = state_.inodes.at(parent->dir).dir;
  const auto it = dir.visible.find(parent->name);
  if (it != dir.visible.end()) {
    inode = it->second;
    if (state_.inodes.at(inode).is_dir) {
      return finish(Status::io_error(fmt::format("lock {}: is a directory", path), EISDIR));
    }
  } else {
    inode = new_inode(false);
    dir.visible.emplace(std::string(parent->name), inode);
    dir.pending.push_back(DirOp{DirOp::Kind::kLink, std::string(parent->name), {}, inode});
    dir.pending.back().seq = next_seq();
  }
  if (!locks_.insert(inode).second) {
    return finish(Status::busy(fmt::format("lock {}: held by another opener", path)));
  }
  finish(Status::ok()).ignore_error("recorded");
  return std::unique_ptr<wal::FileLock>(new SimFileLock(this, inode));
}

// ---- files ----

Result<std::size_t> SimFs::file_read(SimFile& handle, std::uint64_t offset,
                                     std::span<std::byte> out) {
  Status status = check_handle(handle, FsOp::kRead, false);
  if (status.is_ok() && range_overflows(offset, out.size())) {
    status = violation(FsOp::kRead, handle.path_, fmt::format("offset {} overflows", offset));
  }
  const FileState& file = *handle.state_;
  std::uint64_t count = 0;
  if (status.is_ok() && offset < file.visible.size()) {
    count = std::min<std::uint64_t>(out.size(), file.visible.size() - offset);
  }
  if (status.is_ok() && count > 0 && !file.latent_sectors.empty()) {
    const auto bad = file.latent_sectors.lower_bound(device_.sector_of(offset));
    if (bad != file.latent_sectors.end() && *bad <= device_.sector_of(offset + count - 1)) {
      if (trace_ != nullptr) {
        trace_->fault("latent_sector", FsOp::kRead, handle.path_, *bad * device_.sector_bytes,
                      device_.sector_bytes);
      }
      status = injected_eio(fmt::format("pread {}: sector {} unreadable", handle.path_, *bad));
    }
  }
  record(FsOp::kRead, handle.path_, offset, out.size(), status);
  if (!status.is_ok()) return status;
  if (count > 0) std::memcpy(out.data(), file.visible.data() + offset, count);
  return static_cast<std::size_t>(count);
}

Status SimFs::file_write(SimFile& handle, std::uint64_t offset, std::span<const std::byte> data) {
  Status status = [&]() -> Status {
    WAL_RETURN_IF_ERROR(check_handle(handle, FsOp::kWrite, true));
    if (range_overflows(offset, data.size())) {
      return violation(FsOp::kWrite, handle.path_, fmt::format("offset {} overflows", offset));
    }
    if (data.empty()) return Status::ok();
    FileState& file = *handle.state_;
    const std::uint64_t end = offset + data.size();
    WAL_RETURN_IF_ERROR(grow_check(file, end, handle.path_));
    if (!file.latent_sectors.empty()) {  // a write remaps the sectors it covers
      file.latent_sectors.erase(file.latent_sectors.lower_bound(device_.sector_of(offset)),
                                file.latent_sectors.upper_bound(device_.sector_of(end - 1)));
    }
    PendingOp op;
    op.kind = PendingOp::Kind::kWrite;
    op.offset = offset;
    op.length = data.size();
    op.bytes.assign(data.begin(), data.end());
    if (end > file.visible.size()) set_visible_size(file, end);
    std::memcpy(file.visible.mut().data() + offset, data.data(), data.size());
    file.pending.push_back(std::move(op));
    file.pending.back().seq = next_seq();
    return Status::ok();
  }();
  record(FsOp::kWrite, handle.path_, offset, data.size(), status);
  return status;
}

Status SimFs::file_sync_data(SimFile& handle) {
  Status status = [&]() -> Status {
    WAL_RETURN_IF_ERROR(check_handle(handle, FsOp::kSyncData, false));
    FileState& file = *handle.state_;
    const std::uint64_t durable_size = file.durable.size();
    std::vector<PendingOp> rest;
    IntervalSet earlier_writes;  // of the ops that stay pending, in order
    bool earlier_truncate = false;
    // A forced write folds into the durable image when every op before it that stays pending
    // commutes with it: allocates do, writes do unless they overlap, truncates never do.
    const auto place = [&](PendingOp op) {
      if (op.kind == PendingOp::Kind::kWrite && op.forced && !earlier_truncate &&
          !earlier_writes.overlaps(op.offset, op.end())) {
        std::memcpy(file.durable.mut().data() + op.offset, op.bytes.data(), op.length);
        return;
      }
      if (op.kind == PendingOp::Kind::kTruncate) earlier_truncate = true;
      if (op.kind == PendingOp::Kind::kWrite) earlier_writes.add(op.offset, op.end());
      rest.push_back(std::move(op));
    };
    for (PendingOp& op : file.pending) {
      if (op.kind != PendingOp::Kind::kWrite || op.forced || op.offset >= durable_size) {
        place(std::move(op));
      } else if (op.end() <= durable_size) {
        op.forced = true;
        place(std::move(op));
      } else {  // straddles the durable size: the part inside it is durable, the rest is not
        const std::uint64_t inside = durable_size - op.offset;
        PendingOp head{PendingOp::Kind::kWrite, true, op.offset, inside,
                       Bytes(op.bytes.begin(), op.bytes.begin() + inside)};
        PendingOp tail{PendingOp::Kind::kWrite, false, durable_size, op.length - inside,
                       Bytes(op.bytes.begin() + inside, op.bytes.end())};
        place(std::move(head));
        place(std::move(tail));
      }
    }
    file.pending = std::move(rest);
    return Status::ok();
  }();
  record(FsOp::kSyncData, handle.path_, 0, 0, status);
  return status;
}

Status SimFs::file_sync(SimFile& handle) {
  Status status = [&]() -> Status {
    WAL_RETURN_IF_ERROR(check_handle(handle, FsOp::kSync, false));
    FileState& file = *handle.state_;
    for (const PendingOp& op : file.pending) apply_op(file.durable.mut(), op);
    file.pending.clear();
    WAL_DASSERT(file.cache_diverged || file.durable == file.visible);
    return Status::ok();
  }();
  record(FsOp::kSync, handle.path_, 0, 0, status);
  return status;
}

Status SimFs::file_truncate(SimFile& handle, std::uint64_t size) {
  Status status = [&]() -> Status {
    WAL_RETURN_IF_ERROR(check_handle(handle, FsOp::kTruncate, true));
    if (size >= kOffsetLimit) {
      return violation(FsOp::kTruncate, handle.path_, fmt::format("size {} overflows", size));
    }
    FileState& file = *handle.state_;
    WAL_RETURN_IF_ERROR(grow_check(file, size, handle.path_));
    const std::uint64_t first_gone = (size + device_.sector_bytes - 1) / device_.sector_bytes;
    file.latent_sectors.erase(file.latent_sectors.lower_bound(first_gone), file.latent_sectors.end());
    file.pending.push_back(PendingOp{PendingOp::Kind::kTruncate, false, size, 0, {}});
    file.pending.back().seq = next_seq();
    set_visible_size(file, size);
    return Status::ok();
  }();
  record(FsOp::kTruncate, handle.path_, size, 0, status);
  return status;
}

Status SimFs::file_allocate(SimFile& handle, std::uint64_t offset, std::uint64_t length) {
  Status status = [&]() -> Status {
    WAL_RETURN_IF_ERROR(check_handle(handle, FsOp::kAllocate, true));
    if (range_overflows(offset, length)) {
      return violation(FsOp::kAllocate, handle.path_,
                       fmt::format("range {}+{} overflows", offset, length));
    }
    if (length == 0) return Status::ok();
    FileState& file = *handle.state_;
    const std::uint64_t end = offset + length;
    WAL_RETURN_IF_ERROR(grow_check(file, end, handle.path_));
    file.pending.push_back(PendingOp{PendingOp::Kind::kAllocate, false, offset, length, {}});
    file.pending.back().seq = next_seq();
    if (end > file.visible.size()) set_visible_size(file, end);
    return Status::ok();
  }();
  record(FsOp::kAllocate, handle.path_, offset, length, status);
  return status;
}

Status SimFs::file_close(SimFile& handle) {
  Status status = [&]() -> Status {
    if (!handle.open_) {
      return violation(FsOp::kClose, handle.path_, "close of a closed handle");
    }
    handle.open_ = false;
    if (handle.generation_ != generation_) return Status::ok();  // died with the crash
    --open_handles_;
    const auto it = open_by_inode_.find(handle.inode_);
    WAL_ASSERT(it != open_by_inode_.end());
    if (--it->second == 0) {
      open_by_inode_.erase(it);
      // Most closes are of named files; the tree walk of a collection is then wasted.
      if (!named(handle.inode_)) garbage_possible_ = true;
    }
    if (garbage_possible_) collect_garbage();
    return Status::ok();
  }();
  record(FsOp::kClose, handle.path_, 0, 0, status);
  return status;
}

// ---- crash, hooks, media ----

void SimFs::crash(const CrashPlan& plan, std::string_view policy_name) {
  state_ = apply_crash(state_, plan);
  invalidate_handles();
  if (trace_ != nullptr) {
    trace_->crash(policy_name, "", fmt::format("state {:016x}", durable_hash(state_)));
  }
}

void SimFs::kill_process(std::string_view policy_name) {
  invalidate_handles();
  if (trace_ != nullptr) {
    trace_->crash(policy_name, "", fmt::format("state {:016x}", durable_hash(state_)));
  }
}

void SimFs::restore(const SimFsState& state) {
  // Exactly as it was, page cache included. A state a process crash left (crash.policy =
  // "process") still has pending writes and, after a failed fsync on ext4 or xfs, pages that
  // are readable but will never be written back; rebuilding it as a power loss that keeps
  // every pending write lost those pages, so the next epoch's open found less than the
  // checked recovery had (swarm seed 6655: the open cut records the check had accepted, and
  // LSN 1 was handed out again).
  state_ = state;
  invalidate_handles();
}

InodeId SimFs::inode_of(wal::File& file) const {
  auto* sim_file = dynamic_cast<SimFile*>(&file);
  if (sim_file == nullptr || sim_file->fs_ != this || sim_file->generation_ != generation_ ||
      !sim_file->open_) {
    return 0;
  }
  return sim_file->inode_;
}

bool SimFs::on_fsync_failed(wal::File& file, FsyncFailureEffect effect) {
  const InodeId inode = inode_of(file);
  if (inode == 0) return false;
  FileState& state = state_.inodes.at(inode).file;
  const auto dropped = std::erase_if(state.pending, [](const PendingOp& op) { return !op.forced; });
  if (dropped == 0) return true;
  switch (effect) {
    case FsyncFailureEffect::kKeepDataClean:
      state.cache_diverged = true;
      break;
    case FsyncFailureEffect::kRevertToDurable:
      rebuild_visible(state);
      break;
  }
  return true;
}

void SimFs::flip_durable_bit(InodeId inode, std::uint64_t offset, unsigned bit) {
  FileState& file = state_.inodes.at(inode).file;
  WAL_ASSERT(offset < file.durable.size() && bit < 8);
  file.durable.mut()[offset] ^= static_cast<std::byte>(1u << bit);
  if (!file.cache_diverged) rebuild_visible(file);
}

void SimFs::add_latent_sector(InodeId inode, std::uint64_t sector) {
  state_.inodes.at(inode).file.latent_sectors.insert(sector);
}

}  // namespace sim
