// The info LOG of logger.h.
#include "adapters/rocksdb/logger.h"

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace rocksdb_adapter {
namespace {

class FsLogger final : public rocksdb::Logger {
 public:
  FsLogger(std::unique_ptr<rocksdb::FSWritableFile> file, wal::Clock& clock, std::string hides)
      : file_(std::move(file)), clock_(clock), hides_(std::move(hides)) {}

  ~FsLogger() override {
    if (!closed_) static_cast<void>(FsLogger::CloseImpl());
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, std::va_list arguments) override {
    if (!file_) return;
    const std::uint64_t now_us = clock_.now_us();
    const auto seconds = static_cast<std::time_t>(now_us / 1'000'000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char header[64];
    const int header_bytes =
        std::snprintf(header, sizeof(header), "%04d/%02d/%02d-%02d:%02d:%02d.%06d sim ",
                      parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                      parts.tm_min, parts.tm_sec, static_cast<int>(now_us % 1'000'000));
    std::va_list copy;
    va_copy(copy, arguments);
    const int body_bytes = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::string line(header, static_cast<std::size_t>(header_bytes));
    if (body_bytes > 0) {
      std::string body(static_cast<std::size_t>(body_bytes) + 1, '\0');
      std::vsnprintf(body.data(), body.size(), format, arguments);
      body.pop_back();
      line += body;
    }
    for (std::size_t at = hides_.empty() ? std::string::npos : line.find(hides_);
         at != std::string::npos; at = line.find(hides_, at)) {
      line.replace(at, hides_.size(), "<db>");
    }
    if (line.back() != '\n') line += '\n';
    // The info log is advisory: RocksDB's loggers ignore their write errors too.
    static_cast<void>(file_->Append(line, rocksdb::IOOptions(), nullptr));
  }

 protected:
  rocksdb::Status CloseImpl() override {
    if (!file_) return rocksdb::Status::OK();
    const rocksdb::IOStatus closed = file_->Close(rocksdb::IOOptions(), nullptr);
    file_.reset();
    return closed;
  }

 private:
  std::unique_ptr<rocksdb::FSWritableFile> file_;
  wal::Clock& clock_;
  const std::string hides_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_fs_logger(std::unique_ptr<rocksdb::FSWritableFile> file,
                                                wal::Clock& clock, std::string hides) {
  return std::make_shared<FsLogger>(std::move(file), clock, std::move(hides));
}

}  // namespace rocksdb_adapter
