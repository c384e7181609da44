// Traces written by hand, as the recorder would have recorded a program: the tests of
// crashes/ need no ptrace.
#pragma once

#include <cstdint>
#include <string>

#include "systrace/trace_file.h"

namespace crashes_test {

class TraceBuilder {
 public:
  TraceBuilder() { trace_.dir = "/d"; }

  TraceBuilder& init_file(const std::string& path, std::uint64_t file, const std::string& data) {
    systrace::Call call = base(systrace::CallKind::kInitFile, "init");
    call.path = path;
    call.file = file;
    call.data = data;
    return add(call);
  }
  TraceBuilder& open(const std::string& path, std::uint64_t file, bool created) {
    systrace::Call call = base(systrace::CallKind::kOpen, "openat");
    call.path = path;
    call.file = file;
    call.created = created;
    return add(call);
  }
  TraceBuilder& write(std::uint64_t file, std::uint64_t offset, const std::string& data) {
    systrace::Call call = base(systrace::CallKind::kWrite, "write");
    call.file = file;
    call.offset = offset;
    call.data = data;
    call.result = static_cast<std::int64_t>(data.size());
    return add(call);
  }
  TraceBuilder& fsync(std::uint64_t file) {
    systrace::Call call = base(systrace::CallKind::kFsync, "fsync");
    call.file = file;
    return add(call);
  }
  TraceBuilder& fsync_dir(const std::string& path) {
    systrace::Call call = base(systrace::CallKind::kFsync, "fsync");
    call.path = path;
    call.is_dir = true;
    return add(call);
  }
  TraceBuilder& rename(const std::string& from, const std::string& to) {
    systrace::Call call = base(systrace::CallKind::kRename, "rename");
    call.path = from;
    call.path2 = to;
    return add(call);
  }
  TraceBuilder& unlink(const std::string& path) {
    systrace::Call call = base(systrace::CallKind::kUnlink, "unlink");
    call.path = path;
    return add(call);
  }
  TraceBuilder& mkdir(const std::string& path) {
    systrace::Call call = base(systrace::CallKind::kMkdir, "mkdir");
    call.path = path;
    return add(call);
  }
  TraceBuilder& output(const std::string& data) {
    systrace::Call call = base(systrace::CallKind::kOutput, "write");
    call.fd = 1;
    call.data = data;
    return add(call);
  }
  TraceBuilder& failed_unlink(const std::string& path) {
    systrace::Call call = base(systrace::CallKind::kUnlink, "unlink");
    call.path = path;
    call.result = -2;
    return add(call);
  }
  const systrace::Trace& trace() const { return trace_; }

 private:
  static systrace::Call base(systrace::CallKind kind, const char* syscall) {
    systrace::Call call;
    call.kind = kind;
    call.syscall = syscall;
    call.pid = 100;
    return call;
  }
  TraceBuilder& add(const systrace::Call& call) {
    trace_.calls.push_back(call);
    return *this;
  }

  systrace::Trace trace_;
};

// A config file replaced by write-temp + rename: `careful` adds the fsync of the temporary
// file before the rename and the directory's fsync after it.
inline systrace::Trace replace_file(bool careful) {
  TraceBuilder b;
  b.init_file("config", 1, "old-config\n");
  b.open("config.tmp", 2, true).write(2, 0, "new-config\n");
  if (careful) b.fsync(2);
  b.rename("config.tmp", "config");
  if (careful) b.fsync_dir("");
  b.output("replaced\n");
  return b.trace();
}

}  // namespace crashes_test
