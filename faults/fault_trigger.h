// When a fault fires (SPEC 3.4): with a probability per call, on the N-th call, and/or once a
// byte budget is used up; all from the decorator's own forked PRNG, so a run is a function of
// its seed. One trigger counts the calls of one op kind of one decorator.
#pragma once

#include <cstdint>

#include "sim/prng.h"

namespace faults {

struct TriggerSpec {
  sim::Ratio probability{0, 1};   // per call
  std::uint64_t nth_call = 0;     // fire on exactly this call, 1-based (0: off)
  std::uint64_t after_bytes = 0;  // fire on every call once the bytes of the calls so far,
                                  // this one included, exceed this (0: off)

  static TriggerSpec on_call(std::uint64_t n) { return {{0, 1}, n, 0}; }
  static TriggerSpec with_probability(sim::Ratio p) { return {p, 0, 0}; }
  static TriggerSpec after(std::uint64_t bytes) { return {{0, 1}, 0, bytes}; }
};

class Trigger {
 public:
  Trigger(TriggerSpec spec, sim::Prng prng) : spec_(spec), prng_(prng) {}

  // Counts one call carrying `bytes` and says whether the fault fires on it.
  bool fire(std::uint64_t bytes = 0) {
    ++calls_;
    bytes_ += bytes;
    // Draw every time, so whether the schedule fired does not shift the random stream.
    const bool by_chance = prng_.chance(spec_.probability);
    const bool fired = by_chance || (spec_.nth_call != 0 && calls_ == spec_.nth_call) ||
                       (spec_.after_bytes != 0 && bytes_ > spec_.after_bytes);
    fired_ += fired ? 1 : 0;
    return fired;
  }

  // Takes back the bytes of a call that did not happen (a refused write uses no space).
  void refund(std::uint64_t bytes) { bytes_ -= bytes; }
  // What is left of the byte budget (after_bytes), and taking some of it without a call: a
  // write that ran out of space still used the room it found.
  std::uint64_t room() const { return spec_.after_bytes > bytes_ ? spec_.after_bytes - bytes_ : 0; }
  void take(std::uint64_t bytes) { bytes_ += bytes; }

  std::uint64_t calls() const { return calls_; }
  std::uint64_t fired() const { return fired_; }

 private:
  TriggerSpec spec_;
  sim::Prng prng_;
  std::uint64_t calls_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t fired_ = 0;
};

}  // namespace faults
