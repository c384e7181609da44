// The contents of a SQLite database as a script's oracle compares them (script_oracle.h): the
// schema (every row of sqlite_master but its root page, which depends on the page size and the
// file's history) and every row of every table, with its rowid where it has one (the next
// INSERT's rowid depends on it), each value with its type. Rows are sorted, so two databases
// with the same contents dump equal whatever their pages and query plans.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <wal/status.h>

namespace sqlite_adapter {

struct SqlValue {
  int type = SQLITE_NULL;  // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // TEXT and BLOB
  friend auto operator<=>(const SqlValue&, const SqlValue&) = default;
};

// Column `column` of `statement`'s current row.
SqlValue read_value(sqlite3_stmt* statement, int column);
// As SQL writes it, long ones cut (for messages): 42, 1.5, 'abc', X'00ff', NULL.
std::string to_sql(const SqlValue& value);

using SqlRow = std::vector<SqlValue>;

struct TableRows {
  std::string name;
  bool rowid = false;  // each row starts with its rowid
  std::vector<SqlRow> rows;
  friend bool operator==(const TableRows&, const TableRows&) = default;
};

struct DbDump {
  std::vector<SqlRow> schema;     // (type, name, tbl_name, sql) of sqlite_master, sorted
  std::vector<TableRows> tables;  // every table of the schema, by name
  std::size_t rows() const;
  friend bool operator==(const DbDump&, const DbDump&) = default;
};

// All of `db`; the error names what could not be read.
[[nodiscard]] wal::Result<DbDump> dump_database(sqlite3* db);

// The first difference, for messages: "accounts: rowid 2 = (2, 450) missing (reference: ...)".
std::string first_difference(const DbDump& got, const DbDump& want);

}  // namespace sqlite_adapter
