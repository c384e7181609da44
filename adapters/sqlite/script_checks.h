// [sqlite] checks: queries over the user's schema whose one answer must be true after every
// recovery (and on every state of the reference database). True as a WHERE clause takes it: a
// non-zero number; 0, NULL and a text that reads as 0 are false.
#pragma once

#include <sqlite3.h>

#include <string>

namespace sqlite_adapter {

// Why `query` does not hold on `db`: "" when it answers one row of one true value, else
// "answered 0", "answered 2 rows", "answered no row", or SQLite's error.
std::string check_failure(sqlite3* db, const std::string& query);

// What keeps `query` from being a check at all, on a database with the script's schema: ""
// or the problem (SQLite's error, several statements, not one column, a write).
std::string check_shape_problem(sqlite3* db, const std::string& query);

}  // namespace sqlite_adapter
