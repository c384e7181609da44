// The workload of one run (SPEC 4.1, scenario table [workload]): a pure function of a seed and
// the parameters, so a run can be replayed from its seed alone. Ops are drawn as one global
// sequence and dealt round-robin to the writers (op i goes to writer i % writers), so the same
// seed gives the same ops whatever the interleaving the scheduler later picks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/harness/payload.h"
#include "sim/prng.h"

namespace harness {

// The unit of Op::position_ppm (and of the probabilities drawn per op).
inline constexpr std::uint64_t kMillion = 1'000'000;

// What the application does when a call into the store fails (an injected fault): stop and
// restart, recovering as after a crash (the default, and what a fail-stop store asks for), or
// report the error and go on with its next op on the same handle (what many applications do
// with a failed transaction: an fsync error then meets the store's own error handling).
enum class OnError : std::uint8_t { kStop, kCarryOn };

std::string_view to_string(OnError on_error);  // "stop", "carry-on"
std::optional<OnError> parse_on_error(std::string_view text);

struct WorkloadConfig {
  std::uint32_t writers = 1;
  std::uint64_t ops = 200;                 // total over all writers
  std::uint32_t entry_bytes_min = 1;       // entry_bytes = [min, max], inclusive
  std::uint32_t entry_bytes_max = 1024;
  sim::Ratio batch_ratio{0, 1};            // each a probability per op; their sum <= 1
  sim::Ratio sync_ratio{0, 1};
  sim::Ratio read_ratio{0, 1};
  sim::Ratio truncate_ratio{0, 1};
  sim::Ratio reopen_ratio{0, 1};
  std::uint64_t checkpoint_every = 0;      // every Nth op (1-based) is a checkpoint; 0: none
  std::uint32_t batch_entries_max = 8;     // a batch holds [2, batch_entries_max] entries
  OnError on_error = OnError::kStop;       // not drawn: what the application does, not an op
};

enum class OpKind : std::uint8_t {
  kAppend,      // one entry
  kBatch,       // append_batch of entry_bytes.size() entries
  kSync,        // explicit sync()
  kCheckpoint,  // checkpoint(payload): durable on return
  kRead,        // read from an LSN to the durable end, checked against the oracle
  kTruncate,    // truncate_front at a point inside the durable log
  kReopen,      // clean close and reopen
};

std::string_view to_string(OpKind kind);

struct Op {
  OpKind kind = OpKind::kAppend;
  std::uint32_t writer = 0;
  std::uint32_t index = 0;                   // global op index: the payloads' PayloadId::op
  std::vector<std::uint32_t> entry_bytes;    // one size per entry (append, batch, checkpoint)
  // kRead, kTruncate: where in the durable log, in millionths of [first_lsn, durable_lsn].
  std::uint32_t position_ppm = 0;
};

struct Workload {
  std::uint64_t seed = 0;
  std::vector<std::vector<Op>> writers;  // writers[w] = writer w's ops, in order

  std::uint64_t total_ops() const;
  // The bytes of entry `part` of `op`.
  std::vector<std::byte> payload(const Op& op, std::uint32_t part) const;
};

// REQUIRES: writers >= 1, entry_bytes_min <= entry_bytes_max, ratios sum to <= 1.
Workload make_workload(std::uint64_t seed, const WorkloadConfig& config);

// Every writer's ops merged in the order they were drawn (Op::index): how one application
// thread runs the workload (the real-disk modes).
std::vector<const Op*> in_order(const Workload& workload);

}  // namespace harness
