// A File over one POSIX file descriptor (see fs.h for the contract and posix_fault.h for the
// fault points every operation carries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <wal/fs.h>

namespace wal::posix {

class PosixFile final : public File {
 public:
  // Takes ownership of `fd`.
  PosixFile(int fd, std::string path, bool read_only);
  ~PosixFile() override;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override;
  Status write_at(std::uint64_t offset, std::span<const std::byte> data) override;
  Status sync_data() override;
  Status sync() override;
  Status start_writeback(std::uint64_t offset, std::uint64_t length) override;
  Status truncate(std::uint64_t size_bytes) override;
  Status allocate(std::uint64_t offset, std::uint64_t length) override;
  Result<std::uint64_t> size() override;
  Result<std::uint64_t> next_data(std::uint64_t offset) override;
  Status close() override;

 private:
  Status write_all(std::uint64_t offset, std::span<const std::byte> data);
  Status refuse_if_read_only(std::string_view op) const;

  int fd_;
  std::string path_;
  bool read_only_;
};

}  // namespace wal::posix
