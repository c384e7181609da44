// A user's own workload for the sqlite target ([sqlite] script): a SQL file, cut into
// statements by SQLite itself (sqlite3_prepare_v2's tail) and grouped as SQLite runs them,
// when the file runs once, in order, on an in-memory database:
//   the set-up        the statements before the first transaction; the target runs them as one
//                     transaction whenever the database has no schema (a new database, or one
//                     whose set-up a power loss took back)
//   the transactions  from the first BEGIN (or SAVEPOINT) on: BEGIN ... COMMIT (END, RELEASE)
//                     is one transaction, and a statement outside one is a transaction of its own
// A transaction's ends are where SQLite's autocommit flag goes off and comes back on, so what
// SQLite takes for a transaction is one here; one that ends in ROLLBACK is refused. So are
// PRAGMA (the [sqlite] table sets the database's; a connection's would not outlive a reopen),
// ATTACH and DETACH (the oracle reads the main database), and a parameter without a name.
#pragma once

#include <string>
#include <vector>

#include <wal/status.h>

#include "adapters/sqlite/script_exec.h"

namespace sqlite_adapter {

struct SqlScript {
  std::string file;       // as the scenario named it, resolved
  SqlTransaction set_up;  // no statements: none
  std::vector<SqlTransaction> transactions;
};

// Reads and groups `path`. An error's message names the file and line and gives SQLite's own
// words ("bank.sql:7: near "UPDAT": syntax error"); a file that cannot be read is not_found.
[[nodiscard]] wal::Result<SqlScript> load_script(const std::string& path);

}  // namespace sqlite_adapter
