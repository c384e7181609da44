// A durable message queue on the WAL.
//
// enqueue(body) logs the message and names it by its LSN (its id). take() hands out the oldest
// unacked message not yet handed out by this process; ack(id) logs that it was processed. What
// take() handed out lives only in memory: after a crash (or any reopen) every unacked message is
// delivered again, and an acked one never is, once its ack is durable. That is at-least-once
// delivery, the contract of every durable queue.
//
// Every `checkpoint_every` mutations the unacked messages are written as a WAL checkpoint and
// the log's front is truncated to it. Recovery = that checkpoint, then a replay of enqueues and
// acks after it, idempotent by LSN as in the kv example.
//
// Fail-stop: after any log error the queue refuses every call (kPoisoned) until reopened.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <wal/status.h>
#include <wal/types.h>

#include "examples/common/app_log.h"

namespace examples {

struct QueueOptions {
  std::uint64_t checkpoint_every = 64;  // mutations between automatic checkpoints; 0: never
  bool truncate_after_checkpoint = true;
};

struct Message {
  std::uint64_t id = 0;  // the LSN of its enqueue entry
  std::string body;
  friend bool operator==(const Message&, const Message&) = default;
};

class Queue {
 public:
  [[nodiscard]] static wal::Result<std::unique_ptr<Queue>> open(std::unique_ptr<AppLog> log,
                                                                QueueOptions options = {});

  // The message's id; durable when log().durable_lsn() >= it.
  [[nodiscard]] wal::Result<std::uint64_t> enqueue(std::string_view body);
  // The oldest unacked message this process has not handed out yet; nullopt when none.
  std::optional<Message> take();
  // Logs the ack and returns its LSN. kNotFound (nothing logged) for an id that is not an
  // unacked message.
  [[nodiscard]] wal::Result<wal::Lsn> ack(std::uint64_t id);

  // Every unacked message, oldest first (handed out or not).
  std::vector<Message> unacked() const;
  bool handed_out(std::uint64_t id) const { return handed_out_.count(id) != 0; }

  [[nodiscard]] wal::Result<wal::Lsn> checkpoint();
  [[nodiscard]] wal::Status sync();
  [[nodiscard]] wal::Status close();

  AppLog& log() { return *log_; }

 private:
  Queue(std::unique_ptr<AppLog> log, QueueOptions options)
      : log_(std::move(log)), options_(options) {}
  [[nodiscard]] wal::Status recover();
  [[nodiscard]] wal::Status load_checkpoint(std::span<const std::byte> payload);
  [[nodiscard]] wal::Status replay(wal::Lsn lsn, std::span<const std::byte> entry);
  [[nodiscard]] wal::Result<wal::Lsn> log_mutation(std::span<const std::byte> entry);
  [[nodiscard]] wal::Status after_mutation();
  [[nodiscard]] wal::Status fail(wal::Status status);

  std::unique_ptr<AppLog> log_;
  QueueOptions options_;
  std::map<std::uint64_t, std::string> unacked_;  // by id
  std::set<std::uint64_t> handed_out_;
  wal::Lsn applied_lsn_ = wal::kNoLsn;
  std::uint64_t since_checkpoint_ = 0;
  wal::Status failed_;
};

}  // namespace examples
