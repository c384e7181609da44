#include "side_files.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <wal/posix_fs.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <vector>

namespace walctl {
namespace {

constexpr std::size_t kSideCopyChunk = 1 << 20;
// Far more repairs of one range than anyone runs; a bound so a full directory cannot loop.
constexpr int kMaxSideNames = 10000;

// A chunk no larger than what it copies or compares: side files of small cuts are the rule.
std::size_t side_chunk_for(std::uint64_t length) {
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(length, 1, kSideCopyChunk));
}

// The n-th choice of side name for `base` (n = 1: `base` itself).
std::string nth_name(const std::string& base, int n) {
  return n == 1 ? base : fmt::format("{}.{}", base, n);
}

// On the real file system lstat, not stat: a dangling symlink under a side name is taken, not
// free. Another wal::Fs has no symlinks: a name is free when stat finds nothing there.
bool name_taken(wal::Fs& fs, const std::string& dir, const std::string& name) {
  const std::string path = wal::join_path(dir, name);
  if (&fs != &wal::posix_fs()) {
    wal::Result<wal::FileStat> st = fs.stat(path);
    return st.is_ok() || st.error().code() != wal::Code::kNotFound;
  }
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

wal::Result<std::string> free_name(wal::Fs& fs, const std::string& dir, const std::string& base) {
  for (int n = 1; n <= kMaxSideNames; ++n) {
    if (!name_taken(fs, dir, nth_name(base, n))) return nth_name(base, n);
  }
  return wal::Status::io_error(
      fmt::format("no free side file name for {} in {} ({} taken)", base, dir, kMaxSideNames));
}

// True if `candidate` holds exactly the cut's first `length` bytes. A candidate that cannot be
// read (a directory, say) holds nothing of them.
wal::Result<bool> holds(wal::Fs& fs, const std::string& dir, const Cut& cut, std::uint64_t length,
                        const std::string& candidate) {
  auto kept = fs.open(wal::join_path(dir, candidate), wal::OpenMode::kReadOnly);
  if (!kept) return false;
  wal::Result<std::uint64_t> size = (*kept)->size();
  if (!size || *size != length) return false;
  auto source = fs.open(wal::join_path(dir, cut.segment), wal::OpenMode::kReadOnly);
  if (!source) return source.error();
  std::vector<std::byte> a(side_chunk_for(length));
  std::vector<std::byte> b(a.size());
  for (std::uint64_t done = 0; done < length;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(a.size(), length - done));
    auto n = (*source)->read_at(cut.offset + done, std::span(a.data(), want));
    if (!n) return n.error();
    auto m = (*kept)->read_at(done, std::span(b.data(), want));
    if (!m || *m != *n || *n != want) return false;
    if (!std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(want), b.begin())) {
      return false;
    }
    done += want;
  }
  return true;
}

}  // namespace

std::string side_file_name(const Cut& cut) {
  return fmt::format("{}.cut-{}", cut.segment, cut.offset);
}

wal::Result<std::optional<std::string>> already_kept(wal::Fs& fs, const std::string& dir,
                                                     const Cut& cut, std::uint64_t length) {
  const std::string base = side_file_name(cut);
  for (int n = 1; n <= kMaxSideNames && name_taken(fs, dir, nth_name(base, n)); ++n) {
    wal::Result<bool> same = holds(fs, dir, cut, length, nth_name(base, n));
    if (!same) return same.error();
    if (*same) return std::optional<std::string>(nth_name(base, n));
  }
  return std::optional<std::string>();
}

wal::Result<std::string> save_cut(wal::Fs& fs, const std::string& dir, const Cut& cut,
                                  std::uint64_t length) {
  wal::Result<std::string> name = free_name(fs, dir, side_file_name(cut));
  if (!name) return name;
  auto source = fs.open(wal::join_path(dir, cut.segment), wal::OpenMode::kReadOnly);
  if (!source) return source.error();
  auto target = fs.open(wal::join_path(dir, *name), wal::OpenMode::kCreateExclusive);
  if (!target) return target.error();
  std::vector<std::byte> buffer(side_chunk_for(length));
  for (std::uint64_t done = 0; done < length;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
    auto n = (*source)->read_at(cut.offset + done, std::span(buffer.data(), want));
    if (!n) return n.error();
    if (*n != want) {
      return wal::Status::io_error(fmt::format("{} changed size while being copied", cut.segment));
    }
    WAL_RETURN_IF_ERROR((*target)->write_at(done, std::span(buffer.data(), *n)));
    done += *n;
  }
  WAL_RETURN_IF_ERROR((*target)->sync());
  WAL_RETURN_IF_ERROR((*target)->close());
  WAL_RETURN_IF_ERROR((*source)->close());
  return name;
}

wal::Result<std::string> move_aside(wal::Fs& fs, const std::string& dir, const std::string& name) {
  wal::Result<std::string> side = free_name(fs, dir, name + ".cut-0");
  if (!side) return side;
  WAL_RETURN_IF_ERROR(fs.rename(wal::join_path(dir, name), wal::join_path(dir, *side)));
  return side;
}

}  // namespace walctl
