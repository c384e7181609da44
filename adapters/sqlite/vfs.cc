// The sqlite3_vfs callbacks of vfs.h. SQLite calls them through C function pointers with the
// sqlite3_file memory it allocated (szOsFile bytes), so each open file is a VfsFile built in
// place there and destroyed in xClose.
#include "adapters/sqlite/vfs.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

namespace sqlite_adapter {
namespace {

// The Julian day number of 2026-01-01 00:00 UTC in milliseconds: virtual time 0.
constexpr sqlite3_int64 kEpochJulianMs = 212'633'985'600'000;  // 2461041.5 days

struct VfsFile {
  sqlite3_file base;  // first: SQLite sees a VfsFile* as a sqlite3_file*
  Vfs* vfs = nullptr;
  std::string path;
  std::unique_ptr<wal::File> file;  // null for a file kept in memory
  std::vector<std::byte> memory;    // the bytes of a nameless or delete-on-close file
  bool dirsync_pending = false;     // the unix VFS's UNIXFILE_DIRSYNC
  LockLevel memory_lock = LockLevel::kNone;
  bool shm_mapped = false;
};

Vfs& vfs_of(sqlite3_vfs* raw) { return *static_cast<Vfs*>(raw->pAppData); }
VfsFile& file_of(sqlite3_file* raw) { return *reinterpret_cast<VfsFile*>(raw); }

// A failed call of the Fs below, as SQLite's error code; counted, so a caller can tell an I/O
// error SQLite was given from a problem in what it read.
int io_error(Vfs& vfs, const wal::Status& status, int otherwise) {
  ++vfs.mutable_counters().failed_calls;
  return status.code() == wal::Code::kNoSpace ? SQLITE_FULL : otherwise;
}

// ---- sqlite3_io_methods ----

int x_close(sqlite3_file* raw) {
  VfsFile& f = file_of(raw);
  int rc = SQLITE_OK;
  if (f.shm_mapped) f.vfs->locks().shm_unmap(f.path, &f, false);
  if (f.file) {
    static_cast<void>(f.vfs->locks().unlock(f.path, &f, LockLevel::kNone));
    if (const wal::Status closed = f.file->close(); !closed.is_ok()) {
      rc = io_error(*f.vfs, closed, SQLITE_IOERR_CLOSE);
    }
  }
  f.~VfsFile();
  return rc;
}

int x_read(sqlite3_file* raw, void* out, int amount, sqlite3_int64 offset) {
  VfsFile& f = file_of(raw);
  VfsCounters& counters = f.vfs->mutable_counters();
  ++counters.reads;
  auto* bytes = static_cast<std::byte*>(out);
  const auto want = static_cast<std::size_t>(amount);
  const auto at = static_cast<std::uint64_t>(offset);
  std::size_t have = 0;
  if (!f.file) {
    if (at < f.memory.size()) {
      have = std::min<std::size_t>(want, f.memory.size() - static_cast<std::size_t>(at));
      std::memcpy(bytes, f.memory.data() + at, have);
    }
  } else {
    while (have < want) {
      wal::Result<std::size_t> got =
          f.file->read_at(at + have, std::span(bytes + have, want - have));
      if (!got) return io_error(*f.vfs, got.error(), SQLITE_IOERR_READ);
      if (*got == 0) break;
      have += *got;
    }
  }
  if (have == want) return SQLITE_OK;
  // SQLite relies on the zero fill: a database file's missing tail reads as zeros.
  std::memset(bytes + have, 0, want - have);
  ++counters.short_reads;
  return SQLITE_IOERR_SHORT_READ;
}

int x_write(sqlite3_file* raw, const void* data, int amount, sqlite3_int64 offset) {
  VfsFile& f = file_of(raw);
  ++f.vfs->mutable_counters().writes;
  const auto* bytes = static_cast<const std::byte*>(data);
  const auto at = static_cast<std::size_t>(offset);
  const auto size = static_cast<std::size_t>(amount);
  if (!f.file) {
    if (f.memory.size() < at + size) f.memory.resize(at + size);
    std::memcpy(f.memory.data() + at, bytes, size);
    return SQLITE_OK;
  }
  const wal::Status status = f.file->write_at(at, std::span(bytes, size));
  return status.is_ok() ? SQLITE_OK : io_error(*f.vfs, status, SQLITE_IOERR_WRITE);
}

int x_truncate(sqlite3_file* raw, sqlite3_int64 size) {
  VfsFile& f = file_of(raw);
  if (!f.file) {
    f.memory.resize(static_cast<std::size_t>(size));
    return SQLITE_OK;
  }
  const wal::Status status = f.file->truncate(static_cast<std::uint64_t>(size));
  return status.is_ok() ? SQLITE_OK : io_error(*f.vfs, status, SQLITE_IOERR_TRUNCATE);
}

int x_sync(sqlite3_file* raw, int flags) {
  VfsFile& f = file_of(raw);
  if (!f.file) return SQLITE_OK;
  VfsCounters& counters = f.vfs->mutable_counters();
  ++counters.syncs;
  const bool data_only = (flags & SQLITE_SYNC_DATAONLY) != 0;
  if (data_only) ++counters.data_only_syncs;
  const wal::Status status = data_only ? f.file->sync_data() : f.file->sync();
  if (!status.is_ok()) return io_error(*f.vfs, status, SQLITE_IOERR_FSYNC);
  if (f.dirsync_pending) {
    // os_unix.c ignores a failed directory fsync here (ticket #1657), and does it once.
    ++counters.dir_syncs;
    static_cast<void>(f.vfs->config().fs->sync_dir(wal::parent_path(f.path)));
    f.dirsync_pending = false;
  }
  return SQLITE_OK;
}

int x_file_size(sqlite3_file* raw, sqlite3_int64* size) {
  VfsFile& f = file_of(raw);
  if (!f.file) {
    *size = static_cast<sqlite3_int64>(f.memory.size());
    return SQLITE_OK;
  }
  wal::Result<std::uint64_t> got = f.file->size();
  if (!got) return io_error(*f.vfs, got.error(), SQLITE_IOERR_FSTAT);
  *size = static_cast<sqlite3_int64>(*got);
  return SQLITE_OK;
}

int x_lock(sqlite3_file* raw, int level) {
  VfsFile& f = file_of(raw);
  if (!f.file) {
    f.memory_lock = std::max(f.memory_lock, static_cast<LockLevel>(level));
    return SQLITE_OK;
  }
  return f.vfs->locks().lock(f.path, &f, static_cast<LockLevel>(level));
}

int x_unlock(sqlite3_file* raw, int level) {
  VfsFile& f = file_of(raw);
  if (!f.file) {
    f.memory_lock = std::min(f.memory_lock, static_cast<LockLevel>(level));
    return SQLITE_OK;
  }
  return f.vfs->locks().unlock(f.path, &f, static_cast<LockLevel>(level));
}

int x_check_reserved_lock(sqlite3_file* raw, int* out) {
  VfsFile& f = file_of(raw);
  *out = f.file && f.vfs->locks().reserved(f.path) ? 1 : 0;
  return SQLITE_OK;
}

int x_file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }

int x_sector_size(sqlite3_file* raw) { return file_of(raw).vfs->config().sector_bytes; }

int x_device_characteristics(sqlite3_file* raw) {
  return file_of(raw).vfs->config().device_characteristics;
}

int x_shm_map(sqlite3_file* raw, int region, int bytes, int extend, void volatile** out) {
  VfsFile& f = file_of(raw);
  f.shm_mapped = true;
  *out = f.vfs->locks().shm_map(f.path, &f, region, bytes, extend != 0);
  return SQLITE_OK;
}

int x_shm_lock(sqlite3_file* raw, int offset, int n, int flags) {
  VfsFile& f = file_of(raw);
  return f.vfs->locks().shm_lock(f.path, &f, offset, n, flags);
}

void x_shm_barrier(sqlite3_file*) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

int x_shm_unmap(sqlite3_file* raw, int erase) {
  VfsFile& f = file_of(raw);
  f.vfs->locks().shm_unmap(f.path, &f, erase != 0);
  f.shm_mapped = false;
  return SQLITE_OK;
}

// No memory mapping (SQLite's mmap_size stays 0 and it reads through xRead).
int x_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
int x_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods kIoMethods = {
    3,           x_close,     x_read,      x_write,       x_truncate,
    x_sync,      x_file_size, x_lock,      x_unlock,      x_check_reserved_lock,
    x_file_control, x_sector_size, x_device_characteristics, x_shm_map, x_shm_lock,
    x_shm_barrier, x_shm_unmap, x_fetch,    x_unfetch,
};

// ---- sqlite3_vfs ----

int x_open(sqlite3_vfs* raw_vfs, const char* name, sqlite3_file* raw, int flags, int* out_flags) {
  Vfs& vfs = vfs_of(raw_vfs);
  raw->pMethods = nullptr;  // SQLite calls xClose only on a file whose methods are set
  auto* f = new (raw) VfsFile{};
  f->vfs = &vfs;
  const int type = flags & 0x0FFF00;  // the SQLITE_OPEN_* file-type bits
  if (name == nullptr || (flags & SQLITE_OPEN_DELETEONCLOSE) != 0) {
    f->path = name ? name : "";
  } else {
    f->path = name;
    wal::OpenMode mode = wal::OpenMode::kReadWrite;
    if (flags & SQLITE_OPEN_READONLY) mode = wal::OpenMode::kReadOnly;
    if (flags & SQLITE_OPEN_CREATE) mode = wal::OpenMode::kCreate;
    if ((flags & SQLITE_OPEN_CREATE) && (flags & SQLITE_OPEN_EXCLUSIVE)) {
      mode = wal::OpenMode::kCreateExclusive;
    }
    if (vfs.config().fs == nullptr) {  // an in-memory VFS has no files
      f->~VfsFile();
      return SQLITE_CANTOPEN;
    }
    wal::Result<std::unique_ptr<wal::File>> opened = vfs.config().fs->open(f->path, mode);
    if (!opened) {
      if (opened.error().code() != wal::Code::kNotFound) ++vfs.mutable_counters().failed_calls;
      f->~VfsFile();
      return SQLITE_CANTOPEN;
    }
    f->file = std::move(opened).value();
    f->dirsync_pending = (flags & SQLITE_OPEN_CREATE) != 0 &&
                         (type == SQLITE_OPEN_MAIN_JOURNAL || type == SQLITE_OPEN_SUPER_JOURNAL ||
                          type == SQLITE_OPEN_WAL);
  }
  if (out_flags) *out_flags = flags;
  raw->pMethods = &kIoMethods;
  return SQLITE_OK;
}

int x_delete(sqlite3_vfs* raw_vfs, const char* name, int sync_dir) {
  Vfs& vfs = vfs_of(raw_vfs);
  ++vfs.mutable_counters().deletes;
  const std::string path = name;
  if (vfs.config().fs == nullptr) return SQLITE_IOERR_DELETE_NOENT;
  const wal::Status status = vfs.config().fs->unlink(path);
  if (!status.is_ok()) {
    if (status.code() == wal::Code::kNotFound) return SQLITE_IOERR_DELETE_NOENT;  // asked for
    return io_error(vfs, status, SQLITE_IOERR_DELETE);
  }
  if (sync_dir & 1) {
    ++vfs.mutable_counters().dir_syncs;
    if (const wal::Status synced = vfs.config().fs->sync_dir(wal::parent_path(path)); !synced.is_ok()) {
      return io_error(vfs, synced, SQLITE_IOERR_DIR_FSYNC);
    }
  }
  return SQLITE_OK;
}

int x_access(sqlite3_vfs* raw_vfs, const char* name, int flags, int* out) {
  wal::Fs* fs = vfs_of(raw_vfs).config().fs;
  if (fs == nullptr) {
    *out = 0;
    return SQLITE_OK;
  }
  wal::Result<wal::FileStat> stat = fs->stat(name);
  if (!stat) {
    *out = 0;
  } else if (flags == SQLITE_ACCESS_EXISTS) {
    // unixAccess: an empty regular file does not count (a journal truncated to nothing).
    *out = stat->is_directory || stat->size_bytes > 0 ? 1 : 0;
  } else {
    *out = 1;  // no permissions in the seam: what exists is readable and writable
  }
  return SQLITE_OK;
}

int x_full_pathname(sqlite3_vfs* raw_vfs, const char* name, int size, char* out) {
  const std::size_t length = std::strlen(name);
  if (length + 1 > static_cast<std::size_t>(std::min(size, raw_vfs->mxPathname))) {
    return SQLITE_CANTOPEN;
  }
  std::memcpy(out, name, length + 1);
  return SQLITE_OK;
}

void* x_dl_open(sqlite3_vfs*, const char*) { return nullptr; }
void x_dl_error(sqlite3_vfs*, int size, char* out) {
  if (size > 0) std::snprintf(out, static_cast<std::size_t>(size), "no extensions");
}
void (*x_dl_sym(sqlite3_vfs*, void*, const char*))(void) { return nullptr; }
void x_dl_close(sqlite3_vfs*, void*) {}

int x_randomness(sqlite3_vfs* raw_vfs, int size, char* out) {
  Vfs& vfs = vfs_of(raw_vfs);
  for (int i = 0; i < size; ++i) out[i] = static_cast<char>(vfs.next_random() & 0xff);
  return size;
}

int x_sleep(sqlite3_vfs*, int micros) { return micros; }

int x_current_time_int64(sqlite3_vfs* raw_vfs, sqlite3_int64* out) {
  wal::Clock* clock = vfs_of(raw_vfs).config().clock;
  const std::uint64_t now_ms = clock ? clock->now_us() / 1000 : 0;
  *out = kEpochJulianMs + static_cast<sqlite3_int64>(now_ms);
  return SQLITE_OK;
}

int x_current_time(sqlite3_vfs* raw_vfs, double* out) {
  sqlite3_int64 ms = 0;
  x_current_time_int64(raw_vfs, &ms);
  *out = static_cast<double>(ms) / 86'400'000.0;
  return SQLITE_OK;
}

int x_get_last_error(sqlite3_vfs*, int, char*) { return 0; }

}  // namespace

Vfs::Vfs(std::string name, VfsConfig config)
    : name_(std::move(name)), config_(config), random_state_(config.random_seed) {
  vfs_.iVersion = 2;
  vfs_.szOsFile = static_cast<int>(sizeof(VfsFile));
  vfs_.mxPathname = 1024;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = this;
  vfs_.xOpen = x_open;
  vfs_.xDelete = x_delete;
  vfs_.xAccess = x_access;
  vfs_.xFullPathname = x_full_pathname;
  vfs_.xDlOpen = x_dl_open;
  vfs_.xDlError = x_dl_error;
  vfs_.xDlSym = x_dl_sym;
  vfs_.xDlClose = x_dl_close;
  vfs_.xRandomness = x_randomness;
  vfs_.xSleep = x_sleep;
  vfs_.xCurrentTime = x_current_time;
  vfs_.xGetLastError = x_get_last_error;
  vfs_.xCurrentTimeInt64 = x_current_time_int64;
}

wal::Result<std::unique_ptr<Vfs>> Vfs::make(std::string name, VfsConfig config) {
  if (sqlite3_vfs_find(name.c_str()) != nullptr) {
    return wal::Status::invalid_argument("sqlite VFS: the name " + name + " is taken");
  }
  std::unique_ptr<Vfs> vfs(new Vfs(std::move(name), config));
  if (sqlite3_vfs_register(&vfs->vfs_, 0) != SQLITE_OK) {
    return wal::Status::io_error("sqlite VFS: sqlite3_vfs_register failed");
  }
  return vfs;
}

Vfs::~Vfs() { sqlite3_vfs_unregister(&vfs_); }

// splitmix64: a stream fixed by the seed, the same on every machine.
std::uint64_t Vfs::next_random() {
  std::uint64_t z = (random_state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace sqlite_adapter
