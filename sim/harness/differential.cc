#include "sim/harness/differential.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "sim/harness/differential_internal.h"

namespace harness {
namespace differential_internal {
namespace {

std::string byte_text(char c) { return fmt::format("{:#04x}", static_cast<unsigned char>(c)); }

bool is_text(const std::string& bytes, std::size_t from, std::size_t length) {
  for (std::size_t i = from; i < bytes.size() && i < from + length; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f) return false;
  }
  return true;
}

// Up to `shown` bytes of `bytes` from `from`, printable as text (a log line one side wrote and
// the other did not, or a number that differs, says at once what differs), the rest escaped.
std::string tail_text(const std::string& bytes, std::size_t from, std::size_t shown = 160) {
  std::string out;
  for (std::size_t i = from; i < bytes.size() && i < from + shown; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return bytes.size() - from > shown ? out + "..." : out;
}

}  // namespace

std::optional<std::string> snapshot(const Side& side, const std::string& dir, Files& out) {
  auto names = side.fs.list(side.path(dir));
  if (!names) return fmt::format("list {}: {}", dir, names.error().to_string());
  for (const std::string& name : *names) {
    const std::string relative = dir.empty() ? name : dir + "/" + name;
    auto stat = side.fs.stat(side.path(relative));
    if (!stat) return fmt::format("stat {}: {}", relative, stat.error().to_string());
    if (stat->is_directory) {
      out[relative] = "<dir>";
      if (auto error = snapshot(side, relative, out)) return error;
      continue;
    }
    auto file = side.fs.open(side.path(relative), wal::OpenMode::kReadOnly);
    if (!file) return fmt::format("open {}: {}", relative, file.error().to_string());
    std::string content(stat->size_bytes, '\0');
    auto got =
        (*file)->read_at(0, std::as_writable_bytes(std::span(content.data(), content.size())));
    const wal::Status closed = (*file)->close();
    if (!got) return fmt::format("read {}: {}", relative, got.error().to_string());
    if (*got != content.size()) {
      return fmt::format("read {}: {} of {} bytes", relative, *got, content.size());
    }
    if (!closed) return fmt::format("close {}: {}", relative, closed.to_string());
    out[relative] = std::move(content);
  }
  return std::nullopt;
}

void compare_files(const Side& real, const Side& sim, const std::string& dir,
                   const std::string& when, Verdict& verdict) {
  if (verdict.failed()) return;
  Files a, b;
  if (auto error = snapshot(real, dir, a)) return verdict.fail(when + ": real side: " + *error);
  if (auto error = snapshot(sim, dir, b)) return verdict.fail(when + ": sim side: " + *error);
  compare_snapshots(a, b, when, verdict);
}

void compare_snapshots(const Files& a, const Files& b, const std::string& when,
                       Verdict& verdict) {
  if (verdict.failed()) return;
  ++verdict.result().snapshots;
  for (const auto& [name, bytes] : a) {
    if (!b.contains(name)) return verdict.fail(fmt::format("{}: {} is on real only", when, name));
  }
  for (const auto& [name, theirs] : b) {
    const auto mine = a.find(name);
    if (mine == a.end()) return verdict.fail(fmt::format("{}: {} is on sim only", when, name));
    const std::string& ours = mine->second;
    const std::size_t common = std::min(ours.size(), theirs.size());
    const auto diff = std::mismatch(
        ours.begin(), ours.begin() + static_cast<std::ptrdiff_t>(common), theirs.begin());
    const auto offset = static_cast<std::size_t>(diff.first - ours.begin());
    const std::string bytes_differ =
        offset < common ? fmt::format("offset {}: real {}, sim {}", offset, byte_text(ours[offset]),
                                      byte_text(theirs[offset]))
                        : "";
    // In a text file (a LOG) the words around the byte say what differs: a number, a time.
    const std::size_t from = offset - std::min<std::size_t>(offset, 60);
    const std::string around =
        offset < common && is_text(ours, from, 100) && is_text(theirs, from, 100)
            ? fmt::format("; from {}: real \"{}\", sim \"{}\"", from, tail_text(ours, from, 100),
                          tail_text(theirs, from, 100))
            : "";
    if (ours.size() != theirs.size()) {
      const bool real_longer = ours.size() > theirs.size();
      const std::string extra =
          bytes_differ.empty()
              ? fmt::format(" ({} only: \"{}\")", real_longer ? "real" : "sim",
                            tail_text(real_longer ? ours : theirs, common))
              : " (first differing " + bytes_differ + ")";
      return verdict.fail(fmt::format("{}: file {}: size real {}, sim {}{}", when, name,
                                      ours.size(), theirs.size(), extra));
    }
    if (!bytes_differ.empty()) {
      return verdict.fail(
          fmt::format("{}: file {} {} (size {}){}", when, name, bytes_differ, ours.size(), around));
    }
  }
}

std::string make_real_dir(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  return error ? fmt::format("cannot create {}: {}", dir, error.message()) : "";
}

}  // namespace differential_internal

class DropNthWrite::File final : public faults::FileWrapper {
 public:
  File(std::unique_ptr<wal::File> base, std::string path, DropNthWrite& fs)
      : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}

  wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (fs_.left_ == 0 || --fs_.left_ != 0) return base_->write_at(offset, data);
    fs_.dropped_->path = path_;
    fs_.dropped_->offset = offset;
    fs_.dropped_->bytes = data.size();
    return wal::Status::ok();
  }

 private:
  DropNthWrite& fs_;
};

std::unique_ptr<wal::File> DropNthWrite::wrap(std::unique_ptr<wal::File> file,
                                              std::string_view path) {
  return std::make_unique<File>(std::move(file), std::string(path), *this);
}

}  // namespace harness
