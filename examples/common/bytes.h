// Little-endian fixed-width fields and length-prefixed strings: the examples' entry encoding.
// Decoding is bounds-checked; a short or malformed buffer is a clean failure, never a read past
// the end (an entry the WAL returns passed its checksum, but a store must not trust its own
// format blindly either).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

class ByteWriter {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(static_cast<std::byte>(value)); }
  void u64(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void str(std::string_view text) {
    u64(text.size());
    for (char c : text) u8(static_cast<std::uint8_t>(c));
  }
  std::span<const std::byte> bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::optional<std::uint8_t> u8() {
    if (pos_ >= bytes_.size()) return std::nullopt;
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }
  std::optional<std::uint64_t> u64() {
    if (bytes_.size() - pos_ < 8) return std::nullopt;
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
      value |= static_cast<std::uint64_t>(bytes_[pos_ + i]) << (8 * i);
    }
    pos_ += 8;
    return value;
  }
  std::optional<std::string> str() {
    const std::optional<std::uint64_t> size = u64();
    if (!size || *size > bytes_.size() - pos_) return std::nullopt;
    std::string text(reinterpret_cast<const char*>(bytes_.data() + pos_), *size);
    pos_ += *size;
    return text;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace examples
