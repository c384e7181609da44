#include "adapters/sqlite/recovery_verdict.h"

#include <fmt/format.h>

#include <wal/types.h>

namespace sqlite_adapter {

std::string integrity_problem(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr);
  if (rc != SQLITE_OK) return fmt::format("integrity_check: {}", sqlite3_errmsg(db));
  std::string answer;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    if (!answer.empty()) answer += "; ";
    answer += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) return fmt::format("integrity_check: {}", sqlite3_errmsg(db));
  return answer == "ok" ? "" : "integrity_check: " + answer;
}

std::string documented(const DurabilityRule& rule) {
  return rule.corruption_documented ? fmt::format(" (documented: {})", rule.why) : "";
}

harness::Violation integrity_violation(std::string_view problem, const DurabilityRule& rule) {
  return {harness::Invariant::kIntegrity, wal::kNoLsn, 0,
          fmt::format("integrity: sqlite-integrity: {}{}", problem, documented(rule))};
}

harness::Violation durability_violation(std::size_t kept, std::size_t transactions,
                                        std::string_view lost, const DurabilityRule& rule,
                                        bool power_lost) {
  return {harness::Invariant::kDurability, wal::kNoLsn, 0,
          fmt::format("durability: sqlite-durability: the database is the state after {} of {} "
                      "transactions; {} was acknowledged and must survive ({}){}",
                      kept, transactions, lost, rule.why,
                      power_lost ? "" : "; a clean reopen loses nothing")};
}

harness::Violation atomicity_violation(std::size_t recovered_rows, std::string_view expected,
                                       std::size_t transactions, std::string_view difference,
                                       const DurabilityRule& rule) {
  return {harness::Invariant::kPrefix, wal::kNoLsn, 0,
          fmt::format("prefix: sqlite-atomicity: the database ({} rows) is {} after no prefix "
                      "of the {} transactions since the last check (a partial or invented "
                      "transaction); against {} after all of them: {}{}",
                      recovered_rows, expected, transactions, expected, difference,
                      documented(rule))};
}

std::string allowed_loss_note(std::size_t kept, std::size_t committed,
                              const DurabilityRule& rule) {
  return fmt::format("sqlite: allowed loss: the database is the state after {} of {} "
                     "acknowledged commits ({})",
                     kept, committed, rule.why);
}

}  // namespace sqlite_adapter
