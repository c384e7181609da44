// A log directory made of one fuzz input. The input is a control chunk followed by files, each
// introduced by kFileSeparator and a byte that picks its name: below 0x80 from a fixed table
// (segment names at the LSN boundaries worth hitting: 1, small, large, the largest; FRONT, temp
// files, the lock, a foreign file, a malformed segment name, and a directory where a segment
// should be), from 0x80 up the segment of the u64 LSN that follows. A later file with the same
// name replaces the earlier one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/status.h>

namespace wal_fuzz {

// Every recovery mode, in the order a fuzz input's mode bits index them.
inline constexpr std::array kRecoveryModes = {
    wal::RecoveryMode::kTolerateTail, wal::RecoveryMode::kAbsolute,
    wal::RecoveryMode::kPointInTime, wal::RecoveryMode::kSkipCorrupted};

inline constexpr std::string_view kFileSeparator = "#WALFILE#";

struct FuzzFile {
  std::string name;
  bool is_directory = false;
  std::vector<std::byte> bytes;
};

struct FuzzDir {
  std::uint8_t flags = 0;  // first byte of the control chunk (meaning: the target's)
  std::vector<FuzzFile> files;
};

FuzzDir split_dir(std::span<const std::byte> input);
// The inverse, for writing seeds (directories are not written; names the format cannot say are
// skipped).
std::vector<std::byte> join_dir(std::uint8_t flags, const std::vector<FuzzFile>& files);

// Reseals every *.wal file (log_bytes.h) when `flags & kResealFlag`; kTagFlag also rewrites
// every record's salt tag.
inline constexpr std::uint8_t kResealFlag = 0x01;
inline constexpr std::uint8_t kTagFlag = 0x02;
void maybe_reseal(FuzzDir& dir);

// Creates `dir` (already existing is fine) and the files in it, synced.
[[nodiscard]] wal::Status write_dir(wal::Fs& fs, const std::string& dir, const FuzzDir& files);

// name -> content ("/" for a directory): what must stay the same when nothing may be modified.
using DirSnapshot = std::map<std::string, std::string>;
DirSnapshot snapshot(wal::Fs& fs, const std::string& dir);

}  // namespace wal_fuzz
