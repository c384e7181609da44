#include "systrace/recorder.h"

#include <sys/stat.h>

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "systrace/call_interpreter.h"
#include "systrace/initial_dir.h"
#include "systrace/output_pipe.h"
#include "systrace/tracer.h"

namespace systrace {
namespace {

Recording failure(RecordStatus status, std::string message) {
  Recording out;
  out.status = status;
  out.message = std::move(message);
  return out;
}

RecordStatus status_of(Tracer::Outcome outcome) {
  switch (outcome) {
    case Tracer::Outcome::kExited: return RecordStatus::kOk;
    case Tracer::Outcome::kNotPermitted: return RecordStatus::kNotPermitted;
    case Tracer::Outcome::kCannotExecute: return RecordStatus::kCannotExecute;
    case Tracer::Outcome::kStopped: return RecordStatus::kUnmodellable;
    case Tracer::Outcome::kFailed: return RecordStatus::kFailed;
  }
  return RecordStatus::kFailed;
}

}  // namespace

Recording record(const RecordOptions& options) {
  char real[PATH_MAX];
  if (::realpath(options.dir.c_str(), real) == nullptr) {
    return failure(RecordStatus::kBadDir, fmt::format("{}: {}", options.dir, std::strerror(errno)));
  }
  struct stat dir_stat;
  if (::stat(real, &dir_stat) != 0 || !S_ISDIR(dir_stat.st_mode)) {
    return failure(RecordStatus::kBadDir, fmt::format("{}: not a directory", options.dir));
  }
  Recording out;
  out.trace.dir = real;
  out.trace.command = options.command;
  FileIds ids;
  if (std::string error = record_initial_dir(real, ids, out.trace.calls); !error.empty()) {
    return failure(RecordStatus::kBadDir, std::move(error));
  }
  OutputPipe output;
  if (std::string error = output.open(); !error.empty()) {
    return failure(RecordStatus::kFailed, std::move(error));
  }
  Tracer tracer;
  const Tracer::Result spawned = tracer.spawn(options.command, output.write_end());
  output.start_forwarding(options.forward_output);
  if (spawned.outcome != Tracer::Outcome::kExited) {
    return failure(status_of(spawned.outcome), spawned.message);
  }
  const DirScope scope(real);
  CallInterpreter interpreter(scope, dir_stat.st_dev, ids, OutputPipeId{output.dev(), output.ino()},
                              out.trace.calls);
  const Tracer::Result ran = tracer.run(interpreter);
  output.finish();
  if (ran.outcome != Tracer::Outcome::kExited) return failure(status_of(ran.outcome), ran.message);
  Call exit;
  exit.kind = CallKind::kExit;
  exit.syscall = "exit";
  exit.result = ran.exit_status;
  out.trace.calls.push_back(exit);
  return out;
}

}  // namespace systrace
