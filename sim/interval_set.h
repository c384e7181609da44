// A set of disjoint half-open byte ranges, merged on insert. SimFs uses it to ask "does an
// earlier pending write overlap this one?" in O(log n) instead of scanning the pending list.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>

namespace sim {

class IntervalSet {
 public:
  void add(std::uint64_t begin, std::uint64_t end) {
    if (begin >= end) return;
    auto it = ranges_.upper_bound(begin);
    if (it != ranges_.begin()) {
      auto before = std::prev(it);
      if (before->second >= begin) {
        begin = before->first;
        if (before->second > end) end = before->second;
        it = ranges_.erase(before);
      }
    }
    while (it != ranges_.end() && it->first <= end) {
      if (it->second > end) end = it->second;
      it = ranges_.erase(it);
    }
    ranges_.emplace(begin, end);
  }

  bool overlaps(std::uint64_t begin, std::uint64_t end) const {
    if (begin >= end) return false;
    auto it = ranges_.lower_bound(end);  // first range starting at or after `end`
    if (it == ranges_.begin()) return false;
    return std::prev(it)->second > begin;
  }

  bool empty() const { return ranges_.empty(); }

 private:
  std::map<std::uint64_t, std::uint64_t> ranges_;  // begin -> end
};

}  // namespace sim
