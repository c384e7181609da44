// Every committed fuzz input, replayed through its target in every build (g++, ASan+UBSan): the
// seed corpora (tests/fuzz/corpus/<target>/) and the reproducers of every bug the fuzzers found
// (tests/fuzz/regressions/<target>/, each named for what it broke). A reproducer that crashes
// fails this test by crashing; one that breaks an invariant fails it with the description.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <algorithm>
#include <cstring>
#include <vector>

#include "targets.h"

namespace {

namespace stdfs = std::filesystem;

std::vector<wal_fuzz::Target> targets() {
  std::vector<wal_fuzz::Target> all = {
      {"record_decoder", wal_fuzz::record_decoder},
      {"segment_reader", wal_fuzz::segment_reader},
      {"recovery_dir", wal_fuzz::recovery_dir_every_mode},
      {"walctl", wal_fuzz::walctl_commands},
      {"trace_file", wal_fuzz::trace_file},
  };
#ifdef WAL_FUZZ_HAVE_SCENARIO
  all.push_back({"scenario", wal_fuzz::scenario_parser});
#endif
  return all;
}

std::vector<std::byte> read_bytes(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

// Replays one folder; returns how many inputs it held.
std::size_t replay(const wal_fuzz::Target& target, const stdfs::path& folder) {
  if (!stdfs::is_directory(folder)) return 0;
  std::vector<stdfs::path> files;
  for (const auto& entry : stdfs::directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const stdfs::path& file : files) {
    const std::vector<std::byte> input = read_bytes(file);
    const wal_fuzz::Violation violation = target.fn(input);
    EXPECT_FALSE(violation.has_value()) << file << ": " << violation.value_or("");
  }
  return files.size();
}

class FuzzReplay : public ::testing::TestWithParam<wal_fuzz::Target> {};

TEST_P(FuzzReplay, SeedCorpusAndReproducersHoldEveryInvariant) {
  const stdfs::path root = WAL_FUZZ_SOURCE_DIR;
  const std::size_t seeds = replay(GetParam(), root / "corpus" / GetParam().name);
  replay(GetParam(), root / "regressions" / GetParam().name);
  EXPECT_GT(seeds, 0u) << "no seed corpus for " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(targets()),
                         [](const ::testing::TestParamInfo<wal_fuzz::Target>& target) {
                           return std::string(target.param.name);
                         });

}  // namespace
