// SimFs against a trivial reference model (RapidCheck): strings for the page cache and the
// durable image, a plain list of pending ops, no folding, no interval sets, no inode GC. After
// every op of a random sequence, the visible files and what a power loss keeping nothing pending
// would leave must be the same in both.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "sim/sim_fs.h"

// In a namespace of its own: the unity build compiles this file in one unit with the other
// tests of tests/sim, and sim_fs_test.cc has helpers of the same names.
namespace sim::sim_fs_property_test {
namespace {

struct ModelOp {
  enum Kind { kWrite, kTruncate, kAllocate } kind = kWrite;
  bool forced = false;
  std::uint64_t offset = 0, length = 0;
  std::string bytes;
};

void apply_model_op(std::string& image, const ModelOp& op) {
  switch (op.kind) {
    case ModelOp::kWrite:
      if (op.offset + op.length > image.size()) image.resize(op.offset + op.length, '\0');
      image.replace(op.offset, op.length, op.bytes);
      break;
    case ModelOp::kTruncate:
      image.resize(op.offset, '\0');
      break;
    case ModelOp::kAllocate:
      if (op.offset + op.length > image.size()) image.resize(op.offset + op.length, '\0');
      break;
  }
}

struct ModelFile {
  std::string durable, visible;
  std::vector<ModelOp> pending;

  void add(ModelOp op) {
    apply_model_op(visible, op);
    pending.push_back(std::move(op));
  }
  // fdatasync: writes inside the durable size become durable (kept in order, marked forced).
  void sync_data() {
    const std::uint64_t size = durable.size();
    std::vector<ModelOp> out;
    for (ModelOp& op : pending) {
      if (op.kind != ModelOp::kWrite || op.forced || op.offset >= size) {
        out.push_back(op);
        continue;
      }
      const std::uint64_t inside = std::min(op.length, size - op.offset);
      out.push_back({ModelOp::kWrite, true, op.offset, inside, op.bytes.substr(0, inside)});
      if (inside < op.length) {
        out.push_back({ModelOp::kWrite, false, size, op.length - inside, op.bytes.substr(inside)});
      }
    }
    pending = std::move(out);
  }
  void sync() {
    for (const ModelOp& op : pending) apply_model_op(durable, op);
    pending.clear();
  }
  // After a power loss that kept forced ops and the first `kept` other pending ops.
  std::string after_power_loss(std::size_t kept) const {
    std::string image = durable;
    std::size_t unforced = 0;
    for (const ModelOp& op : pending) {
      if (op.forced || unforced++ < kept) apply_model_op(image, op);
    }
    return image;
  }
};

struct ModelDirOp {
  enum Kind { kLink, kUnlink, kRename } kind;
  std::string name, target;
  int inode;
};

struct Model {
  std::map<int, ModelFile> files;
  std::map<std::string, int> visible, durable;
  std::vector<ModelDirOp> pending;
  int next = 1;

  int create(const std::string& name) {
    const int inode = next++;
    files[inode];
    visible[name] = inode;
    pending.push_back({ModelDirOp::kLink, name, "", inode});
    return inode;
  }
  void sync_dir() {
    for (const ModelDirOp& op : pending) {
      if (op.kind == ModelDirOp::kLink) durable[op.name] = op.inode;
      if (op.kind == ModelDirOp::kUnlink) durable.erase(op.name);
      if (op.kind == ModelDirOp::kRename) {
        durable.erase(op.name);
        durable[op.target] = op.inode;
      }
    }
    pending.clear();
  }
};

std::string content(wal::File& file) {
  std::string out(file.size().value(), '\0');
  auto got = file.read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
  RC_ASSERT(got.is_ok());
  RC_ASSERT(*got == out.size());
  return out;
}

std::string text(const Bytes& data) { return std::string(reinterpret_cast<const char*>(data.data()), data.size()); }

class Pair {
 public:
  void run(const std::array<std::uint16_t, 4>& op) {
    const std::string name = "f" + std::to_string(op[1] % 4);
    const std::string other = "f" + std::to_string(op[2] % 4);
    switch (op[0] % 9) {
      case 0: case 1: {
        const int inode = ensure(name);
        ModelFile& file = model_.files[inode];
        const std::uint64_t offset = op[2] % (file.visible.size() + 50);
        const std::uint64_t length = op[3] % 300 + 1;
        std::string bytes(length, '\0');
        for (std::uint64_t i = 0; i < length; ++i) bytes[i] = static_cast<char>('a' + (op[3] + i) % 26);
        RC_ASSERT(handles_.at(inode)->write_at(offset, std::as_bytes(std::span(bytes))).is_ok());
        file.add({ModelOp::kWrite, false, offset, length, bytes});
        break;
      }
      case 2: {
        const int inode = ensure(name);
        const std::uint64_t size = op[2] % (model_.files[inode].visible.size() + 100);
        RC_ASSERT(handles_.at(inode)->truncate(size).is_ok());
        model_.files[inode].add({ModelOp::kTruncate, false, size, 0, ""});
        break;
      }
      case 3: {
        const int inode = ensure(name);
        const std::uint64_t offset = op[2] % (model_.files[inode].visible.size() + 50);
        const std::uint64_t length = op[3] % 200 + 1;
        RC_ASSERT(handles_.at(inode)->allocate(offset, length).is_ok());
        model_.files[inode].add({ModelOp::kAllocate, false, offset, length, ""});
        break;
      }
      case 4: {
        const int inode = ensure(name);
        RC_ASSERT(handles_.at(inode)->sync_data().is_ok());
        model_.files[inode].sync_data();
        break;
      }
      case 5: {
        const int inode = ensure(name);
        RC_ASSERT(handles_.at(inode)->sync().is_ok());
        model_.files[inode].sync();
        break;
      }
      case 6: {
        const wal::Status status = fs_.rename(name, other);
        const auto it = model_.visible.find(name);
        if (it == model_.visible.end()) {
          RC_ASSERT(status.code() == wal::Code::kNotFound);
          break;
        }
        RC_ASSERT(status.is_ok());
        const int inode = it->second;
        if (name == other) break;
        model_.visible.erase(it);
        model_.visible[other] = inode;
        model_.pending.push_back({ModelDirOp::kRename, name, other, inode});
        break;
      }
      case 7: {
        const wal::Status status = fs_.unlink(name);
        if (model_.visible.erase(name) == 0) {
          RC_ASSERT(status.code() == wal::Code::kNotFound);
          break;
        }
        RC_ASSERT(status.is_ok());
        model_.pending.push_back({ModelDirOp::kUnlink, name, "", 0});
        break;
      }
      default:
        RC_ASSERT(fs_.sync_dir("/").is_ok());
        model_.sync_dir();
        break;
    }
    check();
  }

 private:
  int ensure(const std::string& name) {
    const auto it = model_.visible.find(name);
    if (it != model_.visible.end()) return it->second;
    auto file = fs_.open(name, wal::OpenMode::kCreateExclusive);
    RC_ASSERT(file.is_ok());
    const int inode = model_.create(name);
    handles_[inode] = std::move(file).value();
    return inode;
  }

  void check() {
    std::vector<std::string> names;
    for (const auto& [name, inode] : model_.visible) names.push_back(name);
    RC_ASSERT(fs_.list("/").value() == names);
    for (const auto& [name, inode] : model_.visible) {
      auto file = fs_.open(name, wal::OpenMode::kReadOnly);
      RC_ASSERT(file.is_ok());
      RC_ASSERT(content(**file) == model_.files.at(inode).visible);
    }
    // Power losses that keep the first k not-yet-durable ops of every file (none, some, all)
    // and no pending dir op.
    for (std::size_t kept : {0, 1, 2, 5, 1000}) {
      CrashPlan plan;
      for (const auto& [id, node] : fs_.state().inodes) {
        if (node.is_dir) continue;
        std::size_t unforced = 0;
        for (const PendingOp& op : node.file.pending) {
          plan.files[id].push_back(!op.forced && unforced++ < kept ? OpFate::keep() : OpFate::drop());
        }
      }
      const SimFsState after = apply_crash(fs_.state(), plan);
      const Entries& durable = after.inodes.at(SimFsState::kRoot).dir.durable;
      RC_ASSERT(durable.size() == model_.durable.size());
      for (const auto& [name, inode] : model_.durable) {
        const auto it = durable.find(name);
        RC_ASSERT(it != durable.end());
        RC_ASSERT(text(after.inodes.at(it->second).file.durable) ==
                  model_.files.at(inode).after_power_loss(kept));
      }
    }
  }

  SimFs fs_;
  Model model_;
  std::map<int, std::unique_ptr<wal::File>> handles_;
};

RC_GTEST_PROP(SimFsModel, MatchesTheReferenceModel, ()) {
  // Longer sequences than RapidCheck's default size: the interesting states need a sync, then
  // a truncate, then writes, then another sync.
  const auto ops =
      *rc::gen::resize(300, rc::gen::arbitrary<std::vector<std::array<std::uint16_t, 4>>>());
  Pair pair;
  for (const auto& op : ops) pair.run(op);
}

}  // namespace
}  // namespace sim::sim_fs_property_test
