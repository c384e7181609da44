// SQLite as a harness target (target = "sqlite", its [sqlite] table below): Debian's libsqlite3,
// its own pager, journals and WAL, through the VFS of vfs.h onto the run's Fs (SimFs under the
// fault stack), judged by a model of the database and SQLite's documented durability
// (durability_rules.h).
//
// Op mapping (workload.h kinds -> transactions on tables t0..t2 of (k INTEGER PRIMARY KEY, v
// TEXT); keys 0..31 so transactions collide). Each writer has its own connection:
//   append     one INSERT OR REPLACE of a value of the op's size
//   batch      a multi-statement transaction: per entry an insert, an append to a row or a delete
//   truncate   DELETE of a key range
//   checkpoint journal_mode = wal: PRAGMA wal_checkpoint(TRUNCATE); otherwise a large
//              transaction (24 rows of 1-3 KiB) that spills a small page cache to the database
//              file before it commits
//   sync       every table read back and compared with the model (sqlite-read)
//   read       one row read back and compared with the model (sqlite-read)
// Invariants:
//   sqlite-integrity (integrity)  PRAGMA integrity_check is "ok" and the tables can be read
//   sqlite-atomicity (prefix)     the database is the model after a prefix of the transactions:
//                                 never a partial transaction, never a phantom
//   sqlite-durability (durability) that prefix keeps what the documentation promises
//   sqlite-read (integrity)       a live read returns the model's rows
// A loss the documentation allows (delete/full: the last commit; normal: a suffix) is a note
// of the run with its size, not a violation.
//
// With [sqlite] script the workload is the user's own SQL instead, judged by a reference
// database rather than the model (script_oracle.h: which op runs which transaction); sync and
// read ops compare the live database with the reference, checkpoint ops checkpoint in WAL mode
// and run a transaction otherwise, and every [sqlite] check must hold after each recovery:
//   sqlite-check (integrity)      a check's query answers true on the recovered database
#include <sqlite3.h>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "adapters/sqlite/durability_rules.h"
#include "adapters/sqlite/recovery_verdict.h"
#include "adapters/sqlite/script_keys.h"
#include "adapters/sqlite/script_oracle.h"
#include "adapters/sqlite/sqlite_model.h"
#include "adapters/sqlite/vfs.h"
#include "sim/harness/prefix_match.h"
#include "sim/harness/target.h"

namespace sqlite_adapter {
namespace {

constexpr std::int64_t kKeys = 32;
constexpr int kCheckAttempts = 4;
constexpr const char* kDbName = "test.db";

// Row values: letters, eight from each draw (a value is data, not a decision: a slight bias
// toward the first letters costs nothing, a draw per byte cost a tenth of a run).
std::string letters(std::uint32_t size, sim::Prng& choices) {
  static const std::array<char, 256> kLetter = [] {
    std::array<char, 256> table{};
    for (std::size_t b = 0; b < table.size(); ++b) table[b] = static_cast<char>('a' + b % 26);
    return table;
  }();
  std::string text(size, 'a');
  std::uint64_t bits = 0;
  for (std::uint32_t i = 0; i < size; ++i) {
    if (i % 8 == 0) bits = choices.next_u64();
    text[i] = kLetter[bits & 0xff];
    bits >>= 8;
  }
  return text;
}

int device_characteristics(const sim::DeviceClaims& claims) {
  return (claims.atomic_write ? SQLITE_IOCAP_ATOMIC : 0) |
         (claims.safe_append ? SQLITE_IOCAP_SAFE_APPEND : 0) |
         (claims.sequential ? SQLITE_IOCAP_SEQUENTIAL : 0) |
         (claims.powersafe_overwrite ? SQLITE_IOCAP_POWERSAFE_OVERWRITE : 0);
}

wal::Status sqlite_error(sqlite3* db, int rc, std::string_view what) {
  return wal::Status::io_error(fmt::format("sqlite: {}: {} ({})", what,
                                           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc));
}

class SqliteTarget final : public harness::Target {
 public:
  ~SqliteTarget() override { drop(); }

  std::vector<harness::TargetInvariant> invariants() const override {
    return {
        {"sqlite-integrity", harness::Invariant::kIntegrity,
         "PRAGMA integrity_check is ok and every table reads"},
        {"sqlite-atomicity", harness::Invariant::kPrefix,
         "the database is the model after a prefix of the transactions"},
        {"sqlite-durability", harness::Invariant::kDurability,
         "the prefix keeps every commit the documentation promises"},
        {"sqlite-read", harness::Invariant::kIntegrity, "a live read returns the model's rows"},
        {"sqlite-check", harness::Invariant::kIntegrity,
         "each [sqlite] check answers true on the recovered database"},
    };
  }

  wal::Status open(const harness::TargetEnv& env) override {
    drop();
    settings_ = env.settings;
    rule_ = durability_rule(setting("journal_mode"), setting("synchronous"),
                            setting("durability") == "strict");
    clock_ = env.clock;
    if (!setting("script").empty() && !script_) {
      wal::Result<std::unique_ptr<ScriptOracle>> script = ScriptOracle::make(
          setting("script"), harness::decode_texts(setting("checks")).value_or(
                                 std::vector<std::string>{}));
      if (!script) return script.error();
      script_ = std::move(script).value();
    }
    path_ = wal::join_path(env.dir, kDbName);
    ++opens_;
    VfsConfig config;
    config.fs = env.fs;
    // A script's 'now' is the time its transaction began, as on the reference database.
    config.clock = script_ ? static_cast<wal::Clock*>(&script_->target_context()) : env.clock;
    config.random_seed = env.seed * 0x9e3779b97f4a7c15ull + opens_;
    // [device]: its sector and what it claims (the unix VFS reports 4096 and POWERSAFE_OVERWRITE
    // on Linux whatever the disk; here the scenario's device speaks for itself).
    config.sector_bytes = static_cast<int>(env.device.sector_bytes);
    config.device_characteristics = device_characteristics(env.device.claims);
    wal::Result<std::unique_ptr<Vfs>> vfs = Vfs::make(fmt::format("walsim-sqlite-{}", opens_),
                                                      config);
    if (!vfs) return vfs.error();
    vfs_ = std::move(vfs).value();
    // SQLite's own random numbers (journal nonces, WAL salts, temporary names) from the seed:
    // without it they come from the default VFS's /dev/urandom and no run replays.
    sqlite3_test_control(SQLITE_TESTCTRL_PRNG_SEED, static_cast<int>(config.random_seed),
                         static_cast<sqlite3*>(nullptr));
    corrupt_.clear();
    wal::Result<sqlite3*> db = connect(true);
    if (!db) return db.error();
    return wal::Status::ok();
  }

  harness::Applied apply(const harness::Op& op, sim::Prng& choices) override {
    wal::Result<sqlite3*> db = connection(op.writer);
    if (!db) return {harness::Ack::kFailed, db.error(), {}};
    if (script_) return apply_script(op, choices, *db);
    if (std::optional<harness::Violation> partial = settle_failed(*db)) {
      harness::Applied applied;
      applied.violations.push_back(std::move(*partial));
      return applied;
    }
    Txn txn;
    txn.op = op.index;
    switch (op.kind) {
      case harness::OpKind::kAppend:
        txn.changes.push_back(put(op.entry_bytes.empty() ? 8 : op.entry_bytes.front(), choices));
        break;
      case harness::OpKind::kBatch:
        for (std::uint32_t bytes : op.entry_bytes) {
          txn.changes.push_back(any_change(bytes, choices));
        }
        break;
      case harness::OpKind::kTruncate: {
        Change erase;
        erase.kind = Change::Kind::kErase;
        erase.table = static_cast<int>(choices.below(kTables));
        erase.key = static_cast<std::int64_t>(choices.below(kKeys));
        erase.last = erase.key + static_cast<std::int64_t>(choices.below(8));
        txn.changes.push_back(erase);
        break;
      }
      case harness::OpKind::kCheckpoint:
        if (setting("journal_mode") == "wal") return checkpoint(*db);
        for (int i = 0; i < 24; ++i) {
          const auto bytes = static_cast<std::uint32_t>(choices.range(1024, 3072));
          txn.changes.push_back(put(bytes, choices));
        }
        break;
      case harness::OpKind::kSync:
        return read_back(*db, std::nullopt);
      case harness::OpKind::kRead:
        return read_back(*db, std::pair<int, std::int64_t>(
                                  static_cast<int>(choices.below(kTables)),
                                  static_cast<std::int64_t>(choices.below(kKeys))));
      case harness::OpKind::kReopen:
        return {};  // the harness's own
    }
    return commit(*db, std::move(txn));
  }

  wal::Status close() override {
    wal::Status status;
    for (sqlite3*& db : connections_) {
      if (db == nullptr) continue;
      forget_statements(db);
      const int rc = sqlite3_close(db);
      if (rc != SQLITE_OK && status) status = sqlite_error(db, rc, "close");
      if (rc == SQLITE_OK) db = nullptr;
    }
    drop();
    return status;
  }

  // The process dies. The power is already cut (nothing reaches the disk), so closing the
  // connections only frees memory; the VFS's locks and shared memory go with it.
  void crash() override { drop(); }

  std::vector<harness::Violation> check(bool power_lost) override {
    std::vector<harness::Violation> out;
    const DurabilityRule& rule = rule_;
    // A power loss the check could not judge is still the next check's to judge.
    power_lost = power_lost || unjudged_power_loss_;
    DbState recovered;
    DbDump dumped;  // with a script: all of it
    const std::optional<std::string> problem = read_recovered(power_lost, [&](sqlite3* db) {
      if (!script_) {
        recovered.clear();
        return read_all(db, recovered);
      }
      wal::Result<DbDump> dump = dump_database(db);
      if (!dump) return dump.error().message();
      dumped = std::move(dump).value();
      return std::string();
    });
    if (!problem) return out;
    if (!problem->empty()) {
      out.push_back(integrity_violation(*problem, rule));
      // What the database holds is unknown: the next check judges no prefix, only integrity.
      txns_.clear();
      if (script_) script_->forget();
      base_known_ = false;
      return out;
    }
    if (script_) {
      const bool base_known = std::exchange(base_known_, true);
      return script_->check(connections_[0], std::move(dumped), power_lost, base_known, rule,
                            notes_);
    }
    if (!base_known_) {
      base_ = recovered;
      base_known_ = true;
      txns_.clear();
      return out;
    }
    // One history per way the unsettled failures may have landed: the first that explains
    // the database is the judgement; with none, the history where all of them landed.
    const std::vector<std::size_t> open = open_failures(txns_);
    harness::PrefixMatch found;
    std::vector<Txn> txns;
    DbState state;
    for (std::uint32_t lost = 0; lost < (1u << open.size()); ++lost) {
      std::vector<Txn> candidate = history(txns_, open, lost);
      const std::size_t must = must_keep(candidate, power_lost ? rule.may_lose : 0);
      DbState after_all;
      const harness::PrefixMatch tried = harness::match_prefix(
          base_, candidate, recovered, must,
          [](DbState& into, const Txn& txn) { apply_to(into, txn); }, &after_all);
      if (lost == 0 || tried.match || (tried.early && !found.early && !found.match)) {
        found = tried;
        txns = std::move(candidate);
        state = std::move(after_all);
      }
      if (found.match) break;
    }
    judge_prefix(found, txns, "the model", recovered.size(),
                 [&] { return first_difference(recovered, state); }, rule, power_lost, out,
                 notes_);
    base_ = recovered;
    txns_.clear();
    return out;
  }

  std::vector<std::string> take_notes() override {
    if (script_) {
      for (std::string& note : script_->take_notes()) notes_.push_back(std::move(note));
    }
    return std::exchange(notes_, {});
  }

 private:
  // Reads the recovered database for check(): integrity_check, then `read` (its problem, ""
  // when it read). A check that met an I/O error (an injected read fault: SQLite says "disk
  // I/O error", or integrity_check "unable to get the page") says nothing of the database: it
  // is taken again on fresh connections; nullopt: every attempt met one, and the judgement
  // waits for the next check.
  std::optional<std::string> read_recovered(bool power_lost,
                                            const std::function<std::string(sqlite3*)>& read) {
    std::uint64_t failed_before = vfs_->counters().failed_calls;
    for (int attempt = 1;; ++attempt) {
      std::string problem = corrupt_;
      if (problem.empty() && connections_.empty()) problem = "no connection";
      if (problem.empty()) problem = integrity_problem(connections_[0]);
      if (problem.empty()) problem = read(connections_[0]);
      if (problem.empty() || vfs_->counters().failed_calls == failed_before) {
        unjudged_power_loss_ = false;
        return problem;
      }
      if (attempt == kCheckAttempts) {
        notes_.push_back(fmt::format("sqlite: the check met an I/O error {} times in a row and "
                                     "judges nothing: {}", kCheckAttempts, problem));
        unjudged_power_loss_ = power_lost;
        return std::nullopt;
      }
      failed_before = vfs_->counters().failed_calls;
      static_cast<void>(reconnect());  // a failure is the next attempt's I/O error
    }
  }

  harness::Applied apply_script(const harness::Op& op, sim::Prng& choices, sqlite3* db) {
    if (std::optional<harness::Applied> settled = script_->settle(db)) return *settled;
    switch (op.kind) {
      case harness::OpKind::kReopen: return {};  // the harness's own
      case harness::OpKind::kSync:
      case harness::OpKind::kRead: return script_->read_back(db);
      case harness::OpKind::kCheckpoint:
        if (setting("journal_mode") == "wal") return checkpoint(db);
        break;
      default: break;
    }
    return script_->run(op, choices, db, clock_->now_us(), commit_ack());
  }

  // What a commit that returned SQLITE_OK is to the application, by the documentation.
  harness::Ack commit_ack() const {
    const bool durable = rule_.may_lose == 0 && !rule_.corruption_documented;
    return durable ? harness::Ack::kDurable : harness::Ack::kPending;
  }

  // The application carried on after failed transactions (workload.on_error = "carry-on"):
  // SQLite's live view says which of them landed. A rolled-back one leaves the history (a
  // recovery that brings it back shows a phantom); a landed one stays; a live view that no
  // combination explains is a partial transaction, a violation now. A read that fails (the
  // pager still in its error state, or its hot-journal rollback failing again) settles
  // nothing: the next op tries again.
  std::optional<harness::Violation> settle_failed(sqlite3* db) {
    const std::vector<std::size_t> open = open_failures(txns_);
    if (open.empty()) return std::nullopt;
    DbState live;
    std::string problem;
    for (int attempt = 0; attempt < 3; ++attempt) {  // the pager resets once its locks go
      live.clear();
      problem = read_all(db, live);
      if (problem.empty()) break;
    }
    if (!problem.empty()) return std::nullopt;
    for (std::uint32_t lost = 0; lost < (1u << open.size()); ++lost) {
      DbState state = base_;
      for (const Txn& txn : history(txns_, open, lost)) apply_to(state, txn);
      if (state != live) continue;
      for (std::size_t i = open.size(); i-- > 0;) {
        if ((lost >> i) & 1u) {
          txns_.erase(txns_.begin() + static_cast<std::ptrdiff_t>(open[i]));
        } else {
          txns_[open[i]].settled = true;
        }
      }
      return std::nullopt;
    }
    DbState before = base_;
    for (const Txn& txn : history(txns_, open, (1u << open.size()) - 1)) apply_to(before, txn);
    for (std::size_t i : open) txns_[i].settled = true;
    return harness::Violation{
        harness::Invariant::kPrefix, wal::kNoLsn, 0,
        fmt::format("prefix: sqlite-atomicity: after {} failed, the live database is the state "
                    "after no combination of the failed transactions landing whole or not; "
                    "against none of them landing: {}",
                    txns_[open.back()].describe(), first_difference(live, before))};
  }

  std::string setting(std::string_view key) const {
    auto found = settings_.find(key);
    return found == settings_.end() ? std::string() : found->second;
  }

  // Closes every connection and opens the first again, on the same VFS (the same process).
  wal::Status reconnect() {
    for (sqlite3* db : connections_) {
      forget_statements(db);
      sqlite3_close_v2(db);
    }
    connections_.clear();
    corrupt_.clear();
    wal::Result<sqlite3*> db = connect(true);
    return db ? wal::Status::ok() : db.error();
  }

  // Closes every connection and ends the VFS (the process).
  void drop() {
    for (sqlite3* db : connections_) {
      forget_statements(db);
      sqlite3_close_v2(db);
    }
    connections_.clear();
    vfs_.reset();
  }

  // Opens the next connection; the first sets the database up as the scenario says.
  wal::Result<sqlite3*> connect(bool first) {
    sqlite3* db = nullptr;
    // NOMUTEX: each connection is used by one thread at a time, so SQLite's per-connection
    // mutex is pure cost (a tenth of a run).
    const int rc = sqlite3_open_v2(path_.c_str(), &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   vfs_->name().c_str());
    if (rc != SQLITE_OK) {
      const wal::Status status = sqlite_error(db, rc, "open " + path_);
      sqlite3_close_v2(db);
      return status;
    }
    connections_.push_back(db);
    if (script_) {
      const int installed = script_->target_context().install(db);
      if (installed != SQLITE_OK) return sqlite_error(db, installed, "set up " + path_);
    }
    // journal_mode is a connection's own setting in the rollback modes (only wal is recorded
    // in the database file): every connection sets it, or the second writer's commits would
    // run in delete mode.
    std::string sql = fmt::format("PRAGMA journal_mode = {}; PRAGMA cache_size = {}; "
                                  "PRAGMA synchronous = {};",
                                  setting("journal_mode"), setting("cache_size"),
                                  setting("synchronous"));
    if (first) {
      sql = fmt::format("PRAGMA page_size = {}; ", setting("page_size")) + sql;
      for (int t = 0; t < kTables && !script_; ++t) {
        sql += fmt::format("CREATE TABLE IF NOT EXISTS t{}(k INTEGER PRIMARY KEY, v TEXT);", t);
      }
    }
    const int set_up = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    if (set_up == SQLITE_OK) return db;
    const int primary = set_up & 0xff;
    if (first && (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)) {
      // What recovery found is the check's to judge, not a failed open.
      corrupt_ = fmt::format("opening the database: {}", sqlite3_errmsg(db));
      return db;
    }
    return sqlite_error(db, set_up, "set up " + path_);
  }

  wal::Result<sqlite3*> connection(std::uint32_t writer) {
    while (connections_.size() <= writer) {
      wal::Result<sqlite3*> db = connect(connections_.empty());
      if (!db) return db;
    }
    return connections_[writer];
  }

  Change put(std::uint32_t bytes, sim::Prng& choices) {
    Change change;
    change.kind = Change::Kind::kPut;
    change.table = static_cast<int>(choices.below(kTables));
    change.key = static_cast<std::int64_t>(choices.below(kKeys));
    change.value = letters(std::max<std::uint32_t>(bytes, 1), choices);
    return change;
  }

  Change any_change(std::uint32_t bytes, sim::Prng& choices) {
    Change change = put(bytes, choices);
    switch (choices.below(6)) {
      case 0:
        change.kind = Change::Kind::kErase;
        change.last = change.key;
        change.value.clear();
        break;
      case 1:
        change.kind = Change::Kind::kAppend;
        change.value.resize(std::min<std::size_t>(change.value.size(), 16));
        break;
      default: break;
    }
    return change;
  }

  harness::Applied commit(sqlite3* db, Txn txn) {
    const sqlite3_int64 changes_before = sqlite3_total_changes64(db);
    int rc = exec(db, "BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < txn.changes.size() && rc == SQLITE_OK; ++i) {
      rc = run(db, txn.changes[i]);
    }
    txn.wrote = sqlite3_total_changes64(db) != changes_before;
    if (rc == SQLITE_OK) rc = exec(db, "COMMIT");
    if (rc != SQLITE_OK) {
      const wal::Status status = sqlite_error(db, rc, fmt::format("transaction of op {}", txn.op));
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK;", nullptr, nullptr, nullptr);
      txns_.push_back(std::move(txn));  // it may or may not have landed
      return {harness::Ack::kFailed, status, {}};
    }
    txn.committed = true;
    txns_.push_back(std::move(txn));
    return {commit_ack(), {}, {}};
  }

  // One change as a prepared statement with bound values (a literal of kilobytes costs
  // SQLite's tokenizer more than the write), prepared once per connection and text.
  int run(sqlite3* db, const Change& change) {
    sqlite3_stmt*& statement = statements_[{db, change.statement()}];
    if (statement == nullptr) {
      const int rc = sqlite3_prepare_v2(db, change.statement().c_str(), -1, &statement, nullptr);
      if (rc != SQLITE_OK) return rc;
    }
    sqlite3_bind_int64(statement, 1, change.key);
    if (change.kind == Change::Kind::kErase) {
      sqlite3_bind_int64(statement, 2, change.last);
    } else {
      sqlite3_bind_text(statement, 2, change.value.data(), static_cast<int>(change.value.size()),
                        SQLITE_STATIC);
    }
    const int rc = sqlite3_step(statement);
    const int reset = sqlite3_reset(statement);  // ends the statement; keeps it prepared
    return rc == SQLITE_DONE ? reset : rc;
  }

  // A statement without values, prepared once per connection.
  int exec(sqlite3* db, const std::string& sql) {
    sqlite3_stmt*& statement = statements_[{db, sql}];
    if (statement == nullptr) {
      const int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr);
      if (rc != SQLITE_OK) return rc;
    }
    const int rc = sqlite3_step(statement);
    const int reset = sqlite3_reset(statement);
    return rc == SQLITE_DONE ? reset : rc;
  }

  // Finalizes `db`'s prepared statements (before it closes).
  void forget_statements(sqlite3* db) {
    for (auto it = statements_.begin(); it != statements_.end();) {
      if (it->first.first != db) {
        ++it;
        continue;
      }
      sqlite3_finalize(it->second);
      it = statements_.erase(it);
    }
  }

  harness::Applied checkpoint(sqlite3* db) {
    const int rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE);", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return {harness::Ack::kFailed, sqlite_error(db, rc, "checkpoint"), {}};
    return {};
  }

  // Reads every table (or one row) and compares with the model of every commit so far.
  harness::Applied read_back(sqlite3* db, std::optional<std::pair<int, std::int64_t>> row) {
    DbState model = base_;
    for (const Txn& txn : txns_) apply_to(model, txn);
    DbState got;
    const std::string problem = read_all(db, got);
    harness::Applied applied;
    if (!problem.empty()) {
      applied.ack = harness::Ack::kFailed;
      applied.status = wal::Status::io_error("sqlite: read: " + problem);
      return applied;
    }
    if (row) {
      auto keep = [&](DbState& state) {
        for (auto it = state.begin(); it != state.end();) {
          it = it->first == *row ? std::next(it) : state.erase(it);
        }
      };
      keep(model);
      keep(got);
    }
    if (got != model) {
      applied.violations.push_back(
          {harness::Invariant::kIntegrity, wal::kNoLsn, 0,
           fmt::format("integrity: sqlite-read: a live read disagrees with the model: {}",
                       first_difference(got, model))});
    }
    return applied;
  }

  // Every row of t0..t2 into `out` (a missing table reads as empty: its CREATE may have been
  // the transaction a power loss took). Returns the problem, or "".
  static std::string read_all(sqlite3* db, DbState& out) {
    for (int t = 0; t < kTables; ++t) {
      sqlite3_stmt* statement = nullptr;
      const std::string sql = fmt::format("SELECT k, v FROM t{}", t);
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
        const std::string message = sqlite3_errmsg(db);
        if (message.starts_with("no such table")) continue;
        return fmt::format("reading t{}: {}", t, message);
      }
      int rc = SQLITE_ROW;
      while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 1));
        out[{t, sqlite3_column_int64(statement, 0)}] = text ? text : "";
      }
      sqlite3_finalize(statement);
      if (rc != SQLITE_DONE) return fmt::format("reading t{}: {}", t, sqlite3_errmsg(db));
    }
    return "";
  }

  std::map<std::string, std::string, std::less<>> settings_;
  DurabilityRule rule_;  // the scenario's mode, as documented: set at each open
  wal::Clock* clock_ = nullptr;
  std::string path_;
  std::uint64_t opens_ = 0;
  std::unique_ptr<Vfs> vfs_;
  std::vector<sqlite3*> connections_;  // one per writer, made on first use
  // Prepared statements by connection and text (an ordered map: nothing here iterates in an
  // order that could reach the disk, but the rule is kept).
  std::map<std::pair<sqlite3*, std::string>, sqlite3_stmt*> statements_;
  std::string corrupt_;                // what the first connection's set-up met, if corrupt
  DbState base_;                       // the state the last check accepted
  bool base_known_ = true;             // false after a check found the database corrupt
  bool unjudged_power_loss_ = false;   // a check after a power loss met only I/O errors
  std::vector<Txn> txns_;              // since then, in commit order
  std::vector<std::string> notes_;
  std::unique_ptr<ScriptOracle> script_;  // [sqlite] script: the workload and its oracle
};

harness::TargetInfo sqlite_info() {
  // No memory statistics: their global mutex cost a twentieth of a run. Only before SQLite
  // initializes; a process that initialized it already keeps its setting (SQLITE_MISUSE).
  static_cast<void>(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0));
  harness::TargetInfo info{
    "sqlite",
    "SQLite (Debian's libsqlite3, its own pager, journals and WAL) through a VFS onto the "
    "simulated disk; transactions over three tables, judged by a model and SQLite's documented "
    "durability",
    [] { return std::make_unique<SqliteTarget>(); },
    {},
    {
        {.name = "journal_mode",
         .words = {"delete", "truncate", "persist", "wal", "memory", "off"},
         .default_value = "delete",
         .doc = "PRAGMA journal_mode"},
        {.name = "synchronous",
         .words = {"off", "normal", "full", "extra"},
         .default_value = "full",
         .doc = "PRAGMA synchronous"},
        {.name = "page_size",
         .min = 512,
         .max = 65536,
         .power_of_two = true,
         .default_value = "4096",
         .doc = "PRAGMA page_size of a new database"},
        {.name = "cache_size",
         .min = 1,
         .max = 1000000,
         .default_value = "16",
         .doc = "PRAGMA cache_size in pages: small, so large transactions spill to the file"},
        {.name = "durability",
         .words = {"documented", "strict"},
         .default_value = "documented",
         .doc = "what the oracle requires of an acknowledged commit: what SQLite documents for "
                "the mode, or every one"},
        {.name = "script",
         .type = harness::TargetKeyType::kFile,
         .default_value = "",
         .doc = "the workload as a SQL file of your own, relative to the scenario's folder: "
                "statements before the first BEGIN are the set-up, then each BEGIN ... COMMIT "
                "(or lone statement) is a transaction; op i runs transaction i mod N; named "
                "parameters (:name) bind a value in [0, 2^31) drawn per op; judged against the "
                "same SQL on an in-memory database (docs/harness-api.md). \"\": the generated "
                "workload"},
        {.name = "checks",
         .type = harness::TargetKeyType::kTexts,
         .default_value = "",
         .doc = "with a script: queries that must each answer one true (non-zero) value after "
                "every recovery, e.g. \"SELECT sum(balance) = 1000 FROM accounts\" "
                "(sqlite-check)"},
    },
  };
  info.single_threaded = true;  // SQLite starts no threads by default
  info.validate = validate_script_keys;
  return info;
}

const bool kSqliteRegistered = harness::register_target(sqlite_info());

}  // namespace
}  // namespace sqlite_adapter
