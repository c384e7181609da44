#include "examples/queue/queue.h"

#include <fmt/format.h>

#include "examples/common/bytes.h"
#include "examples/common/planted_bug.h"

namespace examples {
namespace {

enum Tag : std::uint8_t { kEnqueue = 'E', kAck = 'K', kSnapshot = 'S' };

wal::Status malformed(std::string_view what) {
  return wal::Status::corruption(fmt::format("queue: malformed {}", what));
}

}  // namespace

wal::Result<std::unique_ptr<Queue>> Queue::open(std::unique_ptr<AppLog> log,
                                                QueueOptions options) {
  std::unique_ptr<Queue> queue(new Queue(std::move(log), options));
  WAL_RETURN_IF_ERROR(queue->recover());
  return queue;
}

wal::Status Queue::recover() {
  wal::Result<std::unique_ptr<wal::Reader>> reader = log_->reader_from_checkpoint();
  if (!reader) return reader.error();
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
    if (!next) return next.error();
    if (!next->has_value()) break;
    const wal::Entry& entry = **next;
    if (entry.type == wal::EntryType::kCheckpoint) {
      WAL_RETURN_IF_ERROR(load_checkpoint(entry.payload));
      continue;
    }
    if (entry.lsn <= applied_lsn_) continue;  // already reflected: never applied twice
    WAL_RETURN_IF_ERROR(replay(entry.lsn, entry.payload));
    applied_lsn_ = entry.lsn;
  }
  return wal::Status::ok();
}

wal::Status Queue::load_checkpoint(std::span<const std::byte> payload) {
  ByteReader in(payload);
  const std::optional<std::uint8_t> tag = in.u8();
  const std::optional<std::uint64_t> applied = in.u64();
  const std::optional<std::uint64_t> count = in.u64();
  if (!tag || *tag != kSnapshot || !applied || !count) return malformed("checkpoint header");
  std::map<std::uint64_t, std::string> unacked;
  for (std::uint64_t i = 0; i < *count; ++i) {
    const std::optional<std::uint64_t> id = in.u64();
    std::optional<std::string> body = in.str();
    if (!id || !body) return malformed("checkpoint message");
    unacked.emplace(*id, std::move(*body));
  }
  if (!in.done()) return malformed("checkpoint (trailing bytes)");
  unacked_ = std::move(unacked);
  applied_lsn_ = *applied;
  return wal::Status::ok();
}

wal::Status Queue::replay(wal::Lsn lsn, std::span<const std::byte> entry) {
  ByteReader in(entry);
  const std::optional<std::uint8_t> tag = in.u8();
  if (tag == kEnqueue) {
    std::optional<std::string> body = in.str();
    if (!body || !in.done()) return malformed("enqueue");
    unacked_.insert_or_assign(lsn, std::move(*body));
    return wal::Status::ok();
  }
  if (tag == kAck) {
    const std::optional<std::uint64_t> id = in.u64();
    if (!id || !in.done()) return malformed("ack");
    // Planted bug: acks are not replayed, so acked messages come back after a restart.
    if (EXAMPLE_PLANTED_BUG("examples/queue/forget-ack")) return wal::Status::ok();
    unacked_.erase(*id);
    return wal::Status::ok();
  }
  return malformed("entry tag");
}

wal::Status Queue::fail(wal::Status status) {
  if (failed_.is_ok()) {
    failed_ = wal::Status::poisoned("queue stopped after a log error: " + status.to_string());
  }
  return status;
}

wal::Result<wal::Lsn> Queue::log_mutation(std::span<const std::byte> entry) {
  if (!failed_.is_ok()) return failed_;
  wal::Result<wal::Lsn> lsn = log_->append(entry);
  if (!lsn) return fail(lsn.error());
  applied_lsn_ = *lsn;
  return lsn;
}

wal::Status Queue::after_mutation() {
  if (options_.checkpoint_every == 0 || ++since_checkpoint_ < options_.checkpoint_every) {
    return wal::Status::ok();
  }
  wal::Result<wal::Lsn> cp = checkpoint();
  return cp.status();
}

wal::Result<std::uint64_t> Queue::enqueue(std::string_view body) {
  ByteWriter out;
  out.u8(kEnqueue);
  out.str(body);
  wal::Result<wal::Lsn> lsn = log_mutation(out.bytes());
  if (!lsn) return lsn.error();
  unacked_.emplace(*lsn, std::string(body));
  WAL_RETURN_IF_ERROR(after_mutation());
  return *lsn;
}

std::optional<Message> Queue::take() {
  if (!failed_.is_ok()) return std::nullopt;
  for (const auto& [id, body] : unacked_) {
    if (handed_out_.insert(id).second) return Message{id, body};
  }
  return std::nullopt;
}

wal::Result<wal::Lsn> Queue::ack(std::uint64_t id) {
  if (!failed_.is_ok()) return failed_;
  if (unacked_.count(id) == 0) {
    return wal::Status::not_found(fmt::format("queue: no unacked message {}", id));
  }
  ByteWriter out;
  out.u8(kAck);
  out.u64(id);
  wal::Result<wal::Lsn> lsn = log_mutation(out.bytes());
  if (!lsn) return lsn;
  unacked_.erase(id);
  handed_out_.erase(id);
  WAL_RETURN_IF_ERROR(after_mutation());
  return lsn;
}

std::vector<Message> Queue::unacked() const {
  std::vector<Message> out;
  out.reserve(unacked_.size());
  for (const auto& [id, body] : unacked_) out.push_back(Message{id, body});
  return out;
}

wal::Result<wal::Lsn> Queue::checkpoint() {
  if (!failed_.is_ok()) return failed_;
  ByteWriter out;
  out.u8(kSnapshot);
  out.u64(applied_lsn_);
  out.u64(unacked_.size());
  for (const auto& [id, body] : unacked_) {
    out.u64(id);
    out.str(body);
  }
  wal::Result<wal::Lsn> lsn = log_->checkpoint(out.bytes());
  if (!lsn) return fail(lsn.error());
  since_checkpoint_ = 0;
  if (options_.truncate_after_checkpoint) {
    const wal::Status truncated = log_->truncate_front(*lsn);
    if (!truncated) return fail(truncated);
  }
  return lsn;
}

wal::Status Queue::sync() {
  if (!failed_.is_ok()) return failed_;
  const wal::Status status = log_->sync();
  if (!status) return fail(status);
  return status;
}

wal::Status Queue::close() { return log_->close(); }

}  // namespace examples
