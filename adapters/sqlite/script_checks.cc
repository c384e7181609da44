#include "adapters/sqlite/script_checks.h"

#include <fmt/format.h>

#include "adapters/sqlite/db_dump.h"

namespace sqlite_adapter {
namespace {

// True as a WHERE clause takes it.
bool truth(sqlite3_stmt* statement, const SqlValue& value) {
  switch (value.type) {
    case SQLITE_NULL:
      return false;
    case SQLITE_INTEGER:
      return value.integer != 0;
    case SQLITE_FLOAT:
      return value.real != 0;
    default:
      return sqlite3_column_double(statement, 0) != 0;  // a text or blob as a number
  }
}

}  // namespace

std::string check_failure(sqlite3* db, const std::string& query) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    return fmt::format("failed: {}", sqlite3_errmsg(db));
  }
  int rc = sqlite3_step(statement);
  std::string problem;
  if (rc == SQLITE_ROW) {
    const SqlValue answer = read_value(statement, 0);
    const bool holds = truth(statement, answer);
    std::uint64_t rows = 1;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) ++rows;
    if (rc != SQLITE_DONE) {
      problem = fmt::format("failed: {}", sqlite3_errmsg(db));
    } else if (rows > 1) {
      problem = fmt::format("answered {} rows", rows);
    } else if (!holds) {
      problem = fmt::format("answered {}", to_sql(answer));
    }
  } else {
    problem = rc == SQLITE_DONE ? "answered no row" : fmt::format("failed: {}", sqlite3_errmsg(db));
  }
  sqlite3_finalize(statement);
  return problem;
}

std::string check_shape_problem(sqlite3* db, const std::string& query) {
  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &statement, &tail) != SQLITE_OK) {
    return sqlite3_errmsg(db);
  }
  if (statement == nullptr) return "it holds no statement";
  std::string problem;
  sqlite3_stmt* next = nullptr;
  const int rest = sqlite3_prepare_v2(db, tail, -1, &next, nullptr);
  if (rest != SQLITE_OK || next != nullptr) {
    problem = "it holds more than one statement: a check is one query";
  } else if (sqlite3_column_count(statement) != 1) {
    problem = fmt::format("it answers {} columns: a check answers one value",
                          sqlite3_column_count(statement));
  } else if (!sqlite3_stmt_readonly(statement)) {
    problem = "it writes: a check only reads";
  }
  sqlite3_finalize(next);
  sqlite3_finalize(statement);
  return problem;
}

}  // namespace sqlite_adapter
