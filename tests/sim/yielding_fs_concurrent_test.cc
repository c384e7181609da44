// A call into the simulated Fs from an OS thread the scheduler does not run (an engine's own
// timer or pool that no adapter took over) can take no place in the schedule: it is refused
// with an I/O error before it reaches SimFs, where it would race the baton holder, and the
// scheduler keeps it, named, for the run's verdict. Before, such a call reached
// ThreadScheduler::block with no simulated thread to block and crashed the process, and on a
// plain SimFs it raced (session 16: RocksDB's stats dump writing its LOG from its timer thread).
// A concurrency test (its name), so TSan checks that the refusal itself is race-free.
#include <pthread.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "sim/sim_fs.h"
#include "sim/thread_scheduler.h"
#include "sim/yielding_fs.h"

namespace {

// The parameter: the carrier (false: fibers, true: OS threads).
class YieldingFsForeignThread : public ::testing::TestWithParam<bool> {
 protected:
  static sim::ThreadLimits carrier() {
    sim::ThreadLimits limits;
    limits.os_threads = GetParam();
    return limits;
  }

  sim::SimFs fs;
  sim::ThreadScheduler scheduler{7, carrier()};
  sim::YieldingFs yielding{fs, scheduler, sim::DeviceModel{}};
};

TEST_P(YieldingFsForeignThread, ACallFromAThreadTheSchedulerDoesNotRunIsRefusedAndNamed) {
  fs.make_durable_dirs("/d");
  wal::Status unlinked;
  wal::Status written;
  const sim::ThreadScheduler::Outcome outcome = scheduler.run([&] {
    auto file = yielding.open("/d/f", wal::OpenMode::kCreate);
    ASSERT_TRUE(file.is_ok()) << file.error().to_string();
    std::thread foreign([&] {
      pthread_setname_np(pthread_self(), "lib-timer");
      unlinked = yielding.unlink("/d/f");
      const std::string line = "from the timer";
      written = (*file)->write_at(0, std::as_bytes(std::span(line)));
    });
    foreign.join();
    EXPECT_TRUE((*file)->close().is_ok());  // the run's own thread goes on as before
  });
  ASSERT_EQ(outcome, sim::ThreadScheduler::Outcome::kDone);

  EXPECT_EQ(unlinked.code(), wal::Code::kIoError);
  EXPECT_NE(unlinked.to_string().find("refused, from an OS thread the simulation does not run"),
            std::string::npos)
      << unlinked.to_string();
  EXPECT_EQ(written.code(), wal::Code::kIoError);
  // Neither call reached the Fs.
  ASSERT_TRUE(fs.stat("/d/f"));
  EXPECT_EQ(fs.stat("/d/f")->size_bytes, 0u);

  const std::optional<std::string> said = scheduler.take_foreign_call();
  ASSERT_TRUE(said.has_value());
  EXPECT_NE(said->find("OS thread 'lib-timer'"), std::string::npos) << *said;
  EXPECT_NE(said->find("unlink /d/f"), std::string::npos) << *said;
  EXPECT_NE(said->find("(and 1 calls more)"), std::string::npos) << *said;
  EXPECT_FALSE(scheduler.take_foreign_call().has_value()) << "taken once";
}

TEST_P(YieldingFsForeignThread, TheSchedulersOwnThreadsAreNeverRefused) {
  fs.make_durable_dirs("/d");
  const sim::ThreadScheduler::Outcome outcome = scheduler.run([&] {
    const int other = scheduler.spawn("other", [&] {
      EXPECT_TRUE(yielding.mkdir("/d/sub").is_ok());
    });
    EXPECT_TRUE(yielding.open("/d/f", wal::OpenMode::kCreate).is_ok());
    scheduler.join(other);
  });
  ASSERT_EQ(outcome, sim::ThreadScheduler::Outcome::kDone);
  EXPECT_FALSE(scheduler.take_foreign_call().has_value());
}

INSTANTIATE_TEST_SUITE_P(Carriers, YieldingFsForeignThread, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& carrier) {
                           return carrier.param ? "os_threads" : "fibers";
                         });

}  // namespace
