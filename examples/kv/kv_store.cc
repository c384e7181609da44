#include "examples/kv/kv_store.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "examples/common/bytes.h"
#include "examples/common/planted_bug.h"

namespace examples {
namespace {

enum Tag : std::uint8_t { kPut = 'P', kDel = 'D', kAdd = 'A', kSnapshot = 'S' };

wal::Status malformed(std::string_view what) {
  return wal::Status::corruption(fmt::format("kv: malformed {}", what));
}

}  // namespace

std::string kv_add(std::optional<std::string_view> current, std::int64_t delta) {
  std::int64_t value = 0;
  if (current) {
    const char* end = current->data() + current->size();
    if (std::from_chars(current->data(), end, value).ptr != end) value = 0;
  }
  // Wraps on overflow (two's complement), the same on every replay.
  const auto sum = static_cast<std::uint64_t>(value) + static_cast<std::uint64_t>(delta);
  return std::to_string(static_cast<std::int64_t>(sum));
}

wal::Result<std::unique_ptr<KvStore>> KvStore::open(std::unique_ptr<AppLog> log,
                                                    KvOptions options) {
  std::unique_ptr<KvStore> store(new KvStore(std::move(log), options));
  WAL_RETURN_IF_ERROR(store->recover());
  return store;
}

wal::Status KvStore::recover() {
  wal::Result<std::unique_ptr<wal::Reader>> reader = log_->reader_from_checkpoint();
  if (!reader) return reader.error();
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
    if (!next) return next.error();
    if (!next->has_value()) break;
    const wal::Entry& entry = **next;
    if (entry.type == wal::EntryType::kCheckpoint) {
      WAL_RETURN_IF_ERROR(load_checkpoint(entry.payload));
      recovery_.checkpoint_lsn = entry.lsn;
      continue;
    }
    // Idempotence by LSN: what the map already reflects is never applied again.
    if (entry.lsn <= applied_lsn_) {
      ++recovery_.skipped;
      continue;
    }
    WAL_RETURN_IF_ERROR(apply_entry(entry.payload));
    // Planted bug: the entry is applied a second time (a replay that re-delivers).
    if (EXAMPLE_PLANTED_BUG("examples/kv/double-apply")) {
      WAL_RETURN_IF_ERROR(apply_entry(entry.payload));
    }
    applied_lsn_ = entry.lsn;
    ++recovery_.replayed;
  }
  return wal::Status::ok();
}

wal::Status KvStore::load_checkpoint(std::span<const std::byte> payload) {
  ByteReader in(payload);
  const std::optional<std::uint8_t> tag = in.u8();
  const std::optional<std::uint64_t> applied = in.u64();
  const std::optional<std::uint64_t> count = in.u64();
  if (!tag || *tag != kSnapshot || !applied || !count) return malformed("checkpoint header");
  std::map<std::string, std::string, std::less<>> map;
  for (std::uint64_t i = 0; i < *count; ++i) {
    std::optional<std::string> key = in.str();
    std::optional<std::string> value = in.str();
    if (!key || !value) return malformed("checkpoint item");
    map.emplace(std::move(*key), std::move(*value));
  }
  if (!in.done()) return malformed("checkpoint (trailing bytes)");
  map_ = std::move(map);
  applied_lsn_ = *applied;
  return wal::Status::ok();
}

wal::Status KvStore::apply_entry(std::span<const std::byte> entry) {
  ByteReader in(entry);
  const std::optional<std::uint8_t> tag = in.u8();
  std::optional<std::string> key = in.str();
  if (!tag || !key) return malformed("entry");
  switch (*tag) {
    case kPut: {
      std::optional<std::string> value = in.str();
      if (!value || !in.done()) return malformed("put");
      map_.insert_or_assign(std::move(*key), std::move(*value));
      return wal::Status::ok();
    }
    case kDel:
      if (!in.done()) return malformed("del");
      map_.erase(*key);
      return wal::Status::ok();
    case kAdd: {
      const std::optional<std::uint64_t> delta = in.u64();
      if (!delta || !in.done()) return malformed("add");
      auto found = map_.find(*key);
      std::optional<std::string_view> current;
      if (found != map_.end()) current = found->second;
      std::string sum = kv_add(current, static_cast<std::int64_t>(*delta));
      map_.insert_or_assign(std::move(*key), std::move(sum));
      return wal::Status::ok();
    }
    default:
      return malformed(fmt::format("entry tag {}", *tag));
  }
}

wal::Status KvStore::fail(wal::Status status) {
  if (failed_.is_ok()) {
    failed_ = wal::Status::poisoned("kv store stopped after a log error: " + status.to_string());
  }
  return status;
}

wal::Result<wal::Lsn> KvStore::mutate(std::span<const std::byte> entry) {
  if (!failed_.is_ok()) return failed_;
  wal::Result<wal::Lsn> lsn = log_->append(entry);
  if (!lsn) return fail(lsn.error());
  WAL_RETURN_IF_ERROR(apply_entry(entry));
  applied_lsn_ = *lsn;
  if (options_.checkpoint_every != 0 && ++since_checkpoint_ >= options_.checkpoint_every) {
    wal::Result<wal::Lsn> cp = checkpoint();
    if (!cp) return cp.error();
  }
  return lsn;
}

wal::Result<wal::Lsn> KvStore::put(std::string_view key, std::string_view value) {
  ByteWriter out;
  out.u8(kPut);
  out.str(key);
  out.str(value);
  return mutate(out.bytes());
}

wal::Result<wal::Lsn> KvStore::del(std::string_view key) {
  ByteWriter out;
  out.u8(kDel);
  out.str(key);
  return mutate(out.bytes());
}

wal::Result<wal::Lsn> KvStore::add(std::string_view key, std::int64_t delta) {
  ByteWriter out;
  out.u8(kAdd);
  out.str(key);
  out.u64(static_cast<std::uint64_t>(delta));
  return mutate(out.bytes());
}

std::optional<std::string> KvStore::get(std::string_view key) const {
  auto found = map_.find(key);
  if (found == map_.end()) return std::nullopt;
  return found->second;
}

wal::Result<wal::Lsn> KvStore::checkpoint() {
  if (!failed_.is_ok()) return failed_;
  ByteWriter out;
  out.u8(kSnapshot);
  out.u64(applied_lsn_);
  out.u64(map_.size());
  for (const auto& [key, value] : map_) {
    out.str(key);
    out.str(value);
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

wal::Status KvStore::sync() {
  if (!failed_.is_ok()) return failed_;
  const wal::Status status = log_->sync();
  if (!status) return fail(status);
  return status;
}

wal::Status KvStore::close() { return log_->close(); }

}  // namespace examples
