#include "sim/harness/run_config.h"

#include <cmath>

namespace harness {
bool FaultConfig::any() const {
  for (const sim::Ratio& ratio : {fsync_eio, write_eio, write_short, read_eio, bit_flip,
                                  latent_sector, misdirected_write, read_short, close_eio}) {
    if (ratio.numerator != 0) return true;
  }
  return enospc_after_bytes != 0;
}

sim::Ratio ratio_from_probability(double probability) {
  constexpr std::uint64_t kDenominator = 1'000'000'000;
  if (!(probability > 0)) return {0, 1};
  if (probability >= 1) return {1, 1};
  return {static_cast<std::uint64_t>(std::llround(probability * kDenominator)), kDenominator};
}

Workload workload_for(const RunConfig& config, std::uint64_t seed) {
  if (config.script) {
    Workload workload;
    workload.seed = config.script->payload_seed;
    workload.writers = config.script->writers;
    return workload;
  }
  sim::Prng prng(seed);
  return make_workload(prng.next_u64(), config.workload);
}

}  // namespace harness
