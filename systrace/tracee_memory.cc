#include "systrace/tracee_memory.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace systrace {
namespace {

constexpr std::uint64_t kPageBytes = 4096;
// writev's own limit (IOV_MAX): a larger count fails in the kernel before writing anything.
constexpr std::uint64_t kMaxIovecs = 1024;

// One process_vm_readv of remote ranges into `out`, retried for the part a partial read left.
bool read_into(pid_t tid, char* out, std::size_t length, const iovec* remote, std::size_t count) {
  std::vector<iovec> pending(remote, remote + count);
  std::size_t done = 0;
  std::size_t first = 0;
  while (done < length) {
    iovec local{out + done, length - done};
    const ssize_t n = ::process_vm_readv(tid, &local, 1, pending.data() + first,
                                         pending.size() - first, 0);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
    // Skip the remote ranges the read consumed, shortening the one it stopped inside.
    for (std::size_t left = static_cast<std::size_t>(n); left > 0 && first < pending.size();) {
      iovec& range = pending[first];
      const std::size_t used = std::min(left, range.iov_len);
      range.iov_base = static_cast<char*>(range.iov_base) + used;
      range.iov_len -= used;
      left -= used;
      if (range.iov_len == 0) ++first;
    }
    while (first < pending.size() && pending[first].iov_len == 0) ++first;
  }
  return true;
}

}  // namespace

std::optional<std::string> read_bytes(pid_t tid, std::uint64_t addr, std::size_t length) {
  std::string out(length, '\0');
  if (length == 0) return out;
  const iovec remote{reinterpret_cast<void*>(addr), length};
  if (!read_into(tid, out.data(), length, &remote, 1)) return std::nullopt;
  return out;
}

std::optional<std::string> read_string(pid_t tid, std::uint64_t addr, std::size_t max) {
  std::string out;
  // A page at a time: the string may end just before an unmapped page.
  while (out.size() < max) {
    const std::size_t chunk = std::min<std::size_t>(kPageBytes - addr % kPageBytes,
                                                    max - out.size());
    const std::optional<std::string> part = read_bytes(tid, addr, chunk);
    if (!part) return std::nullopt;
    const std::size_t nul = part->find('\0');
    if (nul != std::string::npos) return out + part->substr(0, nul);
    out += *part;
    addr += chunk;
  }
  return std::nullopt;
}

std::optional<std::string> read_iov_bytes(pid_t tid, std::uint64_t iov_addr, std::uint64_t count,
                                          std::size_t length) {
  if (length == 0) return std::string();
  if (count > kMaxIovecs) return std::nullopt;
  const std::optional<std::string> raw = read_bytes(tid, iov_addr, count * sizeof(iovec));
  if (!raw) return std::nullopt;
  std::vector<iovec> remote(count);
  std::copy(raw->begin(), raw->end(), reinterpret_cast<char*>(remote.data()));
  // Only the ranges covering the `length` bytes the call took.
  std::size_t left = length;
  std::size_t used = 0;
  while (used < remote.size() && left > 0) {
    remote[used].iov_len = std::min(remote[used].iov_len, left);
    left -= remote[used].iov_len;
    ++used;
  }
  if (left > 0) return std::nullopt;
  std::string out(length, '\0');
  if (!read_into(tid, out.data(), length, remote.data(), used)) return std::nullopt;
  return out;
}

}  // namespace systrace
