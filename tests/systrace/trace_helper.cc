// The program the recorder tests run under `walsim trace`'s recorder: `trace_helper MODE DIR`.
// Mode "calls" makes every call the recorder models, in an order the tests assert on exactly,
// from the main thread, a second thread and a forked child, with lines on stdout between them.
// The other modes each make one call the recorder must refuse, then create DIR/../MODE.after,
// which must never appear: the recorder kills the program at the refused call.
// Exit 77: the kernel or file system here cannot do what the mode needs (the test skips).
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr int kUnsupported = 77;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "trace_helper: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

// One line on stdout, written at once (a kOutput call of its own).
void say(const char* line) {
  const std::string text = std::string(line) + "\n";
  check(::write(STDOUT_FILENO, text.data(), text.size()) == static_cast<ssize_t>(text.size()),
        "write stdout");
}

void write_all(int fd, const char* text) {
  check(::write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text)), text);
}

void* thread_writes(void*) {
  const int fd = ::open("thread.txt", O_CREAT | O_WRONLY | O_EXCL, 0600);
  check(fd >= 0, "open thread.txt");
  write_all(fd, "from thread");
  check(::close(fd) == 0, "close thread.txt");
  return nullptr;
}

void file_calls() {
  const int fd = ::open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check(fd >= 0, "open data");
  write_all(fd, "hello");
  check(::pwrite(fd, "XY", 2, 10) == 2, "pwrite");
  iovec two[] = {{const_cast<char*>("ab"), 2}, {const_cast<char*>("cd"), 2}};
  check(::writev(fd, two, 2) == 4, "writev");
  iovec pq[] = {{const_cast<char*>("P"), 1}, {const_cast<char*>("Q"), 1}};
  check(::pwritev(fd, pq, 2, 20) == 2, "pwritev");
  check(::fsync(fd) == 0, "fsync");
  say("synced");
  check(::fdatasync(fd) == 0, "fdatasync");
  check(::ftruncate(fd, 8) == 0, "ftruncate");
  check(::fallocate(fd, 0, 0, 4096) == 0, "fallocate");
  check(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 4096, 4096) == 0, "fallocate keep size");
  check(::close(fd) == 0, "close data");
}

void name_calls() {
  check(::mkdir("sub", 0755) == 0, "mkdir sub");
  const int dir = ::open("sub", O_RDONLY | O_DIRECTORY);
  check(dir >= 0, "open sub");
  check(::fsync(dir) == 0, "fsync sub");
  check(::close(dir) == 0, "close sub");
  check(::rename("data", "sub/renamed") == 0, "rename");
  check(::link("sub/renamed", "hard") == 0, "link");
  check(::symlink("sub/renamed", "soft") == 0, "symlink");
  check(::unlink("hard") == 0, "unlink");
  check(::mkdir("gone", 0700) == 0, "mkdir gone");
  check(::rmdir("gone") == 0, "rmdir");
  check(::open("missing/x", O_RDONLY) < 0 && errno == ENOENT, "open missing");
  // An existing file truncated by its open.
  const int pre = ::open("pre.txt", O_WRONLY | O_TRUNC);
  check(pre >= 0, "open pre.txt");
  check(::close(pre) == 0, "close pre.txt");
}

void process_calls() {
  say("before-thread");
  pthread_t thread;
  check(pthread_create(&thread, nullptr, thread_writes, nullptr) == 0, "pthread_create");
  check(pthread_join(thread, nullptr) == 0, "pthread_join");
  say("before-fork");
  const pid_t child = ::fork();
  check(child >= 0, "fork");
  if (child == 0) {
    const int fd = ::open("child.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
    if (fd < 0 || ::write(fd, "from child", 10) != 10) ::_exit(1);
    ::_exit(0);
  }
  int status = 0;
  check(::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "child");
  // O_APPEND: each write lands at the end, a pwrite too whatever offset it names.
  const int log = ::open("log", O_CREAT | O_WRONLY | O_APPEND, 0644);
  check(log >= 0, "open log");
  write_all(log, "one\n");
  write_all(log, "two\n");
  check(::pwrite(log, "three\n", 6, 0) == 6, "pwrite log");
  check(::close(log) == 0, "close log");
}

int calls() {
  say("start");
  file_calls();
  name_calls();
  process_calls();
  say("end");
  return 7;
}

// Signals reach the program untouched: a handler runs, and a child stopped by SIGSTOP waits
// (a group-stop) until its parent sends SIGCONT.
volatile sig_atomic_t handled = 0;
int signals() {
  ::signal(SIGUSR1, [](int) { handled = 1; });
  check(::raise(SIGUSR1) == 0 && handled == 1, "SIGUSR1 handler");
  say("handled");
  const pid_t child = ::fork();
  check(child >= 0, "fork");
  if (child == 0) {
    ::raise(SIGSTOP);
    const int fd = ::open("continued", O_CREAT | O_WRONLY, 0644);
    ::_exit(fd >= 0 ? 0 : 1);
  }
  int status = 0;
  check(::waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status), "child stopped");
  say("stopped");
  check(::kill(child, SIGCONT) == 0, "SIGCONT");
  check(::waitpid(child, &status, 0) == child && WIFEXITED(status), "child exited");
  say("continued");
  ::signal(SIGTERM, SIG_DFL);
  ::raise(SIGTERM);  // the exit status is 128 + 15
  return 1;
}

// Threads writing at once, each its own file, 100 lines of "t<i> <n>\n" through one descriptor,
// and one more line each to stdout.
void* write_lines(void* arg) {
  const long index = reinterpret_cast<long>(arg);
  const std::string name = "t" + std::to_string(index);
  const int fd = ::open(name.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0644);
  check(fd >= 0, "open t<i>");
  for (int n = 0; n < 100; ++n) write_all(fd, (name + " " + std::to_string(n) + "\n").c_str());
  check(::close(fd) == 0, "close t<i>");
  say(name.c_str());
  return nullptr;
}
int threads() {
  pthread_t all[4];
  for (long i = 0; i < 4; ++i) {
    check(pthread_create(&all[i], nullptr, write_lines, reinterpret_cast<void*>(i)) == 0, "thread");
  }
  for (pthread_t thread : all) check(pthread_join(thread, nullptr) == 0, "join");
  return 0;
}

// A thread other than the leader execs: the process goes on as the new program under the
// leader's pid.
void* exec_from_thread(void*) {
  ::execl("/bin/sh", "sh", "-c", "echo after-exec > exec.txt; echo exec-done", nullptr);
  return nullptr;
}
int exec_thread() {
  pthread_t thread;
  check(pthread_create(&thread, nullptr, exec_from_thread, nullptr) == 0, "pthread_create");
  ::pause();
  return 1;
}

int refused(const std::string& mode) {
  if (mode == "mmap" || mode == "mprotect") {
    const int fd = ::open("m.bin", O_CREAT | O_RDWR, 0644);
    check(fd >= 0 && ::ftruncate(fd, 4096) == 0, "m.bin");
    const int prot = mode == "mmap" ? PROT_READ | PROT_WRITE : PROT_READ;
    void* map = ::mmap(nullptr, 4096, prot, MAP_SHARED, fd, 0);
    check(map != MAP_FAILED, "mmap");
    if (mode == "mprotect") check(::mprotect(map, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect");
  } else if (mode == "odirect") {
    const int fd = ::open("direct.bin", O_CREAT | O_RDWR | O_DIRECT, 0644);
    if (fd < 0 && errno == EINVAL) return kUnsupported;
    check(fd >= 0, "open O_DIRECT");
  } else if (mode == "exchange") {
    check(::close(::open("x1", O_CREAT | O_WRONLY, 0644)) == 0, "x1");
    check(::close(::open("x2", O_CREAT | O_WRONLY, 0644)) == 0, "x2");
    if (::syscall(SYS_renameat2, AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_EXCHANGE) != 0) {
      return kUnsupported;
    }
  } else if (mode == "uring") {
    io_uring_params params{};
    if (::syscall(SYS_io_uring_setup, 4, &params) < 0) return kUnsupported;
  } else if (mode == "punch") {
    const int fd = ::open("p.bin", O_CREAT | O_RDWR, 0644);
    check(fd >= 0 && ::ftruncate(fd, 8192) == 0, "p.bin");
    if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) != 0) {
      return kUnsupported;
    }
  } else if (mode == "clone") {
    const int source = ::open("c1", O_CREAT | O_RDWR, 0644);
    const int target = ::open("c2", O_CREAT | O_RDWR, 0644);
    check(source >= 0 && target >= 0 && ::write(source, "data", 4) == 4, "c1, c2");
    if (::ioctl(target, FICLONE, source) != 0) return kUnsupported;  // ext4: no reflinks
  } else if (mode == "mknod") {
    check(::mknod("fifo", S_IFIFO | 0644, 0) == 0, "mknod");
  } else if (mode == "int80") {
    long result = 20;  // getpid in the i386 table
    asm volatile("int $0x80" : "+a"(result) : : "memory");
  } else {
    std::fprintf(stderr, "trace_helper: unknown mode %s\n", mode.c_str());
    return 2;
  }
  // Reached only if the recorder let the call through.
  const int marker = ::open(("../" + mode + ".after").c_str(), O_CREAT | O_WRONLY, 0644);
  return marker >= 0 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: trace_helper MODE DIR\n");
    return 2;
  }
  check(::chdir(argv[2]) == 0, "chdir");
  const std::string mode = argv[1];
  if (mode == "calls") return calls();
  if (mode == "signals") return signals();
  if (mode == "exec-thread") return exec_thread();
  if (mode == "threads") return threads();
  return refused(mode);
}
