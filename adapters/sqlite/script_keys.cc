#include "adapters/sqlite/script_keys.h"

#include <fmt/format.h>

#include "adapters/sqlite/reference_db.h"
#include "adapters/sqlite/script_checks.h"
#include "adapters/sqlite/sql_script.h"

namespace sqlite_adapter {
namespace {

using Problems = std::vector<harness::TargetKeyProblem>;

constexpr int kPasses = 2;

std::string setting(const std::map<std::string, std::string, std::less<>>& settings,
                    std::string_view key) {
  auto found = settings.find(key);
  return found == settings.end() ? std::string() : found->second;
}

// The first check that does not hold on `db`, after `where`.
Problems false_check(sqlite3* db, const std::vector<std::string>& checks, std::string_view where) {
  for (const std::string& query : checks) {
    const std::string failure = check_failure(db, query);
    if (failure.empty()) continue;
    return {{"checks", fmt::format("'sqlite.checks': `{}` {} after {}, run on an in-memory "
                                   "database: a check must hold after the set-up and after "
                                   "every transaction",
                                   query, failure, where)}};
  }
  return {};
}

// Runs the script as the target will, with checks after each step.
Problems try_out(const SqlScript& script, const std::vector<std::string>& checks) {
  wal::Result<std::unique_ptr<ReferenceDb>> reference = ReferenceDb::make();
  if (!reference) return {{"script", reference.error().message()}};
  ReferenceDb& db = **reference;
  sim::Prng choices(1);  // any values: each run draws its own, per op
  if (!script.set_up.statements.empty()) {
    if (auto failed = db.run(script.set_up, draw_inputs(script.set_up, choices, 0), true)) {
      return {{"script", fmt::format("'sqlite.script': {}:{}: the set-up, run as one "
                                     "transaction, fails: {}",
                                     script.file, failed->line, failed->message)}};
    }
  }
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const std::string problem = check_shape_problem(db.db(), checks[i]);
    if (problem.empty()) continue;
    return {{"checks", fmt::format("'sqlite.checks' [{}] `{}`: {}", i + 1, checks[i], problem)}};
  }
  Problems problems = false_check(db.db(), checks, "the set-up");
  for (int pass = 0; pass < kPasses && problems.empty(); ++pass) {
    for (std::size_t i = 0; i < script.transactions.size() && problems.empty(); ++i) {
      const SqlTransaction& txn = script.transactions[i];
      if (auto failed = db.run(txn, draw_inputs(txn, choices, 0))) {
        const std::string again = pass == 0 ? ""
                                            : ", the second time it runs (op i runs "
                                              "transaction i mod N)";
        return {{"script", fmt::format("'sqlite.script': {}:{}: the transaction fails on an "
                                       "in-memory database{}: {}",
                                       script.file, failed->line, again, failed->message)}};
      }
      problems = false_check(db.db(), checks,
                             fmt::format("the transaction at {}:{}", script.file, txn.line));
    }
  }
  return problems;
}

}  // namespace

Problems validate_script_keys(const std::map<std::string, std::string, std::less<>>& settings) {
  const std::string path = setting(settings, "script");
  const std::optional<std::vector<std::string>> checks =
      harness::decode_texts(setting(settings, "checks"));
  if (!checks) return {{"checks", "'sqlite.checks' is not a list of queries"}};
  if (path.empty()) {
    if (checks->empty()) return {};
    return {{"checks",
             "'sqlite.checks' needs 'sqlite.script': the checks are queries over the "
             "script's own tables"}};
  }
  wal::Result<SqlScript> script = load_script(path);
  if (!script) {
    return {{"script", "'sqlite.script': " + script.error().message(),
             script.error().code() == wal::Code::kNotFound}};
  }
  return try_out(*script, *checks);
}

}  // namespace sqlite_adapter
