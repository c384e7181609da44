// The key-value targets' model (adapters/kv/kv_model.h): which recoveries are a valid
// prefix, and how the others are classified.
#include <gtest/gtest.h>

#include "adapters/kv/kv_model.h"

namespace kv {
namespace {

KvWrite put(std::uint32_t op, const std::string& key, const std::string& value, bool sync) {
  return {op, sync, {{key, value}}};
}

// a=1 (unsynced), b=2 (sync), c=3 (unsynced), d=4 (unsynced).
KvModel four_writes() {
  KvModel model;
  model.accepted(put(0, "a", "1", false), false);
  model.accepted(put(1, "b", "2", true), true);
  model.accepted(put(2, "c", "3", false), false);
  model.accepted(put(3, "d", "4", false), false);
  return model;
}

TEST(LeveldbModel, AnyPrefixThroughTheLastSyncWriteIsValid) {
  for (const KvMap& recovered : {KvMap{{"a", "1"}, {"b", "2"}},
                                 KvMap{{"a", "1"}, {"b", "2"}, {"c", "3"}},
                                 KvMap{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}}) {
    KvModel model = four_writes();
    EXPECT_EQ(model.judge(recovered, false).verdict, Verdict::kOk);
  }
}

TEST(LeveldbModel, AnUnsyncedWriteLostBeforeASurvivingSyncWriteIsLostDurability) {
  KvModel model = four_writes();  // #193: a lost, b kept
  const ModelVerdict verdict = model.judge({{"b", "2"}, {"c", "3"}}, false);
  EXPECT_EQ(verdict.verdict, Verdict::kDurability);
  EXPECT_NE(verdict.detail.find("a holds nothing"), std::string::npos) << verdict.detail;
}

TEST(LeveldbModel, AShortPrefixIsLostDurabilityAndACleanReopenRequiresAll) {
  KvModel model = four_writes();
  EXPECT_EQ(model.judge({{"a", "1"}}, false).verdict, Verdict::kDurability);
  KvModel clean = four_writes();
  EXPECT_EQ(clean.judge({{"a", "1"}, {"b", "2"}, {"c", "3"}}, true).verdict,
            Verdict::kDurability);
}

TEST(LeveldbModel, UnsyncedWritesOutOfOrderBreakThePrefix) {
  KvModel model = four_writes();
  const ModelVerdict verdict = model.judge({{"a", "1"}, {"b", "2"}, {"d", "4"}}, false);
  EXPECT_EQ(verdict.verdict, Verdict::kPrefix);
  EXPECT_NE(verdict.detail.find("op 2's write is lost (c holds nothing), op 3's later write "
                                "survived (d holds \"4\")"),
            std::string::npos)
      << verdict.detail;
}

TEST(LeveldbModel, AValueNeverWrittenIsAPhantom) {
  KvModel model = four_writes();
  EXPECT_EQ(model.judge({{"a", "1"}, {"b", "2"}, {"e", "9"}}, false).verdict,
            Verdict::kPhantom);
  KvModel wrong = four_writes();
  EXPECT_EQ(wrong.judge({{"a", "1"}, {"b", "7"}}, false).verdict, Verdict::kPhantom);
}

TEST(LeveldbModel, TheRecoveryIsTheNextJudgementsBase) {
  KvModel model = four_writes();
  ASSERT_EQ(model.judge({{"a", "1"}, {"b", "2"}}, false).verdict, Verdict::kOk);
  model.accepted({4, false, {{"a", std::nullopt}}}, false);
  EXPECT_EQ(model.judge({{"b", "2"}}, false).verdict, Verdict::kOk);
  EXPECT_EQ(model.live("a"), std::nullopt);
}

KvWrite ingest(std::uint32_t op, const std::string& key, const std::string& value) {
  KvWrite write{op, false, {{key, value}}};
  write.ingest = true;
  return write;
}

// a=1 (unsynced), ingest i1=x (acknowledged), c=3 (unsynced).
KvModel ingest_between_puts() {
  KvModel model;
  model.accepted(put(0, "a", "1", false), false);
  model.accepted(ingest(1, "i1", "x"), false);
  model.accepted(put(2, "c", "3", false), false);
  return model;
}

TEST(KvModelIngest, AnAcknowledgedIngestIsDurableButNoBarrierForEarlierPuts) {
  KvModel model = ingest_between_puts();
  EXPECT_EQ(model.judge({{"i1", "x"}}, false).verdict, Verdict::kOk);
  KvModel kept = ingest_between_puts();
  EXPECT_EQ(kept.judge({{"a", "1"}, {"i1", "x"}, {"c", "3"}}, false).verdict, Verdict::kOk);
  KvModel lost = ingest_between_puts();
  const ModelVerdict verdict = lost.judge({{"a", "1"}}, false);
  EXPECT_EQ(verdict.verdict, Verdict::kDurability);
  EXPECT_NE(verdict.detail.find("ingests"), std::string::npos) << verdict.detail;
}

TEST(KvModelIngest, AnIngestCutByTheCrashIsAllOrNothing) {
  const auto cut = [] {
    KvModel model;
    model.accepted(ingest(0, "i1", "x"), true);
    model.failed({1, false, {{"i2", "y"}, {"i3", "y"}}, true});
    return model;
  };
  KvModel none = cut();
  EXPECT_EQ(none.judge({{"i1", "x"}}, false).verdict, Verdict::kOk);
  KvModel whole = cut();
  EXPECT_EQ(whole.judge({{"i1", "x"}, {"i2", "y"}, {"i3", "y"}}, false).verdict, Verdict::kOk);
  KvModel half = cut();
  EXPECT_EQ(half.judge({{"i1", "x"}, {"i3", "y"}}, false).verdict, Verdict::kPrefix);
}

TEST(KvModelIngest, AnIngestedValueNeverGivenIsAPhantom) {
  KvModel model = ingest_between_puts();
  EXPECT_EQ(model.judge({{"i1", "x"}, {"i2", "z"}}, false).verdict, Verdict::kPhantom);
}

}  // namespace
}  // namespace kv
