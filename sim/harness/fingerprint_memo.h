// fingerprint() (payload.h) of bytes seen before, remembered by content. A run fingerprints each
// entry when it is issued and again in every read-back that finds it (the recovery, the reader
// from the checkpoint, the repeat after the close), and explore() reads the same entries back
// from thousands of crash states. fingerprint() is a serial chain of multiplications, about
// 0.6 bytes per cycle; a lookup here is a hash and a comparison at memory speed. The answer is
// always exactly fingerprint(bytes): a hit compares the bytes themselves, not only their hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace harness {

std::uint64_t remembered_fingerprint(std::span<const std::byte> bytes);

// Remembers that fingerprint(bytes) is `fingerprint`, known without computing it (a payload's
// maker takes it as it makes the bytes: payload.h). The caller vouches for the value.
void remember_fingerprint(std::span<const std::byte> bytes, std::uint64_t fingerprint);

}  // namespace harness
