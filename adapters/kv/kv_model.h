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
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kv {

using KvMap = std::map<std::string, std::string>;

struct KvWrite {
  std::uint32_t op = 0;  // the workload op's index, for messages
  bool sync = false;
  // In order; nullopt is a delete.
  std::vector<std::pair<std::string, std::optional<std::string>>> changes;
};

enum class Verdict : std::uint8_t { kOk, kPhantom, kDurability, kPrefix };

struct ModelVerdict {
  Verdict verdict = Verdict::kOk;
  std::uint64_t prefix = 0;  // kOk: the number of writes the recovery kept
  std::string detail;        // the first keys at fault, what each holds and should hold
};

class KvModel {
 public:
  // A write the store accepted; `durable` when it returned OK with sync = true.
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

  std::size_t pending_writes() const { return writes_.size(); }
  std::size_t required_writes() const { return must_; }

 private:
  ModelVerdict classify(const KvMap& recovered, std::size_t must) const;
  // For a prefix verdict: which write is missing and which later one is not.
  std::string out_of_order(const KvMap& recovered, std::size_t must) const;

  KvMap base_;  // the state the last judgement accepted
  bool base_known_ = true;
  KvMap live_;
  std::vector<KvWrite> writes_;  // since then, in order
  std::size_t accepted_ = 0;     // of writes_, the ones that returned OK (a failed one is last)
  std::size_t must_ = 0;         // the leading writes_ that must survive a power loss
};

}  // namespace kv
