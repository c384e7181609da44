// The word-at-a-time zero scan (wal/src/zero_bytes.h) finds exactly the first non-zero byte,
// wherever it lies relative to the eight-byte words and the end of the span.
#include "zero_bytes.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

TEST(ZeroBytes, FindsTheFirstNonZeroByteAtEveryOffsetAndLength) {
  for (std::size_t size = 0; size <= 41; ++size) {
    const std::vector<std::byte> zeros(size);
    EXPECT_FALSE(wal::detail::first_nonzero(zeros).has_value()) << size;
    EXPECT_TRUE(wal::detail::all_zero(zeros)) << size;
    for (std::size_t at = 0; at < size; ++at) {
      std::vector<std::byte> bytes(size);
      bytes[at] = std::byte{0x80};
      if (at + 1 < size) bytes[size - 1] = std::byte{1};  // a later one must not win
      EXPECT_EQ(wal::detail::first_nonzero(bytes), at) << size << " " << at;
      EXPECT_FALSE(wal::detail::all_zero(bytes)) << size << " " << at;
    }
  }
}

TEST(ZeroBytes, LooksOnlyInsideItsSpan) {
  std::vector<std::byte> bytes(24);
  bytes[3] = std::byte{1};
  bytes[20] = std::byte{1};
  EXPECT_EQ(wal::detail::first_nonzero(std::span(bytes).subspan(4, 16)), std::nullopt);
  EXPECT_EQ(wal::detail::first_nonzero(std::span(bytes).subspan(4)), 16u);
}

}  // namespace
