// Builds the older incarnation and recycles its blocks (mutants_recycled_blocks.h): it runs a
// whole LogCore of its own, apart from the catalogue that only names what each hunt runs.
#include "sim/harness/mutants_recycled_blocks.h"

#include <array>
#include <cstdint>
#include <string>

#include <wal/assert.h>
#include <wal/clock.h>
#include <wal/log_core.h>

#include "sim/sim_fs.h"

namespace harness::mutants_internal {

std::map<wal::Lsn, std::vector<std::byte>> older_incarnation(const RunConfig& config) {
  class FrozenClock final : public wal::Clock {
   public:
    std::uint64_t now_us() override { return 0; }
  };
  sim::SimFs fs(config.device);
  FrozenClock clock;
  fs.make_durable_dirs("/old");
  wal::Options options = config.wal;
  options.sync = wal::SyncPolicy::kNone;
  options.preallocate = true;
  options.salt = 0x01d5a17000000000ull;  // even: run salts are odd
  wal::Result<std::unique_ptr<wal::LogCore>> core = wal::LogCore::open(fs, clock, "/old", options);
  WAL_ASSERT(core.is_ok());
  const std::uint64_t lsns = config.workload.ops * config.workload.batch_entries_max + 2;
  std::array<std::byte, 8> payload{};
  // Synced one by one, as a log under `immediate` would be: each record's durable hint then
  // vouches for the one before it, so stale records read as proof of durable data.
  for (std::uint64_t lsn = 1; lsn <= lsns; ++lsn) {
    payload[0] = static_cast<std::byte>(lsn);
    WAL_ASSERT((*core)->append(payload).is_ok());
    wal::Result<wal::SyncTicket> ticket = (*core)->begin_sync();
    WAL_ASSERT(ticket.is_ok());
    (*core)->finish_sync(*ticket, wal::LogCore::run_sync(*ticket));
  }
  std::map<wal::Lsn, std::vector<std::byte>> segments;
  wal::Result<std::vector<std::string>> names = fs.list("/old");
  WAL_ASSERT(names.is_ok());
  for (const std::string& name : *names) {
    if (name.size() != 24 || name.substr(20) != ".wal") continue;
    wal::Result<std::unique_ptr<wal::File>> file =
        fs.open("/old/" + name, wal::OpenMode::kReadOnly);
    WAL_ASSERT(file.is_ok());
    std::vector<std::byte>& bytes = segments[std::stoull(name.substr(0, 20))];
    bytes.resize(*(*file)->size());
    WAL_ASSERT((*file)->read_at(0, bytes).is_ok());
    WAL_ASSERT((*file)->close().is_ok());
  }
  (*core).reset();  // a crash, as far as the old log is concerned: nothing more is written
  return segments;
}

wal::Result<std::unique_ptr<wal::File>> RecycledBlocksFs::open(std::string_view path,
                                                               wal::OpenMode mode) {
  wal::Result<std::unique_ptr<wal::File>> file = base_.open(path, mode);
  constexpr std::string_view kTempSegment = ".wal.tmp";
  if (!file || mode != wal::OpenMode::kCreateExclusive || path.size() < 28 ||
      path.substr(path.size() - kTempSegment.size()) != kTempSegment) {
    return file;
  }
  const std::string_view name = path.substr(path.size() - 28, 20);
  const wal::Lsn first_lsn = std::stoull(std::string(name));
  auto covering = old_.upper_bound(first_lsn);
  if (covering == old_.begin()) return file;
  --covering;
  WAL_RETURN_IF_ERROR((*file)->write_at(0, covering->second));
  WAL_RETURN_IF_ERROR((*file)->sync());
  return file;
}

}  // namespace harness::mutants_internal
