#include "bench_config.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

namespace bench {
namespace {

[[noreturn]] void usage(int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: compare_bench [--out DIR] [--rounds N] [--scale X]\n"
               "                     [--works W1,W2,...] [--systems wal,raw,rocksdb,leveldb]\n"
               "                     [--w3-threads N] [--w5-bytes N]\n"
               "Runs W1-W5 for each system, alternating systems, one discarded warm-up round\n"
               "then N measured rounds; writes DIR/results.json and DIR/table.md.\n");
  std::exit(code);
}

std::set<std::string> split_list(std::string_view text) {
  std::set<std::string> items;
  std::stringstream stream{std::string(text)};
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.insert(item);
  }
  return items;
}

}  // namespace

std::uint64_t Config::scaled(std::uint64_t count) const {
  const auto value = static_cast<std::uint64_t>(static_cast<double>(count) * scale);
  return value == 0 ? 1 : value;
}

Config parse_args(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") usage(0);
    if (i + 1 >= argc) usage(2);
    const char* value = argv[++i];
    if (flag == "--out") {
      config.out_dir = value;
    } else if (flag == "--rounds") {
      config.rounds = std::atoi(value);
    } else if (flag == "--scale") {
      config.scale = std::atof(value);
    } else if (flag == "--works") {
      config.works = split_list(value);
    } else if (flag == "--systems") {
      config.systems = split_list(value);
    } else if (flag == "--w3-threads") {
      config.w3_threads = std::atoi(value);
    } else if (flag == "--w5-bytes") {
      config.w5_log_bytes = std::strtoull(value, nullptr, 10);
    } else {
      usage(2);
    }
  }
  if (config.rounds < 1 || config.scale <= 0 || config.w3_threads < 1) usage(2);
  return config;
}

}  // namespace bench
