// LogCore: appends, segment rotation, the sync protocol's bookkeeping, fail-stop and repair at
// open. Policy decisions are in commit_policy.cc, segment files in segment_writer.cc, front
// truncation in retention.cc, reading in segment_reader.cc.
#include <wal/log_core.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <functional>

#include <fmt/format.h>
#include <wal/clock.h>
#include <wal/listener.h>
#include <wal/metrics.h>

#include "commit_policy.h"
#include "logger.h"
#include "mutant.h"
#include "record_format.h"
#include "recovery.h"
#include "retention.h"
#include "segment_reader.h"
#include "segment_writer.h"
#include "unproven_tail.h"
#include "write_buffer.h"

namespace wal {
namespace {

constexpr std::size_t kMinBufferBytes = 4096;
constexpr std::string_view kSpareName = "spare-segment.tmp";
constexpr std::size_t kSegmentNameCapacity = 32;  // "<20 digits>.wal", with room to spare

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The salt of a new log when the caller gave none: a function of the injected clock and the
// directory only, so that the same simulated run writes the same bytes. wal::Log passes real
// randomness instead (Options::salt).
std::uint64_t derive_salt(Clock& clock, std::string_view dir) {
  std::uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
  for (char c : dir) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  const std::uint64_t salt = splitmix64(clock.now_us() ^ splitmix64(hash));
  return salt == 0 ? 1 : salt;
}

}  // namespace

struct LogCore::Impl {
  Impl(Fs& fs_in, Clock& clock_in, std::string dir_in, const Options& options_in)
      : fs(fs_in),
        clock(clock_in),
        dir(std::move(dir_in)),
        options(options_in),
        buffer(options_in.read_only
                   ? 0
                   : std::max<std::size_t>(options_in.buffer_bytes, kMinBufferBytes)),
        flight(buffer.capacity()) {}

  Status open();
  Status ensure_dir();
  Status create_segment();
  Status rotate_into_spare(bool background);
  void discard_spare();
  Result<SyncTicket> begin_sync();
  Status publish_now();
  Status publish_adopted(recovery::ScanResult& scan);
  Status make_room(std::size_t record_bytes);
  [[nodiscard]] Status check_lsn_space(std::uint64_t count) const;
  Status drop_below(Lsn lsn);
  Status apply_retention();
  // Fail-stop for the housekeeping writes (FRONT marker, unlinks, directory syncs).
  Status housekeeping_failed(Status cause);
  void mark_durable(Lsn lsn);
  void finish_sync(const SyncTicket& ticket, const Status& status);
  void assigned(LsnRange lsns, EntryType type) const {
    if (options.listener != nullptr) options.listener->on_assigned(lsns, type);
  }
  void note_appended(std::uint32_t count, std::size_t record_bytes);
  Status poison(Status cause);
  Status check_writable() const;
  Status check_entry(std::size_t payload_bytes) const;
  Result<Lsn> append_single(format::RecordType type, std::span<const std::byte> payload);
  detail::SegmentParams segment_params() const {
    return {checksum, salt, options.segment_bytes, options.preallocate};
  }

  Fs& fs;
  Clock& clock;
  const std::string dir;
  const Options options;
  std::unique_ptr<FileLock> lock;
  RecoveryReport report;
  // What recovery kept, and the segment files it did not keep but left on disk (skipped, or a
  // read-only open's leftovers): the reader walks the one and never reads the other.
  std::vector<recovery::RecoveredRun> recovered_runs;
  std::vector<std::string> unkept;
  Lsn open_next_lsn = 1;
  Metrics metrics;
  ChecksumKind checksum = ChecksumKind::kCrc32c;
  std::uint64_t salt = 0;

  detail::WriteBuffer buffer;
  detail::WriteBuffer flight;  // the bytes of the sync ticket in flight (begin_sync: swapped in)
  std::unique_ptr<detail::SegmentWriter> active;  // null: read-only, closed, or the creation of
                                                  // the next segment failed (retried on append)
  std::vector<detail::SegmentSpan> segments;      // oldest first; the active one is last
  // The last finished writer, reused by the next rotation instead of allocating a new one.
  std::unique_ptr<detail::SegmentWriter> retired;
  // A prepared segment file (log_core.h), and the storage a rotation onto it fills in.
  struct Spare {
    std::shared_ptr<File> file;  // null: no spare
    std::string temp_path;
    std::string name;        // capacity reserved by finish_prepare
    std::string final_path;  // capacity reserved by finish_prepare
  } spare;
  bool prepare_in_flight = false;
  // A rotation not yet published (Options::background_rotation, log_core.h): the finished
  // segment, flushed and trimmed but maybe not durable, and the paths the active segment moves
  // between. Both paths' capacity is reserved by finish_prepare: a rotation allocates nothing.
  struct Publication {
    std::shared_ptr<File> previous;  // null: the active segment is published
    std::string temp_path;           // "<dir>/<segment>.tmp", where it is written meanwhile
    std::string final_path;
  } publication;

  detail::CommitState sync;  // last, durable, covered LSNs; in-flight and poison flags
  std::uint64_t ticket_seq = 0;
  Lsn front_lsn = 1;
  Lsn checkpoint_lsn = kNoLsn;
  Lsn durable_checkpoint_lsn = kNoLsn;
  // Checkpoints appended and not yet durable, oldest first. A sync that covers an older one
  // while a newer one waits makes the older the last durable checkpoint: remembering only the
  // newest left retention with none, and it dropped the segment of a checkpoint already
  // acknowledged (scenarios/chaos/checkpoint-beside-syncs.toml, seed 1966).
  std::deque<Lsn> pending_checkpoints;
  Status poison_cause;
  Status poison_status;
  // Shared with readers, which may outlive the core: how far they may read.
  std::shared_ptr<std::atomic<Lsn>> watermark = std::make_shared<std::atomic<Lsn>>(kNoLsn);
  bool closed = false;
};

Status LogCore::Impl::ensure_dir() {
  Result<FileStat> found = fs.stat(dir);
  if (found) {
    if (!found->is_directory) return Status::invalid_argument(dir + " is not a directory");
    return Status::ok();
  }
  if (found.error().code() != Code::kNotFound || !options.create_if_missing) {
    return Status(found.error()).with_context("open log " + dir);
  }
  Status made = fs.mkdir(dir);
  if (!made && made.code() != Code::kAlreadyExists) return made.with_context("create log dir");
  WAL_RETURN_IF_ERROR(fs.sync_dir(parent_path(dir)).with_context("sync parent of " + dir));
  metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  return Status::ok();
}

Status LogCore::Impl::open() {
  if (options.segment_bytes < format::kSegmentHeaderBytes + format::record_bytes(1)) {
    return Status::invalid_argument(
        fmt::format("segment_bytes {} cannot hold a single record", options.segment_bytes));
  }
  if (options.segment_bytes > format::kMaxSegmentBytes) {
    return Status::invalid_argument(
        fmt::format("segment_bytes {} is above the 1 TiB a segment may have", options.segment_bytes));
  }
  if (options.max_entry_bytes == 0) return Status::invalid_argument("max_entry_bytes is 0");
  if (!options.read_only) {
    WAL_RETURN_IF_ERROR(ensure_dir());
    Result<std::unique_ptr<FileLock>> locked = fs.lock(join_path(dir, recovery::kLockName));
    if (!locked) return Status(locked.error()).with_context("lock log " + dir);
    lock = std::move(locked).value();
  }

  Result<recovery::ScanResult> scanned = recovery::scan(fs, dir, options);
  if (!scanned) return scanned.error();
  recovery::ScanResult& scan = *scanned;
  report = scan.report;
  metrics.recovery_segments_scanned.store(report.segments_scanned, std::memory_order_relaxed);
  metrics.recovery_records.store(report.records_recovered, std::memory_order_relaxed);
  metrics.recovery_bytes_cut.store(report.bytes_cut, std::memory_order_relaxed);
  metrics.recovery_damaged_ranges.store(report.damage.size(), std::memory_order_relaxed);

  if (scan.empty) {
    checksum = options.checksum;
    salt = options.salt != 0 ? options.salt : derive_salt(clock, dir);
  } else {
    checksum = scan.header.checksum;
    // Bug zoo: the salt the caller passed wins over the log's own, so the reopened log
    // writes records its next recovery takes for another incarnation's.
    salt = WAL_MUTANT("reopen-uses-options-salt") && options.salt != 0 ? options.salt
                                                                       : scan.header.salt;
  }
  if (!scan.continuation.empty() && !options.read_only) {
    WAL_RETURN_IF_ERROR(publish_adopted(scan));
  }
  for (const recovery::SegmentInfo& info : scan.segments) {
    segments.push_back({info.first_lsn, info.name, info.file_bytes});
  }
  WAL_ASSERT(scan.next_lsn >= 1);
  sync.last_lsn = scan.next_lsn - 1;
  sync.durable_lsn = sync.last_lsn;
  sync.covered_lsn = sync.last_lsn;
  front_lsn = segments.empty() ? scan.next_lsn
                               : std::max(segments.front().first_lsn, report.first_lsn);
  checkpoint_lsn = report.checkpoint_lsn;
  durable_checkpoint_lsn = report.checkpoint_lsn;

  recovered_runs = std::move(scan.runs);
  unkept = std::move(scan.unkept);
  open_next_lsn = scan.next_lsn;
  if (!options.read_only) {
    // Repair. Leftovers first (temp files, segments below the front marker, ...), so that a
    // crash from here on finds no more than the scan just accepted.
    auto delete_all = [&](const std::vector<std::string>& names) -> Status {
      for (const std::string& name : names) {
        Status removed = fs.unlink(join_path(dir, name));
        if (!removed && removed.code() != Code::kNotFound) {
          return removed.with_context("delete leftover " + name);
        }
      }
      if (names.empty()) return Status::ok();
      WAL_RETURN_IF_ERROR(fs.sync_dir(dir).with_context("sync dir after deleting leftovers"));
      metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
      return Status::ok();
    };
    // With nothing kept, the decision is the new segment, named for the next LSN, renamed over
    // the newest segment (whose name the next LSN was chosen from, recovery::scan): the
    // segments the scan gave up go only after that rename is durable. Until then a crash leaves
    // the image the scan decided on, after it an image whose scan decides the same; deleting
    // them first could leave a later, intact segment alone, which the next recovery would keep
    // (swarm media seeds 3018379, 3044004, 3085375).
    std::vector<std::string> now;
    std::vector<std::string> after_create;
    std::string replaced;
    if (scan.segments.empty()) recovery::segment_name_into(scan.next_lsn, replaced);
    for (const std::string& name : scan.leftovers) {
      Lsn lsn = kNoLsn;
      if (name == replaced) continue;
      (scan.segments.empty() && recovery::parse_segment_name(name, &lsn) ? after_create : now)
          .push_back(name);
    }
    // And newest first: the oldest holds the damage the scan decided on, so any of these unlinks
    // lost to a crash still leaves it to decide the same; oldest first could leave a run of
    // intact segments alone, which the next scan would keep (swarm media seed 40386).
    std::sort(after_create.begin(), after_create.end(), std::greater<>());
    WAL_RETURN_IF_ERROR(delete_all(now));
    if (scan.segments.empty()) {
      WAL_RETURN_IF_ERROR(create_segment());
      WAL_RETURN_IF_ERROR(delete_all(after_create));
    } else {
      const recovery::SegmentInfo& last = scan.segments.back();
      Result<std::unique_ptr<detail::SegmentWriter>> reopened = detail::SegmentWriter::reopen(
          fs, dir, last.name, last.end_offset, options.preallocate, buffer);
      if (!reopened) return reopened.error();
      active = std::move(reopened).value();
      active->set_writeback_bytes(options.writeback_bytes);
      segments.back().file_bytes =
          options.preallocate ? active->header().capacity_bytes : active->used_bytes();
      // The names found may not be durable: an earlier incarnation may have renamed a segment
      // (or FRONT) into place and died, or seen its directory fsync fail, before the directory
      // was synced. Appends acknowledged in such a segment would go with its name at a power
      // loss (swarm seed 48984, a directory fsync EIO at a rotation, then a reopen).
      if (!WAL_MUTANT("trust-found-names")) {
        WAL_RETURN_IF_ERROR(fs.sync_dir(dir).with_context("sync dir of the recovered log"));
        metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
      }
      // Every recovered record is durable now (reopen synced the last segment; earlier ones
      // were synced when they were finished), and so is every name the scan kept.
    }
  }
  watermark->store(sync.durable_lsn, std::memory_order_release);
  // The recovered log's watermark is an advance like any other for whoever listens.
  if (options.listener != nullptr && sync.durable_lsn != kNoLsn) {
    options.listener->on_durable(sync.durable_lsn);
  }
  return Status::ok();
}

// Recovery adopted a continuation (wal/FORMAT.md 3.2): make it a segment like any other before
// the log goes on. The segment it continues may never have been synced, and after a failed
// fsync its bytes may be clean pages that never reach the disk (unproven_tail.h), so it is
// replaced by a synced copy first, as a reopen does for the newest segment; only then is the
// continuation renamed to its name and the directory synced. A crash in between leaves a
// directory the same scan adopts the continuation from again.
Status LogCore::Impl::publish_adopted(recovery::ScanResult& scan) {
  WAL_ASSERT(scan.segments.size() >= 2 && scan.segments.back().name == scan.continuation);
  const recovery::SegmentInfo& previous = scan.segments[scan.segments.size() - 2];
  Result<std::unique_ptr<File>> opened =
      fs.open(join_path(dir, previous.name), OpenMode::kReadWrite);
  if (!opened) return Status(opened.error()).with_context("reopen segment " + previous.name);
  // A copy an earlier open left (a crash inside it) is a leftover: it goes, or the copy's
  // exclusive create would refuse (swarm seeds 22990, 27816).
  const std::string stale_copy = previous.name + std::string(recovery::kTempSuffix);
  if (std::find(scan.leftovers.begin(), scan.leftovers.end(), stale_copy) !=
      scan.leftovers.end()) {
    Status removed = fs.unlink(join_path(dir, stale_copy));
    if (!removed && removed.code() != Code::kNotFound) {
      return removed.with_context("delete leftover " + stale_copy);
    }
  }
  // Bug zoo: the previous segment synced in place, trusting its pages: after the publishing
  // ticket's failed fsync they may be clean pages the sync never writes (fsyncgate).
  if (WAL_MUTANT("adopt-syncs-in-place")) {
    WAL_RETURN_IF_ERROR((*opened)->sync().with_context("make durable " + previous.name));
    WAL_RETURN_IF_ERROR((*opened)->close().with_context("close " + previous.name));
  } else {
    WAL_ASSERT(buffer.empty());  // scratch, as in SegmentWriter::reopen
    Result<std::unique_ptr<File>> copy = detail::replace_with_copy(
        fs, dir, previous.name, **opened, previous.end_offset, buffer.reserve(buffer.capacity()));
    if (!copy) return Status(copy.error()).with_context("make durable " + previous.name);
    WAL_RETURN_IF_ERROR((*opened)->close().with_context("close replaced " + previous.name));
    WAL_RETURN_IF_ERROR((*copy)->close().with_context("close " + previous.name));
  }

  const std::string name(recovery::strip_temp_suffix(scan.continuation));
  WAL_RETURN_IF_ERROR(fs.rename(join_path(dir, scan.continuation), join_path(dir, name))
                          .with_context("publish adopted segment " + name));
  WAL_RETURN_IF_ERROR(fs.sync_dir(dir).with_context("sync dir after publishing " + name));
  metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  // A leftover of that name (a stale segment the scan set aside) is gone with the rename.
  std::erase(scan.leftovers, name);
  std::erase(scan.unkept, name);
  for (recovery::RecoveredRun& run : scan.runs) {
    if (run.segment == scan.continuation) run.segment = name;
  }
  scan.segments.back().name = name;
  scan.continuation.clear();
  return Status::ok();
}

Status LogCore::Impl::create_segment() {
  bool published = false;
  Result<std::unique_ptr<detail::SegmentWriter>> made = detail::SegmentWriter::create(
      fs, dir, sync.last_lsn + 1, segment_params(), buffer, &published);
  if (!made) {
    // Before the rename only a temp file was touched: a full disk (ENOSPC from fallocate)
    // fails the caller cleanly and the next append tries again. A failed write or fsync is
    // fail-stop wherever it happens (SPEC 2.6: the device is failing, and the log must not
    // carry on as if it were not). After the rename, the directory holds a segment whose
    // durability we could not establish: fail-stop too.
    if (published || made.error().code() != Code::kNoSpace) return poison(made.error());
    return made.error();
  }
  metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  active = std::move(made).value();
  active->set_writeback_bytes(options.writeback_bytes);
  segments.push_back({sync.last_lsn + 1, active->name(),
                      options.preallocate ? options.segment_bytes : active->used_bytes()});
  return Status::ok();
}

Status LogCore::Impl::rotate_into_spare(bool background) {
  const Lsn first = sync.last_lsn + 1;
  recovery::segment_name_into(first, spare.name);
  join_path_into(dir, spare.name, spare.final_path);
  const format::SegmentHeader header = detail::SegmentWriter::new_header(segment_params(), first);
  bool published = false;
  Status status;
  if (background) {
    // Background rotation: the header and a rename to the temp name; the next sync publishes.
    publication.temp_path.assign(spare.final_path).append(recovery::kTempSuffix);
    publication.final_path.assign(spare.final_path);
    status = detail::SegmentWriter::begin_unpublished(fs, *spare.file, spare.temp_path,
                                                      publication.temp_path, spare.name, header);
    // A failed write or rename of a temp file leaves nothing recovery would adopt that is not
    // intact; the device is failing all the same: fail-stop.
    published = true;
  } else {
    status = detail::SegmentWriter::publish(fs, *spare.file, dir, spare.temp_path,
                                            spare.final_path, spare.name, header, &published);
  }
  if (!status) {
    // The same rules as create_segment(): before the rename only the spare was touched.
    if (!published) discard_spare();
    spare.file.reset();
    status.with_context("rotate onto the spare segment");
    if (published || status.code() != Code::kNoSpace) return poison(status);
    return status;
  }
  if (!background) metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  metrics.rotations_onto_spare.fetch_add(1, std::memory_order_relaxed);
  if (retired != nullptr) {
    retired->restart(std::move(spare.file), header, spare.name, options.preallocate);
    active = std::move(retired);
  } else {
    active = detail::SegmentWriter::adopt(std::move(spare.file), header, spare.name,
                                          options.preallocate, buffer);
  }
  active->set_writeback_bytes(options.writeback_bytes);
  // finish_prepare reserved the room: neither the push nor the moved name allocates.
  segments.push_back({first, std::move(spare.name),
                      options.preallocate ? options.segment_bytes : active->used_bytes()});
  return Status::ok();
}

void LogCore::Impl::discard_spare() {
  if (spare.file == nullptr) return;
  spare.file->close().ignore_error("an unused spare is only a temp file");
  spare.file.reset();
  fs.unlink(spare.temp_path).ignore_error("a leftover temp file is deleted by the next open");
}

Status LogCore::Impl::make_room(std::size_t record_bytes) {
  if (format::kSegmentHeaderBytes + record_bytes > options.segment_bytes) {
    return Status::invalid_argument(fmt::format(
        "a record of {} bytes does not fit a segment of {} bytes", record_bytes,
        options.segment_bytes));
  }
  if (active != nullptr && active->fits(record_bytes)) return Status::ok();
  if (active != nullptr && sync.sync_in_flight && !WAL_MUTANT("rotate-beside-sync-in-flight")) {
    // fsyncgate across threads: the ticket's fdatasync of this segment runs outside the
    // runtime's lock and may have failed already, its error not yet handed back; the kernel
    // then marked the lost pages clean, and a sync of ours would succeed and say nothing about
    // them. Finishing the segment now would call it durable and publish the next one, and no
    // later open could doubt a segment that is not the newest (unproven_tail.h). So the
    // rotation waits for the ticket's outcome (log_core.h). Found by the simulator running
    // wal::Log's threads (swarm seeds 131333, 131754, 132511).
    return Status::busy(std::string(kRotationWaits));
  }
  // A second rotation before any sync published the first: publish it now, on the append path
  // (only one segment at a time may be unpublished, and it must be the newest). Only the bug
  // zoo's rotate-beside-sync-in-flight gets here with a ticket in flight, which publishes it.
  if (active != nullptr && publication.previous != nullptr && !sync.sync_in_flight) {
    WAL_RETURN_IF_ERROR(publish_now());
  }
  const bool background = active != nullptr && options.background_rotation &&
                          spare.file != nullptr && publication.previous == nullptr;
  if (background) {
    // Flushed and trimmed here; synced by the sync ticket that publishes the next segment.
    const std::uint64_t used = active->used_bytes();
    std::shared_ptr<File> previous = active->file();
    Status trimmed = active->trim_unsynced();
    retired = std::move(active);
    if (!trimmed) return poison(trimmed);
    publication.previous = std::move(previous);
    segments.back().file_bytes = used;
    metrics.rotations.fetch_add(1, std::memory_order_relaxed);
  } else if (active != nullptr) {
    // Records never span segments: finish this one (flush, trim, sync) before the next exists,
    // so every segment but the newest is durable and exact.
    const std::uint64_t used = active->used_bytes();
    Status finished = active->finish();
    retired = std::move(active);
    if (!finished) return poison(finished);
    segments.back().file_bytes = used;
    metrics.rotations.fetch_add(1, std::memory_order_relaxed);
    metrics.syncs.fetch_add(1, std::memory_order_relaxed);
    mark_durable(sync.last_lsn);
    detail::logger().debug("wal {}: finished segment {} at {} bytes", dir, retired->name(), used);
  }
  WAL_RETURN_IF_ERROR(spare.file != nullptr ? rotate_into_spare(background) : create_segment());
  // Retention counts on the kept segments being durable: after a background rotation it waits
  // for the publication (finish_sync), or a FRONT marker could drop the only durable segments
  // while the finished one is still unsynced, and a power loss then leave nothing (swarm seed
  // 539, max_segments = 2: LSN 1 acknowledged, its segment dropped, the next one lost).
  if (background) return Status::ok();
  return apply_retention();
}

Status LogCore::Impl::drop_below(Lsn lsn) {
  if (active != nullptr && !options.preallocate) segments.back().file_bytes = active->used_bytes();
  const std::size_t keep = detail::first_kept_segment(segments, lsn, durable_checkpoint_lsn);
  if (keep == 0) return Status::ok();
  Status dropped = detail::drop_front_segments(fs, dir, segments, keep, metrics);
  // Bug zoo: the cached front stays where it was, naming LSNs whose segments are gone.
  if (dropped && !WAL_MUTANT("front-stale-after-drop")) {
    front_lsn = std::max(front_lsn, segments.front().first_lsn);
  }
  return dropped;
}

Status LogCore::Impl::housekeeping_failed(Status cause) {
  // A full disk refused the new FRONT marker before anything was published: the log is as it
  // was, only longer. Any other failure is an I/O error in the log's directory (a write, an
  // fsync, a rename, an unlink): fail-stop, as for the segments themselves, because after a
  // failed fsync nothing tells what the device kept (ARCHITECTURE.md, "Data flow of an append", step 3).
  if (cause.code() == Code::kNoSpace) {
    detail::logger().warn("wal {}: retention postponed: {}", dir, cause.to_string());
    return cause;
  }
  return poison(std::move(cause));
}

Status LogCore::Impl::apply_retention() {
  if (options.max_segments == 0 && options.max_bytes == 0) return Status::ok();
  if (active != nullptr && !options.preallocate) segments.back().file_bytes = active->used_bytes();
  const Lsn front = detail::retention_front(segments, options);
  if (front == kNoLsn) return Status::ok();
  if (WAL_MUTANT("retention-by-count")) {
    // Bug zoo: retention deletes the oldest segments by count, checkpoint or not.
    std::size_t keep = 0;
    while (keep + 1 < segments.size() && segments[keep].first_lsn < front) ++keep;
    if (detail::drop_front_segments(fs, dir, segments, keep, metrics)) {
      front_lsn = std::max(front_lsn, segments.front().first_lsn);
    }
    return Status::ok();
  }
  // Retention is housekeeping: a full disk postpones it without failing the append that
  // triggered it (extra segments, never lost or doubtful entries); an I/O error fails that
  // append and poisons the log like any other.
  Status dropped = drop_below(front);
  if (dropped) return Status::ok();
  Status failed = housekeeping_failed(std::move(dropped));
  return failed.code() == Code::kNoSpace ? Status::ok() : failed;
}

void LogCore::Impl::mark_durable(Lsn lsn) {
  if (lsn <= sync.durable_lsn) return;
  metrics.group_size.record(lsn - sync.durable_lsn);
  sync.durable_lsn = lsn;
  if (sync.covered_lsn < lsn) {
    sync.covered_lsn = lsn;
    sync.uncovered_bytes = 0;
  }
  // Bug zoo: a checkpoint that a sync covers exactly, as its last record, waits for the next
  // sync to count; a reader from the checkpoint meanwhile starts at an older one.
  const Lsn covers = WAL_MUTANT("checkpoint-durable-late") ? lsn - 1 : lsn;
  while (!pending_checkpoints.empty() && pending_checkpoints.front() <= covers) {
    // Bug zoo: only the newest checkpoint counts; an older one made durable while a newer
    // one waits is forgotten.
    if (pending_checkpoints.front() == checkpoint_lsn || !WAL_MUTANT("forget-older-checkpoint")) {
      durable_checkpoint_lsn = pending_checkpoints.front();
    }
    pending_checkpoints.pop_front();
  }
  watermark->store(lsn, std::memory_order_release);
  if (options.listener != nullptr) options.listener->on_durable(lsn);
}

void LogCore::Impl::note_appended(std::uint32_t count, std::size_t record_bytes) {
  if (sync.last_lsn == sync.covered_lsn && detail::needs_append_clock(options)) {
    sync.first_uncovered_us = clock.now_us();
  }
  sync.last_lsn += count;
  sync.uncovered_bytes += record_bytes;
}

Status LogCore::Impl::poison(Status cause) {
  WAL_ASSERT(!cause.is_ok());
  if (!sync.poisoned) {
    sync.poisoned = true;
    poison_cause = cause;
    poison_status = Status::poisoned("log poisoned until reopen by: " + cause.to_string());
    if (cause.injected()) poison_status.mark_injected();
    detail::logger().error("wal {}: {}", dir, poison_status.message());
    if (options.listener != nullptr) options.listener->on_poisoned(cause);
  }
  return cause;
}

Status LogCore::Impl::check_writable() const {
  if (closed) return Status::closed("log is closed");
  if (options.read_only) return Status::invalid_argument("log was opened read_only");
  if (sync.poisoned) return poison_status;
  return Status::ok();
}

Status LogCore::Impl::check_entry(std::size_t payload_bytes) const {
  if (payload_bytes > options.max_entry_bytes) {
    return Status::invalid_argument(fmt::format("entry of {} bytes exceeds max_entry_bytes {}",
                                                payload_bytes, options.max_entry_bytes));
  }
  return Status::ok();
}

// A recovered log may already stand at the end of the LSN space (its records say so, whether
// written or forged): the append fails cleanly instead of tripping the encoder's assertion.
Status LogCore::Impl::check_lsn_space(std::uint64_t count) const {
  if (sync.last_lsn >= std::numeric_limits<Lsn>::max() - count) {
    return Status::no_space(fmt::format("the LSN space is exhausted: the log ends at LSN {}",
                                        sync.last_lsn));
  }
  return Status::ok();
}

Result<Lsn> LogCore::Impl::append_single(format::RecordType type,
                                         std::span<const std::byte> payload) {
  WAL_RETURN_IF_ERROR(check_writable());
  WAL_RETURN_IF_ERROR(check_entry(payload.size()));
  WAL_RETURN_IF_ERROR(check_lsn_space(1));
  const std::size_t bytes = format::record_bytes(payload.size());
  WAL_RETURN_IF_ERROR(make_room(bytes));
  const format::RecordMeta meta{type, sync.last_lsn + 1, sync.durable_lsn, 1};
  Status written = active->append(bytes, [&](std::span<std::byte> target) {
    return format::encode_record(checksum, salt, meta, payload, target);
  });
  if (!written) return poison(written);
  note_appended(1, bytes);
  return meta.lsn;
}

// --- LogCore -------------------------------------------------------------------------------

LogCore::LogCore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LogCore::~LogCore() {
  if (impl_ == nullptr || impl_->closed) return;
  if (impl_->active != nullptr) {
    impl_->active->abandon(false).ignore_error("destroying an open core is a crash");
  }
}

Result<std::unique_ptr<LogCore>> LogCore::open(Fs& fs, Clock& clock, std::string dir,
                                               const Options& options) {
  auto impl = std::make_unique<Impl>(fs, clock, std::move(dir), options);
  WAL_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<LogCore>(new LogCore(std::move(impl)));
}

const RecoveryReport& LogCore::recovery_report() const { return impl_->report; }
const Options& LogCore::options() const { return impl_->options; }

Result<Lsn> LogCore::append(std::span<const std::byte> payload) {
  Result<Lsn> lsn = impl_->append_single(format::RecordType::kData, payload);
  if (lsn) {
    impl_->metrics.appends.fetch_add(1, std::memory_order_relaxed);
    impl_->metrics.append_bytes.fetch_add(payload.size(), std::memory_order_relaxed);
    impl_->assigned({*lsn, *lsn}, EntryType::kData);
  }
  return lsn;
}

Result<Lsn> LogCore::append_checkpoint(std::span<const std::byte> payload) {
  Result<Lsn> lsn = impl_->append_single(format::RecordType::kCheckpoint, payload);
  if (lsn) {
    impl_->checkpoint_lsn = *lsn;
    impl_->pending_checkpoints.push_back(*lsn);
    impl_->metrics.checkpoints.fetch_add(1, std::memory_order_relaxed);
    impl_->assigned({*lsn, *lsn}, EntryType::kCheckpoint);
  }
  return lsn;
}

Result<LsnRange> LogCore::append_batch(std::span<const std::span<const std::byte>> entries) {
  Impl& d = *impl_;
  WAL_RETURN_IF_ERROR(d.check_writable());
  if (entries.empty()) return Status::invalid_argument("empty batch");
  if (entries.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument("batch has more than 2^32-1 entries");
  }
  std::uint64_t payload_total = 0;
  for (std::span<const std::byte> entry : entries) {
    WAL_RETURN_IF_ERROR(d.check_entry(entry.size()));
    payload_total += entry.size();
  }
  WAL_RETURN_IF_ERROR(d.check_lsn_space(entries.size()));
  const std::size_t bytes = format::record_bytes(format::batch_payload_bytes(entries));
  WAL_RETURN_IF_ERROR(d.make_room(bytes));
  const auto count = static_cast<std::uint32_t>(entries.size());
  const format::RecordMeta meta{format::RecordType::kBatch, d.sync.last_lsn + 1,
                                d.sync.durable_lsn, count};
  Status written = d.active->append(bytes, [&](std::span<std::byte> target) {
    return format::encode_batch(d.checksum, d.salt, meta, entries, target);
  });
  if (!written) return d.poison(written);
  d.note_appended(count, bytes);
  d.metrics.appends.fetch_add(count, std::memory_order_relaxed);
  d.metrics.append_bytes.fetch_add(payload_total, std::memory_order_relaxed);
  d.metrics.batches.fetch_add(1, std::memory_order_relaxed);
  const LsnRange range{meta.lsn, meta.lsn + count - 1};
  d.assigned(range, EntryType::kBatch);
  return range;
}

CommitStep LogCore::commit_step(Lsn lsn, std::uint64_t now_us) const {
  return detail::commit_step(impl_->options, impl_->sync, lsn, now_us);
}

bool LogCore::sync_due(std::uint64_t now_us) const {
  return detail::sync_due(impl_->options, impl_->sync, now_us);
}

std::uint64_t LogCore::next_sync_due_us() const {
  return detail::next_sync_due_us(impl_->options, impl_->sync);
}

Result<SyncTicket> LogCore::begin_sync() { return impl_->begin_sync(); }

Result<SyncTicket> LogCore::Impl::begin_sync() {
  Impl& d = *this;
  WAL_ASSERT(!d.sync.sync_in_flight);
  if (d.closed) return Status::closed("log is closed");
  if (d.sync.poisoned) return d.poison_status;
  SyncTicket ticket;
  if (d.active != nullptr) {
    if (!d.buffer.empty()) {
      ticket.write_offset = d.active->hand_off(d.flight);
      ticket.write_bytes = d.flight.contents();
    }
    d.active->note_sync_started();
  }
  ticket.id = ++d.ticket_seq;
  ticket.target_lsn = d.sync.last_lsn;
  if (ticket.target_lsn > d.sync.durable_lsn) {
    // Entries of finished segments were synced when they were finished: only the active
    // segment can hold entries above durable_lsn.
    WAL_ASSERT(d.active != nullptr);
    ticket.file = d.active->file();
    ticket.full_sync = d.active->grows_on_append();
    // Bug zoo: fdatasync on a file that grows: the data is durable, its new size is not.
    if (WAL_MUTANT("fdatasync-growing-file")) ticket.full_sync = false;
  }
  if (d.publication.previous != nullptr) {
    // The ticket publishes the rotation (log_core.h): until it does, no LSN of the finished
    // segment is durable, nor any after it.
    WAL_ASSERT(d.active != nullptr);
    ticket.file = d.active->file();
    ticket.full_sync = d.active->grows_on_append();
    ticket.previous = d.publication.previous;
    ticket.fs = &d.fs;
    ticket.dir = d.dir;
    ticket.publish_from = d.publication.temp_path;
    ticket.publish_to = d.publication.final_path;
  }
  WAL_ASSERT(ticket.write_bytes.empty() || ticket.file != nullptr);
  ticket.started_us = d.clock.now_us();
  d.sync.sync_in_flight = true;
  d.sync.covered_lsn = std::max(d.sync.covered_lsn, ticket.target_lsn);
  d.sync.uncovered_bytes = 0;
  // Bug zoo: the group is acknowledged when its sync starts, not when the fdatasync returns.
  if (WAL_MUTANT("ack-before-fdatasync")) d.mark_durable(ticket.target_lsn);
  if (d.options.listener != nullptr) d.options.listener->on_sync_begin(ticket.target_lsn);
  return ticket;
}

Status LogCore::run_sync(const SyncTicket& ticket) {
  if (ticket.file == nullptr) return Status::ok();
  // Bug zoo: the new segment is published before the finished one is synced: a power loss in
  // between keeps the new segment's records after a torn end of the previous one.
  const bool publish_first = WAL_MUTANT("publish-before-previous-sync");
  if (ticket.previous != nullptr && publish_first) WAL_RETURN_IF_ERROR(publish(ticket));
  // Bug zoo: the finished segment is never synced; the ticket syncs the new one and calls the
  // rotation durable.
  if (ticket.previous != nullptr && !WAL_MUTANT("publish-without-previous-sync")) {
    Status synced = ticket.previous->sync();
    if (!synced) return synced.with_context("sync the segment a rotation finished");
  }
  if (!ticket.write_bytes.empty()) {
    Status written = detail::write_records(*ticket.file, ticket.write_offset, ticket.write_bytes);
    if (!written) {
      ticket.write_failed = true;
      return written;
    }
  }
  Status status = ticket.full_sync ? ticket.file->sync() : ticket.file->sync_data();
  // Bug zoo (fsyncgate): retry a failed fsync and believe the retry; the kernel already dropped
  // the dirty pages the first one failed to write.
  if (!status && WAL_MUTANT("believe-retried-fsync")) {
    status = ticket.full_sync ? ticket.file->sync() : ticket.file->sync_data();
  }
  if (!status || ticket.previous == nullptr || publish_first) return status;
  return publish(ticket);
}

// The new segment is durable under its temp name: give it its own and make that durable.
Status LogCore::publish(const SyncTicket& ticket) {
  if (Status renamed = ticket.fs->rename(ticket.publish_from, ticket.publish_to); !renamed) {
    return renamed.with_context("publish rotated segment");
  }
  // Bug zoo: as in SegmentWriter::publish, the name is not made durable.
  if (WAL_MUTANT("skip-dir-sync")) return Status::ok();
  return ticket.fs->sync_dir(ticket.dir).with_context("sync dir after publishing a segment");
}

void LogCore::finish_sync(const SyncTicket& ticket, const Status& status) {
  Impl& d = *impl_;
  d.finish_sync(ticket, status);
  if (impl_->options.listener != nullptr) {
    impl_->options.listener->on_sync_end(ticket.target_lsn, status);
  }
}

void LogCore::Impl::finish_sync(const SyncTicket& ticket, const Status& status) {
  Impl& d = *this;
  WAL_ASSERT(d.sync.sync_in_flight && ticket.id == d.ticket_seq);
  d.sync.sync_in_flight = false;
  // Written by run_sync (or, before a later write or a rotation, by the segment itself); on a
  // failure the core is poisoned below and nothing is written after them any more.
  if (d.active != nullptr) d.active->handed_off_written();
  if (!status && d.options.sync == SyncPolicy::kPeriodic &&
      WAL_MUTANT("syncer-ignores-fsync-error")) {
    // Bug zoo: the background syncer logs the failure and carries on; the next sync succeeds
    // and advances durable_lsn over the pages this one lost.
    detail::logger().error("wal {}: background sync failed: {}", d.dir, status.to_string());
    return;
  }
  if (status && ticket.previous != nullptr) {
    d.publication.previous.reset();
    d.metrics.syncs.fetch_add(1, std::memory_order_relaxed);
    d.metrics.dir_syncs.fetch_add(1, std::memory_order_relaxed);
  }
  if (!status) {
    // fsyncgate: the kernel may have dropped the dirty pages it failed to write and will
    // report success next time. Nothing after this point may be called durable.
    if (!ticket.write_failed) d.metrics.sync_failures.fetch_add(1, std::memory_order_relaxed);
    Status cause = status;
    cause.with_context(ticket.write_failed ? "write the group" : "sync segment");
    d.poison(std::move(cause)).ignore_error("the ticket's waiters get it: poison_cause()");
    return;
  }
  if (ticket.file != nullptr) {
    d.metrics.syncs.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t now = d.clock.now_us();
    d.metrics.sync_latency_us.record(now > ticket.started_us ? now - ticket.started_us : 0);
  }
  // Nothing becomes durable after the log is poisoned: another failure while this ticket was in
  // flight may have dropped its pages, and this success be the lie of a retried fsync
  // (fsyncgate). Rotations wait for the ticket (make_room), so no second sync of this segment
  // can fail meanwhile today; the rule stands for whatever comes next.
  if (d.sync.poisoned) return;
  // Bug zoo: the sync is taken to cover everything appended so far, including the records
  // appended (and maybe flushed) while its fdatasync ran, after the ticket took its snapshot.
  if (WAL_MUTANT("sync-covers-later-appends")) {
    d.mark_durable(d.sync.last_lsn);
    return;
  }
  d.mark_durable(ticket.target_lsn);
  // The retention the rotation left for its publication (make_room). A failure poisons the
  // log; every later call reports it.
  if (ticket.previous != nullptr) {
    d.apply_retention().ignore_error("a failure poisoned the log; later calls report it");
  }
}

bool LogCore::sync_in_flight() const { return impl_->sync.sync_in_flight; }
bool LogCore::publication_pending() const { return impl_->publication.previous != nullptr; }

// One sync ticket on the caller's thread, for what cannot wait for one: a rotation while the
// last is unpublished, and close().
Status LogCore::Impl::publish_now() {
  Result<SyncTicket> ticket = begin_sync();
  if (!ticket) return ticket.error();
  Status status = LogCore::run_sync(*ticket);
  finish_sync(*ticket, status);
  if (options.listener != nullptr) options.listener->on_sync_end(ticket->target_lsn, status);
  // The retention after the publication may have failed and poisoned the log: this call, the
  // one it happened in, reports it.
  if (status && sync.poisoned) return poison_cause;
  return status;
}

bool LogCore::spare_wanted() const {
  const Impl& d = *impl_;
  return !d.options.read_only && !d.closed && !d.sync.poisoned && !d.prepare_in_flight &&
         d.spare.file == nullptr;
}

bool LogCore::prepare_in_flight() const { return impl_->prepare_in_flight; }
bool LogCore::has_spare() const { return impl_->spare.file != nullptr; }

PrepareTicket LogCore::begin_prepare() {
  Impl& d = *impl_;
  WAL_ASSERT(spare_wanted());
  d.prepare_in_flight = true;
  PrepareTicket ticket;
  ticket.fs = &d.fs;
  ticket.path = join_path(d.dir, kSpareName);
  ticket.capacity_bytes = d.options.segment_bytes;
  ticket.preallocate = d.options.preallocate;
  return ticket;
}

void LogCore::run_prepare(PrepareTicket& ticket) {
  Fs& fs = *ticket.fs;
  Result<std::unique_ptr<File>> opened = fs.open(ticket.path, OpenMode::kCreateExclusive);
  if (!opened && opened.error().code() == Code::kAlreadyExists) {
    // A spare whose rotation failed before its rename: start over from an empty file.
    fs.unlink(ticket.path).ignore_error("the exclusive create below reports what matters");
    opened = fs.open(ticket.path, OpenMode::kCreateExclusive);
  }
  if (!opened) {
    ticket.status = Status(opened.error()).with_context("create spare segment");
    return;
  }
  std::unique_ptr<File> file = std::move(opened).value();
  detail::SegmentParams params;
  params.capacity_bytes = ticket.capacity_bytes;
  params.preallocate = ticket.preallocate;
  // Synced, so that the rotation's sync of a header covers no size change of its own.
  Status status = detail::SegmentWriter::prepare_file(*file, params);
  if (status) status = file->sync();
  if (!status) {
    file->close().ignore_error("the spare is being discarded after a failure");
    fs.unlink(ticket.path).ignore_error("a leftover temp file is deleted by the next open");
    ticket.status = status.with_context("prepare spare segment");
    return;
  }
  ticket.file = std::move(file);
}

void LogCore::finish_prepare(PrepareTicket ticket) {
  Impl& d = *impl_;
  WAL_ASSERT(d.prepare_in_flight);
  d.prepare_in_flight = false;
  if (!ticket.status) {
    // A full disk leaves no spare: the rotation that needs a segment then fails cleanly on its
    // own fallocate. Any other failure is a failing device: fail-stop, as in a rotation.
    if (ticket.status.code() != Code::kNoSpace && !d.closed) {
      d.poison(std::move(ticket.status)).ignore_error("every later call reports it");
    }
    return;
  }
  d.spare.file = std::move(ticket.file);
  d.spare.temp_path = std::move(ticket.path);
  if (d.closed || d.sync.poisoned) {
    d.discard_spare();
    return;
  }
  d.metrics.segments_prepared.fetch_add(1, std::memory_order_relaxed);
  d.spare.name.reserve(kSegmentNameCapacity);
  d.spare.final_path.reserve(d.dir.size() + 1 + kSegmentNameCapacity);
  d.publication.temp_path.reserve(d.dir.size() + 1 + kSegmentNameCapacity +
                                  recovery::kTempSuffix.size());
  d.publication.final_path.reserve(d.dir.size() + 1 + kSegmentNameCapacity);
  d.segments.reserve(d.segments.size() + 1);
}

Status LogCore::flush() {
  Impl& d = *impl_;
  WAL_RETURN_IF_ERROR(d.check_writable());
  if (d.active == nullptr) return Status::ok();
  Status flushed = d.active->flush();
  if (!flushed) return d.poison(flushed);
  return Status::ok();
}

Status LogCore::truncate_front(Lsn lsn) {
  WAL_RETURN_IF_ERROR(impl_->check_writable());
  Status dropped = impl_->drop_below(lsn);
  if (dropped) return dropped;
  return impl_->housekeeping_failed(std::move(dropped));
}

Result<std::unique_ptr<Reader>> LogCore::reader(Lsn from_lsn) {
  Impl& d = *impl_;
  detail::ReaderParams params;
  params.fs = &d.fs;
  params.dir = d.dir;
  params.salt = d.salt;
  params.max_entry_bytes = d.options.max_entry_bytes;
  params.watermark = d.watermark;
  params.front_lsn = d.front_lsn;
  params.from_lsn = from_lsn;
  params.runs = d.recovered_runs;
  params.unkept = d.unkept;
  params.open_next_lsn = d.open_next_lsn;
  return detail::open_segment_reader(std::move(params));
}

Result<std::unique_ptr<Reader>> LogCore::reader_from_checkpoint() {
  const Lsn from = impl_->durable_checkpoint_lsn;
  return reader(from == kNoLsn ? impl_->front_lsn : from);
}

Lsn LogCore::durable_lsn() const { return impl_->sync.durable_lsn; }
Lsn LogCore::last_lsn() const { return impl_->sync.last_lsn; }
Lsn LogCore::first_lsn() const {
  return impl_->sync.last_lsn >= impl_->front_lsn ? impl_->front_lsn : kNoLsn;
}
Lsn LogCore::checkpoint_lsn() const { return impl_->checkpoint_lsn; }
bool LogCore::poisoned() const { return impl_->sync.poisoned; }
const Status& LogCore::poison_status() const { return impl_->poison_status; }
const Status& LogCore::poison_cause() const { return impl_->poison_cause; }
Metrics& LogCore::metrics() { return impl_->metrics; }

Status LogCore::close() {
  Impl& d = *impl_;
  if (d.closed) return Status::ok();
  WAL_ASSERT(!d.sync.sync_in_flight && !d.prepare_in_flight);
  Status result;
  Status published;
  if (d.active != nullptr && d.publication.previous != nullptr && !d.sync.poisoned &&
      d.options.sync != SyncPolicy::kNone) {
    // The finish below syncs the active segment but does not name it, nor the finished one
    // before it: publish first, while the core still takes tickets. (kNone leaves it
    // unpublished, for the next open to adopt, as it leaves its records unsynced.) Swarm seeds
    // 6992 and 7942: a publication refused as "closed" let the finish call both durable.
    published = d.publish_now();
  }
  d.closed = true;
  d.publication.previous.reset();
  if (d.active != nullptr) {
    if (d.sync.poisoned || !published) {
      // After a failed write or sync the buffer's bytes are of no known standing: drop them.
      result = d.active->abandon(false);
    } else if (d.options.sync == SyncPolicy::kNone) {
      // kNone never syncs on its own, close included: the entries reach the OS (they survive
      // a process crash, and readers see them) but durability stays the caller's sync() call.
      // A caller that synced everything (walctl's own group commit) still gets the preallocated
      // tail trimmed, unsynced; with entries still unsynced the tail stays for the next open to
      // cut, as a trim would have to be synced to say anything about them.
      const bool all_durable = d.sync.durable_lsn == d.sync.last_lsn;
      result = all_durable ? d.active->trim_unsynced() : d.active->abandon(true);
      // Bug zoo: the segment's failed close(2) dropped, as LevelDB 1.23 dropped its old log's
      // (google/leveldb#1081): the unsynced entries it held may be gone, and nobody is told.
      if (!result && WAL_MUTANT("ignore-close-error")) result = Status::ok();
      // Bug zoo: the close calls everything durable, where it only lets readers see it.
      if (result && WAL_MUTANT("close-marks-durable")) d.mark_durable(d.sync.last_lsn);
      if (result) d.watermark->store(d.sync.last_lsn, std::memory_order_release);
    } else {
      result = d.active->finish();
      if (result) {
        d.metrics.syncs.fetch_add(1, std::memory_order_relaxed);
        d.mark_durable(d.sync.last_lsn);
      } else {
        d.poison(result).ignore_error("returned below");
      }
    }
    d.active.reset();
  }
  d.discard_spare();
  d.retired.reset();
  d.lock.reset();
  if (!published) return published;
  if (result.is_ok() && d.sync.poisoned) return d.poison_status;
  return result;
}

}  // namespace wal
