// The [rocksdb] table of settings.h.
#include "adapters/rocksdb/settings.h"

#include <charconv>
#include <memory>

#include <rocksdb/listener.h>

namespace rocksdb_adapter {
namespace {

std::int64_t number(const Settings& settings, std::string_view key) {
  const auto it = settings.find(key);
  std::int64_t value = 0;
  if (it != settings.end()) {
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  }
  return value;
}

bool flag(const Settings& settings, std::string_view key) {
  const auto it = settings.find(key);
  return it != settings.end() && it->second == "true";
}

rocksdb::WALRecoveryMode recovery_mode(const Settings& settings) {
  const auto it = settings.find("wal_recovery_mode");
  const std::string mode = it == settings.end() ? "point-in-time" : it->second;
  if (mode == "tolerate-corrupted-tail") {
    return rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  }
  if (mode == "absolute") return rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  if (mode == "skip-any") return rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
  return rocksdb::WALRecoveryMode::kPointInTimeRecovery;
}

// Suppresses the automatic recovery from a NoSpace background error: SstFileManager runs it on
// a thread of its own (SstFileManagerImpl::ClearError). The database stays read-only instead,
// as with max_bgerror_resume_count = 0 for the other retryable errors.
class NoAutoRecovery final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "WalNoAutoRecovery"; }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

std::vector<harness::TargetKey> rocksdb_keys() {
  const std::vector<std::string> booleans = {"false", "true"};
  return {
      {.name = "write_buffer_size",
       .min = 65536,
       .max = 64 << 20,
       .default_value = "4194304",
       .doc = "Options::write_buffer_size in bytes: a memtable this full is switched to a new "
              "WAL and flushed to a table (small: many switches and flushes)"},
      {.name = "paranoid_checks",
       .words = booleans,
       .default_value = "true",
       .doc = "Options::paranoid_checks (RocksDB's default true): refuse to open on corruption "
              "found while recovering"},
      {.name = "wal_recovery_mode",
       .words = {"tolerate-corrupted-tail", "absolute", "point-in-time", "skip-any"},
       .default_value = "point-in-time",
       .doc = "Options::wal_recovery_mode: kTolerateCorruptedTailRecords, "
              "kAbsoluteConsistency, kPointInTimeRecovery (RocksDB's default) or "
              "kSkipAnyCorruptedRecords"},
      {.name = "max_manifest_file_size",
       .min = 1,
       .max = std::int64_t{1} << 40,
       .default_value = "1073741824",
       .doc = "Options::max_manifest_file_size in bytes: a MANIFEST this large is rolled to a "
              "new one at the next version edit (small: many MANIFEST rolls)"},
      {.name = "disable_wal",
       .words = booleans,
       .default_value = "false",
       .doc = "WriteOptions::disableWAL on every write; a sync write is then the write and a "
              "flush of every memtable (RocksDB refuses sync writes without a WAL)"},
      {.name = "track_and_verify_wals_in_manifest",
       .words = booleans,
       .default_value = "false",
       .doc = "Options::track_and_verify_wals_in_manifest: the MANIFEST records synced WALs "
              "and an open refuses a missing one"},
      {.name = "column_families",
       .min = 1,
       .max = 16,
       .default_value = "1",
       .doc = "column families (\"default\", cf1, ...): key k<n> lives in family n % count"},
      {.name = "atomic_flush",
       .words = booleans,
       .default_value = "false",
       .doc = "Options::atomic_flush: the column families' memtables are flushed together"},
      {.name = "transaction_db",
       .words = booleans,
       .default_value = "false",
       .doc = "open a TransactionDB (pessimistic; TransactionDB::Open always sets "
              "Options::allow_2pc) and make each write one transaction"},
      {.name = "two_phase_commit",
       .words = booleans,
       .default_value = "false",
       .doc = "with transaction_db: each write a named transaction, prepared in its op and "
              "committed in the next write op (a clean close commits the last); prepared "
              "transactions found at open are rolled back"},
      {.name = "value_bytes",
       .min = 0,
       .max = 1 << 20,
       .default_value = "100",
       .doc = "every value's size in bytes after its \"op<index>-\" head; 0: the op's "
              "[workload] entry_bytes"},
      {.name = "keys",
       .min = 1,
       .max = 1 << 20,
       .default_value = "512",
       .doc = "the key space, k00000.. (few keys: writes overwrite each other)"},
      {.name = "ingest_percent",
       .min = 0,
       .max = 100,
       .default_value = "0",
       .doc = "the percent of write ops made an ingest instead: 1-8 puts of keys i00000.. "
              "written with SstFileWriter, then DB::IngestExternalFile (move_files drawn; "
              "linking is not supported, both copy)"},
  };
}

std::vector<harness::TargetKeyProblem> validate_settings(const Settings& settings) {
  std::vector<harness::TargetKeyProblem> problems;
  if (flag(settings, "two_phase_commit") && !flag(settings, "transaction_db")) {
    problems.push_back({"two_phase_commit",
                        "rocksdb.two_phase_commit = true needs rocksdb.transaction_db = true "
                        "(two-phase commit is a TransactionDB's)"});
  }
  return problems;
}

TargetSettings read_settings(const Settings& settings) {
  TargetSettings out;
  rocksdb::Options& options = out.options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.write_buffer_size = static_cast<std::size_t>(number(settings, "write_buffer_size"));
  options.paranoid_checks = flag(settings, "paranoid_checks");
  options.wal_recovery_mode = recovery_mode(settings);
  options.max_manifest_file_size =
      static_cast<std::uint64_t>(number(settings, "max_manifest_file_size"));
  options.track_and_verify_wals_in_manifest = flag(settings, "track_and_verify_wals_in_manifest");
  options.atomic_flush = flag(settings, "atomic_flush");
  out.transaction_db = flag(settings, "transaction_db");
  out.two_phase_commit = out.transaction_db && flag(settings, "two_phase_commit");
  out.disable_wal = flag(settings, "disable_wal");
  out.column_families = static_cast<int>(number(settings, "column_families"));
  out.keys = number(settings, "keys");
  out.value_bytes = static_cast<std::size_t>(number(settings, "value_bytes"));
  out.ingest_percent = static_cast<int>(number(settings, "ingest_percent"));
  no_threads_of_its_own(options);
  // Every table's rocksdb.host.identity property. The default, "__hostname__", asks the Env for
  // the host name (table/format.cc ReifyDbHostIdProperty): ours answers "sim", but whichever Env
  // a table builder asks, a host's name would make table bytes differ between machines.
  options.db_host_id = "sim";
  return out;
}

void no_threads_of_its_own(rocksdb::Options& options) {
  // No thread RocksDB would start on its own that can be turned off (env.h): the closing flush
  // would wait for a background job the quiescent Env runs only between calls.
  options.max_file_opening_threads = 1;  // else VersionBuilder opens tables on 15 threads
  options.max_subcompactions = 1;        // else a compaction may split over threads
  options.listeners.push_back(std::make_shared<NoAutoRecovery>());
  // The timer thread's DumpStats writes the LOG at a host time (its first run is a random
  // fraction of the period after the open): seen as a leak under ASan, a race on SimFs.
  options.stats_dump_period_sec = 0;
  options.stats_persist_period_sec = 0;
  options.max_bgerror_resume_count = 0;
  options.avoid_flush_during_shutdown = true;
}

}  // namespace rocksdb_adapter
