// The trace file format (systrace/trace_file.h, docs/trace.md): every field of every kind
// survives encode and decode, and no byte string makes decode crash or accept garbage.
#include <fcntl.h>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>
#include <fstream>

#include "systrace/trace_file.h"

namespace {

using systrace::Call;
using systrace::CallKind;
using systrace::Trace;

constexpr CallKind kEveryKind[] = {
    CallKind::kInitDir,   CallKind::kInitFile, CallKind::kInitSymlink,   CallKind::kOpen,
    CallKind::kWrite,     CallKind::kTruncate, CallKind::kFallocate,     CallKind::kFsync,
    CallKind::kFdatasync, CallKind::kSyncFileRange, CallKind::kSyncfs,   CallKind::kSync,
    CallKind::kRename,    CallKind::kUnlink,   CallKind::kRmdir,         CallKind::kMkdir,
    CallKind::kLink,      CallKind::kSymlink,  CallKind::kClose,         CallKind::kOutput,
    CallKind::kExit};

// A call of `kind` with every field set to something that is not its default.
Call full_call(CallKind kind, int i) {
  Call c;
  c.kind = kind;
  c.syscall = "pwritev2";
  c.pid = 4711 + i;
  c.fd = i % 2 == 0 ? -1 : 3;
  c.result = i % 3 == 0 ? -2 : 512;
  c.file = static_cast<std::uint64_t>(i) + 1;
  c.path = "dir/file " + std::to_string(i);
  c.path2 = "new\nname";
  c.offset = std::uint64_t{1} << 40;
  c.length = 0xfedcba9876543210ull;
  c.flags = 0xffffffffu;
  c.mode = 0644;
  c.created = i % 2 == 1;
  c.is_dir = i % 4 == 1;
  c.data = std::string("\0\xff\x01 bytes", 9) + std::to_string(i);
  return c;
}

Trace every_kind() {
  Trace t;
  t.dir = "/tmp/d";
  t.command = {"sh", "-c", "echo hi > f", ""};
  int i = 0;
  for (CallKind kind : kEveryKind) t.calls.push_back(full_call(kind, i++));
  return t;
}

Trace decoded(const std::string& bytes) {
  Trace out;
  const std::string error = systrace::decode(bytes, out);
  EXPECT_EQ(error, "");
  return out;
}

TEST(TraceFile, EveryKindAndFieldRoundTrips) {
  const Trace t = every_kind();
  EXPECT_EQ(decoded(systrace::encode(t)), t);
}

TEST(TraceFile, EmptyTraceAndEmptyStringsRoundTrip) {
  EXPECT_EQ(decoded(systrace::encode(Trace{})), Trace{});
  Trace t;
  t.calls.push_back(Call{});
  t.calls.back().kind = CallKind::kSync;
  EXPECT_EQ(decoded(systrace::encode(t)), t);
}

TEST(TraceFile, LargeDataRoundTrips) {
  Trace t;
  Call c = full_call(CallKind::kWrite, 1);
  c.data.assign(5u << 20, '\0');
  for (std::size_t i = 0; i < c.data.size(); i += 4093) c.data[i] = static_cast<char>(i);
  t.calls.push_back(c);
  EXPECT_EQ(decoded(systrace::encode(t)), t);
}

TEST(TraceFile, HeaderIsMagicThenLittleEndianVersion) {
  const std::string bytes = systrace::encode(Trace{});
  ASSERT_GE(bytes.size(), 12u);
  EXPECT_EQ(bytes.substr(0, 8), "WALTRACE");
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x01\x00\x00\x00", 4));
}

// Every proper prefix of a valid trace is refused, with the offset where it ran out.
TEST(TraceFile, EveryTruncationIsAnError) {
  const std::string bytes = systrace::encode(every_kind());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    Trace out;
    const std::string error = systrace::decode(bytes.substr(0, n), out);
    ASSERT_NE(error, "") << "prefix of " << n << " bytes decoded";
    EXPECT_TRUE(error.starts_with("byte ")) << error;
    EXPECT_EQ(out, Trace{});
  }
}

TEST(TraceFile, TrailingBytesAreAnError) {
  Trace out;
  const std::string error = systrace::decode(systrace::encode(every_kind()) + "x", out);
  EXPECT_NE(error.find("1 bytes after the last call"), std::string::npos) << error;
}

TEST(TraceFile, OtherVersionIsRefusedNamingBoth) {
  std::string bytes = systrace::encode(every_kind());
  bytes[8] = 2;
  Trace out;
  EXPECT_EQ(systrace::decode(bytes, out),
            "byte 8: trace format version 2, this walsim reads version 1");
}

TEST(TraceFile, WrongMagicIsRefused) {
  Trace out;
  EXPECT_NE(systrace::decode("SQLite format 3", out).find("not a walsim trace"),
            std::string::npos);
  EXPECT_NE(systrace::decode("", out).find("not a walsim trace"), std::string::npos);
}

TEST(TraceFile, AbsurdCountsAreRefusedBeforeAllocating) {
  std::string bytes = systrace::encode(Trace{});
  // The call count is the last 8 bytes of an empty trace.
  bytes.replace(bytes.size() - 8, 8, std::string(8, '\xff'));
  Trace out;
  const std::string error = systrace::decode(bytes, out);
  EXPECT_NE(error.find("call count 18446744073709551615 does not fit"), std::string::npos)
      << error;

  Trace one;
  one.calls.push_back(full_call(CallKind::kWrite, 1));
  std::string big = systrace::encode(one);
  // The data length: the 8 bytes before the data at the end.
  const std::size_t data_length_at = big.size() - one.calls[0].data.size() - 8;
  big.replace(data_length_at, 8, std::string("\x00\x00\x00\x00\x00\x00\x00\x40", 8));
  const std::string data_error = systrace::decode(big, out);
  EXPECT_EQ(data_error, "byte " + std::to_string(data_length_at) +
                            ": call 1 data: length 4611686018427387904 is more than the " +
                            std::to_string(one.calls[0].data.size()) + " bytes that remain");
}

TEST(TraceFile, UnknownKindAndFlagBitsAreRefused) {
  Trace one;
  one.calls.push_back(full_call(CallKind::kSync, 2));
  const std::string good = systrace::encode(one);
  // The call starts where an empty trace ends (both have an empty dir and command).
  const std::size_t kind_at = systrace::encode(Trace{}).size();
  std::string bad_kind = good;
  bad_kind[kind_at] = 99;
  Trace out;
  EXPECT_EQ(systrace::decode(bad_kind, out),
            "byte " + std::to_string(kind_at) + ": call 1: unknown kind 99");
  std::string bad_bits = good;
  bad_bits[kind_at + 1] = 4;
  EXPECT_EQ(systrace::decode(bad_bits, out),
            "byte " + std::to_string(kind_at + 1) + ": call 1: unknown flag bits 0x4");
}

RC_GTEST_PROP(TraceFile, AnyBytesDecodeOrFailCleanly, (const std::string& garbage)) {
  Trace out;
  const std::string error = systrace::decode(garbage, out);
  if (error.empty()) {
    RC_ASSERT(systrace::encode(out) == garbage);
  } else {
    RC_ASSERT(out == Trace{});
  }
}

// Random bytes seldom get past the magic: damage a valid trace instead.
RC_GTEST_PROP(TraceFile, DamagedTracesDecodeOrFailCleanly,
              (std::size_t position, std::uint8_t value, std::size_t cut)) {
  std::string bytes = systrace::encode(every_kind());
  bytes[position % bytes.size()] = static_cast<char>(value);
  bytes.resize(bytes.size() - cut % 16);
  Trace out;
  const std::string error = systrace::decode(bytes, out);
  if (error.empty()) RC_ASSERT(systrace::encode(out) == bytes);
}

TEST(TraceFile, FilesRoundTripAndErrorsNameTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / "systrace_trace_file_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "t.trace").string();
  const Trace t = every_kind();
  ASSERT_EQ(systrace::write_trace_file(path, t), "");
  Trace back;
  ASSERT_EQ(systrace::read_trace_file(path, back), "");
  EXPECT_EQ(back, t);

  EXPECT_EQ(systrace::read_trace_file((dir / "missing").string(), back),
            (dir / "missing").string() + ": No such file or directory");
  EXPECT_NE(systrace::write_trace_file((dir / "no" / "t").string(), t), "");
  std::ofstream(dir / "bad") << "WALTRACE\x02";
  const std::string error = systrace::read_trace_file((dir / "bad").string(), back);
  EXPECT_TRUE(error.starts_with((dir / "bad").string() + ": byte 8: ")) << error;
  std::filesystem::remove_all(dir);
}

TEST(TraceShow, LinesReadLikeStrace) {
  Trace t;
  t.dir = "/d";
  Call open;
  open.kind = CallKind::kOpen;
  open.syscall = "openat";
  open.pid = 4711;
  open.fd = 3;
  open.result = 3;
  open.file = 2;
  open.path = "db.sqlite";
  open.flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC;
  open.mode = 0644;
  open.created = true;
  Call write;
  write.kind = CallKind::kWrite;
  write.syscall = "pwrite64";
  write.pid = 4711;
  write.fd = 3;
  write.file = 2;
  write.offset = 4096;
  write.data = std::string("SQLite format 3\0", 16) + std::string(496, 'x');
  write.result = 512;
  Call failed;
  failed.kind = CallKind::kUnlink;
  failed.syscall = "unlinkat";
  failed.pid = 4712;
  failed.path = "gone";
  failed.result = -2;
  Call exit;
  exit.kind = CallKind::kExit;
  exit.result = 137;
  t.calls = {open, write, failed, exit};
  EXPECT_EQ(systrace::show(t),
            "   1 pid 4711 openat(\"db.sqlite\", O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3 "
            "(file #2, created)\n"
            "   2 pid 4711 pwrite64(fd 3 -> file #2 \"db.sqlite\", offset 4096, 512 bytes "
            "\"SQLite format 3\\0xxxxxxxxxxxxxxxx\"...) = 512\n"
            "   3 pid 4712 unlinkat(\"gone\") = -ENOENT\n"
            "   4 exit status 137\n");
  EXPECT_EQ(systrace::show_call(write, 12).substr(0, 40),
            "  12 pid 4711 pwrite64(fd 3 -> file #2, ");
}

TEST(TraceShow, ResultsBeyondErrorNumbersAreShownAsNumbers) {
  Call c;
  c.kind = CallKind::kSync;
  c.syscall = "sync";
  c.result = INT64_MIN;
  EXPECT_EQ(systrace::show_call(c, 1), "   1 pid 0 sync() = -9223372036854775808");
  c.result = -4096;
  EXPECT_EQ(systrace::show_call(c, 1), "   1 pid 0 sync() = -4096");
  c.result = -4095;
  EXPECT_EQ(systrace::show_call(c, 1), "   1 pid 0 sync() = -errno 4095");
}

TEST(TraceShow, EveryKindHasALine) {
  const Trace t = every_kind();
  const std::string shown = systrace::show(t);
  EXPECT_EQ(std::count(shown.begin(), shown.end(), '\n'),
            static_cast<std::ptrdiff_t>(t.calls.size()));
  for (CallKind kind : kEveryKind) EXPECT_NE(systrace::to_string(kind), "unknown");
}

}  // namespace
