// SQLite's lock protocol as the unix VFS implements it between the connections of one process
// (os_unix.c, unixLock/unixUnlock and unixShmLock), in memory.
#include "adapters/sqlite/process_locks.h"

#include <sqlite3.h>

#include <algorithm>

namespace sqlite_adapter {
namespace {

// The highest level any holder other than `self` has.
LockLevel others_max(const std::map<const void*, LockLevel>& holders, const void* self) {
  LockLevel max = LockLevel::kNone;
  for (const auto& [holder, level] : holders) {
    if (holder != self) max = std::max(max, level);
  }
  return max;
}

}  // namespace

LockLevel ProcessLocks::level(const std::string& path, const void* holder) const {
  const auto file = files_.find(path);
  if (file == files_.end()) return LockLevel::kNone;
  const auto it = file->second.holders.find(holder);
  return it == file->second.holders.end() ? LockLevel::kNone : it->second;
}

bool ProcessLocks::reserved(const std::string& path) const {
  const auto file = files_.find(path);
  if (file == files_.end()) return false;
  return std::any_of(file->second.holders.begin(), file->second.holders.end(),
                     [](const auto& entry) { return entry.second >= LockLevel::kReserved; });
}

int ProcessLocks::lock(const std::string& path, const void* holder, LockLevel want) {
  auto& holders = files_[path].holders;
  const LockLevel current = level(path, holder);
  if (current >= want) return SQLITE_OK;
  const LockLevel others = others_max(holders, holder);
  switch (want) {
    case LockLevel::kShared:
      // A writer going for EXCLUSIVE holds PENDING: no new reader gets in ahead of it.
      if (others >= LockLevel::kPending) return SQLITE_BUSY;
      holders[holder] = LockLevel::kShared;
      return SQLITE_OK;
    case LockLevel::kReserved:
      if (others >= LockLevel::kReserved) return SQLITE_BUSY;
      holders[holder] = LockLevel::kReserved;
      return SQLITE_OK;
    case LockLevel::kExclusive:
      if (others >= LockLevel::kReserved) return SQLITE_BUSY;
      holders[holder] = LockLevel::kPending;
      // Readers still in: the writer waits at PENDING (SQLite retries through its busy handler).
      if (others >= LockLevel::kShared) return SQLITE_BUSY;
      holders[holder] = LockLevel::kExclusive;
      return SQLITE_OK;
    case LockLevel::kNone:
    case LockLevel::kPending: break;  // SQLite never asks for these (sqlite3.h, xLock)
  }
  return SQLITE_MISUSE;
}

int ProcessLocks::unlock(const std::string& path, const void* holder, LockLevel want) {
  auto file = files_.find(path);
  if (file == files_.end()) return SQLITE_OK;
  auto it = file->second.holders.find(holder);
  if (it == file->second.holders.end()) return SQLITE_OK;
  if (want == LockLevel::kNone) {
    file->second.holders.erase(it);
    if (file->second.holders.empty()) files_.erase(file);
  } else if (it->second > want) {
    it->second = want;
  }
  return SQLITE_OK;
}

void* ProcessLocks::shm_map(const std::string& path, const void* holder, int index, int bytes,
                            bool extend) {
  if (index < 0 || bytes <= 0) return nullptr;
  Shm& shm = shm_[path];
  shm.mapped[holder] = 1;
  const auto wanted = static_cast<std::size_t>(index);
  if (wanted >= shm.regions.size()) {
    if (!extend) return nullptr;
    shm.region_bytes = bytes;
    while (shm.regions.size() <= wanted) {
      shm.regions.push_back(std::make_unique<std::byte[]>(static_cast<std::size_t>(bytes)));
    }
  }
  return shm.regions[wanted].get();
}

int ProcessLocks::shm_lock(const std::string& path, const void* holder, int offset, int n,
                           int flags) {
  if (offset < 0 || n < 1 || offset + n > SQLITE_SHM_NLOCK) return SQLITE_MISUSE;
  Shm& shm = shm_[path];
  const auto mask = static_cast<std::uint8_t>((1u << (offset + n)) - (1u << offset));
  if (flags & SQLITE_SHM_UNLOCK) {
    shm.shared[holder] &= static_cast<std::uint8_t>(~mask);
    shm.exclusive[holder] &= static_cast<std::uint8_t>(~mask);
    return SQLITE_OK;
  }
  std::uint8_t others_shared = 0;
  std::uint8_t others_exclusive = 0;
  for (const auto& [other, bits] : shm.shared) {
    if (other != holder) others_shared |= bits;
  }
  for (const auto& [other, bits] : shm.exclusive) {
    if (other != holder) others_exclusive |= bits;
  }
  if (flags & SQLITE_SHM_SHARED) {
    if (others_exclusive & mask) return SQLITE_BUSY;
    shm.shared[holder] |= mask;
    return SQLITE_OK;
  }
  if ((others_shared | others_exclusive) & mask) return SQLITE_BUSY;
  shm.exclusive[holder] |= mask;
  return SQLITE_OK;
}

void ProcessLocks::shm_unmap(const std::string& path, const void* holder, bool erase) {
  auto it = shm_.find(path);
  if (it == shm_.end()) return;
  Shm& shm = it->second;
  shm.mapped.erase(holder);
  shm.shared.erase(holder);
  shm.exclusive.erase(holder);
  if (shm.mapped.empty() && erase) shm_.erase(it);
}

}  // namespace sqlite_adapter
