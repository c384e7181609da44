// The trace file format, version 1 (docs/trace.md, "The trace file"): little-endian integers,
// strings and byte strings prefixed by their length, every call the same sequence of fields.
// The reader trusts nothing: each length is checked against the bytes that remain before
// anything is allocated, so a hostile count costs an error message, not memory.
#include "systrace/trace_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

namespace systrace {
namespace {

// kind, bits, pid, fd, result, file, offset, length, flags, mode, then the length prefixes of
// syscall, path, path2 (u32 each) and data (u64): the least bytes a call can take.
constexpr std::size_t kMinCallBytes = 1 + 1 + 4 + 4 + 8 + 8 + 8 + 8 + 4 + 4 + 4 + 4 + 4 + 8;
// Caps beyond "fits in the bytes that remain", so a reader can size its buffers: a path is at
// most PATH_MAX on Linux; no kernel takes an argv of a million words.
constexpr std::uint32_t kMaxTextBytes = 1u << 16;
constexpr std::uint32_t kMaxArgs = 1u << 20;
constexpr std::uint64_t kMaxCalls = std::uint64_t{1} << 32;
constexpr std::uint8_t kCreatedBit = 1;
constexpr std::uint8_t kIsDirBit = 2;

bool known_kind(std::uint8_t kind) {
  switch (static_cast<CallKind>(kind)) {
    case CallKind::kInitDir:
    case CallKind::kInitFile:
    case CallKind::kInitSymlink:
    case CallKind::kOpen:
    case CallKind::kWrite:
    case CallKind::kTruncate:
    case CallKind::kFallocate:
    case CallKind::kFsync:
    case CallKind::kFdatasync:
    case CallKind::kSyncFileRange:
    case CallKind::kSyncfs:
    case CallKind::kSync:
    case CallKind::kRename:
    case CallKind::kUnlink:
    case CallKind::kRmdir:
    case CallKind::kMkdir:
    case CallKind::kLink:
    case CallKind::kSymlink:
    case CallKind::kClose:
    case CallKind::kOutput:
    case CallKind::kExit:
      return true;
  }
  return false;
}

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { little_endian(v, 4); }
  void u64(std::uint64_t v) { little_endian(v, 8); }
  void text(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void bytes(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }

 private:
  void little_endian(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string& out_;
};

void encode_call(Writer& w, const Call& c) {
  w.u8(static_cast<std::uint8_t>(c.kind));
  w.u8(static_cast<std::uint8_t>((c.created ? kCreatedBit : 0) | (c.is_dir ? kIsDirBit : 0)));
  w.u32(static_cast<std::uint32_t>(c.pid));
  w.u32(static_cast<std::uint32_t>(c.fd));
  w.u64(static_cast<std::uint64_t>(c.result));
  w.u64(c.file);
  w.u64(c.offset);
  w.u64(c.length);
  w.u32(c.flags);
  w.u32(c.mode);
  w.text(c.syscall);
  w.text(c.path);
  w.text(c.path2);
  w.bytes(c.data);
}

// Every read names what it reads, so that the first failure becomes the whole message:
// "byte 1234: call 17 path: length 90000 is more than the 12 bytes that remain".
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  void fail(std::size_t at, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("byte {}: {}", at, what);
  }

  std::uint64_t little_endian(int n, std::string_view what) {
    if (failed()) return 0;
    if (remaining() < static_cast<std::size_t>(n)) {
      fail(pos_, fmt::format("{}: {} bytes needed, {} remain", what, n, remaining()));
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      v |= std::uint64_t{static_cast<unsigned char>(bytes_[pos_ + static_cast<std::size_t>(i)])}
           << (8 * i);
    }
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  // Consumes `prefix` when the bytes start with it.
  bool starts_with(std::string_view prefix) {
    if (bytes_.substr(pos_).substr(0, prefix.size()) != prefix) return false;
    pos_ += prefix.size();
    return true;
  }
  std::uint8_t u8(std::string_view what) {
    return static_cast<std::uint8_t>(little_endian(1, what));
  }
  std::uint32_t u32(std::string_view what) {
    return static_cast<std::uint32_t>(little_endian(4, what));
  }
  std::uint64_t u64(std::string_view what) { return little_endian(8, what); }

  std::string text(std::string_view what) {
    const std::size_t at = pos_;
    return take(at, u32(what), kMaxTextBytes, what);
  }
  std::string bytes(std::string_view what) {
    const std::size_t at = pos_;
    return take(at, u64(what), std::numeric_limits<std::uint64_t>::max(), what);
  }

 private:
  std::string take(std::size_t at, std::uint64_t length, std::uint64_t cap,
                   std::string_view what) {
    if (failed()) return {};
    if (length > cap) {
      fail(at, fmt::format("{}: length {} is above the limit of {}", what, length, cap));
      return {};
    }
    if (length > remaining()) {
      fail(at, fmt::format("{}: length {} is more than the {} bytes that remain", what, length,
                           remaining()));
      return {};
    }
    std::string out(bytes_.substr(pos_, static_cast<std::size_t>(length)));
    pos_ += static_cast<std::size_t>(length);
    return out;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
  std::string error_;
};

void decode_call(Reader& r, std::uint64_t number, Call& c) {
  const std::string name = fmt::format("call {}", number);
  const std::size_t kind_at = r.offset();
  const std::uint8_t kind = r.u8(name + " kind");
  if (!r.failed() && !known_kind(kind)) {
    r.fail(kind_at, fmt::format("{}: unknown kind {}", name, kind));
  }
  c.kind = static_cast<CallKind>(kind);
  const std::size_t bits_at = r.offset();
  const std::uint8_t bits = r.u8(name + " flag bits");
  if (!r.failed() && (bits & ~(kCreatedBit | kIsDirBit)) != 0) {
    r.fail(bits_at, fmt::format("{}: unknown flag bits {:#x}", name, bits));
  }
  c.created = (bits & kCreatedBit) != 0;
  c.is_dir = (bits & kIsDirBit) != 0;
  c.pid = static_cast<std::int32_t>(r.u32(name + " pid"));
  c.fd = static_cast<std::int32_t>(r.u32(name + " fd"));
  c.result = static_cast<std::int64_t>(r.u64(name + " result"));
  c.file = r.u64(name + " file");
  c.offset = r.u64(name + " offset");
  c.length = r.u64(name + " length");
  c.flags = r.u32(name + " flags");
  c.mode = r.u32(name + " mode");
  c.syscall = r.text(name + " syscall");
  c.path = r.text(name + " path");
  c.path2 = r.text(name + " path2");
  c.data = r.bytes(name + " data");
}

void decode_header(Reader& r, Trace& out) {
  if (!r.starts_with(std::string_view(kMagic, sizeof(kMagic)))) {
    r.fail(0, "not a walsim trace (the file does not start with \"WALTRACE\")");
    return;
  }
  const std::size_t version_at = r.offset();
  const std::uint32_t version = r.u32("format version");
  if (!r.failed() && version != kFormatVersion) {
    r.fail(version_at, fmt::format("trace format version {}, this walsim reads version {}",
                                   version, kFormatVersion));
    return;
  }
  out.dir = r.text("dir");
  const std::size_t argc_at = r.offset();
  const std::uint32_t argc = r.u32("command word count");
  if (r.failed()) return;
  if (argc > kMaxArgs || argc > r.remaining() / 4) {
    r.fail(argc_at, fmt::format("command word count {} does not fit in the {} bytes that remain",
                                argc, r.remaining()));
    return;
  }
  out.command.resize(argc);
  for (std::uint32_t i = 0; i < argc && !r.failed(); ++i) {
    out.command[i] = r.text(fmt::format("command word {}", i + 1));
  }
}

}  // namespace

std::string encode(const Trace& trace) {
  std::string out;
  Writer w(out);
  for (char ch : kMagic) w.u8(static_cast<std::uint8_t>(ch));
  w.u32(kFormatVersion);
  w.text(trace.dir);
  w.u32(static_cast<std::uint32_t>(trace.command.size()));
  for (const std::string& word : trace.command) w.text(word);
  w.u64(trace.calls.size());
  for (const Call& call : trace.calls) encode_call(w, call);
  return out;
}

std::string decode(std::string_view bytes, Trace& out) {
  out = Trace{};
  Reader r(bytes);
  decode_header(r, out);
  const std::size_t count_at = r.offset();
  const std::uint64_t count = r.u64("call count");
  if (!r.failed() && (count > kMaxCalls || count > r.remaining() / kMinCallBytes)) {
    r.fail(count_at, fmt::format("call count {} does not fit in the {} bytes that remain", count,
                                 r.remaining()));
  }
  if (!r.failed()) out.calls.resize(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count && !r.failed(); ++i) {
    decode_call(r, i + 1, out.calls[static_cast<std::size_t>(i)]);
  }
  if (!r.failed() && r.remaining() != 0) {
    r.fail(r.offset(), fmt::format("{} bytes after the last call", r.remaining()));
  }
  if (r.failed()) {
    out = Trace{};
    return r.error();
  }
  return "";
}

std::string read_trace_file(const std::string& path, Trace& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return fmt::format("{}: {}", path, std::strerror(errno));
  std::string bytes;
  char buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) bytes.append(buffer, n);
  const bool read_failed = std::ferror(file) != 0;
  const int read_errno = errno;
  std::fclose(file);
  if (read_failed) return fmt::format("{}: {}", path, std::strerror(read_errno));
  const std::string error = decode(bytes, out);
  if (!error.empty()) return fmt::format("{}: {}", path, error);
  return "";
}

std::string write_trace_file(const std::string& path, const Trace& trace) {
  const std::string bytes = encode(trace);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return fmt::format("{}: {}", path, std::strerror(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int write_errno = errno;
  if (std::fclose(file) != 0 || !written) {
    return fmt::format("{}: {}", path, std::strerror(written ? errno : write_errno));
  }
  return "";
}

}  // namespace systrace
