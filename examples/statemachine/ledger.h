// A replicated state machine's log, the third use of the WAL: "ledger", a bank of accounts whose
// state changes only by commands (transfers) applied in LSN order once durable, the way a Raft
// follower applies committed entries. A snapshot of the state, tagged with the LSN of the last
// command it contains, is written as a checkpoint entry; recovery restores the newest snapshot
// and replays the commands after that LSN. Replay is idempotent: a command at or below the
// applied LSN is skipped, so replaying from anywhere before gives the same state.
//
// Note the gap a snapshot leaves: commands are applied when durable, so at snapshot time the
// log may hold newer commands not yet applied (proposed, not synced). They lie before the
// checkpoint entry but after the snapshot's LSN; recovery must replay from the snapshot's LSN,
// not from where the checkpoint entry lies.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include <wal/types.h>

namespace ledger {

inline constexpr std::size_t kAccounts = 4;
inline constexpr std::int64_t kOpening = 1000;  // every account's opening balance

struct Transfer {
  std::uint8_t from = 0;
  std::uint8_t to = 0;
  std::uint32_t amount = 0;
};

struct State {
  std::array<std::int64_t, kAccounts> balances{kOpening, kOpening, kOpening, kOpening};
  wal::Lsn applied = wal::kNoLsn;  // LSN of the last command applied

  // Applies the command at `lsn` unless it is already in (idempotent replay). A transfer the
  // source cannot cover is a no-op, decided the same way on every replica.
  void apply(wal::Lsn lsn, const Transfer& t) {
    if (lsn <= applied) return;
    applied = lsn;
    if (t.from >= kAccounts || t.to >= kAccounts || balances[t.from] < t.amount) return;
    balances[t.from] -= t.amount;
    balances[t.to] += t.amount;
  }
  std::int64_t total() const {
    std::int64_t sum = 0;
    for (std::int64_t b : balances) sum += b;
    return sum;
  }
  friend bool operator==(const State&, const State&) = default;
};

// Entries: 'T' from to amount (7 bytes) for a command, 'S' applied balances... for a snapshot.
inline std::vector<std::byte> encode(const Transfer& t) {
  std::vector<std::byte> out(7);
  out[0] = std::byte{'T'};
  out[1] = std::byte{t.from};
  out[2] = std::byte{t.to};
  std::memcpy(out.data() + 3, &t.amount, sizeof(t.amount));
  return out;
}
inline std::vector<std::byte> encode(const State& s) {
  std::vector<std::byte> out(1 + sizeof(s.applied) + sizeof(s.balances));
  out[0] = std::byte{'S'};
  std::memcpy(out.data() + 1, &s.applied, sizeof(s.applied));
  std::memcpy(out.data() + 1 + sizeof(s.applied), s.balances.data(), sizeof(s.balances));
  return out;
}
// Whatever the bytes, a value or nullopt: a log entry is never trusted to be well formed.
inline std::optional<Transfer> decode_transfer(std::span<const std::byte> in) {
  if (in.size() != 7 || in[0] != std::byte{'T'}) return std::nullopt;
  Transfer t;
  t.from = static_cast<std::uint8_t>(in[1]);
  t.to = static_cast<std::uint8_t>(in[2]);
  std::memcpy(&t.amount, in.data() + 3, sizeof(t.amount));
  return t;
}
inline std::optional<State> decode_snapshot(std::span<const std::byte> in) {
  State s;
  if (in.size() != 1 + sizeof(s.applied) + sizeof(s.balances) || in[0] != std::byte{'S'}) {
    return std::nullopt;
  }
  std::memcpy(&s.applied, in.data() + 1, sizeof(s.applied));
  std::memcpy(s.balances.data(), in.data() + 1 + sizeof(s.applied), sizeof(s.balances));
  return s;
}

}  // namespace ledger
