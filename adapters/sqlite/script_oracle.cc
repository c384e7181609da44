#include "adapters/sqlite/script_oracle.h"

#include <filesystem>

#include <fmt/format.h>

#include "adapters/sqlite/recovery_verdict.h"
#include "adapters/sqlite/script_checks.h"
#include "sim/harness/prefix_match.h"

namespace sqlite_adapter {

std::string ScriptTxn::describe() const {
  return fmt::format("op {} ({}, {})", op, what, committed ? "committed" : "failed");
}

wal::Result<std::unique_ptr<ScriptOracle>> ScriptOracle::make(const std::string& path,
                                                              std::vector<std::string> checks) {
  wal::Result<SqlScript> script = load_script(path);
  if (!script) return script.error();
  wal::Result<std::unique_ptr<ReferenceDb>> reference = ReferenceDb::make();
  if (!reference) return reference.error();
  return std::unique_ptr<ScriptOracle>(
      new ScriptOracle(std::move(script).value(), std::move(checks), std::move(reference).value()));
}

ScriptOracle::ScriptOracle(SqlScript script, std::vector<std::string> checks,
                           std::unique_ptr<ReferenceDb> reference)
    : script_(std::move(script)), checks_(std::move(checks)), reference_(std::move(reference)) {}

harness::Applied ScriptOracle::run(const harness::Op& op, sim::Prng& choices, sqlite3* db,
                                   std::uint64_t now_us, harness::Ack committed) {
  const std::string file = std::filesystem::path(script_.file).filename().string();
  if (expected().schema.empty() && !script_.set_up.statements.empty()) {
    const TxnInputs inputs = draw_inputs(script_.set_up, choices, now_us);
    harness::Applied applied =
        run_one(script_.set_up, fmt::format("the set-up at {}:{}", file, script_.set_up.line),
                inputs, db, op.index, committed);
    if (applied.ack == harness::Ack::kFailed) return applied;
  }
  const SqlTransaction& txn = script_.transactions[op.index % script_.transactions.size()];
  return run_one(txn, fmt::format("transaction at {}:{}", file, txn.line),
                 draw_inputs(txn, choices, now_us), db, op.index, committed);
}

harness::Applied ScriptOracle::run_one(const SqlTransaction& txn, std::string what,
                                       const TxnInputs& inputs, sqlite3* db, std::uint32_t op,
                                       harness::Ack committed) {
  const bool wrap = &txn == &script_.set_up;  // the set-up is one transaction
  if (std::optional<StatementFailure> failed = reference_->run(txn, inputs, wrap)) {
    return script_error(what, fmt::format("fails on the reference database at line {}: {}",
                                          failed->line, failed->message));
  }
  for (const std::string& query : checks_) {
    const std::string problem = check_failure(reference_->db(), query);
    if (problem.empty()) continue;
    return script_error(what, fmt::format("leaves check `{}` false on the reference database "
                                          "({}): a check must hold after the set-up and after "
                                          "every transaction",
                                          query, problem));
  }
  wal::Result<DbDump> after = dump_database(reference_->db());
  if (!after)
    return script_error(what,
                        "leaves the reference database unreadable: " + after.error().message());
  const bool wrote = *after != expected();
  txns_.push_back({op, std::move(what), false, wrote, false, std::move(after).value()});
  // From here it may land whatever the target's call returns.
  target_context_.begin(inputs);
  if (std::optional<StatementFailure> failed = run_transaction(db, txn, inputs, wrap)) {
    return {harness::Ack::kFailed,
            wal::Status::io_error(fmt::format("sqlite: {} of op {}, line {}: {} ({})",
                                              txns_.back().what, op, failed->line, failed->message,
                                              failed->rc)),
            {}};
  }
  txns_.back().committed = true;
  return {committed, {}, {}};
}

harness::Applied ScriptOracle::script_error(std::string_view what, std::string_view problem) {
  const std::string message = fmt::format("sqlite: script: the {} {}", what, problem);
  notes_.push_back(message);
  return {harness::Ack::kFailed, wal::Status::invalid_argument(message), {}};
}

std::optional<harness::Applied> ScriptOracle::settle(sqlite3* db) {
  if (txns_.empty() || txns_.back().committed || txns_.back().settled) return std::nullopt;
  wal::Result<DbDump> live = dump_database(db);
  for (int attempt = 1; attempt < 3 && !live; ++attempt) {
    live = dump_database(db);  // the pager resets once its locks go
  }
  ScriptTxn& failed = txns_.back();
  if (!live) {
    return harness::Applied{harness::Ack::kFailed,
                            wal::Status::io_error(fmt::format(
                                "sqlite: reading the database after {} failed: {}",
                                failed.describe(), live.error().message())),
                            {}};
  }
  failed.settled = true;
  if (*live == failed.after) return std::nullopt;  // it landed whole
  const DbDump& before = txns_.size() > 1 ? txns_[txns_.size() - 2].after : base_;
  std::optional<harness::Applied> partial;
  if (*live != before) {
    partial = harness::Applied{};
    partial->violations.push_back(
        {harness::Invariant::kPrefix, wal::kNoLsn, 0,
         fmt::format("prefix: sqlite-atomicity: after {} failed, the live database is neither "
                     "the state before it nor the state after it: {}",
                     failed.describe(), first_difference(*live, before))});
    failed.after = *live;  // the run goes on from what is there
  } else {
    txns_.pop_back();  // rolled back
  }
  if (const wal::Status restored = reference_->restore_from(db); !restored) {
    return harness::Applied{harness::Ack::kFailed, restored, {}};
  }
  return partial;
}

harness::Applied ScriptOracle::read_back(sqlite3* db) {
  harness::Applied applied;
  wal::Result<DbDump> live = dump_database(db);
  if (!live) {
    applied.ack = harness::Ack::kFailed;
    applied.status = wal::Status::io_error("sqlite: read: " + live.error().message());
  } else if (*live != expected()) {
    applied.violations.push_back(
        {harness::Invariant::kIntegrity, wal::kNoLsn, 0,
         fmt::format("integrity: sqlite-read: a live read disagrees with the reference "
                     "database: {}",
                     first_difference(*live, expected()))});
  }
  return applied;
}

std::vector<harness::Violation> ScriptOracle::check(sqlite3* db, DbDump recovered,
                                                    bool power_lost, bool base_known,
                                                    const DurabilityRule& rule,
                                                    std::vector<std::string>& notes) {
  std::vector<harness::Violation> out;
  if (base_known) judge(db, recovered, power_lost, rule, out, notes);
  if (const wal::Status restored = reference_->restore_from(db); !restored) {
    out.push_back(integrity_violation(restored.message(), rule));
  }
  base_ = std::move(recovered);
  txns_.clear();
  return out;
}

void ScriptOracle::judge(sqlite3* db, const DbDump& recovered, bool power_lost,
                         const DurabilityRule& rule, std::vector<harness::Violation>& out,
                         std::vector<std::string>& notes) const {
  const std::size_t must = must_keep(txns_, power_lost ? rule.may_lose : 0);
  DbDump last;
  const harness::PrefixMatch match = harness::match_prefix(
      base_, txns_, recovered, must,
      [](DbDump& state, const ScriptTxn& txn) { state = txn.after; }, &last);
  judge_prefix(match, txns_, "the reference database", recovered.rows(),
               [&] { return first_difference(recovered, last); }, rule, power_lost, out, notes);
  // A database whose set-up a power loss took back has nothing to check yet, and the state the
  // last check accepted was checked then (a clean reopen would repeat its findings).
  const bool to_check = !recovered.schema.empty() && recovered != base_;
  for (std::size_t i = 0; i < checks_.size() && to_check; ++i) {
    const std::string failure = check_failure(db, checks_[i]);
    if (failure.empty()) continue;
    out.push_back({harness::Invariant::kIntegrity, wal::kNoLsn, 0,
                   fmt::format("integrity: sqlite-check: `{}` {} on the recovered database{}",
                               checks_[i], failure, documented(rule))});
  }
}

}  // namespace sqlite_adapter
