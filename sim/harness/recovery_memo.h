// What recovering one post-crash image gives, kept for the rest of an exploration.
//
// explore() checks every survival outcome of every crash point, and most images recur: a crash
// point after a write whose bytes are lost leaves the image of the crash point before it, and
// every state a recovery cuts back to the same records converges on one image. Without injected
// faults or an environment decorator, what the WAL does from an image is a function of that image
// alone (the simulator is deterministic, and the enumerator already takes durable_hash() as "looks
// the same to recovery"), so each distinct image is recovered, closed and recovered again once,
// and every state is still judged against its own crash point's oracle. A test compares explore()
// with and without the memo (explore_test).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "sim/harness/invariants.h"
#include "sim/sim_fs_state.h"

namespace harness {

// Recovery, close and the idempotence repeat of one image, with the statuses the oracle saw.
struct RecoveredImage {
  Recovery recovery;
  bool closed = false;  // the first open succeeded and was closed
  wal::Status close_status;
  std::optional<std::uint64_t> open_handles_after_close;
  std::vector<Recovery> repeats;
};

class RecoveryMemo {
 public:
  // A state whose pending writes or entry operations are still there depends on more than its
  // durable image; only settled states (as a crash leaves them) are keyed, by sim::durable_hash.
  static bool settled(const sim::SimFsState& state) {
    for (const auto& [id, inode] : state.inodes) {
      if (inode.is_dir ? !inode.dir.pending.empty()
                       : !inode.file.pending.empty() || inode.file.cache_diverged) {
        return false;
      }
    }
    return true;
  }

  const RecoveredImage* find(std::uint64_t key) const {
    const auto it = images_.find(key);
    return it == images_.end() ? nullptr : &it->second;
  }
  void keep(std::uint64_t key, RecoveredImage image) { images_.emplace(key, std::move(image)); }

  // The idempotence repeat: the image a recovery and a clean close leave behind, recovered
  // again. Distinct crash states converge on few of these (a torn tail cut is a torn tail cut).
  const Recovery* find_repeat(std::uint64_t key) const {
    const auto it = repeats_.find(key);
    return it == repeats_.end() ? nullptr : &it->second;
  }
  void keep_repeat(std::uint64_t key, Recovery repeat) { repeats_.emplace(key, std::move(repeat)); }

  std::uint64_t hits() const { return hits_; }
  void count_hit() { ++hits_; }
  std::size_t size() const { return images_.size(); }

 private:
  std::map<std::uint64_t, RecoveredImage> images_;
  std::map<std::uint64_t, Recovery> repeats_;
  std::uint64_t hits_ = 0;
};

}  // namespace harness
