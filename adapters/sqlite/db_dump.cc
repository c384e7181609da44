#include "adapters/sqlite/db_dump.h"

#include <algorithm>

#include <fmt/format.h>

namespace sqlite_adapter {
namespace {

constexpr std::size_t kShownBytes = 24;

std::string quoted_name(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Every row `sql` answers, sorted; the error is SQLite's message.
wal::Result<std::vector<SqlRow>> read_rows(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    return wal::Status::io_error(sqlite3_errmsg(db));
  }
  std::vector<SqlRow> rows;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    SqlRow& row = rows.emplace_back();
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      row.push_back(read_value(statement, c));
    }
  }
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) return wal::Status::io_error(sqlite3_errmsg(db));
  std::sort(rows.begin(), rows.end());
  return rows;
}

// A table's rows, with the rowid first when it has one (WITHOUT ROWID tables do not).
wal::Result<TableRows> read_table(sqlite3* db, const std::string& name) {
  TableRows table{name, true, {}};
  wal::Result<std::vector<SqlRow>> rows =
      read_rows(db, fmt::format("SELECT rowid, * FROM {}", quoted_name(name)));
  if (!rows) {
    table.rowid = false;
    rows = read_rows(db, fmt::format("SELECT * FROM {}", quoted_name(name)));
  }
  if (!rows)
    return wal::Status::io_error(fmt::format("reading {}: {}", name, rows.error().message()));
  table.rows = std::move(rows).value();
  return table;
}

std::string row_text(const SqlRow& row, bool rowid) {
  std::string values;
  for (std::size_t i = rowid ? 1 : 0; i < row.size(); ++i) {
    values += (values.empty() ? "" : ", ") + to_sql(row[i]);
  }
  if (rowid && !row.empty()) return fmt::format("rowid {} = ({})", to_sql(row[0]), values);
  return "(" + values + ")";
}

// The first row of `a` that `b` lacks (both sorted).
const SqlRow* first_missing(const std::vector<SqlRow>& a, const std::vector<SqlRow>& b) {
  for (const SqlRow& row : a) {
    if (!std::binary_search(b.begin(), b.end(), row)) return &row;
  }
  return nullptr;
}

}  // namespace

SqlValue read_value(sqlite3_stmt* statement, int column) {
  SqlValue value;
  value.type = sqlite3_column_type(statement, column);
  switch (value.type) {
    case SQLITE_INTEGER:
      value.integer = sqlite3_column_int64(statement, column);
      break;
    case SQLITE_FLOAT:
      value.real = sqlite3_column_double(statement, column);
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
      const int size = sqlite3_column_bytes(statement, column);
      if (data != nullptr) value.bytes.assign(data, static_cast<std::size_t>(size));
      break;
    }
    default:
      break;
  }
  return value;
}

std::string to_sql(const SqlValue& value) {
  const std::string_view shown = std::string_view(value.bytes).substr(0, kShownBytes);
  const std::string_view more = value.bytes.size() > kShownBytes ? ".." : "";
  switch (value.type) {
    case SQLITE_INTEGER:
      return std::to_string(value.integer);
    case SQLITE_FLOAT:
      return fmt::format("{}", value.real);
    case SQLITE_TEXT:
      return fmt::format("'{}{}'", shown, more);
    case SQLITE_BLOB: {
      std::string hex;
      for (const char byte : shown) hex += fmt::format("{:02x}", static_cast<unsigned char>(byte));
      return fmt::format("X'{}{}'", hex, more);
    }
    default:
      return "NULL";
  }
}

std::size_t DbDump::rows() const {
  std::size_t count = 0;
  for (const TableRows& table : tables) count += table.rows.size();
  return count;
}

wal::Result<DbDump> dump_database(sqlite3* db) {
  DbDump dump;
  wal::Result<std::vector<SqlRow>> schema =
      read_rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master");
  if (!schema) return wal::Status::io_error("reading the schema: " + schema.error().message());
  dump.schema = std::move(schema).value();
  for (const SqlRow& entry : dump.schema) {
    if (entry[0].bytes != "table") continue;
    wal::Result<TableRows> table = read_table(db, entry[1].bytes);
    if (!table) return table.error();
    dump.tables.push_back(std::move(table).value());
  }
  std::sort(dump.tables.begin(), dump.tables.end(),
            [](const TableRows& a, const TableRows& b) { return a.name < b.name; });
  return dump;
}

std::string first_difference(const DbDump& got, const DbDump& want) {
  if (const SqlRow* entry = first_missing(want.schema, got.schema)) {
    return fmt::format("schema: {} {} missing", (*entry)[0].bytes, (*entry)[1].bytes);
  }
  if (const SqlRow* entry = first_missing(got.schema, want.schema)) {
    return fmt::format("schema: {} {} (reference: absent)", (*entry)[0].bytes, (*entry)[1].bytes);
  }
  for (const TableRows& wanted : want.tables) {
    auto found = std::find_if(got.tables.begin(), got.tables.end(),
                              [&](const TableRows& t) { return t.name == wanted.name; });
    if (found == got.tables.end()) return fmt::format("table {} missing", wanted.name);
    if (const SqlRow* row = first_missing(wanted.rows, found->rows)) {
      return fmt::format("{}: {} missing ({} rows, reference: {})", wanted.name,
                         row_text(*row, wanted.rowid), found->rows.size(), wanted.rows.size());
    }
    if (const SqlRow* row = first_missing(found->rows, wanted.rows)) {
      return fmt::format("{}: {} (reference: absent)", wanted.name, row_text(*row, found->rowid));
    }
  }
  return "none";
}

}  // namespace sqlite_adapter
