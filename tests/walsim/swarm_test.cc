// The swarm (scenario_swarm.h): every seed's drawn configuration is a valid scenario that
// writes back to itself, the space the drawing covers is the whole of it (each value of each
// dimension is drawn), a [swarm] table bounds it and is checked as strictly as any table, and
// `walsim swarm` runs, reports, replays and shrinks a seed to a plain scenario end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "sim/walsim/scenario.h"
#include "sim/walsim/scenario_swarm.h"
#include "sim/walsim/scenario_toml.h"
#include "walsim/walsim_process.h"

namespace walsim {
namespace {

constexpr std::uint64_t kSeeds = 3000;

Scenario concrete(std::uint64_t seed, const SwarmSpace& space = SwarmSpace{}) {
  std::string error;
  const std::optional<Scenario> drawn = for_seed(swarm_scenario("wal", std::nullopt, space), seed,
                                                 &error);
  EXPECT_TRUE(drawn.has_value()) << error;
  return drawn.value_or(Scenario{});
}

TEST(Swarm, EveryDrawnConfigurationIsAScenarioThatWritesBackToItself) {
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Scenario s = concrete(seed);
    const std::string text = scenario_to_toml(s);
    const ParseResult again = parse_scenario(text, "again.toml");
    ASSERT_TRUE(again.ok()) << "seed " << seed << ": " << again.errors.front().to_string() << "\n"
                            << text;
    EXPECT_EQ(scenario_to_toml(*again.scenario), text) << "seed " << seed;
    EXPECT_FALSE(s.swarm.has_value());
    EXPECT_EQ(s.first_seed, seed);
  }
}

TEST(Swarm, TheSeedAloneDecidesTheConfiguration) {
  std::set<std::string> distinct;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const std::string a = scenario_to_toml(concrete(seed));
    EXPECT_EQ(a, scenario_to_toml(concrete(seed))) << "seed " << seed;
    distinct.insert(a.substr(a.find("[wal]")));
  }
  EXPECT_EQ(distinct.size(), 500u);
}

// Each value of each dimension comes up: a dimension the drawing forgot would be a hole no
// seed explores.
TEST(Swarm, TheDrawingCoversEveryDimension) {
  SwarmSpace all;
  all.media_faults = true;
  all.torn_fill = true;
  all.torn_scope = true;
  std::map<std::string, int> seen;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const harness::RunConfig c = concrete(seed, all).config;
    ++seen["sync=" + std::string(wal::to_string(c.wal.sync))];
    ++seen["recovery=" + std::string(wal::to_string(c.wal.recovery))];
    ++seen["checksum=" + std::string(wal::to_string(c.wal.checksum))];
    ++seen["crash=" + c.crash.at.to_string().substr(0, c.crash.at.to_string().find(':'))];
    ++seen["policy=" + std::string(faults::to_string(c.crash.power_loss.policy))];
    ++seen["torn_fill=" + std::string(sim::to_string(c.crash.power_loss.torn_fill))];
    ++seen["torn_scope=" + std::string(sim::to_string(c.crash.power_loss.torn_scope))];
    ++seen["aim=" + std::string(faults::to_string(c.faults.media_aim))];
    if (c.crash.count > 1) ++seen["crash-during-recovery"];
    if (c.crash.epochs > 1) ++seen["epochs"];
    if (c.workload.entry_bytes_min == c.workload.entry_bytes_max) ++seen["fixed-entries"];
    if (c.wal.buffer_bytes <= 64) ++seen["tiny-buffer"];
    if (c.wal.segment_bytes == 4096) ++seen["tiny-segments"];
    if (!c.wal.preallocate) ++seen["sparse"];
    if (c.wal.max_segments != 0 || c.wal.max_bytes != 0) ++seen["retention"];
    if (c.workload.writers > 1) ++seen["writers"];
    if (c.workload.checkpoint_every != 0) ++seen["checkpoints"];
    if (!c.device.atomic_sector) ++seen["non-atomic-sectors"];
    if (!c.crash.power_loss.lose_unsynced_dir_ops) ++seen["dir-ops-kept"];
    for (const auto& [name, ratio] :
         {std::pair{"batch", c.workload.batch_ratio}, {"sync", c.workload.sync_ratio},
          {"read", c.workload.read_ratio}, {"truncate", c.workload.truncate_ratio},
          {"reopen", c.workload.reopen_ratio}, {"fsync_eio", c.faults.fsync_eio},
          {"write_eio", c.faults.write_eio}, {"write_short", c.faults.write_short},
          {"read_eio", c.faults.read_eio}, {"bit_flip", c.faults.bit_flip},
          {"latent_sector", c.faults.latent_sector},
          {"misdirected_write", c.faults.misdirected_write}, {"read_short", c.faults.read_short},
          {"close_eio", c.faults.close_eio}}) {
      if (ratio.numerator != 0) ++seen[std::string("op/fault ") + name];
    }
    if (c.faults.enospc_after_bytes != 0) ++seen["op/fault enospc"];
    if (!c.faults.target.empty()) ++seen["aimed " + c.faults.target];
  }
  const char* expected[] = {
      "sync=none", "sync=immediate", "sync=grouped", "sync=periodic", "recovery=tolerate-tail",
      "recovery=absolute", "recovery=point-in-time", "recovery=skip-corrupted", "checksum=crc32c",
      "checksum=crc64", "checksum=xxh3", "crash=random", "crash=persistence-points", "crash=op",
      "crash=fs-op", "crash=inside-op", "crash=time", "crash=none", "policy=drop-unsynced",
      "policy=prefix", "policy=reorder", "policy=torn", "policy=garbage-tail", "torn_fill=stale",
      "torn_fill=zeros", "torn_fill=random", "torn_scope=write", "torn_scope=sector", "aim=uniform",
      "aim=structure", "aim=mixed", "crash-during-recovery", "epochs", "fixed-entries", "tiny-buffer",
      "tiny-segments", "sparse", "retention", "writers", "checkpoints", "non-atomic-sectors",
      "dir-ops-kept", "op/fault batch", "op/fault sync", "op/fault read", "op/fault truncate",
      "op/fault reopen", "op/fault fsync_eio", "op/fault write_eio", "op/fault write_short",
      "op/fault read_eio", "op/fault bit_flip", "op/fault latent_sector",
      "op/fault misdirected_write", "op/fault enospc", "op/fault read_short",
      "op/fault close_eio", "policy=process", "aimed *.wal", "aimed *.tmp", "aimed FRONT*",
      "aimed [0-9]*"};
  for (const char* name : expected) {
    EXPECT_GE(seen[name], 10) << name << " drawn " << seen[name] << " times in " << kSeeds;
  }
}

// On by default (scenario.h SwarmSpace::torn_fill), from a stream of its own: with
// `torn_fill = false` every seed keeps the stale fill, and either way every other draw of a
// seed is what it was before the key existed.
TEST(Swarm, TornFillIsDrawnUnlessTheSpaceSaysNo) {
  SwarmSpace stale;
  stale.torn_fill = false;
  const SwarmSpace fills;
  int differ = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const harness::RunConfig plain = concrete(seed, stale).config;
    EXPECT_EQ(plain.crash.power_loss.torn_fill, sim::TornFill::kStale) << "seed " << seed;
    harness::RunConfig filled = concrete(seed, fills).config;
    if (filled.crash.power_loss.policy != faults::CrashPolicy::kTorn) {
      EXPECT_EQ(filled.crash.power_loss.torn_fill, sim::TornFill::kStale) << "seed " << seed;
    }
    differ += filled.crash.power_loss.torn_fill != sim::TornFill::kStale ? 1 : 0;
    // The fill is a stream of its own: every other draw of the seed is the same.
    filled.crash.power_loss.torn_fill = sim::TornFill::kStale;
    Scenario a;
    Scenario b;
    a.config = plain;
    b.config = filled;
    EXPECT_EQ(scenario_to_toml(a), scenario_to_toml(b)) << "seed " << seed;
  }
  EXPECT_GT(differ, 20);
}

// Off by default too (SwarmSpace::torn_scope), and a stream of its own: only seeds that drew
// a zeros or random fill draw it, and nothing else of a seed changes.
TEST(Swarm, TornScopeIsDrawnOnlyOverAFillAndOnlyWhenAsked) {
  SwarmSpace fills;
  fills.torn_fill = true;
  SwarmSpace scoped = fills;
  scoped.torn_scope = true;
  int sector = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const harness::RunConfig filled = concrete(seed, fills).config;
    EXPECT_EQ(filled.crash.power_loss.torn_scope, sim::TornScope::kWrite) << "seed " << seed;
    harness::RunConfig drawn = concrete(seed, scoped).config;
    if (drawn.crash.power_loss.torn_scope == sim::TornScope::kSector) {
      ++sector;
      EXPECT_NE(drawn.crash.power_loss.torn_fill, sim::TornFill::kStale) << "seed " << seed;
    }
    drawn.crash.power_loss.torn_scope = sim::TornScope::kWrite;
    Scenario a;
    Scenario b;
    a.config = filled;
    b.config = drawn;
    EXPECT_EQ(scenario_to_toml(a), scenario_to_toml(b)) << "seed " << seed;
  }
  EXPECT_GT(sector, 10);
}

TEST(Swarm, TheSpaceBoundsEveryDraw) {
  SwarmSpace small;
  small.ops_max = 10;
  small.writers_max = 1;
  small.crash_count_max = 1;
  small.epochs_max = 1;
  small.io_faults = false;
  small.media_faults = false;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const harness::RunConfig c = concrete(seed, small).config;
    EXPECT_LE(c.workload.ops, 10u);
    EXPECT_GE(c.workload.ops, 1u);
    EXPECT_EQ(c.workload.writers, 1u);
    EXPECT_EQ(c.crash.count, 1u);
    EXPECT_EQ(c.crash.epochs, 1u);
    EXPECT_FALSE(c.faults.any()) << "seed " << seed;
  }
}

TEST(Swarm, ASwarmTableIsReadStrictlyAndWrittenBack) {
  const ParseResult ok = parse_scenario(
      "name = \"s\"\n[swarm]\nops_max = 40\nwriters_max = 2\nmedia_faults = false\n", "s.toml");
  ASSERT_TRUE(ok.ok()) << ok.errors.front().to_string();
  ASSERT_TRUE(ok.scenario->swarm.has_value());
  EXPECT_EQ(ok.scenario->swarm->ops_max, 40u);
  EXPECT_EQ(ok.scenario->swarm->writers_max, 2u);
  EXPECT_FALSE(ok.scenario->swarm->media_faults);
  EXPECT_TRUE(ok.scenario->swarm->torn_fill);
  EXPECT_EQ(scenario_to_toml(*ok.scenario).find("torn_fill"), std::string::npos);
  const ParseResult stale =
      parse_scenario("name = \"s\"\n[swarm]\ntorn_fill = false\n", "f.toml");
  ASSERT_TRUE(stale.ok()) << stale.errors.front().to_string();
  EXPECT_FALSE(stale.scenario->swarm->torn_fill);
  EXPECT_NE(scenario_to_toml(*stale.scenario).find("torn_fill = false"), std::string::npos);
  EXPECT_FALSE(ok.scenario->swarm->torn_scope);
  EXPECT_EQ(scenario_to_toml(*ok.scenario).find("torn_scope"), std::string::npos);
  const ParseResult scoped =
      parse_scenario("name = \"s\"\n[swarm]\ntorn_scope = true\n", "s.toml");
  ASSERT_TRUE(scoped.ok()) << scoped.errors.front().to_string();
  EXPECT_TRUE(scoped.scenario->swarm->torn_scope);
  EXPECT_NE(scenario_to_toml(*scoped.scenario).find("torn_scope = true"), std::string::npos);
  // A scope without the fill it spreads would draw nothing: refused, naming both keys.
  const ParseResult unfilled = parse_scenario(
      "name = \"s\"\n[swarm]\ntorn_fill = false\ntorn_scope = true\n", "u.toml");
  ASSERT_FALSE(unfilled.ok());
  EXPECT_EQ(unfilled.errors.front().key, "swarm.torn_scope");
  EXPECT_EQ(unfilled.errors.front().line, 4u);
  EXPECT_NE(unfilled.errors.front().message.find("'swarm.torn_fill' = false"), std::string::npos);
  const ParseResult again = parse_scenario(scenario_to_toml(*ok.scenario), "again.toml");
  ASSERT_TRUE(again.ok()) << again.errors.front().to_string();
  EXPECT_EQ(scenario_to_toml(*again.scenario), scenario_to_toml(*ok.scenario));
  // Unsaid, media faults follow the CLI's default (load_one.h), never on for other targets.
  const ParseResult wal = parse_scenario("name = \"s\"\n[swarm]\nops_max = 4\n", "w.toml");
  ASSERT_TRUE(wal.ok()) << wal.errors.front().to_string();
  EXPECT_EQ(wal.scenario->swarm->media_faults, kWalSwarmMediaFaultsByDefault);
  const ParseResult kv =
      parse_scenario("name = \"s\"\ntarget = \"kv\"\n[swarm]\nops_max = 4\n", "k.toml");
  ASSERT_TRUE(kv.ok()) << kv.errors.front().to_string();
  EXPECT_FALSE(kv.scenario->swarm->media_faults);

  const ParseResult unknown = parse_scenario("name = \"s\"\n[swarm]\nops = 4\n", "u.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.errors.front().kind, ErrorKind::kUnknownKey);
  EXPECT_EQ(unknown.errors.front().line, 3u);
  EXPECT_EQ(unknown.errors.front().key, "swarm.ops");

  const ParseResult range = parse_scenario("name = \"s\"\n[swarm]\nops_max = 0\n", "r.toml");
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.errors.front().kind, ErrorKind::kRange);

  const ParseResult type = parse_scenario("name = \"s\"\n[swarm]\nio_faults = 1\n", "t.toml");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.errors.front().kind, ErrorKind::kType);

  // A table the swarm draws, written beside it, would be silently ignored: refused.
  const ParseResult beside =
      parse_scenario("name = \"s\"\n[swarm]\nops_max = 4\n[wal]\nsync = \"none\"\n", "b.toml");
  ASSERT_FALSE(beside.ok());
  EXPECT_EQ(beside.errors.front().key, "wal");
  EXPECT_NE(beside.errors.front().message.find("draws it per seed"), std::string::npos);
}

// The slice `make test` keeps: fixed seeds of the default space on the unmutated WAL, through
// the CLI as a user runs it; then one seed replayed and shrunk to a plain scenario file that
// replays without the swarm.
TEST(SwarmCli, AFixedSliceOfTheDefaultSpacePassesReplaysAndShrinks) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("swarm-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const walsim_test::Output run = walsim_test::run(
      "swarm --seeds 400 --jobs 2 --no-progress --report " + (dir / "report").string());
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_NE(run.out.find("swarm       pass    400     400"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "report" / "summary.json"));

  const walsim_test::Output replay = walsim_test::run("replay --swarm --seed 7");
  EXPECT_EQ(replay.code, 0) << replay.out;
  EXPECT_NE(replay.out.find("verdict:    pass"), std::string::npos) << replay.out;

  // A seed that passes has nothing to shrink: exit 1, saying so.
  const walsim_test::Output nothing =
      walsim_test::run("shrink --swarm --seed 7 -o " + (dir / "x.toml").string());
  EXPECT_EQ(nothing.code, 1) << nothing.out;
  EXPECT_NE(nothing.out.find("passes: nothing to shrink"), std::string::npos) << nothing.out;

  // Usage: a file and --swarm at once, or neither, is a usage error.
  EXPECT_EQ(walsim_test::run("replay --seed 1").code, 2);
  EXPECT_EQ(walsim_test::run("replay scenarios/x.toml --swarm --seed 1").code, 2);
  EXPECT_EQ(walsim_test::run("swarm --seeds 0").code, 2);
  EXPECT_EQ(walsim_test::run("swarm --seeds 5 --seconds 5").code, 2);
  std::filesystem::remove_all(dir);
}

// Seeds of the default space that once failed on a correct WAL or exposed a WAL bug (docs/
// swarm.md, "What the swarm found"), fixed since. Their configurations are the swarm's as drawn
// today: a change to the drawing moves them, which is why each fix also pins a shrunk plain
// scenario in scenarios/regressions/; these add the whole unshrunk runs.
TEST(SwarmCli, SeedsThatFoundBugsStayFixed) {
  for (std::uint64_t seed : {30, 79, 102, 131, 325, 358, 499, 608, 1428, 2352, 2987, 3163, 3351,
                             4790, 5451, 9226, 13507, 13985, 19599, 24100, 28735, 29043, 47879,
                             69532, 86796, 131333, 131454, 131754, 132511, 133138, 133579,
                             1017783, 1082889, 1191906, 1228737, 1335499, 1449081, 1528254,
                             1930732, 1988183}) {
    // Drawn without media faults whatever the default (kWalSwarmMediaFaultsByDefault).
    const walsim_test::Output replay =
        walsim_test::run("replay --swarm --no-media-faults --seed " + std::to_string(seed));
    EXPECT_EQ(replay.code, 0) << "seed " << seed << "\n" << replay.out;
  }
  // Found with media faults: nine in session 9, seven in session 10 (598240 and 733366 by the
  // million seeds of the default space, which has media faults in half its seeds), 930085, the
  // third of that million, and 1002926, which the first fix of 930085 broke (session 11).
  for (std::uint64_t seed : {3174, 3257, 4039, 5500, 11936, 17173, 3018379, 3032625, 3040623,
                             3044004, 3044136, 3085375, 3113139, 3119650, 3123514, 11238, 40386,
                             45767, 113231, 3003435, 598240, 733366, 930085, 1002926}) {
    const walsim_test::Output replay =
        walsim_test::run("replay --swarm --media-faults --seed " + std::to_string(seed));
    EXPECT_EQ(replay.code, 0) << "media seed " << seed << "\n" << replay.out;
  }
}

// With a bug-zoo mutant on, the plain swarm catches it, and the catch shrinks to a plain
// scenario file that still fails with the mutant and replays without any swarm.
TEST(SwarmCli, APlantedBugIsCaughtAndShrunkToAPlainScenario) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("swarm-mutant-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const walsim_test::Output hunt = walsim_test::run(
      "swarm --mutant ack-before-fdatasync --seeds 2000 --jobs 2 --no-progress --report " +
      (dir / "report").string());
  if (hunt.out.find("not available in this build") != std::string::npos) {
    GTEST_SKIP() << "no mutants in this build";
  }
  ASSERT_EQ(hunt.code, 0) << hunt.out;
  const std::size_t at = hunt.out.find("walsim shrink --swarm --seed ");
  ASSERT_NE(at, std::string::npos) << hunt.out;
  std::istringstream line(hunt.out.substr(at + 29));
  std::uint64_t seed = 0;
  line >> seed;
  const std::string out = (dir / "caught.toml").string();
  const walsim_test::Output shrunk = walsim_test::run(
      "shrink --swarm --mutant ack-before-fdatasync --max-runs 300 --seed " + std::to_string(seed) +
      " -o " + out);
  ASSERT_EQ(shrunk.code, 0) << shrunk.out;
  std::ifstream file(out);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str().find("[swarm]"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("mutant = \"ack-before-fdatasync\""), std::string::npos);
  const walsim_test::Output replay =
      walsim_test::run("replay " + out + " --seed " + std::to_string(seed));
  EXPECT_EQ(replay.code, 0) << replay.out;  // expect.verdict "fail", and it fails
  EXPECT_NE(replay.out.find("verdict:    fail"), std::string::npos) << replay.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace walsim
