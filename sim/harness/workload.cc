#include "sim/harness/workload.h"

#include <algorithm>

#include <wal/assert.h>


namespace harness {
namespace {


std::uint64_t ppm(sim::Ratio ratio) {
  WAL_ASSERT(ratio.denominator > 0);
  WAL_ASSERT(ratio.numerator <= ratio.denominator);
  return static_cast<std::uint64_t>(static_cast<sim::U128>(ratio.numerator) * kMillion /
                                    ratio.denominator);
}

OpKind draw_kind(sim::Prng& prng, const WorkloadConfig& config) {
  // Cumulative thresholds over one draw, so each ratio is the probability of its kind.
  const std::pair<sim::Ratio, OpKind> table[] = {
      {config.batch_ratio, OpKind::kBatch},       {config.sync_ratio, OpKind::kSync},
      {config.read_ratio, OpKind::kRead},         {config.truncate_ratio, OpKind::kTruncate},
      {config.reopen_ratio, OpKind::kReopen},
  };
  const std::uint64_t draw = prng.below(kMillion);
  std::uint64_t threshold = 0;
  for (const auto& [ratio, kind] : table) {
    threshold += ppm(ratio);
    if (draw < threshold) return kind;
  }
  WAL_ASSERT(threshold <= kMillion);
  return OpKind::kAppend;
}

std::uint32_t draw_size(sim::Prng& prng, const WorkloadConfig& config) {
  return static_cast<std::uint32_t>(prng.range(config.entry_bytes_min, config.entry_bytes_max));
}

}  // namespace

std::string_view to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend: return "append";
    case OpKind::kBatch: return "batch";
    case OpKind::kSync: return "sync";
    case OpKind::kCheckpoint: return "checkpoint";
    case OpKind::kRead: return "read";
    case OpKind::kTruncate: return "truncate";
    case OpKind::kReopen: return "reopen";
  }
  return "?";
}

std::string_view to_string(OnError on_error) {
  return on_error == OnError::kCarryOn ? "carry-on" : "stop";
}

std::optional<OnError> parse_on_error(std::string_view text) {
  if (text == "stop") return OnError::kStop;
  if (text == "carry-on") return OnError::kCarryOn;
  return std::nullopt;
}

std::uint64_t Workload::total_ops() const {
  std::uint64_t total = 0;
  for (const std::vector<Op>& ops : writers) total += ops.size();
  return total;
}

std::vector<std::byte> Workload::payload(const Op& op, std::uint32_t part) const {
  WAL_ASSERT(part < op.entry_bytes.size());
  return make_payload(seed, PayloadId{op.writer, op.index, part}, op.entry_bytes[part]);
}

Workload make_workload(std::uint64_t seed, const WorkloadConfig& config) {
  WAL_ASSERT(config.writers >= 1);
  WAL_ASSERT(config.entry_bytes_min <= config.entry_bytes_max);
  WAL_ASSERT(config.batch_entries_max >= 2);
  sim::Prng prng(seed);
  Workload workload;
  workload.seed = seed;
  workload.writers.resize(config.writers);
  for (std::uint64_t i = 0; i < config.ops; ++i) {
    Op op;
    op.index = static_cast<std::uint32_t>(i);
    op.writer = static_cast<std::uint32_t>(i % config.writers);
    const bool checkpoint = config.checkpoint_every > 0 && (i + 1) % config.checkpoint_every == 0;
    op.kind = checkpoint ? OpKind::kCheckpoint : draw_kind(prng, config);
    switch (op.kind) {
      case OpKind::kAppend:
      case OpKind::kCheckpoint:
        op.entry_bytes.push_back(draw_size(prng, config));
        break;
      case OpKind::kBatch: {
        const std::uint64_t count = prng.range(2, config.batch_entries_max);
        for (std::uint64_t e = 0; e < count; ++e) op.entry_bytes.push_back(draw_size(prng, config));
        break;
      }
      case OpKind::kRead:
      case OpKind::kTruncate:
        op.position_ppm = static_cast<std::uint32_t>(prng.below(kMillion));
        break;
      case OpKind::kSync:
      case OpKind::kReopen:
        break;
    }
    workload.writers[op.writer].push_back(std::move(op));
  }
  return workload;
}

std::vector<const Op*> in_order(const Workload& workload) {
  std::vector<const Op*> ops;
  for (const std::vector<Op>& writer : workload.writers) {
    for (const Op& op : writer) ops.push_back(&op);
  }
  std::sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) { return a->index < b->index; });
  return ops;
}

}  // namespace harness
