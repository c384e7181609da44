// Running a script's transaction (sql_script.h) alike on the target's connections and on the
// reference database (reference_db.h): its named parameters bound to values drawn from the op's
// choices, random() and randomblob() drawn from a seed the transaction carries, and the clock
// SQLite's 'now' reads (the connection's VFS clock) stopped at the transaction's start. The same
// transaction on the same contents then gives the same contents on both, which is what lets the
// reference database be the oracle.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <wal/clock.h>

#include "sim/prng.h"

namespace sqlite_adapter {

struct SqlStatement {
  std::string sql;         // one statement, as the file has it
  std::uint32_t line = 0;  // of the file, where it starts
};

struct SqlTransaction {
  std::vector<SqlStatement> statements;  // BEGIN and COMMIT included when the file has them
  std::uint32_t line = 0;                // its first statement's
  std::vector<std::string> parameters;   // its parameters' names (":amount"), first use first
};

// What one run of a transaction binds and draws: the same on the target and the reference.
struct TxnInputs {
  std::map<std::string, std::int64_t, std::less<>> parameters;  // by name, each in [0, 2^31)
  std::uint64_t random_seed = 0;                                // random(), randomblob()
  std::uint64_t now_us = 0;                                     // the clock 'now' reads
};

// Draws `txn`'s inputs from the op's choices: the seed, then each parameter in order.
TxnInputs draw_inputs(const SqlTransaction& txn, sim::Prng& choices, std::uint64_t now_us);

// One process's (or the reference's) source of what SQL may draw: random() and randomblob()
// on each connection it is installed on, and the clock of the VFS it is given to as
// VfsConfig::clock. begin() sets both for the next transaction.
class ScriptContext final : public wal::Clock {
 public:
  // REQUIRES: this outlives `db` (the functions point here).
  [[nodiscard]] int install(sqlite3* db);
  void begin(const TxnInputs& inputs);
  std::uint64_t now_us() override { return now_us_; }
  std::uint64_t next_random() { return random_.next_u64(); }

 private:
  sim::Prng random_{0};
  std::uint64_t now_us_ = 0;
};

struct StatementFailure {
  std::uint32_t line = 0;  // of the statement that failed
  int rc = SQLITE_OK;
  std::string message;  // SQLite's
};

// Runs `txn` on `db` with `inputs` bound, each statement to completion, inside BEGIN ... COMMIT
// when `wrap` (the set-up). At the first failure, rolls back what is open and returns it.
std::optional<StatementFailure> run_transaction(sqlite3* db, const SqlTransaction& txn,
                                                const TxnInputs& inputs, bool wrap = false);

}  // namespace sqlite_adapter
