#include "hostile_corpus.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <wal/log.h>

#include "record_format.h"
#include "recovery.h"
#include "sim/prng.h"

namespace hostile {
namespace {

namespace stdfs = std::filesystem;
namespace format = wal::format;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A file too large to hold in memory is a sparse one the corpus made: its data extents only
// (SEEK_DATA / SEEK_HOLE), as (offset, bytes) pairs.
constexpr std::uint64_t kLargeFileBytes = 64ull << 20;
std::vector<std::pair<std::uint64_t, std::string>> data_extents(const std::string& path,
                                                                std::uint64_t size) {
  std::vector<std::pair<std::uint64_t, std::string>> extents;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return extents;
  off_t at = 0;
  while (static_cast<std::uint64_t>(at) < size) {
    const off_t data = ::lseek(fd, at, SEEK_DATA);
    if (data < 0) break;
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) hole = static_cast<off_t>(size);
    std::string bytes(static_cast<std::size_t>(std::min<off_t>(hole - data, kLargeFileBytes)), '\0');
    const ssize_t got = ::pread(fd, bytes.data(), bytes.size(), data);
    bytes.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    extents.emplace_back(static_cast<std::uint64_t>(data), std::move(bytes));
    at = hole;
  }
  ::close(fd);
  return extents;
}

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

std::vector<std::string> segment_names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    wal::Lsn lsn = wal::kNoLsn;
    const std::string name = entry.path().filename().string();
    if (wal::recovery::parse_segment_name(name, &lsn)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "hostile corpus: %s\n", why.c_str());
  std::abort();
}

void write_log(const std::string& dir, const std::string& prefix, std::uint64_t salt,
               Written* written) {
  wal::Options options;
  options.segment_bytes = 4096;
  options.sync = wal::SyncPolicy::kNone;
  options.salt = salt;
  auto log = wal::Log::open(dir, options);
  if (!log) fail("open " + dir + ": " + log.error().to_string());
  for (int i = 1; i <= 160; ++i) {
    const std::string payload = prefix + " entry " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 13) * 3, '.');
    auto lsn = (*log)->append(bytes_of(payload));
    if (!lsn) fail("append: " + lsn.error().to_string());
    if (written != nullptr) written->entries[*lsn] = {"data", payload};
    if (i % 10 == 0) {
      const std::vector<std::string> parts = {prefix + " batch a", prefix + " batch bb", ""};
      const std::vector<std::span<const std::byte>> batch = {bytes_of(parts[0]), bytes_of(parts[1]),
                                                             bytes_of(parts[2])};
      auto range = (*log)->append_batch(batch);
      if (!range) fail("append_batch: " + range.error().to_string());
      for (wal::Lsn l = range->first; l <= range->last; ++l) {
        if (written != nullptr) written->entries[l] = {"batch", parts[l - range->first]};
      }
    }
    if (i == 45) {
      const std::string payload_cp = prefix + " checkpoint";
      auto lsn_cp = (*log)->checkpoint(bytes_of(payload_cp));
      if (!lsn_cp) fail("checkpoint: " + lsn_cp.error().to_string());
      if (written != nullptr) written->entries[*lsn_cp] = {"checkpoint", payload_cp};
    }
  }
  if (wal::Status closed = (*log)->close(); !closed.is_ok()) fail("close: " + closed.to_string());
}

// Editing helpers on a segment file.
void edit(const std::string& path, const std::function<void(std::string&)>& change) {
  std::string bytes = read_file(path);
  change(bytes);
  write_file(path, bytes);
}
template <typename T>
void put(std::string& bytes, std::size_t offset, T value) {
  if (offset + sizeof(T) <= bytes.size()) std::memcpy(bytes.data() + offset, &value, sizeof(T));
}
void reseal_segment_header(std::string& bytes) {
  put<std::uint32_t>(bytes, 60, format::crc32c(0, bytes_of(bytes).first(60)));
}
void reseal_record_header(std::string& bytes, std::size_t offset) {
  put<std::uint32_t>(bytes, offset, format::crc32c(0, bytes_of(bytes).subspan(offset + 4, 28)));
}
// Offset of the record after the one at `offset` (by its length field).
std::size_t next_record(const std::string& bytes, std::size_t offset) {
  std::uint32_t payload = 0;
  std::memcpy(&payload, bytes.data() + offset + 4, 4);
  return offset + format::record_bytes(payload);
}

// The base log's salt (build_base_logs) and checksum kind (the default).
constexpr std::uint64_t kBaseSalt = 0x1111222233334444ull;
// Offset of the n-th record (0-based) of a segment.
std::size_t nth_record(const std::string& bytes, int n) {
  std::size_t offset = format::kSegmentHeaderBytes;
  for (int i = 0; i < n; ++i) offset = next_record(bytes, offset);
  return offset;
}
// Re-encodes the record at `offset` with changed fields and valid checksums: damage that every
// checksum passes, which only the structure (LSNs, types, counts) can tell.
void rewrite_record(std::string& bytes, std::size_t offset,
                    const std::function<void(format::RecordMeta&)>& change) {
  const format::DecodedRecord record = format::decode_record(
      wal::ChecksumKind::kCrc32c, kBaseSalt, wal::kNoLsn, 1u << 20, bytes_of(bytes).subspan(offset));
  if (record.status != format::DecodeStatus::kOk) fail("rewrite_record: no record there");
  format::RecordMeta meta = record.meta;
  change(meta);
  const std::string payload(reinterpret_cast<const char*>(record.payload.data()), record.payload.size());
  std::vector<std::byte> out(record.total_bytes);
  format::encode_record(wal::ChecksumKind::kCrc32c, kBaseSalt, meta, bytes_of(payload), out);
  std::memcpy(bytes.data() + offset, out.data(), out.size());
}

using Make = std::function<bool(const BaseLogs&, const std::string&, std::string*)>;

// A case that copies the base log then changes one segment (by index; negative from the end).
Make on_segment(int index, std::function<void(std::string&)> change) {
  return [index, change](const BaseLogs& base, const std::string& path, std::string*) {
    copy_dir(base.dir, path);
    const auto n = static_cast<int>(base.segments.size());
    const std::string& name = base.segments.at(static_cast<std::size_t>(index < 0 ? n + index : index));
    edit(path + "/" + name, change);
    return true;
  };
}

Make truncate_segment(int index, std::function<std::size_t(const std::string&)> where) {
  return on_segment(index, [where](std::string& bytes) { bytes.resize(std::min(bytes.size(), where(bytes))); });
}

// The data end of a segment: after the last non-zero byte, rounded up to 8.
std::size_t data_end(const std::string& bytes) {
  std::size_t end = bytes.size();
  while (end > 0 && bytes[end - 1] == '\0') --end;
  return (end + 7) / 8 * 8;
}

}  // namespace

void copy_dir(const std::string& from, const std::string& to) {
  stdfs::create_directories(to);
  for (const auto& entry : stdfs::directory_iterator(from)) {
    const stdfs::path target = stdfs::path(to) / entry.path().filename();
    if (entry.is_symlink()) {
      stdfs::copy_symlink(entry.path(), target);
    } else if (entry.is_directory()) {
      stdfs::create_directory(target);
    } else if (entry.is_fifo()) {
      ::mkfifo(target.c_str(), 0644);
    } else if (entry.is_regular_file() && entry.file_size() > kLargeFileBytes) {
      // Sparse: copy the data extents only, so a 10 GiB hole costs nothing.
      write_file(target.string(), "");
      const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
      for (const auto& [offset, bytes] : data_extents(entry.path().string(), entry.file_size())) {
        if (::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) < 0) break;
      }
      if (::ftruncate(fd, static_cast<off_t>(entry.file_size())) != 0) fail("ftruncate " + target.string());
      ::close(fd);
    } else {
      stdfs::copy_file(entry.path(), target, stdfs::copy_options::overwrite_existing);
    }
  }
}

std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  std::error_code error;
  if (!stdfs::is_directory(dir, error)) {
    files[""] = stdfs::exists(dir, error) ? read_file(dir) : "<missing>";
    return files;
  }
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_symlink()) {
      files[name] = "<symlink to " + stdfs::read_symlink(entry.path()).string() + ">";
    } else if (entry.is_directory()) {
      files[name] = "<dir>";
    } else if (!entry.is_regular_file()) {
      files[name] = "<special>";  // a FIFO would block a read forever
    } else if (entry.file_size() > kLargeFileBytes) {
      std::string extents = "<sparse " + std::to_string(entry.file_size()) + ">";
      for (const auto& [offset, bytes] : data_extents(entry.path().string(), entry.file_size())) {
        extents += "@" + std::to_string(offset) + ":" + bytes;
      }
      files[name] = std::move(extents);
    } else {
      files[name] = read_file(entry.path().string());
    }
  }
  return files;
}

BaseLogs build_base_logs(const std::string& root) {
  BaseLogs base;
  base.dir = root + "/base";
  base.other = root + "/other";
  write_log(base.dir, "ours", kBaseSalt, &base.written);
  write_log(base.other, "theirs", 0x9999888877776666ull, nullptr);
  base.segments = segment_names(base.dir);
  if (base.segments.size() < 3) {  // the cases need a first, a middle and a last
    fail("the base log has " + std::to_string(base.segments.size()) + " segments, 3 needed");
  }
  return base;
}

std::optional<std::string> lost_by_repair(const std::map<std::string, std::string>& before,
                                          const std::map<std::string, std::string>& after) {
  for (const auto& [name, original] : before) {
    wal::Lsn lsn = wal::kNoLsn;
    const bool ours = name == wal::recovery::kFrontMarkerName ||
                      wal::recovery::parse_segment_name(name, &lsn);
    if (!ours) continue;
    const std::string prefix = name + ".cut-";
    if (original == "<dir>" || original.starts_with("<symlink to ")) {
      // Moved aside whole, never deleted: the same entry under its name or a side name.
      bool kept = after.count(name) != 0 && after.at(name) == original;
      for (const auto& [other, what] : after) kept |= other.starts_with(prefix) && what == original;
      if (!kept) return name + " (" + original + ") is gone";
      continue;
    }
    const auto now = after.find(name);
    const std::string current = now == after.end() ? std::string() : now->second;
    std::size_t same = 0;
    while (same < original.size() && same < current.size() && original[same] == current[same]) ++same;
    for (std::size_t at = same; at < original.size(); ++at) {
      if (original[at] == '\0') continue;
      bool kept = false;
      for (const auto& [other, bytes] : after) {
        if (!other.starts_with(prefix)) continue;
        const std::size_t offset = std::stoull(other.substr(prefix.size()));
        kept |= at >= offset && at - offset < bytes.size() && bytes[at - offset] == original[at];
      }
      if (!kept) return "byte " + std::to_string(at) + " of " + name + " was dropped and not kept";
    }
  }
  return std::nullopt;
}

std::vector<Case> cases() {
  constexpr std::size_t kHeader = format::kSegmentHeaderBytes;
  constexpr std::size_t kRecordHeader = format::kRecordHeaderBytes;
  std::vector<Case> all;
  all.push_back({"intact", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   return true;
                 }, true, false});
  // Truncation at every kind of boundary, in the last segment (a tail) and in the first (mid-log).
  for (int index : {-1, 0}) {
    const std::string where = index < 0 ? "last" : "first";
    const std::vector<std::pair<std::string, std::function<std::size_t(const std::string&)>>> cuts = {
        {"empty", [](const std::string&) { return std::size_t{0}; }},
        {"mid-segment-header", [](const std::string&) { return kHeader / 2; }},
        {"segment-header-end", [](const std::string&) { return kHeader; }},
        {"mid-record-header", [](const std::string&) { return kHeader + kRecordHeader / 2; }},
        {"record-header-end", [](const std::string&) { return kHeader + kRecordHeader; }},
        {"mid-payload", [](const std::string& b) { return (kHeader + kRecordHeader + next_record(b, kHeader)) / 2; }},
        {"record-end", [](const std::string& b) { return next_record(b, kHeader); }},
        {"mid-last-record", [](const std::string& b) { return data_end(b) - 5; }},
        {"data-end", [](const std::string& b) { return data_end(b); }},
    };
    for (const auto& [what, cut] : cuts) {
      all.push_back({"truncated-" + where + "-" + what, truncate_segment(index, cut)});
    }
  }
  // A middle segment cut short: its LSNs are missing, the log goes on after it.
  all.push_back({"truncated-middle-empty", truncate_segment(1, [](const std::string&) { return std::size_t{0}; })});
  all.push_back({"truncated-middle-segment-header-end", truncate_segment(1, [](const std::string&) { return kHeader; })});
  all.push_back({"truncated-middle-record-end", truncate_segment(1, [](const std::string& b) { return next_record(b, kHeader); })});
  all.push_back({"zeroed-sector-first", on_segment(0, [](std::string& b) {
                   std::memset(b.data() + 512, 0, std::min<std::size_t>(512, b.size() - 512));
                 })});
  all.push_back({"zeroed-header-sector-last", on_segment(-1, [](std::string& b) {
                   std::memset(b.data(), 0, std::min<std::size_t>(512, b.size()));
                 })});
  for (std::uint64_t flips : {1, 8, 64}) {
    all.push_back({"bit-flips-" + std::to_string(flips), [flips](const BaseLogs& base, const std::string& path, std::string*) {
                     copy_dir(base.dir, path);
                     sim::Prng prng(flips);
                     for (std::uint64_t i = 0; i < flips; ++i) {
                       const std::string& name = base.segments[prng.next_u64() % base.segments.size()];
                       edit(path + "/" + name, [&](std::string& b) {
                         const std::size_t at = prng.next_u64() % data_end(b);
                         b[at] = static_cast<char>(b[at] ^ (1 << (prng.next_u64() % 8)));
                       });
                     }
                     return true;
                   }});
  }
  all.push_back({"wrong-magic", on_segment(0, [](std::string& b) { b[0] = 'X'; })});
  all.push_back({"wrong-magic-resealed", on_segment(-1, [](std::string& b) {
                   b[0] = 'X';
                   reseal_segment_header(b);
                 })});
  all.push_back({"future-version", on_segment(0, [](std::string& b) {
                   put<std::uint32_t>(b, 8, format::kFormatVersion + 1);
                   reseal_segment_header(b);
                 })});
  all.push_back({"huge-record-length", on_segment(1, [](std::string& b) {
                   put<std::uint32_t>(b, kHeader + 4, 0xfffffff0u);
                   reseal_record_header(b, kHeader);
                 })});
  all.push_back({"huge-record-length-last", on_segment(-1, [](std::string& b) {
                   put<std::uint32_t>(b, kHeader + 4, 0x7fffffffu);
                   reseal_record_header(b, kHeader);
                 })});
  all.push_back({"huge-batch-count", on_segment(0, [](std::string& b) {
                   // The first record turned into a batch claiming 2^31 entries.
                   put<std::uint32_t>(b, kHeader + 24, 0x80000000u);
                   b[kHeader + 28] = static_cast<char>(format::RecordType::kBatch);
                   reseal_record_header(b, kHeader);
                 })});
  all.push_back({"huge-capacity", on_segment(-1, [](std::string& b) {
                   put<std::uint64_t>(b, 32, std::uint64_t{1} << 62);
                   reseal_segment_header(b);
                 })});
  all.push_back({"duplicated-segment", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   // The middle segment again, under a name after the last one.
                   wal::Lsn last = wal::kNoLsn;
                   wal::recovery::parse_segment_name(base.segments.back(), &last);
                   stdfs::copy_file(path + "/" + base.segments[1],
                                    path + "/" + wal::recovery::segment_name(last + 1000));
                   return true;
                 }});
  all.push_back({"duplicated-segment-renamed", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   // The first segment's bytes under the middle segment's name.
                   stdfs::copy_file(path + "/" + base.segments[0], path + "/" + base.segments[1],
                                    stdfs::copy_options::overwrite_existing);
                   return true;
                 }});
  for (const auto& [what, index] : std::vector<std::pair<std::string, int>>{{"first", 0}, {"middle", 1}, {"last", -1}}) {
    all.push_back({"missing-segment-" + what, [index](const BaseLogs& base, const std::string& path, std::string*) {
                     copy_dir(base.dir, path);
                     const auto n = static_cast<int>(base.segments.size());
                     stdfs::remove(path + "/" + base.segments[static_cast<std::size_t>(index < 0 ? n + index : index)]);
                     return true;
                   }});
  }
  all.push_back({"foreign-segment", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   // The other log's segment with the same name replaces ours (same LSNs, other salt).
                   const std::vector<std::string> theirs = segment_names(base.other);
                   for (const std::string& name : theirs) {
                     if (name == base.segments[1]) {
                       stdfs::copy_file(base.other + "/" + name, path + "/" + name,
                                        stdfs::copy_options::overwrite_existing);
                       return true;
                     }
                   }
                   stdfs::copy_file(base.other + "/" + theirs[1], path + "/" + theirs[1],
                                    stdfs::copy_options::overwrite_existing);
                   return true;
                 }});
  all.push_back({"foreign-log-appended", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   // Every segment of the other log, renamed to follow ours.
                   wal::Lsn next = wal::kNoLsn;
                   wal::recovery::parse_segment_name(base.segments.back(), &next);
                   next += 500;
                   for (const std::string& name : segment_names(base.other)) {
                     stdfs::copy_file(base.other + "/" + name, path + "/" + wal::recovery::segment_name(next++));
                   }
                   return true;
                 }});
  all.push_back({"damaged-front-marker", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   write_file(path + "/FRONT", std::string(16, '\x7f'));
                   return true;
                 }});
  // Both: a repair that refuses the corruption must not have moved FRONT aside either.
  all.push_back({"damaged-front-and-corrupt-middle", [](const BaseLogs& base, const std::string& path, std::string* skip) {
                   on_segment(1, [](std::string& b) { b[kHeader + kRecordHeader + 2] ^= 0x20; })(base, path, skip);
                   write_file(path + "/FRONT", std::string(16, '\x7f'));
                   return true;
                 }});
  all.push_back({"temp-files", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   write_file(path + "/" + base.segments.back() + ".tmp", std::string(100, 'z'));
                   write_file(path + "/FRONT.tmp", "garbage");
                   return true;
                 }, true, false});
  all.push_back({"directory-is-a-file", [](const BaseLogs&, const std::string& path, std::string*) {
                   write_file(path, "not a directory\n");
                   return true;
                 }, false, true});
  all.push_back({"directory-missing", [](const BaseLogs&, const std::string&, std::string*) {
                   return true;
                 }, false, true});
  // Directories that hold no log: walctl says so (7) rather than "clean", and append will not
  // start a log among unrelated files. The library opens them as an empty log.
  all.push_back({"empty-directory", [](const BaseLogs&, const std::string& path, std::string*) {
                   stdfs::create_directories(path);
                   return true;
                 }, true, false, true});
  all.push_back({"unrelated-files", [](const BaseLogs&, const std::string& path, std::string*) {
                   stdfs::create_directories(path + "/subdir");
                   write_file(path + "/notes.txt", "not a log\n");
                   write_file(path + "/00000000000000000001.wal.bak", std::string(64, 'w'));
                   return true;
                 }, false, false, true});
  all.push_back({"lock-and-temp-files-only", [](const BaseLogs&, const std::string& path, std::string*) {
                   stdfs::create_directories(path);
                   write_file(path + "/LOCK", "");
                   write_file(path + "/00000000000000000001.wal.tmp", std::string(64, 't'));
                   write_file(path + "/FRONT.tmp", "garbage");
                   return true;
                 }, false, false, true});
  all.push_back({"segment-is-a-directory", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   stdfs::remove(path + "/" + base.segments[1]);
                   stdfs::create_directory(path + "/" + base.segments[1]);
                   return true;
                 }});
  // Damage every checksum passes: only the LSNs, types and counts tell.
  all.push_back({"retyped-padding-first", on_segment(0, [](std::string& b) {
                   rewrite_record(b, nth_record(b, 2), [](format::RecordMeta& m) {
                     m.type = format::RecordType::kPadding;
                     m.count = 0;
                   });
                 })});
  all.push_back({"retyped-padding-last-record", on_segment(-1, [](std::string& b) {
                   std::size_t last = format::kSegmentHeaderBytes;
                   while (next_record(b, last) < data_end(b)) last = next_record(b, last);
                   rewrite_record(b, last, [](format::RecordMeta& m) {
                     m.type = format::RecordType::kPadding;
                     m.count = 0;
                   });
                 })});
  // One record cut out of the middle of a segment, the rest moved up: the LSNs skip ahead.
  all.push_back({"lsn-skips-ahead-first", on_segment(0, [](std::string& b) {
                   const std::size_t at = nth_record(b, 3);
                   const std::size_t length = next_record(b, at) - at;
                   b.erase(at, length);
                   b.append(length, '\0');
                 })});
  all.push_back({"zeroed-record-header-first", on_segment(0, [](std::string& b) {
                   std::memset(b.data() + nth_record(b, 2), 0, kRecordHeader);
                 })});
  all.push_back({"segment-named-one-below", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   wal::Lsn lsn = wal::kNoLsn;
                   wal::recovery::parse_segment_name(base.segments[1], &lsn);
                   stdfs::rename(path + "/" + base.segments[1],
                                 path + "/" + wal::recovery::segment_name(lsn - 1));
                   return true;
                 }});
  // Not regular files where the log's files are: opening one for reading must not block.
  all.push_back({"fifo-front", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   return ::mkfifo((path + "/FRONT").c_str(), 0644) == 0;
                 }});
  all.push_back({"fifo-segment", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   wal::Lsn last = wal::kNoLsn;
                   wal::recovery::parse_segment_name(base.segments.back(), &last);
                   const std::string fifo = path + "/" + wal::recovery::segment_name(last + 1000);
                   return ::mkfifo(fifo.c_str(), 0644) == 0;
                 }});
  // Large capacity, few records: recovery must cost what the data costs, not the capacity.
  all.push_back({"sparse-10gib-last-segment", [](const BaseLogs& base, const std::string& path, std::string*) {
                   copy_dir(base.dir, path);
                   stdfs::resize_file(path + "/" + base.segments.back(), 10ull << 30);
                   return true;
                 }});
  all.push_back({"capacity-10gib-header", on_segment(-1, [](std::string& b) {
                   put<std::uint64_t>(b, 32, 10ull << 30);
                   reseal_segment_header(b);
                 })});
  // Entries of the log that cannot be read as files at all: FORMAT.md says point-in-time cuts
  // at an unreadable entry, so repair moves it aside (renamed, never deleted).
  auto replace_entry = [](std::string name_of, std::function<void(const std::string&)> make) -> Make {
    return [name_of, make](const BaseLogs& base, const std::string& path, std::string*) {
      copy_dir(base.dir, path);
      std::string name = name_of;
      if (name == "middle") name = base.segments[1];
      if (name == "last") name = base.segments.back();
      const std::string target = path + "/" + name;
      stdfs::remove(target);
      make(target);
      return true;
    };
  };
  auto as_directory = [](const std::string& target) {
    stdfs::create_directory(target);
    write_file(target + "/inside", "a file in the directory");
  };
  auto as_symlink_loop = [](const std::string& target) {
    stdfs::create_symlink(stdfs::path(target).filename(), target);
  };
  all.push_back({"last-segment-is-a-directory", replace_entry("last", as_directory)});
  all.push_back({"segment-is-a-symlink-loop", replace_entry("middle", as_symlink_loop)});
  all.push_back({"front-is-a-directory", replace_entry("FRONT", as_directory)});
  all.push_back({"front-is-a-symlink-loop", replace_entry("FRONT", as_symlink_loop)});
  all.push_back({"front-no-permission", [](const BaseLogs& base, const std::string& path, std::string* skip) {
                   if (::geteuid() == 0) {
                     *skip = "running as root: file permissions do not deny root (see "
                             "front-is-a-directory for an unreadable FRONT)";
                     return false;
                   }
                   copy_dir(base.dir, path);
                   write_file(path + "/FRONT", std::string(16, '\x7f'));
                   stdfs::permissions(path + "/FRONT", stdfs::perms::none);
                   return true;
                 }});
  all.push_back({"no-permission", [](const BaseLogs& base, const std::string& path, std::string* skip) {
                   if (::geteuid() == 0) {
                     *skip = "running as root: file permissions do not deny root (see "
                             "segment-is-a-directory for an unreadable segment)";
                     return false;
                   }
                   copy_dir(base.dir, path);
                   stdfs::permissions(path + "/" + base.segments[1], stdfs::perms::none);
                   return true;
                 }});
  return all;
}

}  // namespace hostile
