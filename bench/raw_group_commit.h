// The ideal leader/follower group commit: appenders encode under one mutex; whoever finds no
// sync in flight takes every pending record, writes it with one call and fdatasyncs it while
// the others keep encoding into the other buffer; followers sleep until their record is
// durable. Nothing else: no segments, no metrics, no policy. The bound for the WAL's W3.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include <wal/assert.h>

#include "raw_file.h"
#include "raw_record.h"

namespace bench::raw {

class GroupCommit {
 public:
  // `max_pending_bytes` must hold every record that can be appended during one sync (one per
  // thread, as each appender blocks until durable).
  GroupCommit(File& file, std::size_t max_pending_bytes)
      : file_(file), pending_(max_pending_bytes), flight_(max_pending_bytes) {}

  void append(std::span<const std::byte> payload) {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t lsn = ++last_;
    WAL_ASSERT(pending_used_ + record_bytes(payload.size()) <= pending_.size());
    pending_used_ += encode(lsn, payload, pending_.data() + pending_used_);
    while (durable_ < lsn) {
      if (syncing_) {
        synced_.wait(lock);
        continue;
      }
      syncing_ = true;
      pending_.swap(flight_);
      const std::size_t bytes = pending_used_;
      pending_used_ = 0;
      const std::uint64_t target = last_;
      lock.unlock();
      file_.append(flight_.data(), bytes);
      file_.sync_data();
      lock.lock();
      durable_ = target;
      syncing_ = false;
      synced_.notify_all();
    }
  }

 private:
  File& file_;
  std::mutex mutex_;
  std::condition_variable synced_;
  std::vector<std::byte> pending_;
  std::vector<std::byte> flight_;
  std::size_t pending_used_ = 0;
  std::uint64_t last_ = 0;
  std::uint64_t durable_ = 0;
  bool syncing_ = false;
};

}  // namespace bench::raw
