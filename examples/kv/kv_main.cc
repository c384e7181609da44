// kv: a tiny CLI over examples::KvStore on the real disk (wal::Log, grouped commit).
//   kv DIR put KEY VALUE | add KEY N | del KEY | get KEY | dump | checkpoint
// Exit: 0 done, 1 key not found, 2 usage, 3 the store failed.
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "examples/common/threaded_log.h"
#include "examples/kv/kv_store.h"

namespace {

constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFailed = 3;

int usage() {
  fmt::print(stderr,
             "usage: kv DIR put KEY VALUE | add KEY N | del KEY | get KEY | dump | checkpoint\n");
  return kExitUsage;
}

int failed(const wal::Status& status) {
  fmt::print(stderr, "kv: {}\n", status.to_string());
  return kExitFailed;
}

int run(examples::KvStore& store, const std::vector<std::string_view>& args) {
  const std::string_view command = args[0];
  if (command == "put" && args.size() == 3) {
    wal::Result<wal::Lsn> lsn = store.put(args[1], args[2]);
    if (!lsn) return failed(lsn.error());
    fmt::print("lsn {}\n", *lsn);
  } else if (command == "add" && args.size() == 3) {
    std::int64_t delta = 0;
    const char* end = args[2].data() + args[2].size();
    if (std::from_chars(args[2].data(), end, delta).ptr != end) return usage();
    wal::Result<wal::Lsn> lsn = store.add(args[1], delta);
    if (!lsn) return failed(lsn.error());
    fmt::print("{}\n", store.get(args[1]).value_or(""));
  } else if (command == "del" && args.size() == 2) {
    const bool existed = store.get(args[1]).has_value();
    wal::Result<wal::Lsn> lsn = store.del(args[1]);
    if (!lsn) return failed(lsn.error());
    if (!existed) return kExitNotFound;
  } else if (command == "get" && args.size() == 2) {
    const std::optional<std::string> value = store.get(args[1]);
    if (!value) return kExitNotFound;
    fmt::print("{}\n", *value);
  } else if (command == "dump" && args.size() == 1) {
    for (const auto& [key, value] : store.items()) fmt::print("{}\t{}\n", key, value);
  } else if (command == "checkpoint" && args.size() == 1) {
    wal::Result<wal::Lsn> lsn = store.checkpoint();
    if (!lsn) return failed(lsn.error());
    fmt::print("checkpoint at lsn {}\n", *lsn);
  } else {
    return usage();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::vector<std::string_view> args(argv + 2, argv + argc);
  wal::Result<std::unique_ptr<examples::ThreadedLog>> log = examples::ThreadedLog::open(argv[1]);
  if (!log) return failed(log.error());
  wal::Result<std::unique_ptr<examples::KvStore>> store =
      examples::KvStore::open(std::move(log).value());
  if (!store) return failed(store.error());
  const int code = run(**store, args);
  const wal::Status closed = (*store)->close();
  if (!closed) return failed(closed);
  return code;
}
