// The scenario parser: every key lands in the RunConfig, and every kind of mistake is an error
// naming the key and its line, with its own kind (hence its own exit code).
#include <gtest/gtest.h>

#include <string>

#include "sim/harness/mutants.h"
#include "sim/walsim/scenario.h"
#include "sim/walsim/scenario_toml.h"

namespace walsim {
namespace {

ParseResult parse(const std::string& text) { return parse_scenario(text, "s.toml"); }

const ScenarioError& only_error(const ParseResult& r) {
  EXPECT_EQ(r.errors.size(), 1u);
  static const ScenarioError none{};
  return r.errors.empty() ? none : r.errors.front();
}

TEST(ScenarioParserTest, OnlyNameGivesTheSpecDefaults) {
  const ParseResult r = parse("name = \"x\"\n");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.name, "x");
  EXPECT_EQ(s.config.name, "x");
  EXPECT_EQ(s.seeds, 200u);
  EXPECT_EQ(s.first_seed, 1u);
  EXPECT_EQ(s.target, "wal");
  EXPECT_FALSE(s.mutant.has_value());
  EXPECT_EQ(s.config.workload.writers, 1u);
  EXPECT_EQ(s.config.workload.ops, 200u);
  EXPECT_EQ(s.config.workload.entry_bytes_min, 1u);
  EXPECT_EQ(s.config.workload.entry_bytes_max, 1024u);
  EXPECT_EQ(s.config.device.sector_bytes, 512u);
  EXPECT_EQ(s.config.device.page_bytes, 4096u);
  EXPECT_TRUE(s.config.device.atomic_sector);
  EXPECT_EQ(s.config.device.fsync_latency_us.min_us, 100u);
  EXPECT_EQ(s.config.device.fsync_latency_us.max_us, 2000u);
  EXPECT_EQ(s.config.crash.at.kind, harness::CrashAt::Kind::kRandom);
  EXPECT_EQ(s.config.crash.count, 1u);
  EXPECT_EQ(s.config.crash.epochs, 1u);
  EXPECT_EQ(s.config.crash.power_loss.policy, faults::CrashPolicy::kTorn);
  EXPECT_TRUE(s.config.crash.power_loss.lose_unsynced_dir_ops);
  EXPECT_EQ(s.config.crash.power_loss.torn_fill, sim::TornFill::kStale);
  EXPECT_EQ(s.config.crash.power_loss.torn_scope, sim::TornScope::kWrite);
  EXPECT_TRUE(s.config.expect.pass);
  EXPECT_TRUE(s.config.expect.invariants.empty());
  EXPECT_FALSE(s.config.script.has_value());
  EXPECT_FALSE(s.config.decorate_fs);
}

constexpr const char* kEveryKey = R"(name = "every-key"
description = "all of them"
seeds = 7
first_seed = 40
target = "wal"
max_steps = 50000

[wal]
segment_bytes = 8192
sync = "periodic"
sync_interval_us = 300
sync_every_bytes = 4096
group_window_us = 50
checksum = "xxh3"
recovery = "point-in-time"
preallocate = false
max_segments = 4
max_bytes = 100000
max_entry_bytes = 65536
buffer_bytes = 32768

[workload]
writers = 3
ops = 99
entry_bytes = [5, 77]
batch_ratio = 0.25
sync_ratio = 0.125
read_ratio = 0.0625
truncate_ratio = 0.03125
reopen_ratio = 0.015625
checkpoint_every = 9
batch_entries_max = 5

[device]
sector_bytes = 4096
page_bytes = 8192
atomic_sector = false
fsync_latency_us = [10, 20]
write_latency_us = 3
capacity_bytes = 1000000
lying_fsync = true

[crash]
at = "op:12"
count = 2
epochs = 3
policy = "garbage-tail"
lose_unsynced_dir_ops = false

[faults]
fsync_eio = 0.5
fsync_profile = "btrfs"
write_eio = 0.25
write_short = 0.125
enospc_after_bytes = 5000
read_eio = 0.0625
bit_flip = 0.03125
latent_sector = 1
misdirected_write = 0

[expect]
verdict = "fail"
invariants = ["durability", "no-leak"]
)";

TEST(ScenarioParserTest, EveryKeyLandsInTheRunConfig) {
  const ParseResult r = parse(kEveryKey);
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const Scenario& s = *r.scenario;
  const harness::RunConfig& c = s.config;
  EXPECT_EQ(s.description, "all of them");
  EXPECT_EQ(s.seeds, 7u);
  EXPECT_EQ(s.first_seed, 40u);
  EXPECT_EQ(c.max_steps, 50000u);
  EXPECT_EQ(c.wal.segment_bytes, 8192u);
  EXPECT_EQ(c.wal.sync, wal::SyncPolicy::kPeriodic);
  EXPECT_EQ(c.wal.sync_interval_us, 300u);
  EXPECT_EQ(c.wal.sync_every_bytes, 4096u);
  EXPECT_EQ(c.wal.group_window_us, 50u);
  EXPECT_EQ(c.wal.checksum, wal::ChecksumKind::kXxh3);
  EXPECT_EQ(c.wal.recovery, wal::RecoveryMode::kPointInTime);
  EXPECT_FALSE(c.wal.preallocate);
  EXPECT_EQ(c.wal.max_segments, 4u);
  EXPECT_EQ(c.wal.max_bytes, 100000u);
  EXPECT_EQ(c.wal.max_entry_bytes, 65536u);
  EXPECT_EQ(c.wal.buffer_bytes, 32768u);
  EXPECT_EQ(c.workload.writers, 3u);
  EXPECT_EQ(c.workload.ops, 99u);
  EXPECT_EQ(c.workload.entry_bytes_min, 5u);
  EXPECT_EQ(c.workload.entry_bytes_max, 77u);
  auto p = [](sim::Ratio ratio) {
    return static_cast<double>(ratio.numerator) / static_cast<double>(ratio.denominator);
  };
  EXPECT_DOUBLE_EQ(p(c.workload.batch_ratio), 0.25);
  EXPECT_DOUBLE_EQ(p(c.workload.sync_ratio), 0.125);
  EXPECT_DOUBLE_EQ(p(c.workload.read_ratio), 0.0625);
  EXPECT_DOUBLE_EQ(p(c.workload.truncate_ratio), 0.03125);
  EXPECT_DOUBLE_EQ(p(c.workload.reopen_ratio), 0.015625);
  EXPECT_EQ(c.workload.checkpoint_every, 9u);
  EXPECT_EQ(c.workload.batch_entries_max, 5u);
  EXPECT_EQ(c.device.sector_bytes, 4096u);
  EXPECT_EQ(c.device.page_bytes, 8192u);
  EXPECT_FALSE(c.device.atomic_sector);
  EXPECT_EQ(c.device.fsync_latency_us.min_us, 10u);
  EXPECT_EQ(c.device.fsync_latency_us.max_us, 20u);
  EXPECT_EQ(c.device.write_latency_us.min_us, 3u);
  EXPECT_EQ(c.device.write_latency_us.max_us, 3u);
  EXPECT_EQ(c.device.capacity_bytes, 1000000u);
  EXPECT_TRUE(s.lying_fsync);
  EXPECT_TRUE(static_cast<bool>(c.decorate_fs));
  EXPECT_EQ(c.crash.at, (harness::CrashAt{harness::CrashAt::Kind::kOp, 12}));
  EXPECT_EQ(c.crash.count, 2u);
  EXPECT_EQ(c.crash.epochs, 3u);
  EXPECT_EQ(c.crash.power_loss.policy, faults::CrashPolicy::kGarbageTail);
  EXPECT_FALSE(c.crash.power_loss.lose_unsynced_dir_ops);
  EXPECT_DOUBLE_EQ(p(c.faults.fsync_eio), 0.5);
  EXPECT_EQ(c.faults.fsync_profile, "btrfs");
  EXPECT_DOUBLE_EQ(p(c.faults.write_eio), 0.25);
  EXPECT_DOUBLE_EQ(p(c.faults.write_short), 0.125);
  EXPECT_EQ(c.faults.enospc_after_bytes, 5000u);
  EXPECT_DOUBLE_EQ(p(c.faults.read_eio), 0.0625);
  EXPECT_DOUBLE_EQ(p(c.faults.bit_flip), 0.03125);
  EXPECT_DOUBLE_EQ(p(c.faults.latent_sector), 1.0);
  EXPECT_EQ(c.faults.misdirected_write.numerator, 0u);
  EXPECT_FALSE(c.expect.pass);
  EXPECT_EQ(c.expect.invariants,
            (std::set<harness::Invariant>{harness::Invariant::kDurability,
                                          harness::Invariant::kNoLeak}));
}

TEST(ScenarioParserTest, EveryCrashPointAndPolicyWordParses) {
  for (const char* at : {"random", "persistence-points", "inside-op", "op:0", "time:5000",
                         "none", "before-sync:2", "after-sync:3", "fs-op:40"}) {
    const ParseResult r =
        parse(std::string("name = \"x\"\n[crash]\nat = \"") + at + "\"\n");
    ASSERT_TRUE(r.ok()) << at << ": " << r.errors.front().to_string();
    EXPECT_EQ(r.scenario->config.crash.at.to_string(), at);
  }
  for (const char* policy : {"drop-unsynced", "prefix", "reorder", "torn", "garbage-tail"}) {
    const ParseResult r =
        parse(std::string("name = \"x\"\n[crash]\npolicy = \"") + policy + "\"\n");
    ASSERT_TRUE(r.ok()) << policy;
    EXPECT_EQ(faults::to_string(r.scenario->config.crash.power_loss.policy), policy);
  }
  for (const char* sync : {"none", "immediate", "periodic", "grouped"}) {
    const ParseResult r = parse(std::string("name = \"x\"\n[wal]\nsync = \"") + sync + "\"\n");
    ASSERT_TRUE(r.ok()) << sync;
    EXPECT_EQ(wal::to_string(r.scenario->config.wal.sync), sync);
  }
}

TEST(ScenarioParserTest, OnErrorCarriesOnForARegisteredTargetAndIsWrittenBack) {
  const ParseResult r =
      parse("name = \"x\"\ntarget = \"kv\"\n[workload]\non_error = \"carry-on\"\n");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  EXPECT_EQ(r.scenario->config.workload.on_error, harness::OnError::kCarryOn);
  // A shrunk scenario keeps it: the same run again needs the same application.
  const std::string written = scenario_to_toml(*r.scenario);
  EXPECT_NE(written.find("on_error = \"carry-on\""), std::string::npos) << written;
  const ParseResult plain = parse("name = \"x\"\ntarget = \"kv\"\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.scenario->config.workload.on_error, harness::OnError::kStop);
}

TEST(ScenarioParserTest, DeviceClaimsAreReadAndWrittenBackOnlyWhenSet) {
  const ParseResult r = parse(
      "name = \"x\"\n[device]\nsequential = true\nsafe_append = true\natomic_write = true\n"
      "powersafe_overwrite = false\n");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const sim::DeviceClaims& claims = r.scenario->config.device.claims;
  EXPECT_TRUE(claims.sequential && claims.safe_append && claims.atomic_write);
  EXPECT_FALSE(claims.powersafe_overwrite);
  const ParseResult again = parse(scenario_to_toml(*r.scenario));
  ASSERT_TRUE(again.ok()) << again.errors.front().to_string();
  EXPECT_EQ(again.scenario->config.device.claims, claims);
  const ParseResult plain = parse("name = \"x\"\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(scenario_to_toml(*plain.scenario).find("sequential"), std::string::npos);
}

TEST(ScenarioParserTest, InvariantsAllMeansEveryOne) {
  const ParseResult r = parse("name = \"x\"\n[expect]\ninvariants = \"all\"\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.scenario->config.expect.invariants.empty());
}

TEST(ScenarioParserTest, SyntaxErrorNamesTheLine) {
  const ParseResult r = parse("name = \"x\"\n\n[wal\nsync = 1\n");
  const ScenarioError& e = only_error(r);
  EXPECT_EQ(e.kind, ErrorKind::kSyntax);
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.to_string().rfind("s.toml:3: not valid TOML", 0), 0u) << e.to_string();
}

TEST(ScenarioParserTest, UnknownKeyIsNamedWithItsLine) {
  const ParseResult r = parse("name = \"x\"\n[workload]\nops = 3\n\n\nopz = 4\n");
  const ScenarioError& e = only_error(r);
  EXPECT_EQ(e.kind, ErrorKind::kUnknownKey);
  EXPECT_EQ(e.key, "workload.opz");
  EXPECT_EQ(e.to_string(), "s.toml:6: unknown key 'workload.opz'");
}

TEST(ScenarioParserTest, UnknownTopLevelKeyAndTableAreErrors) {
  const ParseResult r = parse("name = \"x\"\nseedz = 3\n[walz]\nsync = \"none\"\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].to_string(), "s.toml:2: unknown key 'seedz'");
  EXPECT_EQ(r.errors[1].kind, ErrorKind::kUnknownKey);
  EXPECT_EQ(r.errors[1].key, "walz");
}

TEST(ScenarioParserTest, EveryErrorIsReportedNotOnlyTheFirst) {
  const ParseResult r =
      parse("name = \"x\"\n[wal]\nsync = \"sometimes\"\n[workload]\nops = \"many\"\nfoo = 1\n");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 3u);
  EXPECT_EQ(r.errors[1].line, 5u);
  EXPECT_EQ(r.errors[2].line, 6u);
  EXPECT_FALSE(r.scenario.has_value());
}

struct BadValue {
  const char* text;  // appended after name = "x"
  ErrorKind kind;
  const char* key;
};

class BadValueTest : public testing::TestWithParam<BadValue> {};

TEST_P(BadValueTest, IsAnErrorNamingTheKeyAndLine) {
  const BadValue& bad = GetParam();
  const ParseResult r = parse(std::string("name = \"x\"\n") + bad.text);
  ASSERT_FALSE(r.ok()) << bad.text;
  const ScenarioError& e = only_error(r);
  EXPECT_EQ(e.kind, bad.kind) << e.to_string();
  EXPECT_EQ(e.key, bad.key) << e.to_string();
  EXPECT_GE(e.line, 2u) << e.to_string();
  EXPECT_NE(e.to_string().find(bad.key), std::string::npos) << e.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    WrongTypes, BadValueTest,
    testing::Values(
        BadValue{"seeds = \"ten\"\n", ErrorKind::kType, "seeds"},
        BadValue{"description = 3\n", ErrorKind::kType, "description"},
        BadValue{"first_seed = 1.5\n", ErrorKind::kType, "first_seed"},
        BadValue{"mutant = true\n", ErrorKind::kType, "mutant"},
        BadValue{"max_steps = \"x\"\n", ErrorKind::kType, "max_steps"},
        BadValue{"wal = 3\n", ErrorKind::kType, "wal"},
        BadValue{"[wal]\nsegment_bytes = \"big\"\n", ErrorKind::kType, "wal.segment_bytes"},
        BadValue{"[wal]\nsync = 1\n", ErrorKind::kType, "wal.sync"},
        BadValue{"[wal]\npreallocate = \"yes\"\n", ErrorKind::kType, "wal.preallocate"},
        BadValue{"[wal]\nchecksum = true\n", ErrorKind::kType, "wal.checksum"},
        BadValue{"[wal]\nrecovery = 2\n", ErrorKind::kType, "wal.recovery"},
        BadValue{"[wal]\nmax_segments = 1.0\n", ErrorKind::kType, "wal.max_segments"},
        BadValue{"[workload]\nwriters = \"2\"\n", ErrorKind::kType, "workload.writers"},
        BadValue{"[workload]\nentry_bytes = [1, 2, 3]\n", ErrorKind::kType,
                 "workload.entry_bytes"},
        BadValue{"[workload]\nentry_bytes = \"small\"\n", ErrorKind::kType,
                 "workload.entry_bytes"},
        BadValue{"[workload]\nbatch_ratio = \"half\"\n", ErrorKind::kType,
                 "workload.batch_ratio"},
        BadValue{"[workload]\nsync_ratio = true\n", ErrorKind::kType, "workload.sync_ratio"},
        BadValue{"[workload]\ncheckpoint_every = 0.5\n", ErrorKind::kType,
                 "workload.checkpoint_every"},
        BadValue{"[workload]\non_error = 1\n", ErrorKind::kType, "workload.on_error"},
        BadValue{"[device]\natomic_sector = 1\n", ErrorKind::kType, "device.atomic_sector"},
        BadValue{"[device]\nfsync_latency_us = [1.0, 2.0]\n", ErrorKind::kType,
                 "device.fsync_latency_us"},
        BadValue{"[device]\nlying_fsync = \"no\"\n", ErrorKind::kType, "device.lying_fsync"},
        BadValue{"[device]\nsequential = 1\n", ErrorKind::kType, "device.sequential"},
        BadValue{"[crash]\nat = 5\n", ErrorKind::kType, "crash.at"},
        BadValue{"[crash]\ncount = \"twice\"\n", ErrorKind::kType, "crash.count"},
        BadValue{"[crash]\nlose_unsynced_dir_ops = \"no\"\n", ErrorKind::kType,
                 "crash.lose_unsynced_dir_ops"},
        BadValue{"[crash]\ntorn_fill = 0\n", ErrorKind::kType, "crash.torn_fill"},
        BadValue{"[crash]\ntorn_scope = true\n", ErrorKind::kType, "crash.torn_scope"},
        BadValue{"[faults]\nfsync_eio = \"often\"\n", ErrorKind::kType, "faults.fsync_eio"},
        BadValue{"[faults]\nfsync_profile = 4\n", ErrorKind::kType, "faults.fsync_profile"},
        BadValue{"[faults]\nenospc_after_bytes = 1.5\n", ErrorKind::kType,
                 "faults.enospc_after_bytes"},
        BadValue{"[expect]\nverdict = false\n", ErrorKind::kType, "expect.verdict"},
        BadValue{"[expect]\ninvariants = 3\n", ErrorKind::kType, "expect.invariants"}));

INSTANTIATE_TEST_SUITE_P(
    OutOfRange, BadValueTest,
    testing::Values(
        BadValue{"seeds = 0\n", ErrorKind::kRange, "seeds"},
        BadValue{"target = \"postgres\"\n", ErrorKind::kRange, "target"},
        BadValue{"max_steps = 5\n", ErrorKind::kRange, "max_steps"},
        BadValue{"[wal]\nsegment_bytes = 100\n", ErrorKind::kRange, "wal.segment_bytes"},
        BadValue{"[wal]\nsync = \"sometimes\"\n", ErrorKind::kRange, "wal.sync"},
        BadValue{"[wal]\nchecksum = \"md5\"\n", ErrorKind::kRange, "wal.checksum"},
        BadValue{"[wal]\nrecovery = \"yolo\"\n", ErrorKind::kRange, "wal.recovery"},
        BadValue{"[wal]\nsync_interval_us = -1\n", ErrorKind::kRange, "wal.sync_interval_us"},
        BadValue{"[wal]\nmax_entry_bytes = 0\n", ErrorKind::kRange, "wal.max_entry_bytes"},
        BadValue{"[workload]\nwriters = 0\n", ErrorKind::kRange, "workload.writers"},
        BadValue{"[workload]\nops = -3\n", ErrorKind::kRange, "workload.ops"},
        BadValue{"[workload]\nentry_bytes = [0, 10]\n", ErrorKind::kRange,
                 "workload.entry_bytes"},
        BadValue{"[workload]\nentry_bytes = [10, 5]\n", ErrorKind::kRange,
                 "workload.entry_bytes"},
        BadValue{"[workload]\nbatch_ratio = 1.5\n", ErrorKind::kRange, "workload.batch_ratio"},
        BadValue{"[workload]\nread_ratio = -0.1\n", ErrorKind::kRange, "workload.read_ratio"},
        BadValue{"[workload]\nbatch_entries_max = 1\n", ErrorKind::kRange,
                 "workload.batch_entries_max"},
        BadValue{"[workload]\nbatch_ratio = 0.6\nsync_ratio = 0.6\n", ErrorKind::kRange,
                 "workload"},
        BadValue{"[workload]\non_error = \"retry\"\n", ErrorKind::kRange, "workload.on_error"},
        // The wal target's application always goes on, to a fail-stop Log.
        BadValue{"[workload]\non_error = \"carry-on\"\n", ErrorKind::kRange,
                 "workload.on_error"},
        BadValue{"[device]\nsector_bytes = 0\n", ErrorKind::kRange, "device.sector_bytes"},
        BadValue{"[device]\npage_bytes = 1000\n", ErrorKind::kRange, "device.page_bytes"},
        BadValue{"[device]\nwrite_latency_us = [5, 1]\n", ErrorKind::kRange,
                 "device.write_latency_us"},
        BadValue{"[crash]\nat = \"sometimes\"\n", ErrorKind::kRange, "crash.at"},
        BadValue{"[crash]\nat = \"op:x\"\n", ErrorKind::kRange, "crash.at"},
        BadValue{"[crash]\ncount = 0\n", ErrorKind::kRange, "crash.count"},
        BadValue{"[crash]\nepochs = 0\n", ErrorKind::kRange, "crash.epochs"},
        BadValue{"[crash]\nat = \"none\"\ncount = 2\n", ErrorKind::kRange, "crash.count"},
        BadValue{"[crash]\npolicy = \"tornado\"\n", ErrorKind::kRange, "crash.policy"},
        BadValue{"[crash]\ntorn_fill = \"zero\"\n", ErrorKind::kRange, "crash.torn_fill"},
        BadValue{"[crash]\npolicy = \"reorder\"\ntorn_fill = \"zeros\"\n", ErrorKind::kRange,
                 "crash.torn_fill"},
        BadValue{"[crash]\ntorn_scope = \"page\"\n", ErrorKind::kRange, "crash.torn_scope"},
        BadValue{"[crash]\ntorn_scope = \"sector\"\n", ErrorKind::kRange, "crash.torn_scope"},
        BadValue{"[crash]\ntorn_scope = \"sector\"\npolicy = \"prefix\"\n", ErrorKind::kRange,
                 "crash.policy"},
        BadValue{"[faults]\nfsync_eio = 2\n", ErrorKind::kRange, "faults.fsync_eio"},
        BadValue{"[faults]\nfsync_profile = \"zfs\"\n", ErrorKind::kRange,
                 "faults.fsync_profile"},
        BadValue{"[faults]\nbit_flip = 1.01\n", ErrorKind::kRange, "faults.bit_flip"},
        BadValue{"[expect]\nverdict = \"maybe\"\n", ErrorKind::kRange, "expect.verdict"},
        BadValue{"[expect]\ninvariants = [\"durability\", \"speed\"]\n", ErrorKind::kRange,
                 "expect.invariants"},
        BadValue{"[wal]\nsync = \"periodic\"\nsync_interval_us = 0\n", ErrorKind::kRange,
                 "wal.sync_interval_us"}));

INSTANTIATE_TEST_SUITE_P(
    Scripts, BadValueTest,
    testing::Values(
        BadValue{"[script]\nopz = []\n", ErrorKind::kUnknownKey, "script.opz"},
        BadValue{"[script]\ncrash = \"random\"\n", ErrorKind::kRange, "script.crash"},
        BadValue{"[script]\ncrash = \"inside-op\"\n", ErrorKind::kRange, "script.crash"},
        BadValue{"[script]\ncrash = 3\n", ErrorKind::kType, "script.crash"},
        BadValue{"[script]\npayload_seed = \"12ab\"\n", ErrorKind::kRange, "script.payload_seed"},
        BadValue{"[script]\nops = [{ writer = 0, index = 0 }]\n", ErrorKind::kMissing,
                 "script.ops"},
        BadValue{"[script]\nops = [{ writer = 0, index = 0, kind = \"fly\" }]\n",
                 ErrorKind::kRange, "script.ops.kind"},
        BadValue{"[script]\nops = [{ writer = 0, index = 0, kind = \"sync\", x = 1 }]\n",
                 ErrorKind::kUnknownKey, "script.ops"},
        BadValue{"[script]\nops = [{ writer = 0, index = 0, kind = \"append\" }]\n",
                 ErrorKind::kRange, "script.ops.bytes"},
        BadValue{"[script]\nops = [{ writer = 0, index = 0, kind = \"batch\", bytes = [3] }]\n",
                 ErrorKind::kRange, "script.ops.bytes"},
        BadValue{"[script]\nops = [\n{ writer = 0, index = 1, kind = \"sync\" },\n"
                 "{ writer = 0, index = 1, kind = \"sync\" }]\n",
                 ErrorKind::kRange, "script.ops.index"},
        BadValue{"[script]\nwriters = 1\nops = [{ writer = 2, index = 1, kind = \"sync\" }]\n",
                 ErrorKind::kRange, "script.writers"},
        BadValue{"[script]\nfaults = [{ kind = \"gremlin\", at = 1 }]\n", ErrorKind::kRange,
                 "script.faults.kind"},
        BadValue{"[script]\nfaults = [{ kind = \"write_eio\", at = 0 }]\n", ErrorKind::kRange,
                 "script.faults.at"},
        BadValue{"[script]\nfaults = [{ kind = \"fsync_eio\", at = 1, file = \"/wal/FRONT\" }]\n",
                 ErrorKind::kRange, "script.faults.file"},
        BadValue{"[script]\nfaults = [{ kind = \"fsync_eio\", at = 1, file = \"0001.wal\" }]\n",
                 ErrorKind::kRange, "script.faults.file"},
        BadValue{"[script]\nfaults = [{ kind = \"bit_flip\", at = 1, file = \"#.wal\" }]\n",
                 ErrorKind::kRange, "script.faults.file"},
        BadValue{"[script]\nfaults = [{ kind = \"fsync_eio\", at = 1, file = 2 }]\n",
                 ErrorKind::kType, "script.faults.file"},
        BadValue{"[script]\nfaults = [{ kind = \"write_eio\" }]\n", ErrorKind::kMissing,
                 "script.faults"},
        BadValue{"[script]\nfaults = 3\n", ErrorKind::kType, "script.faults"}));

TEST(ScenarioParserTest, MissingNameIsAnError) {
  const ParseResult r = parse("seeds = 3\n");
  const ScenarioError& e = only_error(r);
  EXPECT_EQ(e.kind, ErrorKind::kMissing);
  EXPECT_EQ(e.to_string(), "s.toml:1: missing required key 'name'");
}

TEST(ScenarioParserTest, EmptyNameIsAnError) {
  EXPECT_EQ(only_error(parse("name = \"\"\n")).kind, ErrorKind::kRange);
}

TEST(ScenarioParserTest, MissingFileIsAnIoError) {
  const ParseResult r = load_scenario("/nonexistent/walsim/x.toml");
  EXPECT_EQ(only_error(r).kind, ErrorKind::kIo);
}

TEST(ScenarioParserTest, MutantMustBeInTheBugZooAndNeedsFaultPoints) {
  const ParseResult r = parse("name = \"x\"\nmutant = \"skip-dir-sync\"\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.scenario->mutant, "skip-dir-sync");
  const std::optional<ScenarioError> why = check_runnable(*r.scenario);
  if (harness::mutants_available()) {
    EXPECT_FALSE(why.has_value()) << why->to_string();
  } else {
    ASSERT_TRUE(why.has_value());
    EXPECT_EQ(why->kind, ErrorKind::kUnavailable);
    EXPECT_NE(why->message.find("mutants are not available in this build"), std::string::npos);
  }
  const std::optional<ScenarioError> unknown =
      check_runnable(*parse("name = \"x\"\nmutant = \"gremlin\"\n").scenario);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->kind, ErrorKind::kRange);
  EXPECT_NE(unknown->message.find("skip-dir-sync"), std::string::npos) << unknown->message;
  EXPECT_FALSE(check_runnable(*parse("name = \"x\"\n").scenario).has_value());
  EXPECT_TRUE(check_runnable(*parse("name = \"x\"\ntarget = \"kv\"\n").scenario).has_value());
}

TEST(ScenarioParserTest, ScriptReadsOpsFaultsAndCrash) {
  const ParseResult r = parse(R"(name = "x"
[script]
payload_seed = "0xfeedface12345678"
writers = 2
crash = "after-sync:3"
recovery_crashes = [7, 9]
ops = [
  { writer = 1, index = 4, kind = "batch", bytes = [3, 4] },
  { writer = 0, index = 0, kind = "append", bytes = [10] },
  { writer = 0, index = 2, kind = "read", at_ppm = 500000 },
  { writer = 1, index = 5, kind = "checkpoint", bytes = [8] },
]
faults = [
  { kind = "fsync_eio", at = 3 },
  { kind = "bit_flip", at = 1, choice_seed = "0xabc", detail = "here" },
]
)");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const harness::Script& s = *r.scenario->config.script;
  EXPECT_EQ(s.payload_seed, 0xfeedface12345678ull);
  ASSERT_EQ(s.writers.size(), 2u);
  ASSERT_EQ(s.writers[0].size(), 2u);
  ASSERT_EQ(s.writers[1].size(), 2u);
  EXPECT_EQ(s.writers[0][0].index, 0u);
  EXPECT_EQ(s.writers[0][1].kind, harness::OpKind::kRead);
  EXPECT_EQ(s.writers[0][1].position_ppm, 500000u);
  EXPECT_EQ(s.writers[1][0].kind, harness::OpKind::kBatch);
  EXPECT_EQ(s.writers[1][0].entry_bytes, (std::vector<std::uint32_t>{3, 4}));
  EXPECT_EQ(s.writers[1][1].kind, harness::OpKind::kCheckpoint);
  EXPECT_EQ(s.crash, (harness::CrashAt{harness::CrashAt::Kind::kAfterSync, 3}));
  EXPECT_EQ(s.recovery_crashes, (std::vector<std::uint64_t>{7, 9}));
  ASSERT_EQ(s.faults.size(), 2u);
  EXPECT_EQ(s.faults[0].kind, harness::FaultKind::kFsyncEio);
  EXPECT_EQ(s.faults[0].at, 3u);
  EXPECT_EQ(s.faults[1].kind, harness::FaultKind::kBitFlip);
  EXPECT_EQ(s.faults[1].choice_seed, 0xabcu);
  EXPECT_EQ(s.faults[1].detail, "here");
}

TEST(ScenarioParserTest, WrittenScenarioParsesBackToTheSameScenario) {
  ParseResult first = parse(kEveryKey);
  ASSERT_TRUE(first.ok());
  harness::Script script;
  script.payload_seed = 0x8000000000000001ull;  // above INT64_MAX: must survive as hex
  script.writers.resize(2);
  script.writers[1].push_back({harness::OpKind::kBatch, 1, 3, {5, 6}, 0});
  script.writers[0].push_back({harness::OpKind::kTruncate, 0, 7, {}, 250000});
  script.faults.push_back(
      harness::scripted_fault(harness::FaultKind::kWriteShort, 4, 0, "a \"quoted\" detail"));
  script.faults.push_back(harness::scripted_fault(harness::FaultKind::kFsyncEio, 2));
  script.faults.back().file = "FRONT.tmp";
  script.crash = {harness::CrashAt::Kind::kFsOp, 33};
  first.scenario->config.script = script;
  first.scenario->mutant = "m";
  const std::string text = scenario_to_toml(*first.scenario);
  const ParseResult second = parse(text);
  ASSERT_TRUE(second.ok()) << second.errors.front().to_string() << "\n" << text;
  EXPECT_EQ(scenario_to_toml(*second.scenario), text);
  const harness::Script& back = *second.scenario->config.script;
  EXPECT_EQ(back.payload_seed, script.payload_seed);
  EXPECT_EQ(back.faults, script.faults);
  EXPECT_EQ(back.faults[0].detail, script.faults[0].detail);
  EXPECT_EQ(back.crash, script.crash);
  EXPECT_EQ(back.writers[0][0].position_ppm, 250000u);
  EXPECT_EQ(back.writers[1][0].entry_bytes, (std::vector<std::uint32_t>{5, 6}));
}

TEST(ScenarioParserTest, SetupLineNamesWhatMatters) {
  const ParseResult r = parse(kEveryKey);
  ASSERT_TRUE(r.ok());
  const std::string setup = describe_setup(*r.scenario);
  EXPECT_NE(setup.find("sync=periodic"), std::string::npos) << setup;
  EXPECT_NE(setup.find("crash=garbage-tail@op:12x2"), std::string::npos) << setup;
  EXPECT_NE(setup.find("fsync_eio(btrfs)"), std::string::npos) << setup;
  EXPECT_NE(setup.find("device=lying_fsync"), std::string::npos) << setup;
}

TEST(ScenarioParserTest, TornFillParsesWritesBackAndShows) {
  for (const char* fill : {"stale", "zeros", "random"}) {
    const ParseResult r = parse(std::string("name = \"x\"\n[crash]\ncount = 2\ntorn_fill = \"") +
                                fill + "\"\n");
    ASSERT_TRUE(r.ok()) << fill << ": " << r.errors.front().to_string();
    EXPECT_EQ(sim::to_string(r.scenario->config.crash.power_loss.torn_fill), fill);
    const std::string text = scenario_to_toml(*r.scenario);
    const ParseResult back = parse(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(back.scenario->config.crash.power_loss, r.scenario->config.crash.power_loss);
    // The default is not written, nor shown: files and setup lines stay as they were.
    const bool stale = std::string(fill) == "stale";
    EXPECT_EQ(text.find("torn_fill"), stale ? std::string::npos : text.find("torn_fill = "));
    const std::string setup = describe_setup(*r.scenario);
    if (stale) {
      EXPECT_EQ(setup.find("torn_fill"), std::string::npos) << setup;
    } else {
      EXPECT_NE(setup.find("crash=torn@randomx2 torn_fill=" + std::string(fill)),
                std::string::npos)
          << setup;
    }
  }
}

TEST(ScenarioParserTest, TornScopeParsesWritesBackAndShows) {
  for (const char* scope : {"write", "sector"}) {
    const ParseResult r = parse(std::string("name = \"x\"\n[crash]\ntorn_fill = \"random\"\n"
                                            "torn_scope = \"") +
                                scope + "\"\n");
    ASSERT_TRUE(r.ok()) << scope << ": " << r.errors.front().to_string();
    EXPECT_EQ(sim::to_string(r.scenario->config.crash.power_loss.torn_scope), scope);
    const std::string text = scenario_to_toml(*r.scenario);
    const ParseResult back = parse(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(back.scenario->config.crash.power_loss, r.scenario->config.crash.power_loss);
    // The default is not written, nor shown: files and setup lines stay as they were.
    const bool write = std::string(scope) == "write";
    EXPECT_EQ(text.find("torn_scope"), write ? std::string::npos : text.find("torn_scope = "));
    const std::string setup = describe_setup(*r.scenario);
    EXPECT_EQ(setup.find("torn_scope=sector") == std::string::npos, write) << setup;
  }
}

// The sector scope spreads a fill; with the stale fill (the default) there is nothing to see.
TEST(ScenarioParserTest, ASectorScopeWithoutAFillNamesBothKeys) {
  const ParseResult r = parse("name = \"x\"\n[crash]\ntorn_scope = \"sector\"\n");
  const ScenarioError& e = only_error(r);
  EXPECT_EQ(e.line, 3u);
  EXPECT_NE(e.to_string().find("'crash.torn_scope' = \"sector\" needs 'crash.torn_fill' = "
                               "\"zeros\" or \"random\""),
            std::string::npos)
      << e.to_string();
}

TEST(ScenarioParserTest, AnUnknownTornFillNamesTheKeyAndTheWords) {
  const ParseResult r = parse("name = \"x\"\n[crash]\ntorn_fill = \"junk\"\n");
  const ScenarioError& e = only_error(r);
  EXPECT_EQ(e.line, 3u);
  EXPECT_NE(e.to_string().find("'crash.torn_fill' = \"junk\" is not one of stale|zeros|random"),
            std::string::npos)
      << e.to_string();
}

}  // namespace
}  // namespace walsim
