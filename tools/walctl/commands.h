// The walctl subcommands. main.cc parses the command line (CLI11) into these argument structs;
// each run_* lives in its own file and returns an exit code (exit_codes.h).
//
// The commands that read a log (dump, verify, stat, repair) take the file system to read it
// from: null, what main.cc passes, is the real one (wal::posix_fs()); the walctl fuzz target
// passes an in-memory sim::SimFs, so that it runs the commands without a syscall per file
// operation.
#pragma once

#include <cstdint>
#include <string>

#include <wal/fs.h>
#include <wal/options.h>
#include <wal/types.h>

namespace walctl {

struct AppendArgs {
  std::string dir;
  bool framed = false;
  wal::SyncPolicy sync = wal::SyncPolicy::kGrouped;
  std::uint64_t segment_bytes = 0;  // 0: the library default
  bool create_in_nonempty = false;  // start a log in a directory of unrelated files
};
int run_append(const AppendArgs& args);

enum class DumpFormat { kText, kJson, kHex };
struct DumpArgs {
  std::string dir;
  wal::Lsn from = wal::kNoLsn;  // kNoLsn: from the oldest entry
  DumpFormat format = DumpFormat::kText;
  wal::RecoveryMode recovery = wal::RecoveryMode::kTolerateTail;
  wal::Fs* fs = nullptr;  // null: the real file system
};
int run_dump(const DumpArgs& args);

struct VerifyArgs {
  std::string dir;
  bool json = false;
  wal::RecoveryMode recovery = wal::RecoveryMode::kSkipCorrupted;
  wal::Fs* fs = nullptr;  // null: the real file system
};
int run_verify(const VerifyArgs& args);

struct StatArgs {
  std::string dir;
  bool json = false;
  wal::Fs* fs = nullptr;  // null: the real file system
};
int run_stat(const StatArgs& args);

struct RepairArgs {
  std::string dir;
  bool dry_run = false;
  wal::RecoveryMode recovery = wal::RecoveryMode::kTolerateTail;
  wal::Fs* fs = nullptr;  // null: the real file system
};
int run_repair(const RepairArgs& args);

struct BenchArgs {
  std::string dir;
  double seconds_per_case = 0.5;
};
int run_bench(const BenchArgs& args);

}  // namespace walctl
