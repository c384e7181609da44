// A benchmark that hits an error has nothing to report: these print the error and exit.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include <wal/status.h>

namespace bench {

[[noreturn]] inline void die(std::string_view what, std::string_view why) {
  std::fprintf(stderr, "compare_bench: %.*s: %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(why.size()), why.data());
  std::exit(1);
}

inline void check(const wal::Status& status, std::string_view what) {
  if (!status.is_ok()) die(what, status.to_string());
}

template <typename T>
T take(wal::Result<T> result, std::string_view what) {
  if (!result.is_ok()) die(what, result.error().to_string());
  return std::move(result).value();
}

// For POSIX calls: `result` < 0 means errno says why.
void check_errno(long result, std::string_view what);

}  // namespace bench
