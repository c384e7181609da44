// A user's SQL script for the sqlite target ([sqlite] script and checks): cut into statements
// and grouped into the set-up and transactions by SQLite itself (adapters/sqlite/sql_script.h),
// and every bad script or check stopped when the scenario is read, with the file, the line and
// SQLite's words (script_keys.h), through the scenario parser's usual error kinds.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "adapters/sqlite/sql_script.h"
#include "sim/harness/target.h"
#include "sim/walsim/scenario.h"
#include "sim/walsim/scenario_toml.h"
#include "testutil/temp_dir.h"

namespace sqlite_adapter {
namespace {

// Writes `text` to `name` in `dir`; the path.
std::string write_sql(const testutil::TempDir& dir, const std::string& name,
                      const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

constexpr const char* kGroupedScript =
    "-- the set-up\n"
    "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);\n"
    "INSERT INTO t VALUES (1, 'a;b'), (2, '--not a comment');\n"
    "\n"
    "/* a transaction of three statements */ BEGIN;\n"
    "UPDATE t SET v = v || :suffix WHERE k = :key % 2 + 1;\n"
    "DELETE FROM t WHERE k > 2 AND v = :suffix; COMMIT;\n"
    "INSERT OR REPLACE INTO t VALUES (3, 'alone');\n"
    "SAVEPOINT s;\n"
    "UPDATE t SET v = 'x' WHERE k = @key;\n"
    "RELEASE s;\n"
    "-- trailing comment\n";

TEST(SqlScript, StatementsGroupIntoTheSetUpAndTransactionsAsSqliteRunsThem) {
  testutil::TempDir dir;
  const wal::Result<SqlScript> script = load_script(write_sql(dir, "g.sql", kGroupedScript));
  ASSERT_TRUE(script) << script.error().to_string();
  ASSERT_EQ(script->set_up.statements.size(), 2u);
  EXPECT_EQ(script->set_up.line, 2u);
  EXPECT_EQ(script->set_up.statements[1].line, 3u);
  EXPECT_NE(script->set_up.statements[1].sql.find("'a;b'"), std::string::npos);
  ASSERT_EQ(script->transactions.size(), 3u);
  const SqlTransaction& transfer = script->transactions[0];
  EXPECT_EQ(transfer.line, 5u);
  ASSERT_EQ(transfer.statements.size(), 4u);  // BEGIN, UPDATE, DELETE, COMMIT
  EXPECT_EQ(transfer.statements[3].sql, "COMMIT;");
  EXPECT_EQ(transfer.statements[3].line, 7u);
  EXPECT_EQ(transfer.parameters, (std::vector<std::string>{":suffix", ":key"}));
  EXPECT_EQ(script->transactions[1].statements.size(), 1u);  // a statement on its own
  EXPECT_EQ(script->transactions[1].line, 8u);
  EXPECT_EQ(script->transactions[2].statements.size(), 3u);  // SAVEPOINT ... RELEASE
  EXPECT_EQ(script->transactions[2].parameters, (std::vector<std::string>{"@key"}));
}

TEST(SqlScript, ABadScriptIsAnErrorNamingTheFileTheLineAndSqlitesWords) {
  testutil::TempDir dir;
  const std::string set_up = "CREATE TABLE t(k INTEGER PRIMARY KEY, v INTEGER);\n";
  struct Case {
    std::string text;
    std::string says;
  };
  const Case cases[] = {
      {set_up + "BEGIN;\nUPDATE t SET v = 1\n  WHER k = 1;\nCOMMIT;\n",
       "bad.sql:4: near \"WHER\": syntax error"},
      {set_up + "BEGIN;\nUPDATE t SET w = 1;\nCOMMIT;\n", "bad.sql:3: no such column: w"},
      {set_up + "BEGIN;\nINSERT INTO t VALUES (1, 1);\n", "bad.sql:2: this transaction has no"},
      {set_up + "BEGIN;\nINSERT INTO t VALUES (1, 1);\nROLLBACK;\n",
       "bad.sql:4: the transaction "
       "begun at line 2 ends in "
       "ROLLBACK"},
      {"PRAGMA foreign_keys = ON;\n" + set_up + "BEGIN;\nCOMMIT;\n", "bad.sql:1: PRAGMA is not"},
      {set_up + "ATTACH ':memory:' AS other;\n", "bad.sql:2: ATTACH and DETACH are not"},
      {set_up + "BEGIN;\nINSERT INTO t VALUES (?, 1);\nCOMMIT;\n",
       "bad.sql:3: a parameter without a name"},
      {set_up + "INSERT INTO t VALUES (1, 1);\n", "bad.sql:3: no transaction"},
      {"SELECT 1;\nBEGIN;\nCOMMIT;\n", "bad.sql:1: the set-up makes no table"},
  };
  for (const Case& c : cases) {
    const wal::Result<SqlScript> script = load_script(write_sql(dir, "bad.sql", c.text));
    ASSERT_FALSE(script) << c.text;
    EXPECT_NE(script.error().message().find(c.says), std::string::npos) << script.error().message();
  }
  const wal::Result<SqlScript> missing = load_script(dir.path() + "/none.sql");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), wal::Code::kNotFound);
  EXPECT_NE(missing.error().message().find("none.sql"), std::string::npos);
}

walsim::ParseResult parse_in(const testutil::TempDir& dir, const std::string& sqlite_table) {
  return walsim::parse_scenario("name = \"s\"\ntarget = \"sqlite\"\n[sqlite]\n" + sqlite_table,
                                dir.path() + "/s.toml");
}

// The file is found beside the scenario, and a scenario written elsewhere names it from there.
TEST(SqliteScriptKeys, TheScriptIsFoundBesideTheScenarioAndWrittenBackFromAnywhere) {
  testutil::TempDir dir;
  write_sql(dir, "ok.sql",
            "CREATE TABLE t(k INTEGER PRIMARY KEY);\nBEGIN;\n"
            "INSERT OR REPLACE INTO t VALUES (:k % 4);\nCOMMIT;\n");
  const walsim::ParseResult parsed =
      parse_in(dir,
               "script = \"ok.sql\"\nchecks = [\"SELECT count(*) <= 4 FROM t\", "
               "\"SELECT 'a;b' = 'a;b'\"]\n");
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().to_string();
  const auto& settings = parsed.scenario->config.target_settings;
  EXPECT_EQ(settings.at("script"), dir.path() + "/ok.sql");
  EXPECT_EQ(harness::decode_texts(settings.at("checks")),
            (std::vector<std::string>{"SELECT count(*) <= 4 FROM t", "SELECT 'a;b' = 'a;b'"}));
  walsim::Scenario elsewhere = *parsed.scenario;
  elsewhere.file = dir.path() + "/shrunk/s.toml";
  const std::string text = walsim::scenario_to_toml(elsewhere);
  EXPECT_NE(text.find("script = \"../ok.sql\""), std::string::npos) << text;
  const walsim::ParseResult again = walsim::parse_scenario(text, elsewhere.file);
  ASSERT_TRUE(again.ok()) << again.errors.front().to_string();
  EXPECT_EQ(again.scenario->config.target_settings, settings);
}

TEST(SqliteScriptKeys, BadScriptsAndChecksStopTheScenarioAtTheirKey) {
  testutil::TempDir dir;
  write_sql(dir, "once.sql",
            "CREATE TABLE t(k INTEGER PRIMARY KEY, v INTEGER);\nBEGIN;\n"
            "INSERT INTO t VALUES (1, 10);\nCOMMIT;\n");
  write_sql(dir, "ok.sql",
            "CREATE TABLE t(k INTEGER PRIMARY KEY, v INTEGER);\nBEGIN;\n"
            "INSERT OR REPLACE INTO t VALUES (:k % 3, 10);\nCOMMIT;\n");
  struct Case {
    std::string table;
    walsim::ErrorKind kind;
    std::string key;
    std::string says;
  };
  const Case cases[] = {
      {"script = \"none.sql\"\n", walsim::ErrorKind::kIo, "sqlite.script", "cannot read"},
      {"script = \"once.sql\"\n", walsim::ErrorKind::kRange, "sqlite.script",
       "once.sql:3: the transaction fails on an in-memory database, the second time it runs"},
      {"script = \"ok.sql\"\nchecks = [\"SELECT k, v FROM t\"]\n", walsim::ErrorKind::kRange,
       "sqlite.checks", "answers 2 columns"},
      {"script = \"ok.sql\"\nchecks = [\"SELECT v FROM t WHERE k = 99\"]\n",
       walsim::ErrorKind::kRange, "sqlite.checks", "answered no row after the set-up"},
      {"script = \"ok.sql\"\nchecks = [\"SELECT count(*) = 0 FROM t\"]\n",
       walsim::ErrorKind::kRange, "sqlite.checks", "answered 0 after the transaction at"},
      {"script = \"ok.sql\"\nchecks = [\"SELECT 1; SELECT 2\"]\n", walsim::ErrorKind::kRange,
       "sqlite.checks", "more than one statement"},
      {"script = \"ok.sql\"\nchecks = [\"DELETE FROM t\"]\n", walsim::ErrorKind::kRange,
       "sqlite.checks", "answers 0 columns"},
      {"script = \"ok.sql\"\nchecks = [1]\n", walsim::ErrorKind::kType, "sqlite.checks",
       "an array of strings"},
      {"checks = [\"SELECT 1\"]\n", walsim::ErrorKind::kRange, "sqlite.checks",
       "needs 'sqlite.script'"},
  };
  for (const Case& c : cases) {
    const walsim::ParseResult parsed = parse_in(dir, c.table);
    ASSERT_EQ(parsed.errors.size(), 1u) << c.table;
    const walsim::ScenarioError& error = parsed.errors[0];
    EXPECT_EQ(error.kind, c.kind) << c.table << error.to_string();
    EXPECT_EQ(error.key, c.key) << c.table;
    EXPECT_GE(error.line, 4u) << c.table;  // the key's own line
    EXPECT_NE(error.message.find(c.says), std::string::npos) << error.to_string();
  }
}

}  // namespace
}  // namespace sqlite_adapter
