// Assertions detect programmer errors (broken invariants), never operating errors (those are
// Status values). WAL_ASSERT is on in every build, release included: a WAL that has lost track of
// its own state must stop before it writes, not after.
#pragma once

namespace wal::detail {
[[noreturn]] void assert_failed(const char* expression, const char* file, int line);
}  // namespace wal::detail

#define WAL_ASSERT(cond)                                                  \
  do {                                                                    \
    if (!(cond)) [[unlikely]]                                             \
      ::wal::detail::assert_failed(#cond, __FILE__, __LINE__);            \
  } while (0)

// O(n) or otherwise expensive checks: debug and simulation builds only.
#ifdef NDEBUG
#define WAL_DASSERT(cond) \
  do {                    \
  } while (0)
#else
#define WAL_DASSERT(cond) WAL_ASSERT(cond)
#endif
