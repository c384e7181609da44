#include "adapters/sqlite/reference_db.h"

#include <atomic>

#include <fmt/format.h>

namespace sqlite_adapter {

wal::Result<std::unique_ptr<ReferenceDb>> ReferenceDb::make() {
  // VFS names are process-wide; the name decides nothing else.
  static std::atomic<std::uint64_t> made{0};
  std::unique_ptr<ReferenceDb> reference(new ReferenceDb());
  VfsConfig config;
  config.clock = &reference->context_;
  wal::Result<std::unique_ptr<Vfs>> vfs =
      Vfs::make(fmt::format("walsim-sqlite-reference-{}", ++made), config);
  if (!vfs) return vfs.error();
  reference->vfs_ = std::move(vfs).value();
  WAL_RETURN_IF_ERROR(reference->open(0));
  return reference;
}

wal::Status ReferenceDb::open(int page_size) {
  sqlite3_close_v2(db_);
  db_ = nullptr;
  int rc = sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE, vfs_->name().c_str());
  if (rc == SQLITE_OK) rc = context_.install(db_);
  if (rc == SQLITE_OK && page_size != 0) {
    rc = sqlite3_exec(db_, fmt::format("PRAGMA page_size = {}", page_size).c_str(), nullptr,
                      nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    return wal::Status::io_error(
        fmt::format("sqlite: the reference database: {}", sqlite3_errstr(rc)));
  }
  return wal::Status::ok();
}

ReferenceDb::~ReferenceDb() { sqlite3_close_v2(db_); }

std::optional<StatementFailure> ReferenceDb::run(const SqlTransaction& txn, const TxnInputs& inputs,
                                                 bool wrap) {
  context_.begin(inputs);
  return run_transaction(db_, txn, inputs, wrap);
}

wal::Status ReferenceDb::restore_from(sqlite3* source) {
  // An in-memory database takes a copy only at its own page size, which its first write fixes:
  // a fresh one, set to the source's.
  sqlite3_stmt* statement = nullptr;
  int page_size = 0;
  if (sqlite3_prepare_v2(source, "PRAGMA page_size", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    page_size = sqlite3_column_int(statement, 0);
  }
  sqlite3_finalize(statement);
  WAL_RETURN_IF_ERROR(open(page_size));
  sqlite3_backup* backup = sqlite3_backup_init(db_, "main", source, "main");
  if (backup == nullptr) {
    return wal::Status::io_error(fmt::format("copying the database: {}", sqlite3_errmsg(db_)));
  }
  const int stepped = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
    return wal::Status::io_error(fmt::format(
        "copying the database: {}", sqlite3_errstr(stepped == SQLITE_DONE ? finished : stepped)));
  }
  return wal::Status::ok();
}

}  // namespace sqlite_adapter
