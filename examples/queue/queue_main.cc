// queue: a tiny CLI over examples::Queue on the real disk (wal::Log, grouped commit).
//   queue DIR enqueue MESSAGE | take | ack ID | list
// Each invocation is a new process, so `take` hands out the oldest unacked message every time
// until it is acked: exactly the redelivery a crashed consumer gets.
// Exit: 0 done, 1 nothing to take / no such message, 2 usage, 3 the queue failed.
#include <charconv>
#include <cstdio>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "examples/common/threaded_log.h"
#include "examples/queue/queue.h"

namespace {

constexpr int kExitNone = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFailed = 3;

int usage() {
  fmt::print(stderr, "usage: queue DIR enqueue MESSAGE | take | ack ID | list\n");
  return kExitUsage;
}

int failed(const wal::Status& status) {
  fmt::print(stderr, "queue: {}\n", status.to_string());
  return kExitFailed;
}

int run(examples::Queue& queue, const std::vector<std::string_view>& args) {
  const std::string_view command = args[0];
  if (command == "enqueue" && args.size() == 2) {
    wal::Result<std::uint64_t> id = queue.enqueue(args[1]);
    if (!id) return failed(id.error());
    fmt::print("{}\n", *id);
  } else if (command == "take" && args.size() == 1) {
    const std::optional<examples::Message> message = queue.take();
    if (!message) return kExitNone;
    fmt::print("{}\t{}\n", message->id, message->body);
  } else if (command == "ack" && args.size() == 2) {
    std::uint64_t id = 0;
    const char* end = args[1].data() + args[1].size();
    if (std::from_chars(args[1].data(), end, id).ptr != end) return usage();
    wal::Result<wal::Lsn> lsn = queue.ack(id);
    if (!lsn && lsn.error().code() == wal::Code::kNotFound) {
      fmt::print(stderr, "queue: {}\n", lsn.error().to_string());
      return kExitNone;
    }
    if (!lsn) return failed(lsn.error());
  } else if (command == "list" && args.size() == 1) {
    for (const examples::Message& message : queue.unacked()) {
      fmt::print("{}\t{}\n", message.id, message.body);
    }
  } else {
    return usage();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::vector<std::string_view> args(argv + 2, argv + argc);
  wal::Result<std::unique_ptr<examples::ThreadedLog>> log = examples::ThreadedLog::open(argv[1]);
  if (!log) return failed(log.error());
  wal::Result<std::unique_ptr<examples::Queue>> queue =
      examples::Queue::open(std::move(log).value());
  if (!queue) return failed(queue.error());
  const int code = run(**queue, args);
  const wal::Status closed = (*queue)->close();
  if (!closed) return failed(closed);
  return code;
}
