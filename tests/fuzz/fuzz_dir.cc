#include "fuzz_dir.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "fuzz_bytes.h"
#include "log_bytes.h"
#include "recovery.h"

namespace wal_fuzz {
namespace {

constexpr std::array<std::string_view, 16> kNames = {
    "00000000000000000001.wal", "00000000000000000002.wal", "00000000000000000005.wal",
    "00000000000000000010.wal", "00000000000000000100.wal", "00000000000000001000.wal",
    "18446744073709551615.wal", "FRONT",                    "FRONT.tmp",
    "00000000000000000003.wal.tmp", "LOCK",                 "notes.txt",
    "0000000000000000001.wal",  "00000000000000000007.wal", "00000000000000000050.wal",
    "00000000000000000004.wal",
};
// This entry makes a directory named like a segment instead of a file.
constexpr std::size_t kDirectorySelector = 13;
// A selector with this bit set is followed by a u64 LSN: the file is that LSN's segment; with
// kContinuationSelector too, that segment's unpublished continuation "<name>.tmp" (wal/FORMAT.md
// 3.2), which recovery adopts when it continues the log.
constexpr std::uint8_t kSegmentSelector = 0x80;
constexpr std::uint8_t kContinuationSelector = 0x40;

std::size_t find(std::span<const std::byte> haystack, std::size_t from) {
  const std::span<const std::byte> needle = as_bytes(kFileSeparator);
  const auto it = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end(),
                              needle.begin(), needle.end());
  return static_cast<std::size_t>(it - haystack.begin());
}

}  // namespace

FuzzDir split_dir(std::span<const std::byte> input) {
  FuzzDir dir;
  std::size_t at = find(input, 0);
  if (at > 0) dir.flags = static_cast<std::uint8_t>(input[0]);
  while (at < input.size()) {
    const std::size_t start = at + kFileSeparator.size();
    const std::size_t end = find(input, std::min(start, input.size()));
    if (start < end) {
      const auto selector = static_cast<std::uint8_t>(input[start]);
      std::size_t content = start + 1;
      FuzzFile file;
      if ((selector & kSegmentSelector) != 0 && start + 9 <= end) {
        wal::Lsn lsn = 0;
        std::memcpy(&lsn, input.data() + start + 1, sizeof(lsn));
        file.name = wal::recovery::segment_name(lsn);
        if ((selector & kContinuationSelector) != 0) file.name += wal::recovery::kTempSuffix;
        content = start + 9;
      } else {
        const std::size_t index = selector % kNames.size();
        file.name = std::string(kNames[index]);
        file.is_directory = index == kDirectorySelector;
      }
      file.bytes.assign(input.begin() + static_cast<std::ptrdiff_t>(content),
                        input.begin() + static_cast<std::ptrdiff_t>(end));
      std::erase_if(dir.files, [&](const FuzzFile& f) { return f.name == file.name; });
      dir.files.push_back(std::move(file));
    }
    at = end;
  }
  return dir;
}

std::vector<std::byte> join_dir(std::uint8_t flags, const std::vector<FuzzFile>& files) {
  std::vector<std::byte> out{std::byte{flags}};
  for (const FuzzFile& file : files) {
    const std::span<const std::byte> separator = as_bytes(kFileSeparator);
    out.insert(out.end(), separator.begin(), separator.end());
    const auto known = std::find(kNames.begin(), kNames.end(), file.name);
    wal::Lsn lsn = wal::kNoLsn;
    if (known != kNames.end()) {
      out.push_back(static_cast<std::byte>(known - kNames.begin()));
    } else if (wal::recovery::parse_segment_name(wal::recovery::strip_temp_suffix(file.name),
                                                 &lsn)) {
      const bool continuation = file.name.ends_with(wal::recovery::kTempSuffix);
      out.push_back(std::byte{static_cast<std::uint8_t>(
          kSegmentSelector | (continuation ? kContinuationSelector : 0))});
      const auto* p = reinterpret_cast<const std::byte*>(&lsn);
      out.insert(out.end(), p, p + sizeof(lsn));
    } else {
      continue;  // a name the input format cannot say
    }
    out.insert(out.end(), file.bytes.begin(), file.bytes.end());
  }
  return out;
}

void maybe_reseal(FuzzDir& dir) {
  if ((dir.flags & kResealFlag) == 0) return;
  for (FuzzFile& file : dir.files) {
    if (!file.is_directory && (file.name.ends_with(".wal") || file.name.ends_with(".wal.tmp"))) {
      reseal_segment(file.bytes, (dir.flags & kTagFlag) != 0);
    }
  }
}

wal::Status write_dir(wal::Fs& fs, const std::string& dir, const FuzzDir& files) {
  if (wal::Status made = fs.mkdir(dir); !made.is_ok() && made.code() != wal::Code::kAlreadyExists) {
    return made;
  }
  for (const FuzzFile& file : files.files) {
    const std::string path = wal::join_path(dir, file.name);
    if (file.is_directory) {
      WAL_RETURN_IF_ERROR(fs.mkdir(path));
      continue;
    }
    wal::Result<std::unique_ptr<wal::File>> opened = fs.open(path, wal::OpenMode::kCreate);
    if (!opened) return opened.error();
    if (!file.bytes.empty()) WAL_RETURN_IF_ERROR((*opened)->write_at(0, file.bytes));
    WAL_RETURN_IF_ERROR((*opened)->sync());
    WAL_RETURN_IF_ERROR((*opened)->close());
  }
  return fs.sync_dir(dir);
}

DirSnapshot snapshot(wal::Fs& fs, const std::string& dir) {
  DirSnapshot snap;
  wal::Result<std::vector<std::string>> names = fs.list(dir);
  if (!names) return snap;
  for (const std::string& name : *names) {
    const std::string path = wal::join_path(dir, name);
    wal::Result<wal::FileStat> st = fs.stat(path);
    if (!st || st->is_directory) {
      snap[name] = "/";
      continue;
    }
    std::string content(st->size_bytes, '\0');
    wal::Result<std::unique_ptr<wal::File>> file = fs.open(path, wal::OpenMode::kReadOnly);
    if (file) {
      auto out = std::as_writable_bytes(std::span<char>(content.data(), content.size()));
      wal::Result<std::size_t> n = (*file)->read_at(0, out);
      if (!n) content = "<unreadable>";
      else content.resize(*n);
      (void)(*file)->close();
    }
    snap[name] = std::move(content);
  }
  return snap;
}

}  // namespace wal_fuzz
