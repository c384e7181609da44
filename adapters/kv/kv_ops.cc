#include "adapters/kv/kv_ops.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace kv {
namespace {

std::string letters(std::size_t size, sim::Prng& choices) {
  std::string text(size, 'a');
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (i % 8 == 0) bits = choices.next_u64();
    text[i] = static_cast<char>('a' + (bits & 0xff) % 26);
    bits >>= 8;
  }
  return text;
}

std::string key(sim::Prng& choices, const KvShape& shape, char head = 'k') {
  return fmt::format("{}{:05}", head, choices.below(static_cast<std::uint64_t>(shape.keys)));
}

std::string value(const harness::Op& op, sim::Prng& choices, const KvShape& shape) {
  const std::size_t size = shape.value_bytes != 0 ? shape.value_bytes
                           : op.entry_bytes.empty() ? 8
                                                    : op.entry_bytes.front();
  return fmt::format("op{}-", op.index) + letters(size, choices);
}

}  // namespace

KvOp kv_op(const harness::Op& op, sim::Prng& choices, const KvShape& shape) {
  KvOp out;
  KvWrite& write = out.write;
  write.op = op.index;
  switch (op.kind) {
    case harness::OpKind::kAppend:
    case harness::OpKind::kSync:
    case harness::OpKind::kCheckpoint:
      write.sync = op.kind != harness::OpKind::kAppend;
      write.changes.emplace_back(key(choices, shape), value(op, choices, shape));
      break;
    case harness::OpKind::kBatch:
      for (std::size_t i = 0; i < op.entry_bytes.size(); ++i) {
        const bool erase = choices.below(4) == 0;
        std::string k = key(choices, shape);
        write.changes.emplace_back(std::move(k), erase ? std::optional<std::string>{}
                                                       : std::optional{value(op, choices, shape)});
      }
      break;
    case harness::OpKind::kTruncate:
      write.changes.emplace_back(key(choices, shape), std::nullopt);
      break;
    case harness::OpKind::kRead:
      out.kind = KvOp::Kind::kRead;
      out.key = key(choices, shape);
      return out;
    case harness::OpKind::kReopen:
      return out;  // the harness's own
  }
  out.kind = KvOp::Kind::kWrite;
  return out;
}

KvWrite kv_ingest(const harness::Op& op, sim::Prng& choices, const KvShape& shape) {
  const std::uint64_t count =
      std::min<std::uint64_t>(1 + choices.below(8), static_cast<std::uint64_t>(shape.keys));
  std::set<std::string> keys;
  while (keys.size() < count) keys.insert(key(choices, shape, kIngestKeyHead));
  KvWrite write;
  write.op = op.index;
  write.ingest = true;
  for (const std::string& k : keys) write.changes.emplace_back(k, value(op, choices, shape));
  return write;
}

harness::Violation violation(harness::Invariant category, std::string_view engine,
                             std::string_view what, const std::string& text) {
  return {category, wal::kNoLsn, 0,
          fmt::format("{}: {}-{}: {}", harness::to_string(category), engine, what, text)};
}

std::optional<harness::Violation> judged(std::string_view engine, const ModelVerdict& verdict,
                                         std::string_view when) {
  const std::string text = verdict.detail + std::string(when);
  switch (verdict.verdict) {
    case Verdict::kOk:
      return std::nullopt;
    case Verdict::kPhantom:
      return violation(harness::Invariant::kIntegrity, engine, "phantom", text);
    case Verdict::kDurability:
      return violation(harness::Invariant::kDurability, engine, "durability", text);
    case Verdict::kPrefix:
      return violation(harness::Invariant::kPrefix, engine, "prefix", text);
  }
  return std::nullopt;
}

std::optional<harness::Violation> read_mismatch(std::string_view engine, const std::string& key,
                                                const std::optional<std::string>& have,
                                                const KvModel& model) {
  const std::optional<std::string> want = model.live(key);
  if (have == want) return std::nullopt;
  return violation(harness::Invariant::kIntegrity, engine, "read",
                   fmt::format("Get({}) returned {}, the model holds {}", key,
                               have.value_or("nothing"), want.value_or("nothing")));
}

}  // namespace kv
