// read_at may be short before the end of the file (fs.h); read_fully reads on until the span
// is full or the file ends. The WAL's own readers go through it (found by read_short).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "read_fully.h"

namespace wal::detail::read_fully_test {
namespace {

// A file of `content` whose every read returns at most `most` bytes.
class DribblingFile final : public File {
 public:
  DribblingFile(std::string content, std::size_t most)
      : content_(std::move(content)), most_(most) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    ++reads;
    if (offset >= content_.size()) return std::size_t{0};
    const std::size_t n = std::min({out.size(), most_, content_.size() - offset});
    std::memcpy(out.data(), content_.data() + offset, n);
    return n;
  }
  Status write_at(std::uint64_t, std::span<const std::byte>) override { return Status::ok(); }
  Status sync_data() override { return Status::ok(); }
  Status sync() override { return Status::ok(); }
  Status truncate(std::uint64_t) override { return Status::ok(); }
  Status allocate(std::uint64_t, std::uint64_t) override { return Status::ok(); }
  Result<std::uint64_t> size() override { return std::uint64_t{content_.size()}; }
  Status close() override { return Status::ok(); }
  int reads = 0;

 private:
  std::string content_;
  std::size_t most_;
};

TEST(ReadFully, ReadsOnAfterShortReadsUntilTheSpanIsFull) {
  DribblingFile file("abcdefghij", 3);
  std::string out(8, '\0');
  EXPECT_EQ(read_fully(file, 1, std::as_writable_bytes(std::span(out))).value(), 8u);
  EXPECT_EQ(out, "bcdefghi");
  EXPECT_EQ(file.reads, 3);
}

TEST(ReadFully, StopsAtTheEndOfTheFile) {
  DribblingFile file("abcde", 2);
  std::string out(8, '\0');
  EXPECT_EQ(read_fully(file, 0, std::as_writable_bytes(std::span(out))).value(), 5u);
  EXPECT_EQ(out.substr(0, 5), "abcde");
  EXPECT_EQ(read_fully(file, 9, std::as_writable_bytes(std::span(out))).value(), 0u);
}

}  // namespace
}  // namespace wal::detail::read_fully_test
