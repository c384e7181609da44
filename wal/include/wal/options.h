// Everything a caller can tune. Defaults are what a database should run with.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wal {

class Fs;
class Clock;
class Runtime;
class Listener;

enum class SyncPolicy : std::uint8_t {
  kNone,       // never syncs on its own (tests, or callers that call sync() themselves)
  kImmediate,  // every append is durable when it returns; one sync per append
  kPeriodic,   // a background sync every sync_interval_us and/or sync_every_bytes; append
               // returns before durability, durable_lsn() tells how far
  kGrouped,    // group commit: concurrent appenders share one fdatasync; each append returns
               // only once durable
};

enum class ChecksumKind : std::uint8_t {
  kCrc32c = 1,  // default; SSE4.2 when the CPU has it
  kCrc64 = 2,   // CRC-64/XZ (ECMA-182 polynomial, reflected)
  kXxh3 = 3,    // XXH3-64
};

enum class RecoveryMode : std::uint8_t {
  kTolerateTail,   // default: a torn or incomplete tail is cut off and reported
  kAbsolute,       // any damage fails open() with a precise error
  kPointInTime,    // stop at the first damage, report it, open at that point
  kSkipCorrupted,  // salvage: skip damaged records, report each
};

struct Options {
  std::uint64_t segment_bytes = 64ull << 20;  // capacity of one segment file
  SyncPolicy sync = SyncPolicy::kGrouped;
  std::uint64_t sync_interval_us = 1000;  // kPeriodic: max age of an unsynced entry (0 = off)
  std::uint64_t sync_every_bytes = 0;     // kPeriodic: sync once this many bytes wait (0 = off)
  std::uint64_t group_window_us = 0;      // kGrouped: optional wait to gather a bigger group
  ChecksumKind checksum = ChecksumKind::kCrc32c;
  RecoveryMode recovery = RecoveryMode::kTolerateTail;
  bool preallocate = true;                 // fallocate whole segments (not a sparse ftruncate)
  std::uint32_t max_segments = 0;          // retention (0 = unlimited); never deletes a segment
  std::uint64_t max_bytes = 0;             //   the last durable checkpoint still needs
  std::uint32_t max_entry_bytes = 16u << 20;
  std::uint32_t buffer_bytes = 1u << 20;   // in-process write buffer (entries of kNone and
                                           // kPeriodic wait here until it fills or a sync)
  // Early writeback: every this many bytes handed to the OS and not yet covered by a sync, ask
  // it to start writing them back (sync_file_range, a hint), so that the sync that finishes a
  // full segment, or a sync() after many unsynced appends, waits only for the rest. 0 = off.
  std::uint64_t writeback_bytes = 4u << 20;
  // wal::Log keeps the next segment prepared (created, fallocated, fsynced) by a background
  // thread, so that a rotation on the append path neither fallocates nor allocates memory. With
  // it on, Log calls the Fs from that thread too: a custom Fs must then be thread-safe (PosixFs
  // is). Off: every rotation creates its segment inline (LogCore alone never prepares one
  // unless its runtime drives begin_prepare/run_prepare/finish_prepare).
  bool prepare_segments = true;
  // A rotation onto a prepared spare does not wait for the finished segment's sync: appends go
  // on into the next segment, written under a temp name, and the next sync (any sync ticket;
  // wal::Log's preparer thread runs one right after the rotation) syncs the finished segment,
  // then the new one, then publishes it (wal/FORMAT.md 3.2). Nothing is acknowledged durable
  // before that. Off: the rotation syncs and publishes on the append path (format version 1's
  // protocol), for comparison.
  bool background_rotation = true;
  bool create_if_missing = true;
  bool read_only = false;  // open for reading: no lock, no repair, no writes (walctl dump)
  // Salt of a NEW log (ignored when the log exists: its salt is read from disk). 0 = pick one:
  // wal::Log draws it from std::random_device; LogCore alone (the simulator) derives it from
  // the injected Clock and the directory name, so a simulation stays deterministic. The
  // simulator should pass one from its PRNG.
  std::uint64_t salt = 0;

  // Non-owning seams; nullptr means the real ones (PosixFs, system_clock(), std_runtime()).
  // A simulation passes all three: its Fs, its virtual clock and a runtime whose scheduler
  // runs wal::Log's threads (runtime.h); the clock must be the one that runtime waits on.
  Fs* fs = nullptr;
  Clock* clock = nullptr;
  Runtime* runtime = nullptr;
  // Told of LSN assignments, syncs and durability as they happen (listener.h); optional.
  Listener* listener = nullptr;
};

std::string_view to_string(SyncPolicy policy);
std::string_view to_string(ChecksumKind kind);
std::string_view to_string(RecoveryMode mode);
// "none|immediate|periodic|grouped", "crc32c|crc64|xxh3",
// "tolerate-tail|absolute|point-in-time|skip-corrupted"; nullopt for anything else.
std::optional<SyncPolicy> parse_sync_policy(std::string_view text);
std::optional<ChecksumKind> parse_checksum_kind(std::string_view text);
std::optional<RecoveryMode> parse_recovery_mode(std::string_view text);

}  // namespace wal
