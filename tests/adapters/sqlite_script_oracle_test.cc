// The oracle of a user's SQL script (adapters/sqlite/script_oracle.h): each transaction runs on
// a reference database first and the target must agree with it (parameters, random() and 'now'
// included); a recovered database is judged against the reference after each prefix, and the
// [sqlite] checks must hold. Then through the harness: SQLite with journal_mode = off is caught
// by a check, SQLite's defaults pass.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "adapters/sqlite/script_oracle.h"
#include "adapters/sqlite/vfs.h"
#include "sim/harness/runner.h"
#include "testutil/temp_dir.h"

namespace sqlite_adapter {
namespace {

// Three accounts, transfers between them; the total stays 300. random() and 'now' in the rows.
constexpr const char* kLedgerScript =
    "CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, stamp TEXT,\n"
    "                      pad BLOB);\n"
    "INSERT INTO accounts VALUES (0, 100, NULL, zeroblob(600)), (1, 100, NULL, zeroblob(600)),\n"
    "                            (2, 100, NULL, zeroblob(600));\n"
    "BEGIN;\n"
    "UPDATE accounts SET balance = balance - :amount % 10,\n"
    "                    stamp = datetime('now') || hex(randomblob(3)) WHERE id = :from % 3;\n"
    "UPDATE accounts SET balance = balance + :amount % 10, stamp = random(),\n"
    "                    pad = randomblob(600) WHERE id = (:from + 1) % 3;\n"
    "COMMIT;\n";
constexpr const char* kTotalCheck = "SELECT sum(balance) = 300 FROM accounts";

std::string ledger_file(const testutil::TempDir& dir) {
  const std::string path = dir.sub("ledger.sql");
  std::ofstream(path, std::ios::binary) << kLedgerScript;
  return path;
}

// The oracle and a target connection to judge: SQLite in memory on a VFS of its own whose clock
// is the oracle's target context, as the sqlite target's connections are.
struct LedgerRun {
  std::unique_ptr<ScriptOracle> oracle;
  std::unique_ptr<Vfs> vfs;
  sqlite3* db = nullptr;
  std::uint32_t ops = 0;
  std::vector<std::string> notes;

  explicit LedgerRun(const std::string& path) {
    wal::Result<std::unique_ptr<ScriptOracle>> made = ScriptOracle::make(path, {kTotalCheck});
    if (!made) ADD_FAILURE() << made.error().to_string();
    if (!made) return;
    oracle = std::move(made).value();
    static int runs = 0;
    VfsConfig config;
    config.clock = &oracle->target_context();
    vfs = std::move(Vfs::make("ledger-run-" + std::to_string(++runs), config)).value();
    sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, vfs->name().c_str());
    EXPECT_EQ(oracle->target_context().install(db), SQLITE_OK);
  }
  ~LedgerRun() { sqlite3_close_v2(db); }

  // Ops, each a transaction on the target connection, 1.5 s of virtual time apart (datetime()
  // counts seconds).
  void run(std::uint32_t count) {
    for (std::uint32_t i = 0; i < count; ++i, ++ops) {
      harness::Op op;
      op.index = ops;
      sim::Prng choices(ops + 1);
      const harness::Applied applied =
          oracle->run(op, choices, db, 1'500'000ull * (ops + 1), harness::Ack::kDurable);
      ASSERT_EQ(applied.ack, harness::Ack::kDurable) << applied.status.to_string();
    }
  }

  // One more op as the sqlite target runs it: a failed one settled first.
  harness::Applied step() {
    harness::Op op;
    op.index = ops++;
    sim::Prng choices(op.index + 1);
    if (std::optional<harness::Applied> settled = oracle->settle(db)) return *settled;
    return oracle->run(op, choices, db, 1'500'000ull * ops, harness::Ack::kDurable);
  }

  std::vector<harness::Violation> check(const DurabilityRule& rule, sqlite3* recovered) {
    wal::Result<DbDump> dump = dump_database(recovered);
    EXPECT_TRUE(dump) << dump.status().to_string();
    if (!dump) return {};
    return oracle->check(recovered, std::move(dump).value(), true, true, rule, notes);
  }

  void exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  }
};

const DurabilityRule kEveryCommit = durability_rule("wal", "full", true);

TEST(ScriptOracle, TheTargetAgreesWithTheReferenceOnParametersRandomAndNow) {
  testutil::TempDir dir;
  LedgerRun ledger(ledger_file(dir));
  ledger.run(20);
  EXPECT_TRUE(ledger.oracle->read_back(ledger.db).violations.empty());
  const std::vector<harness::Violation> found = ledger.check(kEveryCommit, ledger.db);
  EXPECT_TRUE(found.empty()) << found.front().message;
}

TEST(ScriptOracle, APartialTransactionIsTheReferenceAfterNoPrefixAndFailsTheCheck) {
  testutil::TempDir dir;
  LedgerRun ledger(ledger_file(dir));
  ledger.run(5);
  ASSERT_TRUE(ledger.check(kEveryCommit, ledger.db).empty());
  ledger.run(3);
  // Half a transfer: the debit landed, the credit did not.
  ledger.exec("UPDATE accounts SET balance = balance - 7 WHERE id = 1");
  const std::vector<harness::Violation> found = ledger.check(kEveryCommit, ledger.db);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].invariant, harness::Invariant::kPrefix);
  EXPECT_NE(found[0].message.find("sqlite-atomicity: the database (3 rows) is the reference "
                                  "database after no prefix of the 3 transactions"),
            std::string::npos)
      << found[0].message;
  EXPECT_NE(found[0].message.find("accounts: rowid 1 = "), std::string::npos) << found[0].message;
  EXPECT_EQ(found[1].invariant, harness::Invariant::kIntegrity);
  EXPECT_EQ(found[1].message,
            "integrity: sqlite-check: `SELECT sum(balance) = 300 FROM "
            "accounts` answered 0 on the recovered database");
}

TEST(ScriptOracle, ALostCommitIsDurabilityUnlessTheRuleAllowsIt) {
  testutil::TempDir dir;
  for (const bool strict : {true, false}) {
    LedgerRun ledger(ledger_file(dir));
    ledger.run(4);
    ASSERT_TRUE(ledger.check(kEveryCommit, ledger.db).empty());
    sqlite3* earlier = nullptr;  // the database as it was after op 3, as a power loss leaves it
    sqlite3_open(":memory:", &earlier);
    sqlite3_backup* copy = sqlite3_backup_init(earlier, "main", ledger.db, "main");
    sqlite3_backup_step(copy, -1);
    sqlite3_backup_finish(copy);
    ledger.run(2);
    const std::vector<harness::Violation> found =
        ledger.check(durability_rule("wal", strict ? "full" : "normal", strict), earlier);
    sqlite3_close(earlier);
    if (strict) {
      ASSERT_EQ(found.size(), 1u);
      EXPECT_EQ(found[0].invariant, harness::Invariant::kDurability);
      EXPECT_NE(found[0].message.find("the state after 0 of 2 transactions; op 4 (transaction "
                                      "at ledger.sql:5, committed) was acknowledged"),
                std::string::npos)
          << found[0].message;
    } else {
      EXPECT_TRUE(found.empty()) << found.front().message;
      ASSERT_EQ(ledger.notes.size(), 1u);
      EXPECT_NE(ledger.notes[0].find("allowed loss: the database is the state after 0 of 2"),
                std::string::npos);
    }
  }
}

// workload.on_error = "carry-on": the application goes on after a failed transaction, and the
// live database says whether it landed. A TEMP trigger (no part of the contents) makes the
// target's transaction fail where the reference's did not.
TEST(ScriptOracle, AFailedTransactionIsSettledFromTheLiveDatabaseBeforeTheNextOp) {
  testutil::TempDir dir;
  LedgerRun ledger(ledger_file(dir));
  ledger.run(2);
  const std::string fail = "CREATE TEMP TRIGGER fail BEFORE UPDATE ON accounts "
                           "BEGIN SELECT RAISE(ABORT, 'injected'); END";
  ledger.exec(fail);
  EXPECT_EQ(ledger.step().ack, harness::Ack::kFailed);  // rolled back on the target
  ledger.exec("DROP TRIGGER fail");
  EXPECT_EQ(ledger.step().ack, harness::Ack::kDurable);  // the failed one left the history
  ledger.run(2);
  const std::vector<harness::Violation> clean = ledger.check(kEveryCommit, ledger.db);
  EXPECT_TRUE(clean.empty()) << clean.front().message;

  ledger.exec(fail);
  EXPECT_EQ(ledger.step().ack, harness::Ack::kFailed);
  ledger.exec("DROP TRIGGER fail");
  ledger.exec("UPDATE accounts SET balance = balance - 3 WHERE id = 2");  // half of it
  const harness::Applied next = ledger.step();
  ASSERT_EQ(next.violations.size(), 1u);
  EXPECT_NE(next.violations[0].message.find("sqlite-atomicity: after op 6 (transaction at "
                                            "ledger.sql:5, failed) failed, the live database is "
                                            "neither the state before it nor the state after it"),
            std::string::npos)
      << next.violations[0].message;
}

harness::RunConfig ledger_config(const std::string& script, const std::string& journal,
                                 bool inside_op) {
  harness::RunConfig config;
  config.target = "sqlite";
  config.target_settings = {{"journal_mode", journal},
                            {"synchronous", "full"},
                            {"page_size", "1024"},
                            {"script", script},
                            {"checks", harness::encode_texts({kTotalCheck})}};
  config.workload.ops = 30;
  config.workload.writers = 2;
  config.workload.read_ratio = {1, 10};
  config.crash.at = *harness::CrashAt::parse(inside_op ? "inside-op" : "random");
  if (inside_op) config.crash.power_loss.policy = faults::CrashPolicy::kPrefix;
  return config;
}

// Each balance on a page of its own: a transfer half written shows in the total.
TEST(SqliteScriptTarget, JournalOffIsCaughtByTheCheckSqlitesDefaultsPass) {
  testutil::TempDir dir;
  const std::string script = ledger_file(dir);
  int checks_failed = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const harness::RunResult off =
        harness::run_simulation(ledger_config(script, "off", true), seed);
    for (const harness::Violation& violation : off.checks.violations()) {
      checks_failed += violation.message.starts_with("integrity: sqlite-check: `SELECT sum(");
    }
    const harness::RunResult defaults =
        harness::run_simulation(ledger_config(script, "delete", false), seed);
    EXPECT_TRUE(defaults.passed) << "seed " << seed << ": " << defaults.failure;
  }
  EXPECT_GT(checks_failed, 0);
}

TEST(SqliteScriptTarget, AScriptRunReplaysBitForBit) {
  testutil::TempDir dir;
  const harness::RunConfig config = ledger_config(ledger_file(dir), "wal", false);
  const harness::RunResult first = harness::run_simulation(config, 5);
  const harness::RunResult second = harness::run_simulation(config, 5);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_GT(first.ops, 0u);
}

}  // namespace
}  // namespace sqlite_adapter
