#include "adapters/sqlite/sql_script.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "adapters/sqlite/reference_db.h"

namespace sqlite_adapter {
namespace {

wal::Status script_error(const std::string& path, std::uint32_t line, std::string_view what) {
  return wal::Status::invalid_argument(fmt::format("{}:{}: {}", path, line, what));
}

std::uint32_t line_at(std::string_view text, std::size_t offset) {
  const auto end = text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size()));
  return 1 + static_cast<std::uint32_t>(std::count(text.begin(), end, '\n'));
}

// Where the next statement starts, past blanks and comments: for its line number only (SQLite
// itself cuts the statements).
std::size_t first_token(std::string_view text, std::size_t at) {
  while (at < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[at])) != 0) {
      ++at;
    } else if (text.substr(at, 2) == "--") {
      at = text.find('\n', at);
    } else if (text.substr(at, 2) == "/*") {
      at = text.find("*/", at + 2);
      if (at != std::string_view::npos) at += 2;
    } else {
      break;
    }
  }
  return std::min(at, text.size());
}

// What a script may not do, refused when SQLite compiles it; `data` gets the reason.
int refuse(void* data, int action, const char*, const char*, const char*, const char*) {
  auto* reason = static_cast<std::string*>(data);
  if (action == SQLITE_PRAGMA) {
    *reason =
        "PRAGMA is not for a script: the [sqlite] table sets the database's pragmas, and "
        "a connection's would not outlive a reopen";
    return SQLITE_DENY;
  }
  if (action == SQLITE_ATTACH || action == SQLITE_DETACH) {
    *reason = "ATTACH and DETACH are not for a script: the oracle reads the main database only";
    return SQLITE_DENY;
  }
  return SQLITE_OK;
}

void note_rollback(void* data) { *static_cast<bool*>(data) = true; }

// The groups, statement by statement, from the autocommit flag before and after each.
class Grouper {
 public:
  explicit Grouper(std::string path) { script_.file = std::move(path); }

  // "" or what is wrong with the statement where it stands.
  std::string add(SqlStatement statement, const std::vector<std::string>& names, bool before,
                  bool after, bool rolled_back) {
    const bool begins = before && !after;
    if (!begins && !open_ && !in_transactions_) {
      append(script_.set_up, std::move(statement), names);
      return "";
    }
    in_transactions_ = true;
    if (begins) open_ = SqlTransaction{{}, statement.line, {}};
    if (!open_) {
      SqlTransaction& alone = script_.transactions.emplace_back();
      alone.line = statement.line;
      append(alone, std::move(statement), names);
      return "";
    }
    append(*open_, std::move(statement), names);
    if (after) {  // it ended
      if (rolled_back) {
        return fmt::format(
            "the transaction begun at line {} ends in ROLLBACK: a script's "
            "transactions commit (leave out one that changes nothing)",
            open_->line);
      }
      script_.transactions.push_back(std::move(*open_));
      open_.reset();
    }
    return "";
  }

  bool in_transactions() const { return in_transactions_; }
  const std::optional<SqlTransaction>& open() const { return open_; }
  SqlScript take() { return std::move(script_); }
  const SqlScript& script() const { return script_; }

 private:
  static void append(SqlTransaction& txn, SqlStatement statement,
                     const std::vector<std::string>& names) {
    if (txn.statements.empty()) txn.line = statement.line;
    txn.statements.push_back(std::move(statement));
    for (const std::string& name : names) {
      if (std::find(txn.parameters.begin(), txn.parameters.end(), name) == txn.parameters.end()) {
        txn.parameters.push_back(name);
      }
    }
  }

  SqlScript script_;
  std::optional<SqlTransaction> open_;
  bool in_transactions_ = false;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::int64_t schema_size(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &statement, nullptr);
  const std::int64_t size =
      sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : 0;
  sqlite3_finalize(statement);
  return size;
}

// Runs the file once, statement by statement, on `db`, grouping as it goes.
class Loader {
 public:
  Loader(std::string path, std::string text, sqlite3* db)
      : path_(std::move(path)), text_(std::move(text)), db_(db), grouper_(path_) {
    sqlite3_set_authorizer(db_, refuse, &refused_);
    sqlite3_rollback_hook(db_, note_rollback, &rolled_back_);
  }
  // The hooks point into this object, and the connection outlives it: closing it with a
  // transaction a bad script left open runs the rollback hook (ASan: stack-use-after-scope).
  ~Loader() {
    sqlite3_rollback_hook(db_, nullptr, nullptr);
    sqlite3_set_authorizer(db_, nullptr, nullptr);
  }
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  wal::Result<SqlScript> run() {
    for (std::size_t at = first_token(text_, 0); at < text_.size();) {
      WAL_RETURN_IF_ERROR(next(at));
    }
    if (grouper_.open()) {
      return script_error(path_, grouper_.open()->line, "this transaction has no COMMIT");
    }
    if (grouper_.script().transactions.empty()) {
      return script_error(path_, line_at(text_, text_.size()),
                          "no transaction: the statements before the first BEGIN are the set-up, "
                          "the transactions start there");
    }
    return grouper_.take();
  }

 private:
  // Prepares, runs and groups the statement at `at`, and moves `at` past it.
  wal::Status next(std::size_t& at) {
    const std::uint32_t line = line_at(text_, at);
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, text_.c_str() + at, static_cast<int>(text_.size() - at),
                           &statement, &tail) != SQLITE_OK) {
      const int offset = sqlite3_error_offset(db_);
      return script_error(
          path_, offset < 0 ? line : line_at(text_, at + static_cast<std::size_t>(offset)),
          refused_.empty() ? sqlite3_errmsg(db_) : refused_);
    }
    const auto end = static_cast<std::size_t>(tail - text_.c_str());
    const std::size_t start = at;
    at = first_token(text_, std::max(end, at + 1));
    if (statement == nullptr) return wal::Status::ok();  // an empty statement (";")
    std::vector<std::string> names;
    const bool before = sqlite3_get_autocommit(db_) != 0;
    if (before) rolled_back_ = false;
    wal::Status ran = bind(statement, line, names);
    int rc = SQLITE_ROW;
    while (ran && (rc = sqlite3_step(statement)) == SQLITE_ROW) continue;
    sqlite3_finalize(statement);
    WAL_RETURN_IF_ERROR(ran);
    if (rc != SQLITE_DONE) return script_error(path_, line, sqlite3_errmsg(db_));
    const bool after = sqlite3_get_autocommit(db_) != 0;
    if (!grouper_.in_transactions() && before && !after &&
        !grouper_.script().set_up.statements.empty() && schema_size(db_) == 0) {
      return script_error(path_, grouper_.script().set_up.line,
                          "the set-up makes no table: it runs whenever the database has no "
                          "schema, so it must make one");
    }
    SqlStatement cut{text_.substr(start, end - start), line};
    const std::string problem = grouper_.add(std::move(cut), names, before, after, rolled_back_);
    return problem.empty() ? wal::Status::ok() : script_error(path_, line, problem);
  }

  // Binds each parameter (any value will do: the file runs once to be grouped); its names.
  wal::Status bind(sqlite3_stmt* statement, std::uint32_t line, std::vector<std::string>& names) {
    for (int i = 1; i <= sqlite3_bind_parameter_count(statement); ++i) {
      const char* name = sqlite3_bind_parameter_name(statement, i);
      if (name == nullptr) {
        return script_error(path_, line,
                            "a parameter without a name ('?'): write :name (each run of a "
                            "transaction binds a value drawn for the name)");
      }
      names.push_back(name);
      sqlite3_bind_int64(statement, i, 0);
    }
    return wal::Status::ok();
  }

  std::string path_;
  std::string text_;
  sqlite3* db_;
  Grouper grouper_;
  std::string refused_;  // why the authorizer refused the statement being prepared
  bool rolled_back_ = false;
};

}  // namespace

wal::Result<SqlScript> load_script(const std::string& path) {
  std::optional<std::string> text = read_file(path);
  if (!text) {
    return wal::Status::not_found(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  wal::Result<std::unique_ptr<ReferenceDb>> reference = ReferenceDb::make();
  if (!reference) return reference.error();
  return Loader(path, std::move(*text), (*reference)->db()).run();
}

}  // namespace sqlite_adapter
