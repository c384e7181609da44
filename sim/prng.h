// The simulator's only source of randomness: xoshiro256** seeded through splitmix64.
// Integer-only API (no floating point, no std:: distributions, whose output differs between
// standard libraries), so one 64-bit seed gives the same run on every machine. Components take
// their own stream with fork(), so adding a random choice in one place does not shift another.
#pragma once

#include <cstdint>

#include <wal/assert.h>

namespace sim {

__extension__ typedef unsigned __int128 U128;  // GCC/Clang builtin; pedantic-clean

// A probability as a ratio of integers: 1/1000 is Ratio{1, 1000}.
struct Ratio {
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;
};

class Prng {
 public:
  explicit Prng(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t bound) {
    WAL_ASSERT(bound > 0);
    U128 m = static_cast<U128>(next_u64()) * bound;
    auto low = static_cast<std::uint64_t>(m);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<U128>(next_u64()) * bound;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Uniform in [low, high], inclusive.
  std::uint64_t range(std::uint64_t low, std::uint64_t high) {
    WAL_ASSERT(low <= high);
    if (high - low == ~std::uint64_t{0}) return next_u64();
    return low + below(high - low + 1);
  }

  bool chance(Ratio p) {
    WAL_ASSERT(p.denominator > 0);
    WAL_ASSERT(p.numerator <= p.denominator);
    if (p.numerator == 0) return false;
    return below(p.denominator) < p.numerator;
  }

  bool coin() { return (next_u64() >> 63) != 0; }

  // An independent stream for a component, derived from this one.
  Prng fork() { return Prng(next_u64()); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  std::uint64_t s_[4];
};

}  // namespace sim
