// The sqlite target's model of its database: three tables of (integer key -> text), the
// transactions the workload committed as lists of changes, and the model's own arithmetic to
// apply them. The oracle compares what SQLite recovered with the model after each prefix of
// the transactions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sqlite_adapter {

constexpr int kTables = 3;

// (table, key) -> value: every row of t0, t1 and t2.
using DbState = std::map<std::pair<int, std::int64_t>, std::string>;

struct Change {
  enum class Kind : std::uint8_t {
    kPut,     // INSERT OR REPLACE (table, key) = value
    kAppend,  // UPDATE ... SET v = v || value WHERE k = key (nothing if absent)
    kErase,   // DELETE ... WHERE k BETWEEN key AND last
  } kind = Kind::kPut;
  int table = 0;
  std::int64_t key = 0;
  std::int64_t last = 0;  // kErase
  std::string value;      // kPut, kAppend

  // The statement, with ?1 = key, ?2 = value (kPut, kAppend) or last (kErase) to bind.
  std::string statement() const;
};

struct Txn {
  std::uint32_t op = 0;  // the workload op that ran it
  std::vector<Change> changes;
  bool committed = false;  // COMMIT returned SQLITE_OK; false: it failed (may have landed)
  bool settled = false;    // failed, and the live database showed it landed whole
  // It changed a row (sqlite3_total_changes moved). A transaction that changed nothing writes
  // no journal and no page: a power loss cannot take it back, nor does it make the one before
  // it durable.
  bool wrote = false;

  std::string describe() const;  // "op 12 (3 changes, committed)"
};

void apply_to(DbState& state, const Txn& txn);

// An application that carries on after a failed transaction does not know whether it landed
// until it reads the database again; each such open question doubles the histories a recovery
// may show. At most kMaxOpenFailures are kept open (a longer run of failures with no readable
// database between them is judged as if the earliest landed).
constexpr std::size_t kMaxOpenFailures = 6;

// The failed transactions no live read has settled, as indices into `txns` (the latest
// kMaxOpenFailures of them).
std::vector<std::size_t> open_failures(const std::vector<Txn>& txns);

// One history: `txns` without the open failures whose bit is set in `lost` (bit i: open[i]).
std::vector<Txn> history(const std::vector<Txn>& txns, const std::vector<std::size_t>& open,
                         std::uint32_t lost);

// The first difference between two states, for messages: "t1[4] = 'abc..' (model: absent)".
std::string first_difference(const DbState& got, const DbState& want);

}  // namespace sqlite_adapter
