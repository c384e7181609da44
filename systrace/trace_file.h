// A recorded run of any program (SPEC 9.4): what `walsim trace` writes and `walsim crashes`
// replays. Plain data and a versioned binary file format (docs/trace.md, "The trace file").
//
// The trace holds the traced directory D as it was before the program ran (the `kInit*` calls)
// and then, in the order the kernel returned them, every file-system call of every thread and
// child process that touched D, with the data written, and every write to the program's
// standard output (`kOutput`), so a checker learns what the program had acknowledged before a
// crash point. Paths are relative to D ("" is D itself, "a/b" below it), never absolute.
//
// Files are named by `file`, an id the recorder gives each distinct file (inode) it sees: an
// open that creates a file gets a new id, hard links share one. Writes, syncs and truncates
// through a descriptor name the file, not a path, so a write through a descriptor whose file
// was renamed or unlinked since lands where the kernel put it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace systrace {

inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr char kMagic[8] = {'W', 'A', 'L', 'T', 'R', 'A', 'C', 'E'};

enum class CallKind : std::uint8_t {
  // D before the program ran (in path order, parents first).
  kInitDir = 1,      // path, mode (D itself is not listed: it exists)
  kInitFile = 2,     // path, file, mode, data = its contents (a file id seen before: a hard link)
  kInitSymlink = 3,  // path, path2 = the link's target
  // The run.
  kOpen = 10,       // path, file, flags (O_*), mode; created: it did not exist before;
                    // is_dir. O_TRUNC on an existing file is recorded as a kTruncate after it.
  kWrite = 11,      // file, offset, data (write, pwrite64, writev, pwritev, pwritev2); flags =
                    // the descriptor's O_* flags then (O_APPEND, O_SYNC, O_DSYNC: such a write
                    // is durable when it returns), plus O_SYNC/O_DSYNC for RWF_SYNC/RWF_DSYNC
  kTruncate = 12,   // file, length = the new size (ftruncate, truncate, O_TRUNC)
  kFallocate = 13,  // file, flags = mode, offset, length
  kFsync = 14,      // file (0 for a directory), path (a directory: its path), is_dir
  kFdatasync = 15,  // as kFsync
  kSyncFileRange = 16,  // file, offset, length, flags: a hint, nothing becomes durable
  kSyncfs = 17,     // everything durable
  kSync = 18,       // everything durable
  kRename = 19,     // path -> path2, flags (renameat2's)
  kUnlink = 20,     // path
  kRmdir = 21,      // path
  kMkdir = 22,      // path
  kLink = 23,       // path (existing) -> path2 (new name), file
  kSymlink = 24,    // path2 (the target, as written) at path
  kClose = 25,      // file
  kOutput = 30,     // data: bytes the program wrote to its standard output
  kExit = 31,       // result: the command's exit status (last call; 128+N for signal N)
};

struct Call {
  CallKind kind = CallKind::kOpen;
  std::string syscall;   // the system call as the kernel names it ("pwrite64"), for people
  std::int32_t pid = 0;  // the thread that made it
  std::int32_t fd = -1;  // the descriptor it used or returned, -1 if none
  std::int64_t result = 0;  // what it returned (-errno on failure: replay skips failed calls)
  std::uint64_t file = 0;   // file id (see above), 0 if none
  std::string path;
  std::string path2;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint32_t flags = 0;
  std::uint32_t mode = 0;
  bool created = false;
  bool is_dir = false;
  std::string data;  // bytes (written, initial contents, output)

  friend bool operator==(const Call&, const Call&) = default;
};

struct Trace {
  std::string dir;                   // D as given to the recorder (absolute), for people
  std::vector<std::string> command;  // argv of the traced program
  std::vector<Call> calls;           // call number N (1-based, as printed) is calls[N-1]

  friend bool operator==(const Trace&, const Trace&) = default;
};

std::string_view to_string(CallKind kind);

// The file format (docs/trace.md). encode never fails; decode checks every length against the
// bytes that are there and returns "" or a message naming the problem and its byte offset
// (never asserts, whatever the bytes).
std::string encode(const Trace& trace);
[[nodiscard]] std::string decode(std::string_view bytes, Trace& out);

// Reads/writes a file: "" or a message naming the file and the problem.
[[nodiscard]] std::string read_trace_file(const std::string& path, Trace& out);
[[nodiscard]] std::string write_trace_file(const std::string& path, const Trace& trace);

// One line per call, numbered from 1, for `walsim trace show` and for reports (data shown as a
// short escaped prefix and its length).
std::string show_call(const Call& call, std::size_t number);
// The same, naming the file behind a descriptor by `file_name` (show() passes the path the file
// last had in the trace).
std::string show_call(const Call& call, std::size_t number, std::string_view file_name);
std::string show(const Trace& trace);
// `bytes` in double quotes, C-escaped, at most `max` of them, then "..." when there are more.
std::string escaped(std::string_view bytes, std::size_t max);

}  // namespace systrace
