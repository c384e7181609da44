// The differential of SPEC 4.5a: the same seeded work run on PosixFs in a directory on a real
// disk and on SimFs, every call's outcome compared, and the visible files (names, sizes, bytes)
// compared after every sync and at the end. This is how we know SimFs is faithful: whatever the
// simulator proves about the WAL holds only as far as SimFs behaves like the real filesystem.
//
//   diff_fs_ops  (a) a seeded sequence of raw Fs calls (open in every mode, write, read,
//                truncate, allocate, size, sync_data, sync, close, rename, unlink, sync_dir,
//                stat, list) over a few names in two directories.
//   diff_wal     (b) the seed's WAL workload (the scenario's [workload] and [wal]; or its
//                script) run op by op on a LogCore over each filesystem, in global op order,
//                syncing as the sync policy asks; reopens and a final recovery included, and
//                the recovered logs compared entry by entry.
//   diff_target  (c) the same for a registered target (diff_target below).
//
// The real side is the reference: a mismatch reads "real X, sim Y". Faults, crashes and the
// [device] model play no part: both sides run clean (a SimFs with the default device).
// `dir` must be on a real disk (the caller refuses tmpfs) and must not exist or be empty; it is
// left in place (the caller removes it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <wal/fs.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/run_config.h"

namespace harness {

struct DiffResult {
  bool ok = true;
  std::uint64_t ops = 0;        // calls made on both sides and compared
  std::uint64_t snapshots = 0;  // comparisons of the visible files
  std::uint64_t entries = 0;    // diff_wal: log entries recovered alike at the end
  // The first difference, one line: where (the op, its step, the file, the offset) and what
  // each side gave ("real ..., sim ..."). Empty when ok.
  std::string first_mismatch;
};

// The shape of diff_fs_ops' sequence.
struct FsOpsConfig {
  std::uint64_t ops = 150;
  std::uint32_t write_bytes_min = 1;  // each write's length, inclusive
  std::uint32_t write_bytes_max = 3000;
};

// A scenario's shape for the raw sequence: as many calls as [workload] ops, writes the size of
// its entries.
FsOpsConfig fs_ops_config(const RunConfig& config);

struct DiffOptions {
  // Wraps the SimFs side before anything runs on it (null: SimFs itself). For tests: point the
  // differential at a deliberately wrong filesystem and see the mismatch reported.
  std::function<std::unique_ptr<wal::Fs>(wal::Fs& sim)> decorate_sim;
};

// The differential's canary: a filesystem whose `nth` write_at (1-based) reports success and
// writes nothing. Put under the SimFs side (DiffOptions::decorate_sim), every run that makes
// that many writes must end in a mismatch; one that does not means the differential is blind.
class DropNthWrite final : public faults::FsWrapper {
 public:
  // Where the dropped write was meant to go (empty path: none dropped yet).
  struct Dropped {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t bytes = 0;
  };

  DropNthWrite(wal::Fs& base, std::uint64_t nth)
      : FsWrapper(base), left_(nth), dropped_(std::make_shared<Dropped>()) {}

  // Shared, so a caller can still read it once the differential has destroyed this Fs.
  std::shared_ptr<const Dropped> dropped() const { return dropped_; }

 private:
  class File;
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override;

  std::uint64_t left_;
  std::shared_ptr<Dropped> dropped_;
};

DiffResult diff_fs_ops(const FsOpsConfig& config, std::uint64_t seed, const std::string& dir,
                       const DiffOptions& options = {});
DiffResult diff_wal(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                    const DiffOptions& options = {});
// (c) a registered single-threaded target (TargetInfo::single_threaded: SQLite) running the
// seed's workload, the real side first, then the sim side: each op's outcome, the files in its
// directory after every op, and the target's own check after a clean close and reopen.
DiffResult diff_target(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                       const DiffOptions& options = {});

}  // namespace harness
