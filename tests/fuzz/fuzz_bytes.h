// Reads a fuzz input as a stream of fields. Running out of bytes yields zeros, never an error:
// every input, however short, is a valid test case, so the fuzzer wastes no time on rejects.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wal_fuzz {

class FuzzBytes {
 public:
  explicit FuzzBytes(std::span<const std::byte> data) : data_(data) {}

  template <typename T>
  T take() {
    T value{};
    const std::size_t n = std::min(sizeof(T), data_.size());
    std::memcpy(&value, data_.data(), n);
    data_ = data_.subspan(n);
    return value;
  }
  std::uint8_t byte() { return take<std::uint8_t>(); }
  std::span<const std::byte> rest() {
    std::span<const std::byte> all = data_;
    data_ = {};
    return all;
  }
  bool empty() const { return data_.empty(); }

 private:
  std::span<const std::byte> data_;
};

inline std::span<const std::byte> as_bytes(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}
inline std::string to_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace wal_fuzz
