// A key-value store on the WAL: the worked example of docs/harness-api.md.
//
// Every mutation is one WAL entry (put, del, add), applied to the in-memory map once the log
// accepted it. Every `checkpoint_every` mutations the whole map is written as a WAL checkpoint
// (durable on return) and the log's front is truncated to it. Recovery = the last checkpoint,
// then a replay of every entry after it, idempotent by LSN: the checkpoint records the last LSN
// it reflects, and an entry at or below the applied LSN is skipped, never applied twice.
//
// `add` makes the value a counter (decimal; a missing or non-numeric value counts as 0). Unlike
// put and del it is not idempotent, which is what makes a replay that applies an entry twice
// visible (the planted bug "examples/kv/double-apply").
//
// Fail-stop: after any log error the store refuses every call (kPoisoned) until reopened; the
// mutation that met the error may or may not survive a crash.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <wal/status.h>
#include <wal/types.h>

#include "examples/common/app_log.h"

namespace examples {

struct KvOptions {
  std::uint64_t checkpoint_every = 64;  // mutations between automatic checkpoints; 0: never
  bool truncate_after_checkpoint = true;
};

struct KvRecoveryStats {
  wal::Lsn checkpoint_lsn = wal::kNoLsn;  // the checkpoint recovery started from
  std::uint64_t replayed = 0;             // entries applied after it
  std::uint64_t skipped = 0;              // entries at or below the applied LSN
};

class KvStore {
 public:
  [[nodiscard]] static wal::Result<std::unique_ptr<KvStore>> open(std::unique_ptr<AppLog> log,
                                                                  KvOptions options = {});

  // Each returns the mutation's LSN once the log took it (as durable as its sync policy
  // promises: log().durable_lsn() >= the LSN tells whether it is).
  [[nodiscard]] wal::Result<wal::Lsn> put(std::string_view key, std::string_view value);
  [[nodiscard]] wal::Result<wal::Lsn> del(std::string_view key);
  [[nodiscard]] wal::Result<wal::Lsn> add(std::string_view key, std::int64_t delta);

  std::optional<std::string> get(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& items() const { return map_; }

  // Writes the whole map as a checkpoint (durable on return) and truncates the log's front.
  [[nodiscard]] wal::Result<wal::Lsn> checkpoint();
  [[nodiscard]] wal::Status sync();
  [[nodiscard]] wal::Status close();

  wal::Lsn applied_lsn() const { return applied_lsn_; }
  const KvRecoveryStats& recovery() const { return recovery_; }
  AppLog& log() { return *log_; }

 private:
  KvStore(std::unique_ptr<AppLog> log, KvOptions options)
      : log_(std::move(log)), options_(options) {}
  [[nodiscard]] wal::Status recover();
  [[nodiscard]] wal::Result<wal::Lsn> mutate(std::span<const std::byte> entry);
  [[nodiscard]] wal::Status apply_entry(std::span<const std::byte> entry);
  [[nodiscard]] wal::Status load_checkpoint(std::span<const std::byte> payload);
  [[nodiscard]] wal::Status fail(wal::Status status);

  std::unique_ptr<AppLog> log_;
  KvOptions options_;
  std::map<std::string, std::string, std::less<>> map_;
  wal::Lsn applied_lsn_ = wal::kNoLsn;
  std::uint64_t since_checkpoint_ = 0;
  KvRecoveryStats recovery_;
  wal::Status failed_;
};

// The counter arithmetic of add(), shared with anyone modelling the store.
std::string kv_add(std::optional<std::string_view> current, std::int64_t delta);

}  // namespace examples
