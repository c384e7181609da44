// The real-disk modes of SPEC 4.5, on wal::Log over the real PosixFs (ext4 under the build
// directory, not tmpfs), judged by the same oracle and invariant checker as a simulated run.
// The workload is the seed's (or the config's script), run by one application thread in global
// op order (ops of every writer interleaved by op index); reads are skipped, reopens are a
// close and open of the Log.
//
//   run_kill  (b) a forked child runs the workload and reports every call through a pipe (op
//             started; op returned: status, LSNs, durable_lsn). The parent SIGKILLs it after a
//             seeded number of reports plus a seeded delay of up to 2 ms, reads what the pipe
//             still holds, reopens the log and checks: every entry acknowledged durable is
//             there, the rest is a prefix of what was issued (what the child had only in its
//             own buffer dies with it; the page cache keeps what it had handed to the OS).
//   run_fiu   (c) in-process: before seeded ops, one libfiu point of PosixFs fires once
//             ("wal/fs/fdatasync" EIO, "wal/fs/write" EIO, "wal/fs/write_short",
//             "wal/fs/fallocate" ENOSPC); the Log's Fs is observed so each fault that fired is
//             recorded (fsync_eio, write_eio, write_short, enospc_after_bytes) in order with the
//             calls; on kPoisoned the application reopens. At the end the log is closed,
//             reopened and checked (error-honesty, durability and the rest).
// libfiu is reached at run time (dlsym), so this file links without it; when the WAL was
// built without its fault points (WAL_FIU off), run_fiu says so in `problems` and injects
// nothing.
//
// `dir` must not exist or be empty; it is left in place (the caller removes it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/harness/invariants.h"
#include "sim/harness/run_config.h"

namespace harness {

struct RealResult {
  bool passed = false;
  std::string failure;  // the first problem or violation, one line
  std::vector<std::string> problems;
  CheckResult checks;
  std::uint64_t ops_started = 0;
  std::uint64_t ops_returned = 0;
  bool killed = false;  // run_kill: the child died by SIGKILL before finishing
  std::map<std::string, std::uint64_t> faults_injected;  // by SPEC 3.4 key
  std::string describe() const;
};

RealResult run_kill(const RunConfig& config, std::uint64_t seed, const std::string& dir);
RealResult run_fiu(const RunConfig& config, std::uint64_t seed, const std::string& dir);

}  // namespace harness
