// `walsim trace --dir D [--out T] -- CMD ARGS...` and `walsim trace show T` (SPEC 9.4,
// docs/trace.md): record a run of any program for `walsim crashes`, and print a recording.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sim/walsim/commands.h"
#include "sim/walsim/exit_codes.h"
#include "systrace/recorder.h"
#include "systrace/trace_file.h"

namespace walsim {
namespace {

// A word as a shell would need it written.
std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_./=:,+-@%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string command_line(const std::vector<std::string>& command) {
  std::string out;
  for (const std::string& word : command) out += (out.empty() ? "" : " ") + shell_word(word);
  return out;
}

// "" or strerror: a directory or a read error is unreadable, not malformed.
std::string read_whole(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return std::strerror(error);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return "";
}

int exit_code(systrace::RecordStatus status) {
  switch (status) {
    case systrace::RecordStatus::kOk: return kExitOk;
    case systrace::RecordStatus::kBadDir: return kExitUsage;
    case systrace::RecordStatus::kCannotExecute: return kExitUsage;
    case systrace::RecordStatus::kUnmodellable: return kExitUnmodellable;
    case systrace::RecordStatus::kNotPermitted: return kExitUnavailable;
    case systrace::RecordStatus::kFailed: return kExitIo;
  }
  return kExitIo;
}

}  // namespace

int cmd_trace(const TraceArgs& args) {
  systrace::RecordOptions options;
  options.dir = args.dir;
  options.command = args.command;
  const systrace::Recording recording = systrace::record(options);
  std::fflush(stdout);
  if (recording.status != systrace::RecordStatus::kOk) {
    fmt::print(stderr, "walsim trace: {}\n", recording.message);
    if (recording.status == systrace::RecordStatus::kUnmodellable) {
      fmt::print(stderr, "walsim trace: the program was stopped and no trace was written\n");
    }
    return exit_code(recording.status);
  }
  if (std::string error = systrace::write_trace_file(args.out, recording.trace); !error.empty()) {
    fmt::print(stderr, "walsim trace: cannot write the trace: {}\n", error);
    return kExitIo;
  }
  std::size_t data_bytes = 0;
  for (const systrace::Call& call : recording.trace.calls) data_bytes += call.data.size();
  fmt::print(stderr, "walsim trace: {} calls ({} bytes of data) recorded in {}; the program "
             "exited with status {}\n", recording.trace.calls.size(), data_bytes, args.out,
             recording.trace.calls.back().result);
  return kExitOk;
}

int cmd_trace_show(const std::string& path) {
  std::string bytes;
  if (std::string error = read_whole(path, bytes); !error.empty()) {
    fmt::print(stderr, "walsim trace show: cannot read {}: {}\n", path, error);
    return kExitIo;
  }
  systrace::Trace trace;
  if (std::string error = systrace::decode(bytes, trace); !error.empty()) {
    fmt::print(stderr, "walsim trace show: {}: {}\n", path, error);
    return kExitSyntax;
  }
  fmt::print("walsim trace, format version {}\ndir: {}\ncommand: {}\ncalls: {}\n",
             systrace::kFormatVersion, trace.dir, command_line(trace.command), trace.calls.size());
  fmt::print("{}", systrace::show(trace));
  return kExitOk;
}

}  // namespace walsim
