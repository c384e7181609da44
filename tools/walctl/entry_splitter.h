// Splits walctl append's stdin into entries: lines (without '\n') or u32-LE-length frames.
#pragma once

#include <fmt/format.h>
#include <wal/status.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace walctl {

// Splits stdin into entries: lines (without '\n') or u32-LE-length frames.
class EntrySplitter {
 public:
  EntrySplitter(bool framed, std::uint32_t max_entry_bytes)
      : framed_(framed), max_entry_bytes_(max_entry_bytes) {}

  // Appends `data` and calls emit(span) for every complete entry now available.
  template <typename Emit>
  wal::Status feed(std::string_view data, Emit&& emit) {
    pending_.append(data);
    std::size_t pos = 0;
    while (pos < pending_.size()) {
      std::size_t begin = 0;
      std::size_t length = 0;
      if (framed_) {
        if (pending_.size() - pos < 4) break;
        std::uint32_t frame = 0;
        for (int i = 3; i >= 0; --i) {
          frame = (frame << 8) | static_cast<unsigned char>(pending_[pos + static_cast<std::size_t>(i)]);
        }
        // Refuse an impossible length at once rather than buffering stdin waiting for it.
        if (frame > max_entry_bytes_) {
          return wal::Status::invalid_argument(
              fmt::format("stdin frame at byte {} claims {} bytes, more than the {} an entry "
                          "may hold", offset_ + pos, frame, max_entry_bytes_));
        }
        if (pending_.size() - pos - 4 < frame) break;
        begin = pos + 4;
        length = frame;
        pos = begin + length;
      } else {
        const std::size_t newline = pending_.find('\n', pos);
        if (newline == std::string::npos) break;
        begin = pos;
        length = newline - pos;
        pos = newline + 1;
      }
      WAL_RETURN_IF_ERROR(emit(std::as_bytes(std::span(pending_.data() + begin, length))));
    }
    offset_ += pos;
    pending_.erase(0, pos);
    return wal::Status::ok();
  }

  // At end of input: a last line without '\n' is an entry; a partial frame is an error.
  template <typename Emit>
  wal::Status finish(Emit&& emit) {
    if (pending_.empty()) return wal::Status::ok();
    if (framed_) {
      return wal::Status::invalid_argument(fmt::format(
          "stdin ends inside a frame at byte {} ({} bytes left over)", offset_, pending_.size()));
    }
    WAL_RETURN_IF_ERROR(emit(std::as_bytes(std::span(pending_.data(), pending_.size()))));
    pending_.clear();
    return wal::Status::ok();
  }

 private:
  bool framed_;
  std::uint32_t max_entry_bytes_;
  std::string pending_;
  std::uint64_t offset_ = 0;  // stdin bytes before pending_
};

}  // namespace walctl
