// The rules of durability_rules.h, one per documented case. Quoted sources are SQLite's own
// pages as of 3.40 (Debian 12's libsqlite3).
#include "adapters/sqlite/durability_rules.h"

namespace sqlite_adapter {

DurabilityRule durability_rule(std::string_view journal, std::string_view synchronous,
                               bool strict) {
  DurabilityRule rule;
  if (journal == "off" || journal == "memory") {
    // pragma.html#pragma_journal_mode: with OFF "the ROLLBACK command no longer works; it
    // behaves in an undefined way" and with MEMORY "if the application using SQLite crashes in
    // the middle of a transaction when the MEMORY journaling mode is set, then the database
    // file will very likely go corrupt".
    rule.corruption_documented = true;
    rule.why = "journal_mode = " + std::string(journal) +
               ": a crash in a transaction may corrupt the database "
               "(pragma.html#pragma_journal_mode)";
    return rule;
  }
  if (synchronous == "off") {
    // pragma.html#pragma_synchronous: "the database might become corrupted if the operating
    // system crashes or the computer loses power before that data has been written".
    rule.corruption_documented = true;
    rule.why = "synchronous = off: a power loss may corrupt the database or lose commits "
               "(pragma.html#pragma_synchronous)";
    return rule;
  }
  if (strict) {
    rule.why = "durability = strict: every acknowledged commit survives";
    return rule;
  }
  if (synchronous == "normal") {
    // pragma.html#pragma_synchronous: in WAL mode NORMAL "no sync operations occur during most
    // transactions ... Transactions are consistent with or without the extra syncs"; in
    // rollback modes NORMAL syncs "less often than in FULL mode". Consistency, no durability.
    rule.may_lose = DurabilityRule::kAny;
    rule.why = "synchronous = normal: commits since the last sync may be lost, the database "
               "stays consistent (pragma.html#pragma_synchronous)";
    return rule;
  }
  if (synchronous == "full" && journal == "delete") {
    // pragma.html#pragma_synchronous: "EXTRA synchronous is like FULL with the addition that
    // the directory containing a rollback journal is synced after that journal is unlinked to
    // commit a transaction in DELETE mode. EXTRA provides additional durability if the commit
    // is followed closely by a power loss." Under FULL the unlink may not be durable: the
    // journal comes back hot and rolls the last commit back.
    rule.may_lose = 1;
    rule.why = "journal_mode = delete, synchronous = full: the last commit may be rolled back "
               "if the journal's unlink did not reach the directory "
               "(pragma.html#pragma_synchronous, EXTRA)";
    return rule;
  }
  // FULL in WAL mode ("an additional sync operation of the WAL file happens after each
  // transaction commit ... transactions are durable across a power loss"), FULL in TRUNCATE and
  // PERSIST modes (the journal is truncated or its header zeroed and synced before the commit
  // returns: atomiccommit.html, 3.11) and EXTRA everywhere.
  rule.why = "journal_mode = " + std::string(journal) + ", synchronous = " +
             std::string(synchronous) + ": every acknowledged commit survives a power loss "
             "(pragma.html#pragma_synchronous)";
  return rule;
}

}  // namespace sqlite_adapter
