// The recorder's names for files: an id per inode (st_dev, st_ino) of a regular file in D. An
// open that creates a file gives it a fresh id, because the kernel reuses the inode numbers of
// deleted files; hard links share their inode, so their id. An inode the map knows is a file of
// D, wherever a descriptor to it came from: that is how writes through any descriptor are
// placed without mirroring descriptor tables.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace systrace {

class FileIds {
 public:
  // A new id for the inode, replacing the one it had.
  std::uint64_t fresh(dev_t dev, ino_t ino);
  // The inode's id, or the fresh one it gets now (the initial walk: hard links share it).
  std::uint64_t find_or_add(dev_t dev, ino_t ino);
  std::optional<std::uint64_t> find(dev_t dev, ino_t ino) const;
  void forget(dev_t dev, ino_t ino);

  // An id whose last name in D went away (unlink or rename over it): once its last
  // descriptor closes the kernel may hand the inode number to a new file outside D, so an open
  // outside D that finds this inode finds a different file (see forget).
  void mark_unlinked(std::uint64_t id) { unlinked_.insert(id); }
  void mark_linked(std::uint64_t id) { unlinked_.erase(id); }
  bool unlinked(std::uint64_t id) const { return unlinked_.contains(id); }

 private:
  struct Key {
    dev_t dev;
    ino_t ino;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      return std::hash<std::uint64_t>()(static_cast<std::uint64_t>(k.ino) * 0x9e3779b97f4a7c15ull ^
                                        static_cast<std::uint64_t>(k.dev));
    }
  };
  std::unordered_map<Key, std::uint64_t, KeyHash> ids_;
  std::unordered_set<std::uint64_t> unlinked_;
  std::uint64_t next_ = 1;
};

}  // namespace systrace
