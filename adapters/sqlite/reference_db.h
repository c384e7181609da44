// SQLite in memory and without faults: where a script's transactions run first, to give the
// expected state after each (script_oracle.h), and where a scenario's script is tried out when
// it is read (sql_script.h). It runs on an in-memory VFS of its own whose clock is its
// ScriptContext, so random(), randomblob() and 'now' answer what the target's connections do.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>

#include <wal/status.h>

#include "adapters/sqlite/script_exec.h"
#include "adapters/sqlite/vfs.h"

namespace sqlite_adapter {

class ReferenceDb {
 public:
  [[nodiscard]] static wal::Result<std::unique_ptr<ReferenceDb>> make();
  ~ReferenceDb();
  ReferenceDb(const ReferenceDb&) = delete;
  ReferenceDb& operator=(const ReferenceDb&) = delete;

  sqlite3* db() const { return db_; }

  // Runs `txn` with `inputs` (run_transaction); on failure nothing of it stays.
  std::optional<StatementFailure> run(const SqlTransaction& txn, const TxnInputs& inputs,
                                      bool wrap = false);

  // Becomes a copy of `source`'s main database (SQLite's backup API): the state a recovery
  // came back with, from which the next transactions go on.
  [[nodiscard]] wal::Status restore_from(sqlite3* source);

 private:
  ReferenceDb() = default;
  // A new, empty database in place of the one open (page_size 0: SQLite's default).
  [[nodiscard]] wal::Status open(int page_size);
  ScriptContext context_;  // outlives db_: its functions and its VFS's clock point here
  std::unique_ptr<Vfs> vfs_;
  sqlite3* db_ = nullptr;
};

}  // namespace sqlite_adapter
