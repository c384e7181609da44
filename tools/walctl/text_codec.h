// Renderings of raw entry bytes for dump: escaped text, base64 and a hexdump.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace walctl {

// Printable ASCII as is; backslash, \t, \n, \r escaped; every other byte as \xHH.
void append_escaped(std::string& out, std::span<const std::byte> bytes);

// True if every byte is printable ASCII or \t, \n, \r (safe to show as a JSON string).
bool is_plain_text(std::span<const std::byte> bytes);

std::string base64(std::span<const std::byte> bytes);

// "  00000000  68 65 6c 6c 6f 0a ...  |hello.|" lines, 16 bytes each.
void append_hexdump(std::string& out, std::span<const std::byte> bytes);

}  // namespace walctl
