// A file's bytes in a SimFsState, shared between copies of the state until one of them changes.
// The harness copies whole states all the time (the state before a recovery, to check it twice
// and to restore it; each crash image; a diagnosis's re-runs), and the WAL preallocates its
// segments: with the default 64 MiB segments every copy was a memmove of every segment, and a
// replay spent half its time copying zeros and faulting in the pages for them. Reads go through
// the const accessors; every change through mut(), which copies the bytes first if another state
// still shares them. The simulator runs its threads as fibers on one OS thread, so the shared
// count needs no more care than a shared_ptr gives.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace sim {

using Bytes = std::vector<std::byte>;

class CowBytes {
 public:
  CowBytes() = default;
  CowBytes(Bytes bytes)  // NOLINT(google-explicit-constructor): a drop-in for Bytes
      : bytes_(std::make_shared<Bytes>(std::move(bytes))) {}

  const Bytes& get() const { return bytes_ != nullptr ? *bytes_ : empty_bytes(); }
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
      bytes_ = std::make_shared<Bytes>();
    } else if (bytes_.use_count() > 1) {
      bytes_ = std::make_shared<Bytes>(*bytes_);
    }
    return *bytes_;
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

  std::shared_ptr<Bytes> bytes_;
};

}  // namespace sim
