// What the bytes a power loss caught in flight read back as (SPEC 9.3 `crash.torn_fill`). A
// write the crash tore reached the disk only in part, and disks differ in what the rest of it
// reads as: the previous content (`stale`), zeros (`zeros`: many SSDs and file systems hand out
// a zeroed block for a write they lost), or junk (`random`). A tester that knows only one of
// them misses the bugs only another one shows: SQLite's crash VFS filled with random bytes and
// for years did not see a bug that needed zero-filled sectors.
//
// Past a file's old end there is no previous content: a hole reads as zeros, so there `stale`
// and `zeros` agree. The garbage-tail policy's new bytes are filled by the same code.
//
// How far the damage reaches (`crash.torn_scope`) is a second property of the disk. A device
// with "powersafe overwrite" (https://www.sqlite.org/psow.html) changes no byte it was not asked
// to write: the fill covers only the torn write's own lost bytes (`write`, the default). One
// without it rewrites whole sectors (a read-modify-write inside the drive), and a sector caught
// mid-write may come back damaged whole, bytes the write never touched included, however long
// ago they were made durable (`sector`). That is why a log must not append into a sector that
// holds synced data on such a device (SQLite pads its WAL to a sector when PSOW is off).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/cow_bytes.h"
#include "sim/prng.h"

namespace sim {

enum class TornFill : std::uint8_t { kStale, kZeros, kRandom };

// "stale", "zeros", "random".
std::string_view to_string(TornFill fill);
std::optional<TornFill> parse_torn_fill(std::string_view text);

enum class TornScope : std::uint8_t { kWrite, kSector };

// "write", "sector".
std::string_view to_string(TornScope scope);
std::optional<TornScope> parse_torn_scope(std::string_view text);

// Fills bytes of an image as a fill mode says, [begin, end) at a time, in increasing order. The
// junk of kRandom comes from junk_seed only, so one crash plan always leaves the same bytes.
class Filler {
 public:
  Filler(TornFill fill, std::uint64_t junk_seed) : fill_(fill), junk_(junk_seed) {}

  // [begin, end) clipped to the image; kStale leaves it as it is.
  void fill(Bytes& image, std::uint64_t begin, std::uint64_t end);

 private:
  TornFill fill_;
  Prng junk_;
};

}  // namespace sim
