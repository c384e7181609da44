// `walsim trace`'s recorder on real programs: a shell, mv, and trace_helper (every call the
// recorder models, from threads and a child, and each call it must refuse). The calls are
// checked one by one, in order, output lines included.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "systrace/recorder.h"

namespace {

namespace stdfs = std::filesystem;
using systrace::Call;
using systrace::CallKind;
using systrace::RecordStatus;

// A call in one short line, with the fields its kind uses, for exact comparisons.
std::string brief(const Call& c) {
  std::string s(systrace::to_string(c.kind));
  if (!c.path.empty()) s += " " + c.path;
  if (!c.path2.empty()) s += " -> " + c.path2;
  if (c.file != 0) s += " #" + std::to_string(c.file);
  switch (c.kind) {
    case CallKind::kWrite:
      s += " @" + std::to_string(c.offset);
      break;
    case CallKind::kTruncate:
      s += " len " + std::to_string(c.length);
      break;
    case CallKind::kFallocate:
      s += " mode " + std::to_string(c.flags) + " @" + std::to_string(c.offset) + " len " +
           std::to_string(c.length);
      break;
    default:
      break;
  }
  if (!c.data.empty()) s += " '" + c.data + "'";
  if (c.created) s += " created";
  if (c.is_dir) s += " dir";
  if (c.result < 0 || c.kind == CallKind::kExit) s += " = " + std::to_string(c.result);
  return s;
}

std::vector<std::string> briefs(const std::vector<Call>& calls, bool with_closes = true) {
  std::vector<std::string> out;
  for (const Call& c : calls) {
    if (with_closes || c.kind != CallKind::kClose) out.push_back(brief(c));
  }
  return out;
}

const Call* find(const std::vector<Call>& calls, CallKind kind, const std::string& path) {
  for (const Call& c : calls) {
    if (c.kind == kind && c.path == path) return &c;
  }
  return nullptr;
}

class Recorder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string root_template = (stdfs::temp_directory_path() / "systrace-XXXXXX").string();
    ASSERT_NE(::mkdtemp(root_template.data()), nullptr);
    root_ = root_template;
    dir_ = root_ / "d";
    stdfs::create_directories(dir_);
  }
  void TearDown() override { stdfs::remove_all(root_); }

  systrace::Recording record(std::vector<std::string> command) const {
    systrace::RecordOptions options;
    options.dir = dir_.string();
    options.command = std::move(command);
    options.forward_output = -1;
    return systrace::record(options);
  }
  systrace::Recording helper(const std::string& mode) const {
    return record({SYSTRACE_HELPER, mode, dir_.string()});
  }

  stdfs::path root_;
  stdfs::path dir_;
};

// ptrace may be forbidden where the tests run (a container without CAP_SYS_PTRACE): that is
// the one outcome that skips, with the recorder's message.
#define SKIP_IF_NOT_PERMITTED(recording)                         \
  if ((recording).status == RecordStatus::kNotPermitted) {       \
    GTEST_SKIP() << (recording).message;                         \
  }

TEST_F(Recorder, ShellRedirectionAndMvAreRecordedInOrder) {
  const auto r = record({"sh", "-c", "cd \"$0\" && echo one > f && echo two >> f && mv f g && "
                                     "cat g && echo done", dir_.string()});
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  EXPECT_EQ(r.trace.dir, stdfs::canonical(dir_).string());
  EXPECT_EQ(r.trace.command[0], "sh");
  const std::vector<std::string> expected = {
      "open f #1 created", "write #1 @0 'one\n'", "open f #1",       "write #1 @4 'two\n'",
      "rename f -> g",     "open g #1",           "output 'one\ntwo\n'", "output 'done\n'",
      "exit = 0"};
  EXPECT_EQ(briefs(r.trace.calls, false), expected);
  const Call* append = find(r.trace.calls, CallKind::kOpen, "f");
  ASSERT_NE(append, nullptr);
  EXPECT_EQ(append->flags & O_CREAT, static_cast<std::uint32_t>(O_CREAT));
  EXPECT_EQ(append->mode, 0666u);
  // The rename is mv's, a process of its own, and the output of cat's goes the same way.
  const Call* rename = find(r.trace.calls, CallKind::kRename, "f");
  ASSERT_NE(rename, nullptr);
  EXPECT_NE(rename->pid, append->pid);
  const Call* cat = find(r.trace.calls, CallKind::kOpen, "g");
  ASSERT_NE(cat, nullptr);
  EXPECT_NE(cat->pid, append->pid);
  const auto output = std::find_if(r.trace.calls.begin(), r.trace.calls.end(), [](const Call& c) {
    return c.kind == CallKind::kOutput && c.data == "one\ntwo\n";
  });
  ASSERT_NE(output, r.trace.calls.end());
  EXPECT_EQ(output->pid, cat->pid);
}

TEST_F(Recorder, EveryModelledCallOfThreadsAndChildrenIsRecordedExactly) {
  std::ofstream(dir_ / "pre.txt") << "existing";
  stdfs::create_hard_link(dir_ / "pre.txt", dir_ / "pre-link");
  stdfs::create_directories(dir_ / "old");
  std::ofstream(dir_ / "old" / "f") << "old data";
  stdfs::create_symlink("pre.txt", dir_ / "ln");
  const auto r = helper("calls");
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  const std::vector<std::string> expected = {
      // D before the run: names sorted, parents first, hard links sharing their id.
      "init_symlink ln -> pre.txt",
      "init_dir old",
      "init_file old/f #1 'old data'",
      "init_file pre-link #2 'existing'",
      "init_file pre.txt #2 'existing'",
      "output 'start\n'",
      "open data #3 created",
      "write #3 @0 'hello'",
      "write #3 @10 'XY'",
      "write #3 @5 'abcd'",
      "write #3 @20 'PQ'",
      "fsync #3",
      "output 'synced\n'",
      "fdatasync #3",
      "truncate #3 len 8",
      "fallocate #3 mode 0 @0 len 4096",
      "fallocate #3 mode 1 @4096 len 4096",
      "close #3",
      "mkdir sub",
      "open sub dir",
      "fsync sub dir",
      "rename data -> sub/renamed",
      "link sub/renamed -> hard #3",
      "symlink soft -> sub/renamed",
      "unlink hard",
      "mkdir gone",
      "rmdir gone",
      "open missing/x = -2",
      "open pre.txt #2",
      "truncate pre.txt #2 len 0",
      "close #2",
      "output 'before-thread\n'",
      "open thread.txt #4 created",
      "write #4 @0 'from thread'",
      "close #4",
      "output 'before-fork\n'",
      "open child.txt #5 created",
      "write #5 @0 'from child'",
      "open log #6 created",
      "write #6 @0 'one\n'",
      "write #6 @4 'two\n'",
      "write #6 @8 'three\n'",
      "close #6",
      "output 'end\n'",
      "exit = 7",
  };
  EXPECT_EQ(briefs(r.trace.calls), expected);

  const std::vector<Call>& calls = r.trace.calls;
  const Call* data = find(calls, CallKind::kOpen, "data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->flags, static_cast<std::uint32_t>(O_CREAT | O_RDWR | O_TRUNC));
  EXPECT_EQ(data->mode, 0644u);
  EXPECT_EQ(data->syscall, "openat");
  const int main_pid = data->pid;
  EXPECT_NE(find(calls, CallKind::kOpen, "thread.txt")->pid, main_pid);
  EXPECT_NE(find(calls, CallKind::kOpen, "child.txt")->pid, main_pid);
  for (const Call& c : calls) {
    if (c.kind == CallKind::kOutput) {
      EXPECT_EQ(c.fd, 1);
      EXPECT_EQ(c.syscall, "write");
    }
    if (c.kind == CallKind::kWrite && c.file == 6) {
      EXPECT_NE(c.flags & O_APPEND, 0u) << brief(c);  // the descriptor's flags
    }
  }
  const Call& keep_size = calls[16];
  ASSERT_EQ(keep_size.kind, CallKind::kFallocate);
  EXPECT_EQ(keep_size.flags, static_cast<std::uint32_t>(FALLOC_FL_KEEP_SIZE));
  const Call* failed = find(calls, CallKind::kOpen, "missing/x");
  EXPECT_EQ(failed->file, 0u);
  EXPECT_EQ(failed->fd, -1);
}

TEST_F(Recorder, SignalsAndGroupStopsPassThrough) {
  const auto r = helper("signals");
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  const std::vector<std::string> expected = {"output 'handled\n'", "output 'stopped\n'",
                                             "open continued #1 created",
                                             "output 'continued\n'", "exit = 143"};
  EXPECT_EQ(briefs(r.trace.calls), expected);
}

// Four threads at once: whatever the interleaving, each file's writes are all there, in its
// thread's order, each at the offset where the previous one ended.
TEST_F(Recorder, ConcurrentThreadsEachHaveEveryWriteInOrder) {
  const auto r = helper("threads");
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  std::map<std::uint64_t, std::string> contents;  // by file id, from the writes in trace order
  std::map<std::uint64_t, std::string> names;
  std::vector<std::string> outputs;
  for (const Call& c : r.trace.calls) {
    if (c.kind == CallKind::kOpen) names[c.file] = c.path;
    if (c.kind == CallKind::kOutput) outputs.push_back(c.data);
    if (c.kind != CallKind::kWrite) continue;
    ASSERT_EQ(c.offset, contents[c.file].size()) << brief(c);
    contents[c.file] += c.data;
  }
  ASSERT_EQ(contents.size(), 4u);
  for (const auto& [file, text] : contents) {
    std::string expected;
    for (int n = 0; n < 100; ++n) expected += names[file] + " " + std::to_string(n) + "\n";
    EXPECT_EQ(text, expected) << names[file];
  }
  std::sort(outputs.begin(), outputs.end());
  EXPECT_EQ(outputs, (std::vector<std::string>{"t0\n", "t1\n", "t2\n", "t3\n"}));
}

TEST_F(Recorder, AThreadThatExecsGoesOnAsTheNewProgram) {
  const auto r = helper("exec-thread");
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  const std::vector<std::string> expected = {"open exec.txt #1 created",
                                             "write #1 @0 'after-exec\n'",
                                             "output 'exec-done\n'", "exit = 0"};
  EXPECT_EQ(briefs(r.trace.calls, false), expected);
}

struct Refusal {
  const char* mode;
  const char* message;  // a part of the error
};

// ctest names the parameter by its mode, not by its bytes.
void PrintTo(const Refusal& refusal, std::ostream* out) { *out << refusal.mode; }

class RecorderRefuses : public Recorder, public ::testing::WithParamInterface<Refusal> {};

TEST_P(RecorderRefuses, TheCallNamingItAndKillsTheProgram) {
  const auto r = helper(GetParam().mode);
  SKIP_IF_NOT_PERMITTED(r);
  if (r.status == RecordStatus::kOk && r.trace.calls.back().result == 77) {
    GTEST_SKIP() << GetParam().mode << " is not supported by this kernel or file system";
  }
  ASSERT_EQ(r.status, RecordStatus::kUnmodellable) << r.message;
  EXPECT_NE(r.message.find(GetParam().message), std::string::npos) << r.message;
  EXPECT_TRUE(r.message.starts_with("pid ")) << r.message;
  // The program never ran past the refused call.
  EXPECT_FALSE(stdfs::exists(root_ / (std::string(GetParam().mode) + ".after")));
}

INSTANTIATE_TEST_SUITE_P(
    Calls, RecorderRefuses,
    ::testing::Values(Refusal{"mmap", "mmap of \"m.bin\" with PROT_WRITE and MAP_SHARED"},
                      Refusal{"mprotect", "mprotect making a shared map of a file in D writable"},
                      Refusal{"odirect", "openat(\"direct.bin\", O_RDWR|O_CREAT|O_DIRECT)"},
                      Refusal{"exchange", "renameat2(\"x1\", \"x2\", RENAME_EXCHANGE)"},
                      Refusal{"uring", "io_uring_setup"},
                      Refusal{"punch", "fallocate(\"p.bin\", FALLOC_FL_KEEP_SIZE|"
                                       "FALLOC_FL_PUNCH_HOLE)"},
                      Refusal{"clone", "ioctl FICLONE into \"c2\""},
                      Refusal{"mknod", "mknodat(\"fifo\"): a special file in D"},
                      Refusal{"int80", "32-bit system call (int 0x80, number 20)"}),
    [](const ::testing::TestParamInfo<Refusal>& param) { return std::string(param.param.mode); });

TEST_F(Recorder, ACommandThatCannotBeExecutedIsAnErrorNotAHang) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = record({"/nonexistent/program", "x"});
  SKIP_IF_NOT_PERMITTED(r);
  EXPECT_EQ(r.status, RecordStatus::kCannotExecute);
  EXPECT_EQ(r.message, "cannot execute '/nonexistent/program': No such file or directory");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(Recorder, ADirectoryWithAFifoIsRefusedBeforeRunning) {
  ASSERT_EQ(::mkfifo((dir_ / "queue").c_str(), 0644), 0);
  const auto r = record({"sh", "-c", "touch \"$0\"/ran", dir_.string()});
  EXPECT_EQ(r.status, RecordStatus::kBadDir);
  EXPECT_NE(r.message.find("queue is a FIFO"), std::string::npos) << r.message;
  EXPECT_FALSE(stdfs::exists(dir_ / "ran"));
}

TEST_F(Recorder, AMissingDirectoryIsRefused) {
  systrace::RecordOptions options;
  options.dir = (root_ / "nope").string();
  options.command = {"true"};
  const auto r = systrace::record(options);
  EXPECT_EQ(r.status, RecordStatus::kBadDir);
  EXPECT_NE(r.message.find("No such file or directory"), std::string::npos) << r.message;
}

TEST_F(Recorder, CallsOutsideTheDirectoryAreNotRecorded) {
  const auto r = record({"sh", "-c", "echo x > \"$0\"/../outside && mkdir \"$0\"/../o && "
                                     "rm \"$0\"/../outside", dir_.string()});
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  EXPECT_EQ(briefs(r.trace.calls), std::vector<std::string>{"exit = 0"});
}

TEST_F(Recorder, ARenameAcrossTheDirectoryEdgeIsRefused) {
  std::ofstream(root_ / "outside") << "x";
  const auto in = record({"mv", (root_ / "outside").string(), (dir_ / "inside").string()});
  SKIP_IF_NOT_PERMITTED(in);
  ASSERT_EQ(in.status, RecordStatus::kUnmodellable) << in.message;
  EXPECT_NE(in.message.find("a rename into D from outside it"), std::string::npos) << in.message;

  std::ofstream(dir_ / "leaving") << "x";
  const auto out = record({"mv", (dir_ / "leaving").string(), (root_ / "left").string()});
  ASSERT_EQ(out.status, RecordStatus::kUnmodellable) << out.message;
  EXPECT_NE(out.message.find("(\"leaving\", \"" + (root_ / "left").string() + "\""),
            std::string::npos) << out.message;
  EXPECT_NE(out.message.find("a rename out of D"), std::string::npos) << out.message;
}

// GNU cp copies inside the kernel (a reflink, else copy_file_range): no trace can hold that.
TEST_F(Recorder, ACopyByCpIntoTheDirectoryIsRefused) {
  std::ofstream(dir_ / "a") << "contents";
  const auto r = record({"cp", (dir_ / "a").string(), (dir_ / "b").string()});
  SKIP_IF_NOT_PERMITTED(r);
  if (r.status == RecordStatus::kOk) GTEST_SKIP() << "this cp copies with read and write";
  ASSERT_EQ(r.status, RecordStatus::kUnmodellable) << r.message;
  EXPECT_NE(r.message.find(" into \"b\": "), std::string::npos) << r.message;
}

TEST_F(Recorder, PathsThroughSymlinksAreTheFilesTheKernelReached) {
  // A symlink outside D into D: the open is D's; one in D pointing out is not.
  stdfs::create_symlink(dir_, root_ / "alias");
  stdfs::create_symlink(root_, dir_ / "up");
  const auto r = record({"sh", "-c", "echo in > \"$0\"/../alias/f && echo out > \"$0\"/up/g",
                         dir_.string()});
  SKIP_IF_NOT_PERMITTED(r);
  ASSERT_EQ(r.status, RecordStatus::kOk) << r.message;
  const std::vector<std::string> expected = {"init_symlink up -> " + root_.string(),
                                             "open f #1 created", "write #1 @0 'in\n'",
                                             "exit = 0"};
  EXPECT_EQ(briefs(r.trace.calls, false), expected);
}

}  // namespace
