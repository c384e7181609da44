#include <cstdio>
#include <cstdlib>

#include <wal/assert.h>

namespace wal::detail {

void assert_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: WAL_ASSERT(%s) failed\n", file, line, expression);
  std::fflush(stderr);
  std::abort();
}

}  // namespace wal::detail
