// RapidCheck state test of the WAL (SPEC 4.6): the real LogCore on SimFs against a model of
// {durable, pending} entries. Commands: append, append_batch, sync, checkpoint, truncate_front,
// crash (with a chosen survival: the first k pending records reach the disk and the next one is
// torn after a chosen number of bytes), reopen, read_from. The model is deterministic: the
// crash command says exactly what survives, and SimFs's directed crash makes it so.
//
// Layout the directed crash relies on (checked, not assumed: the crash command fails loudly if
// the segment is not where the model expects): one segment (segment_bytes large, no rotation),
// no preallocation, records back to back after the segment header, and a reopened log goes on
// appending in the same segment after the last good record.
//
// On failure RapidCheck prints the shrunk command list and the RC_PARAMS reproduce string.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <wal/clock.h>
#include <wal/log_core.h>

#include "record_format.h"
#include "sim/harness/payload.h"
#include "sim/sim_fs.h"

namespace harness {
namespace {

constexpr const char* kDir = "/wal";

struct Entry {
  wal::EntryType type = wal::EntryType::kData;
  std::vector<std::byte> payload;
  std::uint64_t record_bytes = 0;  // bytes of its record on disk (a batch: shared, on its last)
};

struct Model {
  std::vector<Entry> durable;  // LSN i + 1 = durable[i], then pending
  std::vector<Entry> pending;
  wal::Lsn truncated_below = 0;  // a truncate_front point: entries below may be gone
  std::uint32_t next_payload = 0;

  wal::Lsn durable_lsn() const { return durable.size(); }
  wal::Lsn last_lsn() const { return durable.size() + pending.size(); }
};

class ManualClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_ += 10; }

 private:
  std::uint64_t now_ = 0;
};

struct Sut {
  Sut() : fs(sim::DeviceModel{}, nullptr) {
    fs.make_durable_dirs(kDir);
    options.segment_bytes = 8 << 20;
    options.preallocate = false;
    options.sync = wal::SyncPolicy::kNone;  // syncs are the commands'
    options.buffer_bytes = 4 << 10;
    options.salt = 0x5eed;
    open();
  }
  void open() {
    wal::Result<std::unique_ptr<wal::LogCore>> opened =
        wal::LogCore::open(fs, clock, kDir, options);
    RC_ASSERT(opened.status().is_ok());
    core = std::move(opened).value();
  }
  // The sync protocol of log_core.h, run to completion.
  void sync() {
    wal::Result<wal::SyncTicket> ticket = core->begin_sync();
    RC_ASSERT(ticket.status().is_ok());
    const wal::Status status = wal::LogCore::run_sync(*ticket);
    core->finish_sync(*ticket, status);
    RC_ASSERT(status.is_ok());
  }

  sim::SimFs fs;
  ManualClock clock;
  wal::Options options;
  std::unique_ptr<wal::LogCore> core;
};

std::vector<std::byte> payload_for(Model& model, std::uint32_t size) {
  return make_payload(0xfeed, PayloadId{0, model.next_payload++, 0}, size);
}

// Every entry from `from` to the durable end, read through the SUT's reader.
std::vector<Entry> read_back(Sut& sut, wal::Lsn from) {
  std::vector<Entry> out;
  wal::Result<std::unique_ptr<wal::Reader>> reader = sut.core->reader(from);
  RC_ASSERT(reader.status().is_ok());
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
    RC_ASSERT(next.status().is_ok());
    if (!next->has_value()) break;
    const wal::Entry& entry = **next;
    RC_ASSERT(entry.lsn == from + out.size());
    out.push_back(Entry{entry.type, {entry.payload.begin(), entry.payload.end()}, 0});
  }
  return out;
}

// The SUT holds exactly the model's durable entries from its first LSN on.
void expect_durable_log(const Model& model, Sut& sut) {
  RC_ASSERT(sut.core->durable_lsn() == model.durable_lsn());
  RC_ASSERT(sut.core->last_lsn() == model.last_lsn());
  if (model.durable.empty()) return;
  const wal::Lsn first = sut.core->first_lsn();
  RC_ASSERT(first >= 1);
  RC_ASSERT(first <= std::max<wal::Lsn>(1, model.truncated_below));
  const std::vector<Entry> got = read_back(sut, first);
  RC_ASSERT(got.size() == model.durable.size() - (first - 1));
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Entry& want = model.durable[first - 1 + i];
    RC_ASSERT(got[i].type == want.type);
    RC_ASSERT(got[i].payload == want.payload);
  }
}

using Command = rc::state::Command<Model, Sut>;

struct Append : Command {
  std::uint32_t size = *rc::gen::inRange<std::uint32_t>(0, 300);
  void apply(Model& model) const override {
    Entry entry{wal::EntryType::kData, payload_for(model, size), wal::format::record_bytes(size)};
    model.pending.push_back(std::move(entry));
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    const std::vector<std::byte> payload = payload_for(copy, size);
    const wal::Result<wal::Lsn> lsn = sut.core->append(payload);
    RC_ASSERT(lsn.status().is_ok());
    RC_ASSERT(*lsn == model.last_lsn() + 1);
  }
  void show(std::ostream& os) const override { os << "append(" << size << " bytes)"; }
};

struct AppendBatch : Command {
  std::vector<std::uint32_t> sizes =
      *rc::gen::container<std::vector<std::uint32_t>>(*rc::gen::inRange<std::size_t>(1, 5),
                                                      rc::gen::inRange<std::uint32_t>(0, 120));
  std::vector<std::vector<std::byte>> payloads(Model& model) const {
    std::vector<std::vector<std::byte>> out;
    for (std::uint32_t size : sizes) out.push_back(payload_for(model, size));
    return out;
  }
  static std::uint64_t record_size(const std::vector<std::vector<std::byte>>& payloads) {
    std::vector<std::span<const std::byte>> views(payloads.begin(), payloads.end());
    return wal::format::record_bytes(wal::format::batch_payload_bytes(views));
  }
  void apply(Model& model) const override {
    const std::vector<std::vector<std::byte>> all = payloads(model);
    for (const std::vector<std::byte>& payload : all) {
      model.pending.push_back(Entry{wal::EntryType::kBatch, payload, 0});
    }
    model.pending.back().record_bytes = record_size(all);  // one record holds the batch
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    const std::vector<std::vector<std::byte>> all = payloads(copy);
    std::vector<std::span<const std::byte>> views(all.begin(), all.end());
    const wal::Result<wal::LsnRange> range = sut.core->append_batch(views);
    RC_ASSERT(range.status().is_ok());
    RC_ASSERT(range->first == model.last_lsn() + 1);
    RC_ASSERT(range->last == model.last_lsn() + sizes.size());
  }
  void show(std::ostream& os) const override {
    os << "append_batch(" << fmt::format("{}", fmt::join(sizes, ",")) << ")";
  }
};

struct Sync : Command {
  void apply(Model& model) const override {
    model.durable.insert(model.durable.end(), model.pending.begin(), model.pending.end());
    model.pending.clear();
  }
  void run(const Model& model, Sut& sut) const override {
    sut.sync();
    RC_ASSERT(sut.core->durable_lsn() == model.last_lsn());
  }
  void show(std::ostream& os) const override { os << "sync"; }
};

struct Checkpoint : Command {
  std::uint32_t size = *rc::gen::inRange<std::uint32_t>(1, 100);
  void apply(Model& model) const override {
    model.pending.push_back(
        Entry{wal::EntryType::kCheckpoint, payload_for(model, size), wal::format::record_bytes(size)});
    Sync().apply(model);
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    const wal::Result<wal::Lsn> lsn = sut.core->append_checkpoint(payload_for(copy, size));
    RC_ASSERT(lsn.status().is_ok());
    sut.sync();
    RC_ASSERT(sut.core->checkpoint_lsn() == *lsn);
  }
  void show(std::ostream& os) const override { os << "checkpoint(" << size << " bytes)"; }
};

struct TruncateFront : Command {
  std::uint32_t ppm = *rc::gen::inRange<std::uint32_t>(0, 1'000'000);
  wal::Lsn at(const Model& model) const {
    return 1 + (model.durable_lsn() - 1) * ppm / 1'000'000;
  }
  void checkPreconditions(const Model& model) const override {
    RC_PRE(model.durable_lsn() >= 1);
  }
  void apply(Model& model) const override {
    model.truncated_below = std::max(model.truncated_below, at(model));
  }
  void run(const Model& model, Sut& sut) const override {
    RC_ASSERT(sut.core->truncate_front(at(model)).is_ok());
    RC_ASSERT(sut.core->first_lsn() <= at(model));
  }
  void show(std::ostream& os) const override { os << "truncate_front(" << ppm << "ppm)"; }
};

struct ReadFrom : Command {
  std::uint32_t ppm = *rc::gen::inRange<std::uint32_t>(0, 1'000'000);
  void checkPreconditions(const Model& model) const override {
    RC_PRE(model.durable_lsn() >= 1);
  }
  void apply(Model&) const override {}
  void run(const Model& model, Sut& sut) const override {
    const wal::Lsn first = sut.core->first_lsn();
    const wal::Lsn from = first + (model.durable_lsn() - first) * ppm / 1'000'000;
    const std::vector<Entry> got = read_back(sut, from);
    RC_ASSERT(got.size() == model.durable_lsn() - from + 1);
    for (std::size_t i = 0; i < got.size(); ++i) {
      RC_ASSERT(got[i].payload == model.durable[from - 1 + i].payload);
    }
  }
  void show(std::ostream& os) const override { os << "read_from(" << ppm << "ppm)"; }
};

struct Reopen : Command {
  void apply(Model& model) const override { Sync().apply(model); }  // close() syncs
  void run(const Model& model, Sut& sut) const override {
    RC_ASSERT(sut.core->close().is_ok());
    sut.core.reset();
    RC_ASSERT(sut.fs.open_handles() == 0u);
    sut.open();
    Model after = model;
    apply(after);
    expect_durable_log(after, sut);
  }
  void show(std::ostream& os) const override { os << "reopen"; }
};

// Power loss: the first `keep` pending records reach the disk whole; with `tear`, the next one
// reaches it only in part (its first `tear_ppm` millionths, at least one byte short).
struct Crash : Command {
  std::uint32_t keep_ppm = *rc::gen::inRange<std::uint32_t>(0, 1'000'001);
  bool tear = *rc::gen::arbitrary<bool>();
  std::uint32_t tear_ppm = *rc::gen::inRange<std::uint32_t>(0, 1'000'000);

  // Whole records kept: a batch's entries go together (only its last entry carries its size).
  std::size_t records_kept(const Model& model) const {
    std::size_t records = 0;
    for (const Entry& e : model.pending) records += e.record_bytes != 0 ? 1 : 0;
    return records * keep_ppm / 1'000'001;
  }
  void apply(Model& model) const override {
    std::size_t records = records_kept(model);
    std::size_t entries = 0;
    while (records > 0) {
      if (model.pending[entries++].record_bytes != 0) --records;
    }
    model.durable.insert(model.durable.end(), model.pending.begin(),
                         model.pending.begin() + static_cast<std::ptrdiff_t>(entries));
    model.pending.clear();
  }
  void run(const Model& model, Sut& sut) const override {
    RC_ASSERT(sut.core->flush().is_ok());  // every pending record is with the OS now
    const std::vector<std::pair<std::string, sim::InodeId>> files = sim::visible_files(sut.fs.state());
    RC_ASSERT(files.size() >= 1u);
    sim::InodeId segment = 0;
    for (const auto& [path, inode] : files) {
      if (path.size() > 4 && path.substr(path.size() - 4) == ".wal") segment = inode;
    }
    RC_ASSERT(segment != 0);
    const sim::FileState& file = sut.fs.state().inodes.at(segment).file;
    // Where the pending records start and end: right after the durable ones, back to back.
    std::uint64_t start = file.visible.size();
    for (const Entry& e : model.pending) start -= e.record_bytes;
    std::uint64_t cut = start;
    const std::size_t records = records_kept(model);
    std::size_t seen = 0;
    std::uint64_t next_record = 0;
    for (const Entry& e : model.pending) {
      if (e.record_bytes == 0) continue;
      if (seen == records) {
        next_record = e.record_bytes;
        break;
      }
      cut += e.record_bytes;
      ++seen;
    }
    if (tear && next_record > 1) cut += 1 + (next_record - 2) * tear_ppm / 1'000'000;

    sim::CrashPlan plan = sim::CrashPlan::keep_all(sut.fs.state());
    std::vector<sim::OpFate>& fates = plan.files[segment];
    for (std::size_t i = 0; i < file.pending.size(); ++i) {
      const sim::PendingOp& op = file.pending[i];
      if (op.kind != sim::PendingOp::Kind::kWrite) continue;
      if (op.end() <= cut) continue;  // kept
      if (op.offset >= cut) {
        fates[i] = sim::OpFate::drop();
      } else {
        fates[i] = sim::OpFate{sim::OpFate::Kind::kTorn, {{0, cut - op.offset}}, 0};
      }
    }
    sut.core.reset();  // the process dies with the power
    sut.fs.crash(plan);
    sut.open();
    Model after = model;
    apply(after);
    expect_durable_log(after, sut);
  }
  void show(std::ostream& os) const override {
    os << "crash(keep " << keep_ppm << "ppm of pending records"
       << (tear ? fmt::format(", tear the next at {}ppm", tear_ppm) : std::string()) << ")";
  }
};

RC_GTEST_PROP(WalStateTest, LogCoreMatchesTheDurablePendingModel, ()) {
  Model model;
  Sut sut;
  rc::state::check(model, sut,
                   rc::state::gen::execOneOfWithArgs<Append, AppendBatch, Sync, Checkpoint,
                                                     TruncateFront, ReadFrom, Reopen, Crash>());
}

}  // namespace
}  // namespace harness
