// examples::KvStore on the real disk (ThreadedLog over wal::Log) and on SimFs (CoreLog over
// wal::LogCore): mutations, recovery from checkpoint + replay, power loss, the planted bug.
#include <gtest/gtest.h>

#include <fiu-control.h>
#include <fiu.h>

#include "examples/common/threaded_log.h"
#include "examples/kv/kv_store.h"
#include "examples/sim_store_env.h"
#include "testutil/temp_dir.h"

namespace {

using examples::KvOptions;
using examples::KvStore;

std::unique_ptr<KvStore> open_real_kv(const std::string& dir, KvOptions options = {}) {
  wal::Result<std::unique_ptr<examples::ThreadedLog>> log = examples::ThreadedLog::open(dir);
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  wal::Result<std::unique_ptr<KvStore>> store = KvStore::open(std::move(log).value(), options);
  EXPECT_TRUE(store.is_ok()) << store.status().to_string();
  return std::move(store).value();
}

TEST(KvStore, MutationsAreVisibleAndSurviveReopen) {
  testutil::TempDir dir;
  {
    std::unique_ptr<KvStore> store = open_real_kv(dir.path());
    ASSERT_TRUE(store->put("a", "1").is_ok());
    ASSERT_TRUE(store->put("b", "two").is_ok());
    ASSERT_TRUE(store->add("n", 5).is_ok());
    ASSERT_TRUE(store->add("n", -2).is_ok());
    ASSERT_TRUE(store->del("a").is_ok());
    EXPECT_EQ(store->get("a"), std::nullopt);
    EXPECT_EQ(store->get("n"), "3");
    ASSERT_TRUE(store->close().is_ok());
  }
  std::unique_ptr<KvStore> store = open_real_kv(dir.path());
  const std::map<std::string, std::string, std::less<>> want{{"b", "two"}, {"n", "3"}};
  EXPECT_EQ(store->items(), want);
  EXPECT_EQ(store->recovery().replayed, 5u);
  ASSERT_TRUE(store->close().is_ok());
}

TEST(KvStore, RecoveryStartsAtTheLastCheckpointAndReplaysTheRest) {
  testutil::TempDir dir;
  KvOptions options;
  options.checkpoint_every = 3;
  {
    std::unique_ptr<KvStore> store = open_real_kv(dir.path(), options);
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(store->add("counter", 1).is_ok());
    ASSERT_TRUE(store->close().is_ok());
  }
  std::unique_ptr<KvStore> store = open_real_kv(dir.path(), options);
  EXPECT_EQ(store->get("counter"), "7");
  EXPECT_NE(store->recovery().checkpoint_lsn, wal::kNoLsn);
  EXPECT_EQ(store->recovery().replayed, 1u);  // checkpoints after the 3rd and 6th add
  ASSERT_TRUE(store->close().is_ok());
}

TEST(KvStore, AddCountsAsDecimalAndTreatsGarbageAsZero) {
  EXPECT_EQ(examples::kv_add(std::nullopt, 4), "4");
  EXPECT_EQ(examples::kv_add("10", -15), "-5");
  EXPECT_EQ(examples::kv_add("ten", 1), "1");
}

TEST(KvStore, OnSimFsDurablePutsSurvivePowerLossAndUnsyncedOnesMayNot) {
  examples_test::SimStoreEnv env(wal::SyncPolicy::kNone);
  KvOptions options;
  options.checkpoint_every = 0;
  {
    wal::Result<std::unique_ptr<KvStore>> store = KvStore::open(env.open_log(), options);
    ASSERT_TRUE(store.is_ok());
    ASSERT_TRUE((*store)->put("kept", "yes").is_ok());
    ASSERT_TRUE((*store)->sync().is_ok());
    ASSERT_TRUE((*store)->put("lost", "unsynced").is_ok());
    // Dropped without close: a crash.
  }
  env.power_loss();
  wal::Result<std::unique_ptr<KvStore>> store = KvStore::open(env.open_log(), options);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  const std::map<std::string, std::string, std::less<>> want{{"kept", "yes"}};
  EXPECT_EQ((*store)->items(), want);
}

TEST(KvStore, OnSimFsGroupedAcknowledgesEachPutDurable) {
  examples_test::SimStoreEnv env(wal::SyncPolicy::kGrouped);
  wal::Result<std::unique_ptr<KvStore>> store = KvStore::open(env.open_log());
  ASSERT_TRUE(store.is_ok());
  wal::Result<wal::Lsn> lsn = (*store)->put("k", "v");
  ASSERT_TRUE(lsn.is_ok());
  EXPECT_GE((*store)->log().durable_lsn(), *lsn);
}

// The planted bug is wired: with its libfiu point on, a replayed add counts twice.
TEST(KvStore, PlantedDoubleApplyDoublesReplayedAdds) {
  testutil::TempDir dir;
  KvOptions options;
  options.checkpoint_every = 0;
  {
    std::unique_ptr<KvStore> store = open_real_kv(dir.path(), options);
    ASSERT_TRUE(store->add("n", 1).is_ok());
    ASSERT_TRUE(store->close().is_ok());
  }
  ASSERT_EQ(fiu_init(0), 0);
  {
    std::unique_ptr<KvStore> store = open_real_kv(dir.path(), options);
    EXPECT_EQ(store->get("n"), "1");
    ASSERT_TRUE(store->close().is_ok());
  }
  ASSERT_EQ(fiu_enable("examples/kv/double-apply", 1, nullptr, 0), 0);
  std::unique_ptr<KvStore> store = open_real_kv(dir.path(), options);
  fiu_disable("examples/kv/double-apply");
  EXPECT_EQ(store->get("n"), "2");
  ASSERT_TRUE(store->close().is_ok());
}

}  // namespace
