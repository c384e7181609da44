#include "text_codec.h"

#include <fmt/format.h>

namespace walctl {
namespace {

bool printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

}  // namespace

void append_escaped(std::string& out, std::span<const std::byte> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::byte b : bytes) {
    const auto c = static_cast<unsigned char>(b);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default:
        if (printable(c)) {
          out += static_cast<char>(c);
        } else {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        }
    }
  }
}

bool is_plain_text(std::span<const std::byte> bytes) {
  for (std::byte b : bytes) {
    const auto c = static_cast<unsigned char>(b);
    if (!printable(c) && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

std::string base64(std::span<const std::byte> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::to_integer<std::uint32_t>(bytes[i]) << 16) |
                            (std::to_integer<std::uint32_t>(bytes[i + 1]) << 8) |
                            std::to_integer<std::uint32_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::to_integer<std::uint32_t>(bytes[i]) << 16;
    if (rest == 2) v |= std::to_integer<std::uint32_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void append_hexdump(std::string& out, std::span<const std::byte> bytes) {
  for (std::size_t row = 0; row < bytes.size(); row += 16) {
    const std::size_t n = std::min<std::size_t>(16, bytes.size() - row);
    out += fmt::format("  {:08x} ", row);
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 8) out += ' ';
      if (i < n) {
        out += fmt::format(" {:02x}", std::to_integer<unsigned>(bytes[row + i]));
      } else {
        out += "   ";
      }
    }
    out += "  |";
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = std::to_integer<unsigned char>(bytes[row + i]);
      out += printable(c) ? static_cast<char>(c) : '.';
    }
    out += "|\n";
  }
}

}  // namespace walctl
