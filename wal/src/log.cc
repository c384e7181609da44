// wal::Log: the threads around LogCore. It only locks, waits and runs sync tickets; every
// decision (who leads a sync, when the periodic syncer fires) is LogCore's. Its threads, mutex
// and condition variables come from the injected Runtime (runtime.h): std:: ones in
// production, a seeded scheduler's in simulation, which so runs this very code under crashes.
// The one file in wal/ that starts threads.
#include <wal/log.h>

#include <limits>
#include <mutex>
#include <random>

#include <wal/clock.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>
#include <wal/runtime.h>

#include "logger.h"
#include "mutant.h"

namespace wal {
namespace {

std::uint64_t random_salt() {
  std::random_device device;
  std::uint64_t salt = 0;
  while (salt == 0) salt = (std::uint64_t{device()} << 32) ^ device();
  return salt;
}

}  // namespace

struct Log::Impl {
  using Lock = std::unique_lock<Runtime::Mutex>;

  Impl(std::unique_ptr<LogCore> core_in, Clock& clock_in, Runtime& runtime_in)
      : core(std::move(core_in)),
        clock(clock_in),
        runtime(runtime_in),
        mutex_ptr(runtime.make_mutex()),
        mutex(*mutex_ptr),
        sync_done_ptr(runtime.make_condvar()),
        syncer_wake_ptr(runtime.make_condvar()),
        preparer_wake_ptr(runtime.make_condvar()),
        sync_done(*sync_done_ptr),
        syncer_wake(*syncer_wake_ptr),
        preparer_wake(*preparer_wake_ptr) {}

  // The core's append, called again after each sync ticket while its rotation waits for one
  // (log_core.h: an append's only kBusy). Called with the mutex held.
  template <typename Append>
  auto append_when_rotation_may(Append&& append) -> decltype(append()) {
    for (;;) {
      auto result = append();
      if (result || result.error().code() != Code::kBusy || !core->sync_in_flight()) {
        return result;
      }
      // Bug zoo: only the policies that wait for durability wait out the sync in flight; the
      // others hand the internal kBusy to their caller.
      if (WAL_MUTANT("busy-leaks-to-caller") && core->options().sync != SyncPolicy::kGrouped &&
          core->options().sync != SyncPolicy::kImmediate) {
        return result;
      }
      sync_done.wait(mutex);
      if (Status open = check_open(); !open) return open;
    }
  }
  // Runs the commit loop of log_core.h until `lsn` is durable or the log failed.
  Status wait_durable_locked(Lock& lock, Lsn lsn);
  // One sync through the protocol: begin under the lock, run without it, finish under it.
  Status lead_sync(Lock& lock);
  Status check_open() const {
    return closed ? Status::closed("log is closed") : Status::ok();
  }
  void periodic_loop();
  void prepare_loop();
  void after_append_locked(std::uint64_t due_before);
  void after_rotation_locked(bool had_spare) {
    if (had_spare && !core->has_spare()) preparer_wake.notify_one();
  }

  std::unique_ptr<LogCore> core;
  Clock& clock;
  Runtime& runtime;
  std::unique_ptr<Runtime::Mutex> mutex_ptr;
  Runtime::Mutex& mutex;
  std::unique_ptr<Runtime::CondVar> sync_done_ptr, syncer_wake_ptr, preparer_wake_ptr;
  Runtime::CondVar& sync_done;      // a ticket finished: waiters ask commit_step again
  Runtime::CondVar& syncer_wake;    // the periodic syncer has something to look at
  Runtime::CondVar& preparer_wake;  // a rotation used the spare segment up
  std::unique_ptr<Runtime::Thread> syncer;
  std::unique_ptr<Runtime::Thread> preparer;
  bool stopping = false;
  bool closed = false;
};

Status Log::Impl::lead_sync(Lock& lock) {
  Result<SyncTicket> ticket = core->begin_sync();
  if (!ticket) return ticket.error();
  lock.unlock();
  Status status = LogCore::run_sync(*ticket);
  lock.lock();
  core->finish_sync(*ticket, status);
  // Bug zoo: the leader forgets to wake the followers of its group: they wait forever.
  if (!WAL_MUTANT("log-leader-forgets-followers")) sync_done.notify_all();
  syncer_wake.notify_one();
  // A ticket that published a rotation runs the retention it waited for (log_core.cc): if that
  // failed and poisoned the log, the caller it happened in hears of it.
  if (status && core->poisoned()) return core->poison_cause();
  return status;
}

Status Log::Impl::wait_durable_locked(Lock& lock, Lsn lsn) {
  for (;;) {
    const CommitStep step = core->commit_step(lsn, clock.now_us());
    switch (step.action) {
      case CommitAction::kDurable:
        return Status::ok();
      case CommitAction::kFailed:
        return core->poison_cause();
      case CommitAction::kLead: {
        Status status = lead_sync(lock);
        if (!status) return status;
        break;
      }
      case CommitAction::kWait:
        // Bug zoo: a follower takes the leader's sync in flight for its own acknowledgement
        // and returns before that sync finished (or covered it at all).
        if (WAL_MUTANT("log-follower-acks-in-flight")) return Status::ok();
        sync_done.wait(mutex);
        break;
      case CommitAction::kWaitUntil: {
        const std::uint64_t now = clock.now_us();
        if (step.until_us > now) sync_done.wait_for(mutex, step.until_us - now);
        break;
      }
    }
  }
}

void Log::Impl::after_append_locked(std::uint64_t due_before) {
  // Wake the syncer only when its deadline appeared or a byte threshold is reached, not on
  // every append (a notify with a waiter is a futex syscall).
  const bool bytes_may_be_due =
      core->options().sync_every_bytes > 0 && core->sync_due(clock.now_us());
  if (core->next_sync_due_us() != due_before || bytes_may_be_due) {
    syncer_wake.notify_one();
  }
}

void Log::Impl::periodic_loop() {
  Lock lock(mutex);
  while (!stopping) {
    if (core->poisoned() || core->sync_in_flight()) {
      syncer_wake.wait(mutex);
      continue;
    }
    const std::uint64_t now = clock.now_us();
    if (core->sync_due(now)) {
      // A failure poisons the core; appenders and sync() callers see it from there.
      lead_sync(lock).ignore_error("reported to every later caller as kPoisoned");
      continue;
    }
    const std::uint64_t due = core->next_sync_due_us();
    if (due == std::numeric_limits<std::uint64_t>::max()) {
      syncer_wake.wait(mutex);
    } else if (due > now) {
      syncer_wake.wait_for(mutex, due - now);
    }
  }
}

// Keeps a spare segment ready (log_core.h), so that a rotation on the append path neither
// fallocates nor allocates, and publishes a rotation that left its segment unpublished.
// Preparing takes a fallocate and an fsync, publishing two fsyncs: outside the mutex.
void Log::Impl::prepare_loop() {
  Lock lock(mutex);
  while (!stopping) {
    // A rotation left its segment unpublished (Options::background_rotation): a sync ticket
    // here, off the append path, syncs the finished segment and publishes the new one.
    if (core->publication_pending() && !core->sync_in_flight() && !core->poisoned()) {
      lead_sync(lock).ignore_error("reported to every later caller as kPoisoned");
      continue;
    }
    if (!core->spare_wanted()) {
      preparer_wake.wait(mutex);
      continue;
    }
    PrepareTicket ticket = core->begin_prepare();
    lock.unlock();
    LogCore::run_prepare(ticket);
    lock.lock();
    core->finish_prepare(std::move(ticket));
    // A failed preparation may have poisoned the core: waiters must look again.
    if (core->poisoned()) sync_done.notify_all();
    // A full disk: try again after a while (rotations meanwhile create their segments
    // themselves, and fail cleanly while the disk stays full).
    if (!core->has_spare() && !core->poisoned() && !stopping) {
      preparer_wake.wait_for(mutex, 100'000);
    }
  }
}

Log::Log(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Log::~Log() {
  if (impl_ == nullptr) return;
  Status status = close();
  if (!status) detail::logger().error("wal: close in ~Log failed: {}", status.to_string());
}

Result<std::unique_ptr<Log>> Log::open(std::string_view dir, const Options& options) {
  Options effective = options;
  Fs& fs = options.fs != nullptr ? *options.fs : posix_fs();
  Clock& clock = options.clock != nullptr ? *options.clock : system_clock();
  Runtime& runtime = options.runtime != nullptr ? *options.runtime : std_runtime();
  if (effective.salt == 0 && !effective.read_only) effective.salt = random_salt();
  Result<std::unique_ptr<LogCore>> core = LogCore::open(fs, clock, std::string(dir), effective);
  if (!core) return core.error();
  auto impl = std::make_unique<Impl>(std::move(core).value(), clock, runtime);
  if (effective.sync == SyncPolicy::kPeriodic && !effective.read_only) {
    Impl* raw = impl.get();
    impl->syncer = runtime.start_thread("wal-syncer", [raw] { raw->periodic_loop(); });
  }
  if (effective.prepare_segments && !effective.read_only) {
    Impl* raw = impl.get();
    impl->preparer = runtime.start_thread("wal-preparer", [raw] { raw->prepare_loop(); });
  }
  return std::unique_ptr<Log>(new Log(std::move(impl)));
}

const RecoveryReport& Log::recovery_report() const { return impl_->core->recovery_report(); }

Result<Lsn> Log::append(std::span<const std::byte> payload) {
  Impl& d = *impl_;
  Impl::Lock lock(d.mutex);
  WAL_RETURN_IF_ERROR(d.check_open());
  const SyncPolicy policy = d.core->options().sync;
  const std::uint64_t due_before = d.core->next_sync_due_us();
  const bool had_spare = d.core->has_spare();
  Result<Lsn> lsn = d.append_when_rotation_may([&] { return d.core->append(payload); });
  d.after_rotation_locked(had_spare);
  if (!lsn) return lsn;
  if (policy == SyncPolicy::kPeriodic) d.after_append_locked(due_before);
  // Bug zoo: with another thread's sync in flight, `immediate` takes it as covering this
  // append and returns without a sync of its own.
  if (policy == SyncPolicy::kImmediate && WAL_MUTANT("log-immediate-rides-inflight-sync") &&
      d.core->sync_in_flight()) {
    return lsn;
  }
  if (policy == SyncPolicy::kGrouped || policy == SyncPolicy::kImmediate) {
    WAL_RETURN_IF_ERROR(d.wait_durable_locked(lock, *lsn));
  }
  return lsn;
}

Result<LsnRange> Log::append_batch(std::span<const std::span<const std::byte>> entries) {
  Impl& d = *impl_;
  Impl::Lock lock(d.mutex);
  WAL_RETURN_IF_ERROR(d.check_open());
  const SyncPolicy policy = d.core->options().sync;
  const std::uint64_t due_before = d.core->next_sync_due_us();
  const bool had_spare = d.core->has_spare();
  Result<LsnRange> range =
      d.append_when_rotation_may([&] { return d.core->append_batch(entries); });
  d.after_rotation_locked(had_spare);
  if (!range) return range;
  if (policy == SyncPolicy::kPeriodic) d.after_append_locked(due_before);
  if (policy == SyncPolicy::kGrouped || policy == SyncPolicy::kImmediate) {
    WAL_RETURN_IF_ERROR(d.wait_durable_locked(lock, range->last));
  }
  return range;
}

Result<Lsn> Log::checkpoint(std::span<const std::byte> payload) {
  Impl& d = *impl_;
  Impl::Lock lock(d.mutex);
  WAL_RETURN_IF_ERROR(d.check_open());
  const bool had_spare = d.core->has_spare();
  Result<Lsn> lsn =
      d.append_when_rotation_may([&] { return d.core->append_checkpoint(payload); });
  d.after_rotation_locked(had_spare);
  if (!lsn) return lsn;
  WAL_RETURN_IF_ERROR(d.wait_durable_locked(lock, *lsn));
  return lsn;
}

Status Log::sync() {
  Impl& d = *impl_;
  Impl::Lock lock(d.mutex);
  WAL_RETURN_IF_ERROR(d.check_open());
  if (d.core->poisoned()) return d.core->poison_status();
  if (d.core->options().read_only) return Status::ok();
  return d.wait_durable_locked(lock, d.core->last_lsn());
}

Status Log::wait_durable(Lsn lsn) {
  Impl& d = *impl_;
  Impl::Lock lock(d.mutex);
  WAL_RETURN_IF_ERROR(d.check_open());
  // Bug zoo: the newest LSN taken for one never handed out (an off-by-one).
  if (lsn > d.core->last_lsn() ||
      (WAL_MUTANT("wait-durable-rejects-last") && lsn == d.core->last_lsn())) {
    return Status::invalid_argument("wait_durable: LSN " + std::to_string(lsn) +
                                    " was never handed out");
  }
  // As sync(): a poisoned log refuses until reopened, even for an entry made durable before
  // the failure (error-honesty; the harness's syncs through here found it answering OK).
  if (d.core->poisoned()) return d.core->poison_status();
  return d.wait_durable_locked(lock, lsn);
}

Lsn Log::durable_lsn() const {
  std::lock_guard<Runtime::Mutex> lock(impl_->mutex);
  return impl_->core->durable_lsn();
}

Lsn Log::last_lsn() const {
  std::lock_guard<Runtime::Mutex> lock(impl_->mutex);
  return impl_->core->last_lsn();
}

Lsn Log::first_lsn() const {
  std::lock_guard<Runtime::Mutex> lock(impl_->mutex);
  return impl_->core->first_lsn();
}

Result<std::unique_ptr<Reader>> Log::reader(Lsn from_lsn) {
  std::lock_guard<Runtime::Mutex> lock(impl_->mutex);
  return impl_->core->reader(from_lsn);
}

Result<std::unique_ptr<Reader>> Log::reader_from_checkpoint() {
  std::lock_guard<Runtime::Mutex> lock(impl_->mutex);
  return impl_->core->reader_from_checkpoint();
}

Status Log::truncate_front(Lsn lsn) {
  std::lock_guard<Runtime::Mutex> lock(impl_->mutex);
  WAL_RETURN_IF_ERROR(impl_->check_open());
  return impl_->core->truncate_front(lsn);
}

MetricsSnapshot Log::metrics() const { return impl_->core->metrics().snapshot(); }

Status Log::close() {
  Impl& d = *impl_;
  Impl::Lock lock(d.mutex);
  if (d.closed) return Status::ok();
  d.closed = true;  // new calls fail from here; callers already waiting finish below
  d.stopping = true;
  d.syncer_wake.notify_all();
  d.preparer_wake.notify_all();
  for (std::unique_ptr<Runtime::Thread>* thread : {&d.syncer, &d.preparer}) {
    if (*thread == nullptr) continue;
    lock.unlock();
    (*thread)->join();
    lock.lock();
    thread->reset();
  }
  while (d.core->sync_in_flight()) d.sync_done.wait(d.mutex);
  return d.core->close();
}

}  // namespace wal
