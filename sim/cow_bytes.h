// A file's bytes in a SimFsState, shared between copies of the state until one of them changes.
// The harness copies whole states all the time (the state before a recovery, to check it twice
// and to restore it; each crash image; a diagnosis's re-runs), and the WAL preallocates its
// segments: with the default 64 MiB segments every copy was a memmove of every segment, and a
// replay spent half its time copying zeros and faulting in the pages for them. Reads go through
// the const accessors; every change through mut(), which copies the bytes first if another state
// still shares them. The simulator runs its threads as fibers on one OS thread, so the shared
// count needs no more care than a shared_ptr gives.
//
// The bytes' content_hash() is kept beside them once taken: explore() hashes every post-crash
// state to tell the distinct ones apart, and most of a state's files are the same bytes as in
// the state before (only the files a crash cut are new). mut() forgets it, since the caller is
// about to change the bytes; nothing may hash them between that mut() and the change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/content_hash.h"

namespace sim {

using Bytes = std::vector<std::byte>;

class CowBytes {
 public:
  CowBytes() = default;
  CowBytes(Bytes bytes)  // NOLINT(google-explicit-constructor): a drop-in for Bytes
      : bytes_(std::make_shared<Shared>(std::move(bytes))) {}

  const Bytes& get() const { return bytes_ != nullptr ? bytes_->bytes : empty_bytes(); }
  operator const Bytes&() const { return get(); }  // NOLINT(google-explicit-constructor)

  std::size_t size() const { return get().size(); }
  bool empty() const { return get().empty(); }
  const std::byte* data() const { return get().data(); }
  std::byte operator[](std::size_t i) const { return get()[i]; }
  Bytes::const_iterator begin() const { return get().begin(); }
  Bytes::const_iterator end() const { return get().end(); }

  // The bytes to change, this state's own from here on.
  Bytes& mut() {
    if (bytes_ == nullptr) {
      bytes_ = std::make_shared<Shared>(Bytes());
    } else if (bytes_.use_count() > 1) {
      bytes_ = std::make_shared<Shared>(Bytes(bytes_->bytes));
    }
    bytes_->hashed = false;
    return bytes_->bytes;
  }

  // sim::content_hash of the bytes, taken once per version of them.
  std::uint64_t hash() const {
    if (bytes_ == nullptr) return content_hash({});
    if (!bytes_->hashed) {
      bytes_->hash = content_hash(bytes_->bytes);
      bytes_->hashed = true;
    }
    return bytes_->hash;
  }

  friend bool operator==(const CowBytes& a, const CowBytes& b) {
    return a.bytes_ == b.bytes_ || a.get() == b.get();
  }
  friend bool operator==(const CowBytes& a, const Bytes& b) { return a.get() == b; }

 private:
  static const Bytes& empty_bytes() {
    static const Bytes kEmpty;
    return kEmpty;
  }

  struct Shared {
    explicit Shared(Bytes b) : bytes(std::move(b)) {}
    Bytes bytes;
    std::uint64_t hash = 0;
    bool hashed = false;
  };

  std::shared_ptr<Shared> bytes_;
};

}  // namespace sim
