// The fuzz targets as plain functions, so the same code runs under libFuzzer (fuzz_entry.cc, one
// binary per target, clang) and as a gtest replaying the committed corpus and every reproducer
// (fuzz_replay_test.cc, any compiler). A target returns the invariant it saw broken, or nothing;
// a crash or a sanitizer report is a failure by itself.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wal_fuzz {

using Violation = std::optional<std::string>;
using TargetFn = Violation (*)(std::span<const std::byte> input);

// format::decode_record / decode_segment_header / for_each_batch_entry, and an encode-decode
// round trip in which any single flipped bit must be caught.
Violation record_decoder(std::span<const std::byte> input);
// The streaming Reader over one segment made of the input (on a SimFs).
Violation segment_reader(std::span<const std::byte> input);
// recovery::scan, wal::verify and LogCore::open (read-only and writable) over a directory of
// arbitrary files (on a SimFs), in the recovery mode the input's control byte names (bits 2-3):
// the fuzzer flips those bits like any other, and one mode per execution is what lets it run
// hundreds of inputs a second under ASan.
Violation recovery_dir(std::span<const std::byte> input);
// The same in all four modes, one after the other: what the replay of the committed inputs
// runs, so that each seed and reproducer is checked in every mode in every build.
Violation recovery_dir_every_mode(std::span<const std::byte> input);
// walctl verify / stat / dump / repair, in process, on a real directory (tmpfs when present).
Violation walctl_commands(std::span<const std::byte> input);
// The walsim scenario parser (only in builds that have it).
Violation scenario_parser(std::span<const std::byte> input);
// The `walsim trace` file reader (systrace/trace_file.h): decode, then encode and show.
Violation trace_file(std::span<const std::byte> input);

struct Target {
  std::string_view name;  // also the corpus folder: tests/fuzz/corpus/<name>/
  TargetFn fn;
};

}  // namespace wal_fuzz
