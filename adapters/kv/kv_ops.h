// The generic workload's ops (sim/harness/workload.h) as a key-value engine's writes and reads,
// for every engine target (leveldb, rocksdb): one mapping and one order of PRNG draws, so that a
// seed asks the same of each engine and a shrunk script keeps each kept op's keys and values.
//   append        a put          sync        a sync put     checkpoint   a sync put
//   batch         one write batch of entry_bytes.size() puts and deletes (1 in 4 a delete)
//   truncate      a delete       read        a get          reopen       nothing (the harness's)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/kv/kv_model.h"
#include "sim/harness/invariants.h"
#include "sim/harness/workload.h"
#include "sim/prng.h"

namespace kv {

// The store's key space and value size ([<engine>] keys, value_bytes; 0: the op's own size).
struct KvShape {
  std::int64_t keys = 512;
  std::size_t value_bytes = 100;
};

struct KvOp {
  enum class Kind : std::uint8_t { kWrite, kRead, kNone };
  Kind kind = Kind::kNone;
  KvWrite write;    // kWrite
  std::string key;  // kRead
};

KvOp kv_op(const harness::Op& op, sim::Prng& choices, const KvShape& shape);
// An ingest (the rocksdb target's ingest op, kv_model.h): 1 to 8 distinct keys of the ingest
// key space ("i00000".., shape.keys of them), in key order as a table file holds them, each
// put a value as kv_op's are.
KvWrite kv_ingest(const harness::Op& op, sim::Prng& choices, const KvShape& shape);

// The engine's violation "<engine>-<what>" (open, durability, prefix, phantom, read): one
// wording for every engine target.
harness::Violation violation(harness::Invariant category, std::string_view engine,
                             std::string_view what, const std::string& text);
// The model's verdict on a recovery (KvModel::judge) as the engine's violation; none for kOk.
// `when` qualifies it (" (clean reopen: nothing may be lost)", or empty).
std::optional<harness::Violation> judged(std::string_view engine, const ModelVerdict& verdict,
                                         std::string_view when);
// A live Get that returned `have` where the model holds another value.
std::optional<harness::Violation> read_mismatch(std::string_view engine, const std::string& key,
                                                const std::optional<std::string>& have,
                                                const KvModel& model);

}  // namespace kv
