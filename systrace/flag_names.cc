#include "systrace/flag_names.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include <fmt/format.h>

#include <cstring>
#include <span>

namespace systrace {
namespace {

struct Bit {
  std::uint32_t value;
  const char* name;
};

// Names `flags` bit group by bit group; what no entry covers is shown as one number.
std::string join_bits(std::uint32_t flags, std::span<const Bit> bits, std::string out,
                      bool octal) {
  for (const Bit& bit : bits) {
    if ((flags & bit.value) != bit.value) continue;
    if (!out.empty()) out += '|';
    out += bit.name;
    flags &= ~bit.value;
  }
  if (flags != 0) {
    if (!out.empty()) out += '|';
    out += octal ? fmt::format("{:#o}", flags) : fmt::format("{:#x}", flags);
  }
  return out.empty() ? "0" : out;
}

// O_SYNC includes O_DSYNC's bit and O_TMPFILE includes O_DIRECTORY's: the wider ones first.
// O_LARGEFILE is 0 in glibc's x86_64 headers but the kernel's bit (0100000) reaches a trace
// through /proc/.../fdinfo.
constexpr std::uint32_t kLargeFile = 0100000;
constexpr Bit kOpenBits[] = {
    {O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
    {O_TRUNC, "O_TRUNC"},       {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
    {O_SYNC, "O_SYNC"},         {O_DSYNC, "O_DSYNC"},       {O_DIRECT, "O_DIRECT"},
    {kLargeFile, "O_LARGEFILE"}, {O_TMPFILE, "O_TMPFILE"},  {O_DIRECTORY, "O_DIRECTORY"},
    {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},   {O_CLOEXEC, "O_CLOEXEC"},
    {O_PATH, "O_PATH"},         {O_ASYNC, "O_ASYNC"},
};

constexpr Bit kRenameBits[] = {
    {RENAME_NOREPLACE, "RENAME_NOREPLACE"},
    {RENAME_EXCHANGE, "RENAME_EXCHANGE"},
    {RENAME_WHITEOUT, "RENAME_WHITEOUT"},
};

constexpr Bit kFallocateBits[] = {
    {FALLOC_FL_KEEP_SIZE, "FALLOC_FL_KEEP_SIZE"},
    {FALLOC_FL_PUNCH_HOLE, "FALLOC_FL_PUNCH_HOLE"},
    {FALLOC_FL_COLLAPSE_RANGE, "FALLOC_FL_COLLAPSE_RANGE"},
    {FALLOC_FL_ZERO_RANGE, "FALLOC_FL_ZERO_RANGE"},
    {FALLOC_FL_INSERT_RANGE, "FALLOC_FL_INSERT_RANGE"},
    {FALLOC_FL_UNSHARE_RANGE, "FALLOC_FL_UNSHARE_RANGE"},
};

constexpr Bit kSyncFileRangeBits[] = {
    {SYNC_FILE_RANGE_WAIT_BEFORE, "SYNC_FILE_RANGE_WAIT_BEFORE"},
    {SYNC_FILE_RANGE_WRITE, "SYNC_FILE_RANGE_WRITE"},
    {SYNC_FILE_RANGE_WAIT_AFTER, "SYNC_FILE_RANGE_WAIT_AFTER"},
};

}  // namespace

std::string open_flags_name(std::uint32_t flags) {
  const char* access = "O_RDONLY";
  if ((flags & O_ACCMODE) == O_WRONLY) access = "O_WRONLY";
  if ((flags & O_ACCMODE) == O_RDWR) access = "O_RDWR";
  if ((flags & O_ACCMODE) == O_ACCMODE) access = "O_ACCMODE";
  return join_bits(flags & ~static_cast<std::uint32_t>(O_ACCMODE), kOpenBits, access, true);
}

std::string rename_flags_name(std::uint32_t flags) {
  return join_bits(flags, kRenameBits, "", false);
}

std::string fallocate_mode_name(std::uint32_t mode) {
  return join_bits(mode, kFallocateBits, "", false);
}

std::string sync_file_range_flags_name(std::uint32_t flags) {
  return join_bits(flags, kSyncFileRangeBits, "", false);
}

std::string errno_name(std::int64_t error) {
  if (error > 0 && error < 4096) {
    if (const char* name = strerrorname_np(static_cast<int>(error))) return name;
  }
  return fmt::format("errno {}", error);
}

}  // namespace systrace
