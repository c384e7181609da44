// The environment the no-salt-check mutant is hunted in (mutants_catalogue.cc): the segments of
// an older incarnation of the log, and a filesystem that recycles them as new segment files.
// Internal to the harness: not part of its interface.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <wal/fs.h>
#include <wal/types.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/run_config.h"

namespace harness::mutants_internal {

// The segment files of an older incarnation of the log (another salt, the same WAL build), by
// first LSN: many tiny synced entries, so every LSN a run hands out lies in one of them.
std::map<wal::Lsn, std::vector<std::byte>> older_incarnation(const RunConfig& config);

// Recycled blocks: a segment file the WAL creates starts out holding, durably, the bytes of the
// older incarnation's segment covering the same LSNs (a recycled log file, or a deleted log's
// blocks reused without zeroing). The WAL overwrites them as it appends; whatever it has not
// overwritten when the power goes out is stale data that only the salt tells from current.
class RecycledBlocksFs final : public faults::FsWrapper {
 public:
  RecycledBlocksFs(wal::Fs& base, std::map<wal::Lsn, std::vector<std::byte>> old)
      : FsWrapper(base), old_(std::move(old)) {}

  wal::Result<std::unique_ptr<wal::File>> open(std::string_view path,
                                               wal::OpenMode mode) override;

 private:
  std::map<wal::Lsn, std::vector<std::byte>> old_;
};

}  // namespace harness::mutants_internal
