// Where a power loss landed, as a runner sees it: the call or task in flight and the position
// inside it (coverage_matrix.h). The runner says what it is doing before each synchronous call
// into the WAL (the core makes its Fs calls inside those, never across a scheduler switch), so
// the halting layer's cut is attributed exactly.
//
// Inside a writer's call (append, batch, checkpoint, sync op, the periodic syncer) the cut call
// itself says whether the call was rotating or dropping old segments, since the WAL does both
// on the append path (wal/FORMAT.md 3, ARCHITECTURE.md "Data flow of an append"):
//   rotation   any call on a new segment's temp file (`<lsn>.wal.tmp`, `spare-segment.tmp`) or
//              its rename; a sync_dir right after such a rename; outside a sync ticket, any
//              call but a write on a `*.wal` segment (the trim, its fsync, the reopen of the
//              published segment);
//   retention  any call on `FRONT` or `FRONT.tmp`, an unlink, a sync_dir right after either.
// Everything else stays the activity's own: a buffer flush (write), and inside a sync ticket the
// group's write and its fdatasync/fsync.
#pragma once

#include "sim/harness/coverage_matrix.h"
#include "sim/harness/halting_fs.h"

namespace harness {

// The pure rule above: the site of a cut call `cut`, the call `before` it having gone through.
CrashSite site_of_cut(Activity activity, bool ticket, const FsCall& cut, const FsCall& before);

class CrashSites {
 public:
  // The call the runner makes next. `ticket`: a sync ticket `activity` leads (begin_sync,
  // run_sync, finish_sync).
  void doing(Activity activity, bool ticket = false) {
    activity_ = activity;
    ticket_ = ticket;
  }
  // A workload op started, or an open began: what a crash between ops follows.
  void followed(Activity activity) { followed_ = activity; }

  CrashSite between_ops() const { return {followed_, kBetweenOps}; }
  CrashSite at_time() const { return {followed_, kAtTime}; }
  // The call `halting` cut (REQUIRES: halting.halted()).
  CrashSite in_call(const HaltingFs& halting) const {
    return site_of_cut(activity_, ticket_, halting.cut_call(), halting.last_admitted());
  }

 private:
  Activity activity_ = Activity::kOpen;
  bool ticket_ = false;
  Activity followed_ = Activity::kOpen;
};

}  // namespace harness
