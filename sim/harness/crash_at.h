// Where a run loses power (SPEC 3.3 crash.at), as a scenario writes it and as a Script pins it.
//   random              before a seeded workload op (0..ops)
//   persistence-points  just before or just after a seeded sync's fdatasync
//   op:N                before the Nth workload op starts (0-based, in the order ops start)
//   time:US             at virtual time US
//   inside-op           inside a seeded op: just before a durability barrier it made (or one of
//                       its Fs operations), the op kind drawn first (crash_aim.h); the run
//                       reports it as fs-op:N
//   none                no power loss: a clean close and reopen
// Explicit forms a run reports back in RunResult::script (and a shrinker may edit):
//   before-sync:K, after-sync:K   around the fdatasync of the Kth sync ticket (0-based)
//   fs-op:N             after the first N Fs operations of the run (counted at the WAL's Fs,
//                       the first open included): the N+1th never happens. Any moment inside a
//                       WAL call, not only between workload ops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harness {

struct CrashAt {
  enum class Kind : std::uint8_t {
    kRandom,
    kPersistencePoints,
    kOp,
    kTime,
    kNone,
    kBeforeSync,
    kAfterSync,
    kFsOp,
    kInsideOp,
  };
  Kind kind = Kind::kRandom;
  std::uint64_t value = 0;  // N, US or K

  static std::optional<CrashAt> parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const CrashAt&, const CrashAt&) = default;
};

}  // namespace harness
