// Aimed media damage (faults/media_aim.h): the layout read from a real log's durable image
// matches the records the WAL wrote, and aimed faults land only on those structural bytes,
// while uniform damage keeps drawing exactly what it drew before aiming existed.
#include "faults/media_aim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include <wal/clock.h>
#include <wal/log_core.h>

#include "faults/io_faults.h"
#include "faults/media_faults.h"
#include "sim/crash_plan.h"
#include "sim/sim_fs.h"

namespace {

struct FixedClock final : wal::Clock {
  std::uint64_t now_us() override { return 0; }
};

// A durable log of `entries` entries of `bytes` bytes each, in 4 KiB segments.
void write_log(sim::SimFs& fs, int entries, std::size_t bytes) {
  fs.make_durable_dirs("/wal");
  FixedClock clock;
  wal::Options options;
  options.segment_bytes = 4096;
  options.salt = 7;
  options.sync = wal::SyncPolicy::kNone;
  auto core = wal::LogCore::open(fs, clock, "/wal", options);
  ASSERT_TRUE(core.is_ok()) << core.error().to_string();
  const std::string payload(bytes, 'x');
  for (int i = 0; i < entries; ++i) {
    ASSERT_TRUE((*core)->append(std::as_bytes(std::span(payload))).is_ok());
  }
  ASSERT_TRUE((*core)->close().is_ok());
  fs.crash(sim::CrashPlan::keep_all(fs.state()));  // everything written becomes durable
}

const sim::Bytes& durable(const sim::SimFs& fs, const std::string& path) {
  for (const auto& [name, inode] : sim::visible_files(fs.state())) {
    if (name == path) return fs.state().inodes.at(inode).file.durable;
  }
  ADD_FAILURE() << path << " not found";
  static const sim::Bytes none;
  return none;
}

TEST(MediaAim, TheLayoutOfARealSegmentIsItsRecords) {
  sim::SimFs fs;
  write_log(fs, 5, 100);  // records of 40 + 100 -> 144 bytes
  const std::vector<faults::AimedRange> ranges =
      faults::structure_of("00000000000000000001.wal", durable(fs, "wal/00000000000000000001.wal"));
  std::map<faults::AimedRange::Role, int> count;
  for (const faults::AimedRange& r : ranges) ++count[r.role];
  using Role = faults::AimedRange::Role;
  EXPECT_EQ(count[Role::kSegmentHeader], 1);
  EXPECT_EQ(count[Role::kRecordHeader], 5);
  EXPECT_EQ(count[Role::kRecordLsn], 5);
  EXPECT_EQ(count[Role::kRecordSeam], 4);
  EXPECT_EQ(count[Role::kLastRecord], 1);
  for (const faults::AimedRange& r : ranges) {
    if (r.role == Role::kRecordLsn) {
      EXPECT_EQ((r.offset - 64 - 8) % 144, 0u) << r.offset;
    }
    if (r.role == Role::kLastRecord) {
      EXPECT_EQ(r.offset, 64u + 4 * 144);
    }
  }
  // Not a segment: no structure; FRONT: the whole marker.
  const sim::Bytes junk(100, std::byte{1});
  EXPECT_TRUE(faults::structure_of("notes.txt", junk).empty());
  EXPECT_EQ(faults::structure_of("FRONT", junk).size(), 1u);
}

TEST(MediaAim, AimedFlipsLandOnStructureOnly) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    sim::SimFs fs;
    write_log(fs, 5, 300);  // mostly payload bytes: a uniform flip would rarely hit a header
    const std::string path = "wal/00000000000000000001.wal";
    const sim::Bytes before = durable(fs, path);
    const std::vector<faults::AimedRange> ranges = faults::structure_of("00000000000000000001.wal", before);
    sim::Prng prng(seed);
    ASSERT_TRUE(faults::inject_bit_flip(fs, prng, faults::MediaAim::kStructure));
    const sim::Bytes after = durable(fs, path);
    ASSERT_EQ(before.size(), after.size());
    std::uint64_t changed = before.size();
    for (std::uint64_t i = 0; i < before.size(); ++i) {
      if (before[i] != after[i]) changed = i;
    }
    ASSERT_LT(changed, before.size()) << "seed " << seed << ": nothing flipped";
    bool structural = false;
    for (const faults::AimedRange& r : ranges) {
      if (r.role == faults::AimedRange::Role::kLastRecord) continue;  // mostly payload
      structural = structural || (changed >= r.offset && changed < r.offset + r.length);
    }
    const bool in_last = changed >= 64 + 4 * 344;
    EXPECT_TRUE(structural || in_last) << "seed " << seed << ": flipped byte " << changed;
  }
}

TEST(MediaAim, UniformDamageDrawsWhatItAlwaysDrew) {
  // Same seed, same log: the default (uniform) and an explicit uniform flip the same bit.
  sim::SimFs a;
  sim::SimFs b;
  write_log(a, 5, 300);
  write_log(b, 5, 300);
  sim::Prng pa(42);
  sim::Prng pb(42);
  ASSERT_TRUE(faults::inject_bit_flip(a, pa));
  ASSERT_TRUE(faults::inject_bit_flip(b, pb, faults::MediaAim::kUniform));
  EXPECT_EQ(durable(a, "wal/00000000000000000001.wal"), durable(b, "wal/00000000000000000001.wal"));
  EXPECT_EQ(pa.next_u64(), pb.next_u64());
}

// What the oracle is told a fault hit (so that a damaged record proves nothing): a payload
// byte hits its own record's LSN, the segment header every LSN of the segment, a length field
// that no longer reads everything from that record on, and the description round-trips.
TEST(MediaAim, ADamagedByteNamesTheLsnsOfTheRecordsItHit) {
  sim::SimFs fs;
  write_log(fs, 5, 100);  // LSNs 1..5, records of 144 bytes from offset 64
  sim::Bytes image = durable(fs, "wal/00000000000000000001.wal");
  for (std::uint64_t k = 0; k < 5; ++k) {
    const std::optional<faults::LsnSpan> hit = faults::lsns_hit(image, 64 + k * 144 + 60, 1);
    ASSERT_TRUE(hit.has_value()) << k;
    EXPECT_EQ(hit->first, k + 1);
    EXPECT_EQ(hit->last, k + 1);
  }
  const std::optional<faults::LsnSpan> header = faults::lsns_hit(image, 10, 1);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->first, 1u);
  EXPECT_EQ(header->last, 5u);
  // A sector across the seam of records 2 and 3.
  const std::optional<faults::LsnSpan> seam = faults::lsns_hit(image, 64 + 2 * 144 - 8, 16);
  ASSERT_TRUE(seam.has_value());
  EXPECT_EQ(seam->first, 2u);
  EXPECT_EQ(seam->last, 3u);
  // Record 4's length made huge: the walk stops there, and damage past it is open-ended.
  image[64 + 3 * 144 + 7] = std::byte{0x7f};
  const std::optional<faults::LsnSpan> past = faults::lsns_hit(image, 64 + 4 * 144 + 60, 1);
  ASSERT_TRUE(past.has_value());
  EXPECT_EQ(past->first, 4u);
  EXPECT_EQ(past->last, UINT64_MAX);
  EXPECT_FALSE(faults::lsns_hit(sim::Bytes(100, std::byte{1}), 5, 1).has_value());
  for (const faults::LsnSpan span : {faults::LsnSpan{3, 3}, faults::LsnSpan{4, UINT64_MAX}}) {
    const std::optional<faults::LsnSpan> back =
        faults::parse_lsns_hit("bit 3 (record-lsn)" + faults::describe_lsns_hit(span));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->first, span.first);
    EXPECT_EQ(back->last, span.last);
  }
  EXPECT_FALSE(faults::parse_lsns_hit("bit 3").has_value());
}

// Where a misdirected write of `bytes` bytes aimed at `offset` of the first segment lands, per
// the fault's trace line ("landed at N").
std::uint64_t misdirected_landing(sim::SimFs& fs, faults::MediaAim aim, std::uint64_t seed,
                                  std::uint64_t offset, std::size_t bytes) {
  sim::Trace trace;
  faults::MisdirectedWriteFs misdirecting(fs, fs.device(), faults::TriggerSpec::on_call(1),
                                          sim::Prng(seed), &trace, &fs, aim);
  auto file = misdirecting.open("/wal/00000000000000000001.wal", wal::OpenMode::kReadWrite);
  EXPECT_TRUE(file.is_ok());
  const std::string data(bytes, 'm');
  EXPECT_TRUE((*file)->write_at(offset, std::as_bytes(std::span(data))).is_ok());
  EXPECT_TRUE((*file)->close().is_ok());
  // "landed at N", then the LSNs the fault hit, if any.
  const std::string& detail = trace.events().back().detail;
  return std::stoull(detail.substr(detail.find("landed at ") + 10));
}

// Records of 96 and 136 bytes (56- and 96-byte entries), alternating, in one 16 KiB segment:
// their starts, and the start of the last one.
std::vector<std::uint64_t> write_uneven_log(sim::SimFs& fs) {
  fs.make_durable_dirs("/wal");
  FixedClock clock;
  wal::Options options;
  options.segment_bytes = 16 << 10;
  options.salt = 7;
  options.sync = wal::SyncPolicy::kNone;
  auto core = wal::LogCore::open(fs, clock, "/wal", options);
  EXPECT_TRUE(core.is_ok());
  std::vector<std::uint64_t> starts;
  std::uint64_t at = 64;
  for (int i = 0; i < 60; ++i) {
    const std::string payload(i % 2 == 0 ? 56 : 96, 'x');
    EXPECT_TRUE((*core)->append(std::as_bytes(std::span(payload))).is_ok());
    starts.push_back(at);
    at += i % 2 == 0 ? 96 : 136;
  }
  EXPECT_TRUE((*core)->close().is_ok());
  fs.crash(sim::CrashPlan::keep_all(fs.state()));
  return starts;
}

TEST(MediaAim, AimedMisdirectedWritesLandWhereARecordStarts) {
  int uniform_on_a_start = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    sim::SimFs fs;
    const std::vector<std::uint64_t> starts = write_uneven_log(fs);
    const std::uint64_t aimed_at = starts.back();
    const std::uint64_t landed =
        misdirected_landing(fs, faults::MediaAim::kStructure, seed, aimed_at, 136);
    EXPECT_NE(landed, aimed_at);
    EXPECT_NE(std::find(starts.begin(), starts.end(), landed), starts.end())
        << "seed " << seed << ": landed at " << landed << ", on no record's start";
    sim::SimFs again;
    write_uneven_log(again);
    const std::uint64_t uniform =
        misdirected_landing(again, faults::MediaAim::kUniform, seed, aimed_at, 136);
    uniform_on_a_start += std::find(starts.begin(), starts.end(), uniform) != starts.end();
  }
  EXPECT_LT(uniform_on_a_start, 10);  // what aiming is for
}

TEST(MediaAim, UniformMisdirectedWritesDrawWhatTheyAlwaysDrew) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    sim::SimFs fs;
    write_log(fs, 27, 104);
    const std::uint64_t aimed_at = 64 + 26 * 144;
    // The shift as drawn before aiming existed: 1..8 sectors, then the direction, from the
    // decorator's second stream (IoFaultFs: the trigger's comes first).
    sim::Prng seeded(seed);
    seeded.fork();
    sim::Prng draws = seeded.fork();
    const std::uint64_t shift = draws.range(1, 8) * 512;
    const bool back = aimed_at >= shift && draws.coin();
    EXPECT_EQ(misdirected_landing(fs, faults::MediaAim::kUniform, seed, aimed_at, 144),
              back ? aimed_at - shift : aimed_at + shift);
  }
}

// A lost header write loses its segment from the first LSN on. The header says which LSN that
// is when the file's name does not: the spare segment is written as spare-segment.tmp and only
// named at rotation (swarm media seed 3032625 lost a spare's header and the LSNs it later held).
TEST(MediaAim, ALostHeaderWriteNamesItsSegmentsLsnsFromTheHeader) {
  sim::SimFs fs;
  write_log(fs, 60, 100);  // two segments at least: the second starts past LSN 1
  std::string name;
  for (const auto& [path, inode] : sim::visible_files(fs.state())) {
    if (path.ends_with(".wal") && path != "wal/00000000000000000001.wal") name = path;
  }
  ASSERT_FALSE(name.empty());
  const std::uint64_t first = std::stoull(name.substr(4, 20));
  ASSERT_GT(first, 1u);
  const sim::Bytes& second = durable(fs, name);
  ASSERT_GE(second.size(), 64u);
  const std::span<const std::byte> header(second.data(), 64);
  const auto spare = faults::lsns_of_lost_write("/wal/spare-segment.tmp", 0, header);
  ASSERT_TRUE(spare.has_value());
  EXPECT_EQ(spare->first, first);
  EXPECT_EQ(spare->last, UINT64_MAX);
  // By name, as before, when the bytes are not a whole header.
  const auto named = faults::lsns_of_lost_write("/" + name, 8, header.subspan(8, 16));
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->first, first);
  EXPECT_FALSE(faults::lsns_of_lost_write("/wal/spare-segment.tmp", 8, header.subspan(8, 16)));
}

TEST(MediaAim, AimWordsParse) {
  EXPECT_EQ(faults::parse_media_aim("structure"), faults::MediaAim::kStructure);
  EXPECT_EQ(faults::parse_media_aim("mixed"), faults::MediaAim::kMixed);
  EXPECT_EQ(faults::parse_media_aim("uniform"), faults::MediaAim::kUniform);
  EXPECT_FALSE(faults::parse_media_aim("everywhere").has_value());
}

}  // namespace
