// The sqlite target's workload and oracle when a scenario gives its own SQL ([sqlite] script,
// sql_script.h, and checks, script_checks.h), in place of the generated transactions and their
// hand-written model. Each transaction runs first on the reference database (reference_db.h),
// whose contents after it (db_dump.h) are the expected state, then on the target's connection
// with the same inputs (script_exec.h). After a recovery the database must be one of those
// states (harness::match_prefix), as long a prefix as the documented rule requires, with every
// check true; then the reference becomes a copy of what was recovered, and goes on from there.
//
// Which transaction an op runs: op i runs the script's transaction i mod N (N of them), so the
// script cycles through ops = workload.ops and a shrunk op keeps its transaction; its parameters
// and random() come from the op's choices. ops = N with no read, checkpoint or reopen ops runs
// the script once, in order.
//
// An application that carries on after a failed transaction (workload.on_error = "carry-on")
// reads the database before its next op: the failed one landed whole (it stays), was rolled
// back (it leaves the history, and the reference goes back too), or neither (sqlite-atomicity
// now). Until the live database reads, no other transaction runs.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <wal/status.h>

#include "adapters/sqlite/db_dump.h"
#include "adapters/sqlite/durability_rules.h"
#include "adapters/sqlite/reference_db.h"
#include "adapters/sqlite/sql_script.h"
#include "sim/harness/target.h"

namespace sqlite_adapter {

// One run of a script transaction (or of the set-up), in commit order.
struct ScriptTxn {
  std::uint32_t op = 0;
  std::string what;        // "transaction 2 (bank.sql:7)", "the set-up (bank.sql:1)"
  bool committed = false;  // its last statement returned SQLITE_OK; false: it may have landed
  bool wrote = false;      // it changed the contents (see Txn::wrote, sqlite_model.h)
  bool settled = false;    // failed, and the live database showed what it left
  DbDump after;            // the reference database after it

  std::string describe() const;  // "op 12 (transaction 2 (bank.sql:7), committed)"
};

class ScriptOracle {
 public:
  // Loads the script; `checks` are [sqlite] checks.
  [[nodiscard]] static wal::Result<std::unique_ptr<ScriptOracle>> make(
      const std::string& path, std::vector<std::string> checks);

  // What the target's connections draw from (install it on each) and its VFS's clock.
  ScriptContext& target_context() { return target_context_; }

  // Op `op` on the target's connection `db` (the set-up first if the database has no schema):
  // `committed` is the ack of a commit. A transaction that fails on the reference database is
  // the script's error, not the store's: kFailed with a status that says so.
  harness::Applied run(const harness::Op& op, sim::Prng& choices, sqlite3* db, std::uint64_t now_us,
                       harness::Ack committed);
  // A live read: every table of `db` against the reference database (sqlite-read).
  harness::Applied read_back(sqlite3* db);
  // Before any op: settles a failed transaction the application carried on after, from the
  // live database `db` (see above). nullopt: the op may go on.
  std::optional<harness::Applied> settle(sqlite3* db);
  // The recovered database `db`, read whole into `recovered` and found sound by
  // integrity_check, as harness::Target::check; with `base_known` false (a check found it
  // corrupt before) it only becomes the state to go on from.
  std::vector<harness::Violation> check(sqlite3* db, DbDump recovered, bool power_lost,
                                        bool base_known, const DurabilityRule& rule,
                                        std::vector<std::string>& notes);
  // A recovery was corrupt: what the database holds is unknown until the next check.
  void forget() { txns_.clear(); }
  // A script error is also a note: a run with injected faults takes a failed op for the
  // store's, and would not say.
  std::vector<std::string> take_notes() { return std::exchange(notes_, {}); }

 private:
  ScriptOracle(SqlScript script, std::vector<std::string> checks,
               std::unique_ptr<ReferenceDb> reference);
  harness::Applied run_one(const SqlTransaction& txn, std::string what, const TxnInputs& inputs,
                           sqlite3* db, std::uint32_t op, harness::Ack committed);
  // The recovered state against the reference's states since the last check, and the checks.
  void judge(sqlite3* db, const DbDump& recovered, bool power_lost, const DurabilityRule& rule,
             std::vector<harness::Violation>& out, std::vector<std::string>& notes) const;
  const DbDump& expected() const { return txns_.empty() ? base_ : txns_.back().after; }
  harness::Applied script_error(std::string_view what, std::string_view problem);

  SqlScript script_;
  std::vector<std::string> checks_;
  std::unique_ptr<ReferenceDb> reference_;
  ScriptContext target_context_;
  DbDump base_;                  // the state the last check accepted
  std::vector<ScriptTxn> txns_;  // since then, in commit order
  std::vector<std::string> notes_;
};

}  // namespace sqlite_adapter
