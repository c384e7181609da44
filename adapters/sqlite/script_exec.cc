#include "adapters/sqlite/script_exec.h"

namespace sqlite_adapter {
namespace {

constexpr std::uint64_t kParameterBound = std::uint64_t{1} << 31;

ScriptContext& context_of(sqlite3_context* call) {
  return *static_cast<ScriptContext*>(sqlite3_user_data(call));
}

// SQLite's random(): any 64-bit integer.
void sql_random(sqlite3_context* call, int, sqlite3_value**) {
  sqlite3_result_int64(call, static_cast<sqlite3_int64>(context_of(call).next_random()));
}

// SQLite's randomblob(N): N bytes, at least one.
void sql_randomblob(sqlite3_context* call, int, sqlite3_value** args) {
  const sqlite3_int64 asked = sqlite3_value_int64(args[0]);
  if (asked > 1'000'000'000) return sqlite3_result_error_toobig(call);
  std::string bytes(static_cast<std::size_t>(asked < 1 ? 1 : asked), '\0');
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i % 8 == 0) bits = context_of(call).next_random();
    bytes[i] = static_cast<char>(bits & 0xff);
    bits >>= 8;
  }
  sqlite3_result_blob64(call, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
}

std::optional<StatementFailure> run_statement(sqlite3* db, const SqlStatement& statement,
                                              const TxnInputs& inputs) {
  sqlite3_stmt* prepared = nullptr;
  int rc = sqlite3_prepare_v2(db, statement.sql.c_str(), -1, &prepared, nullptr);
  for (int i = 1; rc == SQLITE_OK && i <= sqlite3_bind_parameter_count(prepared); ++i) {
    const char* name = sqlite3_bind_parameter_name(prepared, i);
    auto found = inputs.parameters.find(name ? name : "");
    if (found != inputs.parameters.end()) rc = sqlite3_bind_int64(prepared, i, found->second);
  }
  while (rc == SQLITE_OK && (rc = sqlite3_step(prepared)) == SQLITE_ROW) rc = SQLITE_OK;
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  std::optional<StatementFailure> failure;
  if (rc != SQLITE_OK) failure = StatementFailure{statement.line, rc, sqlite3_errmsg(db)};
  sqlite3_finalize(prepared);
  return failure;
}

}  // namespace

TxnInputs draw_inputs(const SqlTransaction& txn, sim::Prng& choices, std::uint64_t now_us) {
  TxnInputs inputs;
  inputs.random_seed = choices.next_u64();
  inputs.now_us = now_us;
  for (const std::string& name : txn.parameters) {
    inputs.parameters[name] = static_cast<std::int64_t>(choices.below(kParameterBound));
  }
  return inputs;
}

int ScriptContext::install(sqlite3* db) {
  // An application-defined function of a built-in's name and arity replaces it.
  const int rc = sqlite3_create_function_v2(db, "random", 0, SQLITE_UTF8, this, sql_random, nullptr,
                                            nullptr, nullptr);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_create_function_v2(db, "randomblob", 1, SQLITE_UTF8, this, sql_randomblob, nullptr,
                                    nullptr, nullptr);
}

void ScriptContext::begin(const TxnInputs& inputs) {
  random_ = sim::Prng(inputs.random_seed);
  now_us_ = inputs.now_us;
}

std::optional<StatementFailure> run_transaction(sqlite3* db, const SqlTransaction& txn,
                                                const TxnInputs& inputs, bool wrap) {
  std::optional<StatementFailure> failure;
  if (wrap) failure = run_statement(db, {"BEGIN", txn.line}, inputs);
  for (std::size_t i = 0; i < txn.statements.size() && !failure; ++i) {
    failure = run_statement(db, txn.statements[i], inputs);
  }
  if (wrap && !failure) failure = run_statement(db, {"COMMIT", txn.line}, inputs);
  if (failure && !sqlite3_get_autocommit(db)) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return failure;
}

}  // namespace sqlite_adapter
