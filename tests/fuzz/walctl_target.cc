// Target: walctl's verify, stat, dump and repair (dry run, and for some inputs the real one),
// called in process on a directory made of the input (fuzz_dir.h) on an in-memory SimFs (the
// commands' Fs seam, commands.h). On a real directory, even in tmpfs, a fifth of each input's
// time went to the kernel (an open, a stat, a close per file per command, and removing the
// directory again). Checks: every exit code is one the command documents, the read-only
// commands and the dry run change no byte, and a real repair keeps every non-zero byte it drops
// from a segment in a side file, after which an open in its mode succeeds. What only a real
// file system has (FIFOs, symlinks, permissions) is the walctl end-to-end tests' (tests/tools/).
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <wal/log.h>

#include "commands.h"
#include "fuzz_dir.h"
#include "recovery.h"
#include "sim/sim_fs.h"
#include "targets.h"

namespace wal_fuzz {
namespace {

// stdout of the commands goes nowhere (stderr stays: a sanitizer report must be seen).
class SilentStdout {
 public:
  SilentStdout() {
    std::fflush(stdout);
    saved_ = ::dup(1);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, 1);
      ::close(null);
    }
  }
  ~SilentStdout() {
    std::fflush(stdout);
    if (saved_ >= 0) {
      ::dup2(saved_, 1);
      ::close(saved_);
    }
  }
  SilentStdout(const SilentStdout&) = delete;
  SilentStdout& operator=(const SilentStdout&) = delete;

 private:
  int saved_ = -1;
};

Violation expect_code(std::string_view what, int code, std::initializer_list<int> allowed) {
  for (int ok : allowed) {
    if (code == ok) return std::nullopt;
  }
  return fmt::format("walctl {} exited {}, which it does not document here", what, code);
}

// Every non-zero byte a repair removed from a segment must be in one of its side files.
Violation check_kept(const DirSnapshot& before, const DirSnapshot& after) {
  for (const auto& [name, original] : before) {
    wal::Lsn lsn = wal::kNoLsn;
    if (original == "/" || !wal::recovery::parse_segment_name(name, &lsn)) continue;
    const auto now = after.find(name);
    const std::string current = now == after.end() ? std::string() : now->second;
    std::size_t same = 0;
    while (same < original.size() && same < current.size() && original[same] == current[same]) ++same;
    std::vector<std::pair<std::size_t, const std::string*>> sides;
    const std::string prefix = name + ".cut-";
    for (const auto& [other, bytes] : after) {
      if (other.starts_with(prefix)) {
        sides.emplace_back(std::strtoull(other.c_str() + prefix.size(), nullptr, 10), &bytes);
      }
    }
    for (std::size_t at = same; at < original.size(); ++at) {
      if (original[at] == '\0') continue;
      bool kept = false;
      for (const auto& [offset, bytes] : sides) {
        kept |= at >= offset && at - offset < bytes->size() && (*bytes)[at - offset] == original[at];
      }
      if (!kept) {
        return fmt::format("repair dropped byte {} of {} without keeping it in a side file", at, name);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Violation walctl_commands(std::span<const std::byte> input) {
  FuzzDir dir = split_dir(input);
  maybe_reseal(dir);
  // A header claiming a capacity the disk cannot hold gets kNoSpace where it preallocates,
  // as ENOSPC or EFBIG on a real disk (regressions/walctl/repair-preallocates-...).
  sim::DeviceModel device;
  device.capacity_bytes = 1u << 20;
  sim::SimFs fs(device);
  const std::string log = "/log";
  fs.make_durable_dirs(log);
  if (!write_dir(fs, log, dir).is_ok()) return std::nullopt;

  const wal::RecoveryMode mode = kRecoveryModes[(dir.flags >> 2) & 3];
  const auto format = static_cast<walctl::DumpFormat>(((dir.flags >> 4) & 3) % 3);
  const DirSnapshot before = snapshot(fs, log);
  {
    SilentStdout silent;
    const int verify_default = walctl::run_verify({.dir = log, .json = false, .fs = &fs});
    const int verify_mode =
        walctl::run_verify({.dir = log, .json = true, .recovery = mode, .fs = &fs});
    const int stat = walctl::run_stat({.dir = log, .json = (dir.flags & 0x80) != 0, .fs = &fs});
    const int dump =
        walctl::run_dump({.dir = log, .format = format, .recovery = mode, .fs = &fs});
    const int dry =
        walctl::run_repair({.dir = log, .dry_run = true, .recovery = mode, .fs = &fs});
    if (Violation v = expect_code("verify", verify_default, {0, 1, 3, 4, 7})) return v;
    if (Violation v = expect_code("verify --recovery", verify_mode, {0, 1, 3, 4, 7})) return v;
    if (Violation v = expect_code("stat", stat, {0, 3, 4, 7})) return v;
    if (Violation v = expect_code("dump", dump, {0, 3, 4, 7})) return v;
    if (Violation v = expect_code("repair --dry-run", dry, {0, 3, 4, 7})) return v;
  }
  if (snapshot(fs, log) != before) {
    return "verify, stat, dump or repair --dry-run changed the files";
  }
  if ((dir.flags & 0x40) == 0) return std::nullopt;

  int repaired = 0;
  {
    SilentStdout silent;
    repaired = walctl::run_repair({.dir = log, .dry_run = false, .recovery = mode, .fs = &fs});
  }
  if (Violation v = expect_code("repair", repaired, {0, 3, 4, 7})) return v;
  const DirSnapshot after = snapshot(fs, log);
  if (repaired != 0) {
    // Refused or failed: the log itself is as it was (side files may have been written).
    for (const auto& [name, bytes] : before) {
      const auto now = after.find(name);
      if (now == after.end() || now->second != bytes) {
        return fmt::format("a repair that exited {} changed {}", repaired, name);
      }
    }
    return std::nullopt;
  }
  if (Violation v = check_kept(before, after)) return v;
  if (mode != wal::RecoveryMode::kSkipCorrupted && mode != wal::RecoveryMode::kAbsolute) {
    wal::Options options;
    options.read_only = true;
    options.recovery = mode;
    wal::Result<wal::RecoveryReport> report = wal::verify(fs, log, options);
    if (!report) {
      return fmt::format("after a repair in {}, verify in that mode fails: {}",
                         wal::to_string(mode), report.error().to_string());
    }
  }
  return std::nullopt;
}

}  // namespace wal_fuzz
