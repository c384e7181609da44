#include "retention.h"

#include "mutant.h"
#include "recovery.h"

namespace wal::detail {

std::size_t first_kept_segment(const std::vector<SegmentSpan>& segments, Lsn front_lsn,
                               Lsn checkpoint_lsn) {
  if (segments.empty()) return 0;
  Lsn cut = front_lsn;
  // Bug zoo: forgetting the checkpoint deletes segments that reading from it needs.
  if (checkpoint_lsn != kNoLsn && checkpoint_lsn < cut &&
      !WAL_MUTANT("delete-checkpoint-segment")) {
    cut = checkpoint_lsn;
  }
  // Segment i holds [first_lsn(i), first_lsn(i+1)): wholly below `cut` iff the next segment
  // starts at or before it.
  std::size_t keep = 0;
  while (keep + 1 < segments.size() && segments[keep + 1].first_lsn <= cut) ++keep;
  return keep;
}

Lsn retention_front(const std::vector<SegmentSpan>& segments, const Options& options) {
  if (segments.size() < 2) return kNoLsn;
  std::uint64_t total = 0;
  for (const SegmentSpan& segment : segments) total += segment.file_bytes;
  std::size_t keep = 0;
  auto over = [&] {
    const bool too_many =
        options.max_segments > 0 && segments.size() - keep > options.max_segments;
    const bool too_big = options.max_bytes > 0 && total > options.max_bytes;
    return too_many || too_big;
  };
  while (keep + 1 < segments.size() && over()) total -= segments[keep++].file_bytes;
  return keep == 0 ? kNoLsn : segments[keep].first_lsn;
}

Status drop_front_segments(Fs& fs, const std::string& dir, std::vector<SegmentSpan>& segments,
                           std::size_t keep_from, Metrics& metrics) {
  if (keep_from == 0) return Status::ok();
  WAL_ASSERT(keep_from < segments.size());
  const auto marker = recovery::encode_front_marker(segments[keep_from].first_lsn);
  const std::string marker_path = join_path(dir, recovery::kFrontMarkerName);
  const std::string temp_path =
      marker_path + std::string(recovery::kTempSuffix);
  {
    Result<std::unique_ptr<File>> file = fs.open(temp_path, OpenMode::kCreate);
    if (!file) return Status(file.error()).with_context("create front marker");
    Status written = (*file)->truncate(0);
    if (written) written = (*file)->write_at(0, marker);
    if (written) written = (*file)->sync();
    Status closed = (*file)->close();
    WAL_RETURN_IF_ERROR(written.with_context("write front marker"));
    WAL_RETURN_IF_ERROR(closed.with_context("close front marker"));
  }
  WAL_RETURN_IF_ERROR(fs.rename(temp_path, marker_path).with_context("publish front marker"));
  // Bug zoo: one directory sync at the end taken to cover the marker's rename and the unlinks
  // alike. Until it runs, a power loss may keep the unlink of a newer segment and lose both the
  // marker and the unlink of an older one: a hole in the middle of the log.
  if (!WAL_MUTANT("unlink-before-front-synced")) {
    WAL_RETURN_IF_ERROR(fs.sync_dir(dir).with_context("sync dir after front marker"));
    metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  }

  std::size_t dropped = 0;
  Status status;
  for (; dropped < keep_from; ++dropped) {
    status = fs.unlink(join_path(dir, segments[dropped].name));
    if (!status) {
      status.with_context("unlink " + segments[dropped].name);
      break;
    }
  }
  segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(dropped));
  metrics.segments_deleted.fetch_add(dropped, std::memory_order_relaxed);
  WAL_RETURN_IF_ERROR(status);
  WAL_RETURN_IF_ERROR(fs.sync_dir(dir).with_context("sync dir after dropping segments"));
  metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  return Status::ok();
}

}  // namespace wal::detail
