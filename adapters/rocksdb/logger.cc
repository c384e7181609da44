// The info LOG of logger.h.
#include "adapters/rocksdb/logger.h"

#include <cstdarg>

#include "adapters/kv/info_log.h"

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
    const std::string line = kv::info_log_line(now_us, format, arguments, hides_);
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
