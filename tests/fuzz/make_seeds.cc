// Writes the committed seed corpora (tests/fuzz/corpus/<target>/): real logs written by LogCore
// on a SimFs, so the fuzzers start from the bytes the writer really produces. Not part of the
// test suite; rerun after a format change:
//   cmake --build <build> --target wal_fuzz_seeds && <build>/tests/fuzz/wal_fuzz_seeds tests/fuzz/corpus
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <wal/log_core.h>

#include "fuzz_bytes.h"
#include "fuzz_dir.h"
#include "record_format.h"
#include "recovery.h"
#include "sim/sim_fs.h"
#include "sim_support.h"
#include "systrace/trace_file.h"

namespace {

namespace stdfs = std::filesystem;
using Bytes = std::vector<std::byte>;

void put(const stdfs::path& root, const std::string& target, const std::string& name,
         const Bytes& bytes) {
  stdfs::create_directories(root / target);
  std::ofstream out(root / target / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <typename T>
void append(Bytes& out, T value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

// Cuts the zero fill after the last non-zero byte (rounded up to 8) plus `keep` more zeros.
Bytes trim(Bytes bytes, std::size_t keep = 0) {
  std::size_t end = bytes.size();
  while (end > 0 && bytes[end - 1] == std::byte{0}) --end;
  end = std::min(bytes.size(), (end + 7) / 8 * 8 + keep);
  bytes.resize(end);
  return bytes;
}

// A log written by the real writer: `entries` data entries, a batch, a checkpoint, rotating
// through small segments; optionally truncate_front. Returns name -> bytes.
std::map<std::string, Bytes> write_log(wal::ChecksumKind kind, int entries, bool truncate) {
  sim::SimFs fs;
  fs.make_durable_dirs("/log");
  wal_fuzz::FixedClock clock;
  wal::Options options;
  options.segment_bytes = 1024;
  options.buffer_bytes = 512;
  options.checksum = kind;
  options.sync = wal::SyncPolicy::kNone;
  options.salt = 0x5eed5eed12345678ull;
  auto core = wal::LogCore::open(fs, clock, "/log", options);
  if (!core) {
    fmt::print(stderr, "open: {}\n", core.error().to_string());
    std::exit(1);
  }
  for (int i = 1; i <= entries; ++i) {
    const std::string text = fmt::format("entry {} {}", i, std::string(static_cast<std::size_t>(i % 7) * 9, 'x'));
    (void)(*core)->append(wal_fuzz::as_bytes(text));
    if (i % 5 == 0) {
      const std::array<std::string, 3> parts = {"b1", "batch two", ""};
      const std::array<std::span<const std::byte>, 3> batch = {
          wal_fuzz::as_bytes(parts[0]), wal_fuzz::as_bytes(parts[1]), wal_fuzz::as_bytes(parts[2])};
      (void)(*core)->append_batch(batch);
    }
    if (i % 8 == 0) (void)(*core)->append_checkpoint(wal_fuzz::as_bytes("checkpoint"));
  }
  auto ticket = (*core)->begin_sync();
  if (ticket) (*core)->finish_sync(*ticket, wal::LogCore::run_sync(*ticket));
  if (truncate) (void)(*core)->truncate_front(6);
  (void)(*core)->close();
  std::map<std::string, Bytes> files;
  for (const auto& [name, content] : wal_fuzz::snapshot(fs, "/log")) {
    if (name == "LOCK") continue;
    const auto bytes = wal_fuzz::as_bytes(content);
    files[name] = Bytes(bytes.begin(), bytes.end());
  }
  return files;
}

Bytes dir_input(std::uint8_t flags, const std::map<std::string, Bytes>& files, std::size_t keep) {
  std::vector<wal_fuzz::FuzzFile> parts;
  for (const auto& [name, bytes] : files) parts.push_back({name, false, trim(bytes, keep)});
  return wal_fuzz::join_dir(flags, parts);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: wal_fuzz_seeds CORPUS_DIR\n");
    return 2;
  }
  const stdfs::path root = argv[1];
  const std::array kinds = {wal::ChecksumKind::kCrc32c, wal::ChecksumKind::kCrc64,
                            wal::ChecksumKind::kXxh3};

  // record_decoder: kind, salt, expected selector (0 mod 4: any LSN), max entry, flags, flip,
  // then one record of each type from a real segment.
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    const auto files = write_log(kinds[k], 6, false);
    const Bytes& segment = files.begin()->second;
    const auto salt = 0x5eed5eed12345678ull;
    std::size_t offset = wal::format::kSegmentHeaderBytes;
    for (int index = 0; offset + wal::format::kRecordHeaderBytes <= segment.size() && index < 9; ++index) {
      const auto record = wal::format::decode_record(kinds[k], salt, wal::kNoLsn, 1u << 20,
                                                     std::span(segment).subspan(offset));
      if (record.status != wal::format::DecodeStatus::kOk) break;
      Bytes input;
      input.push_back(static_cast<std::byte>(k));
      append<std::uint64_t>(input, salt);
      append<std::uint64_t>(input, 4);  // any LSN
      append<std::uint32_t>(input, 1u << 16);
      input.push_back(std::byte{static_cast<unsigned char>(index << 2)});
      append<std::uint32_t>(input, static_cast<std::uint32_t>(index * 37));
      input.insert(input.end(), segment.begin() + static_cast<std::ptrdiff_t>(offset),
                   segment.begin() + static_cast<std::ptrdiff_t>(offset + record.total_bytes));
      put(root, "record_decoder", fmt::format("{}-record-{}", wal::to_string(kinds[k]), index), input);
      offset += record.total_bytes;
    }
    // segment_reader: flags 0, from +0, watermark max, max entry selector, the first segment.
    Bytes input = {std::byte{0}, std::byte{0}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}};
    const Bytes trimmed = trim(segment, 8);
    input.insert(input.end(), trimmed.begin(), trimmed.end());
    put(root, "segment_reader", fmt::format("{}-segment", wal::to_string(kinds[k])), input);
  }

  // recovery_dir and walctl: whole directories.
  const auto small = write_log(wal::ChecksumKind::kCrc32c, 12, false);
  const auto fronted = write_log(wal::ChecksumKind::kXxh3, 16, true);
  put(root, "recovery_dir", "clean-log", dir_input(0, small, 0));
  put(root, "recovery_dir", "front-marker", dir_input(0, fronted, 16));
  auto torn = small;
  auto& last = torn.rbegin()->second;
  last = trim(last);
  last.resize(last.size() - 13);
  put(root, "recovery_dir", "torn-tail", dir_input(0, torn, 0));
  // The target runs each input in the mode of control bits 2-3: a seed for each of the others.
  put(root, "recovery_dir", "torn-tail-absolute", dir_input(1 << 2, torn, 0));
  put(root, "recovery_dir", "torn-tail-point-in-time", dir_input(2 << 2, torn, 0));
  put(root, "recovery_dir", "torn-tail-skip-corrupted", dir_input(3 << 2, torn, 0));
  auto extra = small;
  extra["00000000000000000003.wal.tmp"] = Bytes(64, std::byte{1});
  extra["notes.txt"] = Bytes{std::byte{'h'}, std::byte{'i'}};
  put(root, "recovery_dir", "temp-and-foreign", dir_input(0, extra, 0));
  // A rotation's unpublished continuation (wal/FORMAT.md 3.2): the newest segment under its
  // temp name, continuing the log exactly; and one that does not (its first record torn off
  // the previous segment, as a power loss may leave it).
  auto continued = small;
  const auto newest = std::prev(continued.end());
  continued[newest->first + ".tmp"] = newest->second;
  continued.erase(newest);
  put(root, "recovery_dir", "continuation", dir_input(0, continued, 0));
  put(root, "walctl", "continuation-verify", dir_input(0, continued, 0));
  auto gap = continued;
  auto& before = std::prev(gap.end(), 2)->second;
  before = trim(before);
  before.resize(before.size() - 13);
  put(root, "recovery_dir", "continuation-after-a-torn-end", dir_input(0, gap, 0));
  put(root, "recovery_dir", "resealed", dir_input(wal_fuzz::kResealFlag | wal_fuzz::kTagFlag, small, 0));
  put(root, "recovery_dir", "empty", dir_input(0, {}, 0));

  put(root, "walctl", "clean-verify", dir_input(0, small, 0));
  put(root, "walctl", "torn-repair", dir_input(0x40, torn, 0));
  put(root, "walctl", "front-point-in-time-repair", dir_input(0x40 | (2 << 2), fronted, 16));
  put(root, "walctl", "temp-skip-json", dir_input(0x80 | (3 << 2) | (1 << 4), extra, 0));

  // scenario: a minimal and a full scenario, and one with errors.
  const std::array<std::pair<const char*, const char*>, 3> scenarios = {{
      {"minimal", "name = \"minimal\"\n"},
      {"full",
       "name = \"torn-tail-group-commit\"\ndescription = \"group commit, torn tail\"\nseeds = 20\n"
       "target = \"wal\"\n[wal]\nsegment_bytes = 65536\nsync = \"grouped\"\nchecksum = \"xxh3\"\n"
       "recovery = \"tolerate-tail\"\npreallocate = true\n[workload]\nwriters = 4\nops = 300\n"
       "entry_bytes = [1, 512]\nbatch_ratio = 0.1\nsync_ratio = 0.2\nread_ratio = 0.1\n"
       "truncate_ratio = 0.01\nreopen_ratio = 0.01\n[device]\nsector_bytes = 512\n"
       "page_bytes = 4096\natomic_sector = false\nfsync_latency_us = [100, 2000]\n"
       "[crash]\nat = \"random\"\ncount = 2\npolicy = \"torn\"\nlose_unsynced_dir_ops = true\n"
       "[faults]\nfsync_eio = 0.01\nfsync_profile = \"ext4\"\nbit_flip = 0.001\n"
       "[expect]\nverdict = \"pass\"\n"},
      {"errors", "name = 3\n[wal]\nsync = \"sometimes\"\nsegmnt_bytes = 1\n[workload\nops = -1\n"},
  }};
  for (const auto& [name, text] : scenarios) {
    const auto bytes = wal_fuzz::as_bytes(text);
    put(root, "scenario", name, Bytes(bytes.begin(), bytes.end()));
  }

  // trace_file: an empty trace and one with a call of every kind. (Its recorded-* seeds were
  // written by `walsim trace` itself, e.g. walsim trace --dir D -- sh -c 'echo a > D/f; ...'.)
  auto put_trace = [&](const char* name, const systrace::Trace& trace) {
    const auto bytes = wal_fuzz::as_bytes(systrace::encode(trace));
    put(root, "trace_file", name, Bytes(bytes.begin(), bytes.end()));
  };
  put_trace("empty", systrace::Trace{});
  systrace::Trace every;
  every.dir = "/tmp/d";
  every.command = {"sh", "-c", "echo hi"};
  std::uint64_t file = 1;
  for (const std::uint8_t kind : {1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                                  24, 25, 30, 31}) {
    systrace::Call call;
    call.kind = static_cast<systrace::CallKind>(kind);
    call.syscall = "call" + std::to_string(kind);
    call.pid = 100;
    call.fd = 3;
    call.result = kind % 3 == 0 ? -2 : 5;
    call.file = file++;
    call.path = "a/b";
    call.path2 = kind == 19 ? "c" : "";
    call.offset = 4096;
    call.length = 512;
    call.flags = 0102;
    call.mode = 0644;
    call.created = kind == 10;
    call.is_dir = kind == 14;
    call.data = kind == 11 || kind == 30 ? "hello\n" : "";
    every.calls.push_back(call);
  }
  put_trace("every-kind", every);
  return 0;
}
