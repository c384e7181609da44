// The oracle of the key-value engine targets (leveldb, rocksdb): what LevelDB promises about
// writes (include/leveldb/options.h, WriteOptions::sync; doc/index.md, "Synchronous Writes")
// and RocksDB repeats (include/rocksdb/options.h, WriteOptions::sync), as a model map with
// prefix durability. Engine-neutral: each target names the verdicts <engine>-phantom etc.
// A write that returned OK with sync = true is durable, and so is every write before it (one
// log, written in order: a sync write syncs what precedes it). A write without sync may be
// lost in a crash, but only together with every write after it that was not made durable. So
// a recovered database must be the state after some prefix of the writes, at least as long as
// the last acknowledged sync write.
//
// A recovery that is no such prefix is classified, per key, into the first that applies:
//   <engine>-phantom    a key holds a value (or presence) it never had in any state: data never
//                       written, or wrong
//   <engine>-durability a key holds a value older than the durable prefix allows: an
//                       acknowledged write, or one a later sync write made durable, is lost
//                       (google/leveldb#193 is this: an unsynced write lost while a later sync
//                       write survived)
//   <engine>-prefix     every key holds a value of some allowed state, but no single prefix
//                       gives them all: unsynced writes survived out of order
//
// Ingests (the rocksdb target's ingest op: a table file of puts added by
// DB::IngestExternalFile) are a second history, judged the same way on their own keys, named
// "i<n>" apart from the writes' "k<n>". An ingest that returned OK is durable (the MANIFEST
// naming its table is synced before it returns), but it is no barrier for the writes before
// it: they are still only in the WAL, in their own order. So every acknowledged ingest must
// survive whole and one cut by the crash whole or not at all (a part of one is
// <engine>-prefix), while the writes keep their prefix rule beside them. A failed ingest is
// taken as the store's last act, as a failed write is (the harness crashes after it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kv {

using KvMap = std::map<std::string, std::string>;

// The first letter of every ingested key, and of no written one.
inline constexpr char kIngestKeyHead = 'i';

struct KvWrite {
  std::uint32_t op = 0;  // the workload op's index, for messages
  bool sync = false;
  // In order; nullopt is a delete.
  std::vector<std::pair<std::string, std::optional<std::string>>> changes;
  bool ingest = false;  // an ingest: puts of kIngestKeyHead keys only, durable on return
};

enum class Verdict : std::uint8_t { kOk, kPhantom, kDurability, kPrefix };

struct ModelVerdict {
  Verdict verdict = Verdict::kOk;
  std::uint64_t prefix = 0;  // kOk: the number of writes the recovery kept
  std::string detail;        // the first keys at fault, what each holds and should hold
};

class KvModel {
 public:
  // A write the store accepted; `durable` when it returned OK with sync = true (an ingest
  // that returned OK is durable whatever `durable` says).
  void accepted(KvWrite write, bool durable);
  // A write that returned an error: it may or may not have landed (it is the last one).
  void failed(KvWrite write);
  // What a live read of `key` must return: the state after every accepted write.
  std::optional<std::string> live(const std::string& key) const;
  // Judges a recovered map against the writes since the last judgement. `all_required`: a
  // clean reopen, nothing may be lost. Then `recovered` is the truth from here on.
  ModelVerdict judge(const KvMap& recovered, bool all_required);
  // The database could not be read: forget the state (later judgements start from what the
  // next recovery holds).
  void forget();

  std::size_t pending_writes() const { return log_.writes.size(); }
  std::size_t required_writes() const { return log_.must; }

  // One history: the writes (in the log's order) or the ingests, over its own keys.
  struct History {
    const char* noun = "writes";       // for messages
    KvMap base = {};                   // the state the last judgement accepted, of these keys
    std::vector<KvWrite> writes = {};  // since then, in order
    std::size_t accepted = 0;  // of writes, the ones that returned OK (a failed one is last)
    std::size_t must = 0;      // the leading writes that must survive a power loss
  };

 private:
  History& history_of(const KvWrite& write) { return write.ingest ? ingests_ : log_; }

  bool base_known_ = true;
  KvMap live_;
  History log_;
  History ingests_{"ingests"};
};

}  // namespace kv
