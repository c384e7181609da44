// examples::Queue: delivery order, acks, redelivery after a restart, checkpoints, power loss on
// SimFs, and the planted bug.
#include <gtest/gtest.h>

#include <fiu-control.h>
#include <fiu.h>

#include "examples/common/threaded_log.h"
#include "examples/queue/queue.h"
#include "examples/sim_store_env.h"
#include "testutil/temp_dir.h"

namespace {

using examples::Message;
using examples::Queue;
using examples::QueueOptions;

std::unique_ptr<Queue> open_real_queue(const std::string& dir, QueueOptions options = {}) {
  wal::Result<std::unique_ptr<examples::ThreadedLog>> log = examples::ThreadedLog::open(dir);
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  wal::Result<std::unique_ptr<Queue>> queue = Queue::open(std::move(log).value(), options);
  EXPECT_TRUE(queue.is_ok()) << queue.status().to_string();
  return std::move(queue).value();
}

std::vector<std::string> bodies(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const Message& m : messages) out.push_back(m.body);
  return out;
}

TEST(Queue, TakeHandsOutOldestFirstOnceAndAckRemoves) {
  testutil::TempDir dir;
  std::unique_ptr<Queue> queue = open_real_queue(dir.path());
  wal::Result<std::uint64_t> a = queue->enqueue("a");
  wal::Result<std::uint64_t> b = queue->enqueue("b");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_LT(*a, *b);
  EXPECT_EQ(queue->take(), (Message{*a, "a"}));
  EXPECT_EQ(queue->take(), (Message{*b, "b"}));
  EXPECT_EQ(queue->take(), std::nullopt);
  ASSERT_TRUE(queue->ack(*a).is_ok());
  EXPECT_EQ(bodies(queue->unacked()), std::vector<std::string>{"b"});
  wal::Result<wal::Lsn> again = queue->ack(*a);
  ASSERT_FALSE(again.is_ok());
  EXPECT_EQ(again.error().code(), wal::Code::kNotFound);
  ASSERT_TRUE(queue->close().is_ok());
}

TEST(Queue, UnackedMessagesAreRedeliveredAfterRestartAckedOnesNever) {
  testutil::TempDir dir;
  std::uint64_t second = 0;
  {
    std::unique_ptr<Queue> queue = open_real_queue(dir.path());
    wal::Result<std::uint64_t> first = queue->enqueue("first");
    ASSERT_TRUE(first.is_ok());
    second = queue->enqueue("second").value();
    ASSERT_TRUE(queue->take().has_value());
    ASSERT_TRUE(queue->take().has_value());
    ASSERT_TRUE(queue->ack(*first).is_ok());
    ASSERT_TRUE(queue->close().is_ok());
  }
  std::unique_ptr<Queue> queue = open_real_queue(dir.path());
  EXPECT_EQ(queue->take(), (Message{second, "second"}));
  EXPECT_EQ(queue->take(), std::nullopt);
  ASSERT_TRUE(queue->close().is_ok());
}

TEST(Queue, CheckpointKeepsUnackedMessagesAcrossTruncation) {
  testutil::TempDir dir;
  QueueOptions options;
  options.checkpoint_every = 4;
  {
    std::unique_ptr<Queue> queue = open_real_queue(dir.path(), options);
    for (int i = 0; i < 10; ++i) {
      wal::Result<std::uint64_t> id = queue->enqueue("m" + std::to_string(i));
      ASSERT_TRUE(id.is_ok());
      if (i % 2 == 0) {
        ASSERT_TRUE(queue->ack(*id).is_ok());
      }
    }
    ASSERT_TRUE(queue->close().is_ok());
  }
  std::unique_ptr<Queue> queue = open_real_queue(dir.path(), options);
  EXPECT_EQ(bodies(queue->unacked()), (std::vector<std::string>{"m1", "m3", "m5", "m7", "m9"}));
  ASSERT_TRUE(queue->close().is_ok());
}

TEST(Queue, OnSimFsADurableAckSurvivesPowerLoss) {
  examples_test::SimStoreEnv env(wal::SyncPolicy::kGrouped);
  QueueOptions options;
  options.checkpoint_every = 0;
  std::uint64_t kept = 0;
  {
    wal::Result<std::unique_ptr<Queue>> queue = Queue::open(env.open_log(), options);
    ASSERT_TRUE(queue.is_ok());
    wal::Result<std::uint64_t> acked = (*queue)->enqueue("acked");
    ASSERT_TRUE(acked.is_ok());
    kept = (*queue)->enqueue("kept").value();
    ASSERT_TRUE((*queue)->ack(*acked).is_ok());
  }
  env.power_loss();
  wal::Result<std::unique_ptr<Queue>> queue = Queue::open(env.open_log(), options);
  ASSERT_TRUE(queue.is_ok()) << queue.status().to_string();
  EXPECT_EQ((*queue)->unacked(), (std::vector<Message>{{kept, "kept"}}));
}

// The planted bug is wired: with its libfiu point on, an acked message comes back.
TEST(Queue, PlantedForgetAckRedeliversAckedMessages) {
  testutil::TempDir dir;
  QueueOptions options;
  options.checkpoint_every = 0;
  {
    std::unique_ptr<Queue> queue = open_real_queue(dir.path(), options);
    wal::Result<std::uint64_t> id = queue->enqueue("done");
    ASSERT_TRUE(id.is_ok());
    ASSERT_TRUE(queue->ack(*id).is_ok());
    ASSERT_TRUE(queue->close().is_ok());
  }
  ASSERT_EQ(fiu_init(0), 0);
  EXPECT_TRUE(open_real_queue(dir.path(), options)->unacked().empty());
  ASSERT_EQ(fiu_enable("examples/queue/forget-ack", 1, nullptr, 0), 0);
  std::unique_ptr<Queue> queue = open_real_queue(dir.path(), options);
  fiu_disable("examples/queue/forget-ack");
  EXPECT_EQ(bodies(queue->unacked()), std::vector<std::string>{"done"});
  ASSERT_TRUE(queue->close().is_ok());
}

}  // namespace
