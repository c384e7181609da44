// Reading a stopped tracee's memory: the paths and the bytes its system calls name. The tracee
// is stopped at a syscall stop while the recorder reads, so a successful write's buffer still
// holds what the kernel took from it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace systrace {

// `length` bytes at `addr`; nullopt when any of them cannot be read.
std::optional<std::string> read_bytes(pid_t tid, std::uint64_t addr, std::size_t length);
// The NUL-terminated string at `addr` (without the NUL), at most `max` bytes.
std::optional<std::string> read_string(pid_t tid, std::uint64_t addr, std::size_t max = 1 << 16);
// The first `length` bytes a writev-like call took from its `count` iovecs at `iov_addr`.
std::optional<std::string> read_iov_bytes(pid_t tid, std::uint64_t iov_addr, std::uint64_t count,
                                          std::size_t length);

}  // namespace systrace
