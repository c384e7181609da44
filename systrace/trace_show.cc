// `walsim trace show`: a call per line in strace's shape, with what the recorder worked out
// beside it (the file a descriptor named, whether an open created its file), so that a person
// can check a recording against what the program did.
#include <fcntl.h>

#include <fmt/format.h>

#include <map>

#include "systrace/flag_names.h"
#include "systrace/trace_file.h"

namespace systrace {

std::string escaped(std::string_view bytes, std::size_t max) {
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto ch = static_cast<unsigned char>(bytes[i]);
    switch (ch) {
      case '\0': out += "\\0"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (ch < 0x20 || ch >= 0x7f) {
          out += fmt::format("\\x{:02x}", ch);
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  out += '"';
  if (bytes.size() > max) out += "...";
  return out;
}

namespace {

// Data is shown as its first bytes, C-escaped, then "..." when there is more.
constexpr std::size_t kShownDataBytes = 32;

std::string quoted(std::string_view path) { return escaped(path, SIZE_MAX); }
std::string unquoted(const std::string& text) { return text.substr(1, text.size() - 2); }

std::string data(const Call& c) {
  return fmt::format("{} bytes {}", c.data.size(), escaped(c.data, kShownDataBytes));
}

// "fd 3 -> file #2 "db"": the descriptor and the file the recorder found behind it.
std::string target(const Call& c, std::string_view name) {
  std::string out = c.fd >= 0 ? fmt::format("fd {} -> ", c.fd) : "";
  if (c.is_dir) return out + "dir " + quoted(c.path);
  out += fmt::format("file #{}", c.file);
  if (!name.empty()) out += " " + quoted(name);
  return out;
}

// -4095..-1 is an error number, as the kernel returns them; any other value is a number (a
// damaged trace may hold INT64_MIN, whose negation overflows).
std::string result(const Call& c) {
  if (c.result < 0 && c.result >= -4095) return fmt::format(" = -{}", errno_name(-c.result));
  return fmt::format(" = {}", c.result);
}

std::string arguments(const Call& c, std::string_view name) {
  switch (c.kind) {
    case CallKind::kOpen: {
      std::string out = fmt::format("{}, {}", quoted(c.path), open_flags_name(c.flags));
      if (c.flags & O_CREAT) out += fmt::format(", {:#o}", c.mode);
      return out;
    }
    case CallKind::kWrite:
      return fmt::format("{}, offset {}, {}", target(c, name), c.offset, data(c));
    case CallKind::kTruncate:
      if (c.fd < 0) {
        return fmt::format("{} -> file #{}, length {}", quoted(c.path), c.file, c.length);
      }
      return fmt::format("{}, length {}", target(c, name), c.length);
    case CallKind::kFallocate:
      return fmt::format("{}, {}, offset {}, length {}", target(c, name),
                         fallocate_mode_name(c.flags), c.offset, c.length);
    case CallKind::kFsync:
    case CallKind::kFdatasync:
    case CallKind::kClose:
      return target(c, name);
    case CallKind::kSyncFileRange:
      return fmt::format("{}, offset {}, length {}, {}", target(c, name), c.offset, c.length,
                         sync_file_range_flags_name(c.flags));
    case CallKind::kSyncfs:
      return c.fd >= 0 ? fmt::format("fd {}", c.fd) : "";
    case CallKind::kRename: {
      std::string out = fmt::format("{}, {}", quoted(c.path), quoted(c.path2));
      if (c.flags != 0) out += ", " + rename_flags_name(c.flags);
      return out;
    }
    case CallKind::kMkdir:
      return fmt::format("{}, {:#o}", quoted(c.path), c.mode);
    case CallKind::kUnlink:
    case CallKind::kRmdir:
      return quoted(c.path);
    case CallKind::kLink:
      return fmt::format("{}, {}", quoted(c.path), quoted(c.path2));
    case CallKind::kSymlink:
      return fmt::format("{}, {}", quoted(c.path2), quoted(c.path));
    case CallKind::kOutput:
      return fmt::format("fd {} -> stdout, {}", c.fd, data(c));
    default:
      return "";
  }
}

// After the result: what the open found, where strace would show nothing.
std::string remark(const Call& c) {
  if (c.kind == CallKind::kOpen && c.result >= 0) {
    if (c.is_dir) return " (dir)";
    return fmt::format(" (file #{}{})", c.file, c.created ? ", created" : "");
  }
  if (c.kind == CallKind::kLink && c.result >= 0) return fmt::format(" (file #{})", c.file);
  return "";
}

std::string init_line(const Call& c) {
  switch (c.kind) {
    case CallKind::kInitDir:
      return fmt::format("init dir {} {:#o}", quoted(c.path), c.mode);
    case CallKind::kInitFile:
      return fmt::format("init file {} {:#o} file #{}, {}", quoted(c.path), c.mode, c.file,
                         data(c));
    default:
      return fmt::format("init symlink {} -> {}", quoted(c.path), quoted(c.path2));
  }
}

std::string line(const Call& c, std::size_t number, std::string_view name) {
  const std::string head = fmt::format("{:>4} ", number);
  switch (c.kind) {
    case CallKind::kInitDir:
    case CallKind::kInitFile:
    case CallKind::kInitSymlink:
      return head + init_line(c);
    case CallKind::kExit:
      return head + fmt::format("exit status {}", c.result);
    default:
      break;
  }
  // A name as recorded needs no escaping; one from a damaged file may hold a newline.
  std::string syscall = c.syscall.empty() ? std::string(to_string(c.kind))
                                          : unquoted(escaped(c.syscall, SIZE_MAX));
  // The truncate an O_TRUNC open does is shown under the open's name.
  if (c.kind == CallKind::kTruncate && syscall.find("open") != std::string::npos) {
    syscall += " O_TRUNC";
  }
  return head + fmt::format("pid {} {}({}){}{}", c.pid, syscall, arguments(c, name), result(c),
                            remark(c));
}

// The path each file id last had, as the calls so far tell it.
class FileNames {
 public:
  std::string_view name(std::uint64_t file) const {
    const auto it = names_.find(file);
    return it == names_.end() ? std::string_view() : std::string_view(it->second);
  }
  void after(const Call& c) {
    if (c.result < 0) return;
    if ((c.kind == CallKind::kInitFile || c.kind == CallKind::kOpen) && c.file != 0) {
      names_[c.file] = c.path;
    }
    // The newest name: a temporary file linked to its final name is shown by that one.
    if (c.kind == CallKind::kLink && c.file != 0) names_[c.file] = c.path2;
    if (c.kind == CallKind::kRename) {
      for (auto& [file, path] : names_) {
        if (path == c.path) {
          path = c.path2;
        } else if (path.starts_with(c.path + "/")) {
          path = c.path2 + path.substr(c.path.size());
        }
      }
    }
  }

 private:
  std::map<std::uint64_t, std::string> names_;
};

}  // namespace

std::string_view to_string(CallKind kind) {
  switch (kind) {
    case CallKind::kInitDir: return "init_dir";
    case CallKind::kInitFile: return "init_file";
    case CallKind::kInitSymlink: return "init_symlink";
    case CallKind::kOpen: return "open";
    case CallKind::kWrite: return "write";
    case CallKind::kTruncate: return "truncate";
    case CallKind::kFallocate: return "fallocate";
    case CallKind::kFsync: return "fsync";
    case CallKind::kFdatasync: return "fdatasync";
    case CallKind::kSyncFileRange: return "sync_file_range";
    case CallKind::kSyncfs: return "syncfs";
    case CallKind::kSync: return "sync";
    case CallKind::kRename: return "rename";
    case CallKind::kUnlink: return "unlink";
    case CallKind::kRmdir: return "rmdir";
    case CallKind::kMkdir: return "mkdir";
    case CallKind::kLink: return "link";
    case CallKind::kSymlink: return "symlink";
    case CallKind::kClose: return "close";
    case CallKind::kOutput: return "output";
    case CallKind::kExit: return "exit";
  }
  return "unknown";
}

std::string show_call(const Call& call, std::size_t number) { return line(call, number, ""); }

std::string show_call(const Call& call, std::size_t number, std::string_view file_name) {
  return line(call, number, file_name);
}

std::string show(const Trace& trace) {
  std::string out;
  FileNames names;
  for (std::size_t i = 0; i < trace.calls.size(); ++i) {
    const Call& c = trace.calls[i];
    out += line(c, i + 1, names.name(c.file));
    out += '\n';
    names.after(c);
  }
  return out;
}

}  // namespace systrace
