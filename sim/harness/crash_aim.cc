#include "sim/harness/crash_aim.h"

#include <algorithm>

#include "sim/prng.h"

namespace harness {
namespace {

// Keeps the aim's draws apart from the run's own streams, which the same seed drives.
constexpr std::uint64_t kAimStream = 0x494e'5349'4445'4f50ull;  // "INSIDEOP"

// Candidate Fs operations of one op.
struct Candidate {
  OpKind kind;
  std::uint64_t operation;
};

}  // namespace

CrashAt aim_inside_op(const OpSurvey& survey, std::uint64_t seed) {
  sim::Prng prng(seed ^ kAimStream);
  std::vector<Candidate> at_barriers;
  std::vector<Candidate> anywhere;
  for (const OpSurvey::Span& op : survey.ops) {
    if (op.last < op.first) continue;
    for (std::uint64_t n = op.first; n <= op.last; ++n) {
      anywhere.push_back({op.kind, n});
      if (survey.barrier(n)) at_barriers.push_back({op.kind, n});
    }
  }
  const std::vector<Candidate>& pool = at_barriers.empty() ? anywhere : at_barriers;
  if (pool.empty()) return CrashAt{CrashAt::Kind::kOp, prng.below(survey.ops.size() + 1)};
  // The kind first, so that a rare op weighs as much as the many appends.
  std::vector<OpKind> kinds;
  for (const Candidate& c : pool) {
    if (std::find(kinds.begin(), kinds.end(), c.kind) == kinds.end()) kinds.push_back(c.kind);
  }
  std::sort(kinds.begin(), kinds.end());
  const OpKind kind = kinds[prng.below(kinds.size())];
  std::vector<std::uint64_t> of_kind;
  for (const Candidate& c : pool) {
    if (c.kind == kind) of_kind.push_back(c.operation);
  }
  // Just before that operation: the first N = operation - 1 go through.
  return CrashAt{CrashAt::Kind::kFsOp, of_kind[prng.below(of_kind.size())] - 1};
}

}  // namespace harness
