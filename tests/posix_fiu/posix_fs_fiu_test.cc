// PosixFs under injected faults: our own "wal/fs/<op>" points, and real syscalls failed by
// libfiu's POSIX preload (the test binary runs with LD_PRELOAD=fiu_posix_preload.so).
#include <wal/posix_fs.h>

#include <fiu-control.h>
#include <fcntl.h>
#include <fiu.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include "testutil/temp_dir.h"

// In a namespace of its own: the unity build compiles this file in one unit with
// fail_stop_test.cc, which has helpers of the same names.
namespace posix_fs_fiu_test {
namespace {

using wal::Code;
using wal::OpenMode;

void* errno_info(int sys_errno) { return reinterpret_cast<void*>(static_cast<std::intptr_t>(sys_errno)); }

std::span<const std::byte> bytes(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

bool preload_active() {
  const char* preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "fiu_posix_preload") != nullptr;
}

class PosixFsFiu : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(fiu_init(0), 0);
    auto file = wal::posix_fs().open(dir_.sub("f"), OpenMode::kCreate);
    ASSERT_TRUE(file.is_ok()) << file.status().to_string();
    file_ = std::move(file).value();
  }

  std::string contents() {
    std::string out(64, '\0');
    auto n = file_->read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
    EXPECT_TRUE(n.is_ok());
    out.resize(n.is_ok() ? *n : 0);
    return out;
  }

  testutil::TempDir dir_;
  std::unique_ptr<wal::File> file_;
};

// Enables `point` once with `sys_errno`, runs `op`, and checks the Status it returns.
void expect_injected(const char* point, int sys_errno, Code code, const std::string& path,
                     const std::function<wal::Status()>& op) {
  ASSERT_EQ(fiu_enable(point, 1, errno_info(sys_errno), FIU_ONETIME), 0);
  const wal::Status status = op();
  fiu_disable(point);
  EXPECT_EQ(status.code(), code) << point << ": " << status.to_string();
  EXPECT_EQ(status.sys_errno(), sys_errno) << point;
  EXPECT_NE(status.message().find(path), std::string::npos) << point << ": " << status.message();
  // ONETIME: the next call goes through.
}

TEST_F(PosixFsFiu, EveryFilePointFailsWithTheRequestedErrno) {
  const std::string path = dir_.sub("f");
  std::byte buf[4];
  expect_injected("wal/fs/read", EIO, Code::kIoError, path,
                  [&] { return file_->read_at(0, buf).status(); });
  expect_injected("wal/fs/write", ENOSPC, Code::kNoSpace, path,
                  [&] { return file_->write_at(0, bytes("abcd")); });
  expect_injected("wal/fs/fdatasync", EIO, Code::kIoError, path, [&] { return file_->sync_data(); });
  expect_injected("wal/fs/fsync", EIO, Code::kIoError, path, [&] { return file_->sync(); });
  expect_injected("wal/fs/truncate", EIO, Code::kIoError, path, [&] { return file_->truncate(0); });
  expect_injected("wal/fs/fallocate", ENOSPC, Code::kNoSpace, path,
                  [&] { return file_->allocate(0, 4096); });
  expect_injected("wal/fs/size", EIO, Code::kIoError, path, [&] { return file_->size().status(); });
  EXPECT_EQ(contents(), "");  // nothing above wrote anything
  expect_injected("wal/fs/close", EIO, Code::kIoError, path, [&] { return file_->close(); });
}

TEST_F(PosixFsFiu, FallocateUnsupportedIsKUnsupportedNotASparseFile) {
  ASSERT_EQ(fiu_enable("wal/fs/fallocate", 1, errno_info(EOPNOTSUPP), FIU_ONETIME), 0);
  const wal::Status status = file_->allocate(0, 4096);
  EXPECT_EQ(status.code(), Code::kUnsupported) << status.to_string();
  auto size = file_->size();
  ASSERT_TRUE(size.is_ok());
  EXPECT_EQ(*size, 0u) << "no fallback may have grown the file";
}

TEST_F(PosixFsFiu, WithoutFailinfoTheErrnoIsEio) {
  ASSERT_EQ(fiu_enable("wal/fs/fdatasync", 1, nullptr, FIU_ONETIME), 0);
  const wal::Status status = file_->sync_data();
  EXPECT_EQ(status.code(), Code::kIoError);
  EXPECT_EQ(status.sys_errno(), EIO);
  EXPECT_TRUE(file_->sync_data().is_ok());
}

TEST_F(PosixFsFiu, ShortWriteLeavesAPrefixAndFails) {
  ASSERT_EQ(fiu_enable("wal/fs/write_short", 1, errno_info(ENOSPC), FIU_ONETIME), 0);
  const wal::Status status = file_->write_at(0, bytes("abcdefgh"));
  EXPECT_EQ(status.code(), Code::kNoSpace) << status.to_string();
  EXPECT_EQ(contents(), "abcd");
}

TEST_F(PosixFsFiu, EveryFsPointFailsWithTheRequestedErrno) {
  auto& fs = wal::posix_fs();
  const std::string f = dir_.sub("f");
  expect_injected("wal/fs/open", EACCES, Code::kIoError, f,
                  [&] { return fs.open(f, OpenMode::kReadOnly).status(); });
  expect_injected("wal/fs/rename", EXDEV, Code::kIoError, f,
                  [&] { return fs.rename(f, dir_.sub("g")); });
  expect_injected("wal/fs/unlink", EIO, Code::kIoError, f, [&] { return fs.unlink(f); });
  expect_injected("wal/fs/list", EIO, Code::kIoError, dir_.path(),
                  [&] { return fs.list(dir_.path()).status(); });
  expect_injected("wal/fs/mkdir", ENOSPC, Code::kNoSpace, dir_.sub("d"),
                  [&] { return fs.mkdir(dir_.sub("d")); });
  expect_injected("wal/fs/sync_dir", EIO, Code::kIoError, dir_.path(),
                  [&] { return fs.sync_dir(dir_.path()); });
  expect_injected("wal/fs/stat", EIO, Code::kIoError, f, [&] { return fs.stat(f).status(); });
  expect_injected("wal/fs/lock", EIO, Code::kIoError, dir_.sub("LOCK"),
                  [&] { return fs.lock(dir_.sub("LOCK")).status(); });
  // None of the failed operations happened.
  EXPECT_TRUE(fs.stat(f).is_ok());
  EXPECT_EQ(fs.stat(dir_.sub("d")).status().code(), Code::kNotFound);
  EXPECT_TRUE(fs.lock(dir_.sub("LOCK")).is_ok());
}

TEST_F(PosixFsFiu, RealFdatasyncEioThroughThePreload) {
  if (!preload_active()) GTEST_SKIP() << "LD_PRELOAD does not carry fiu_posix_preload.so";
  ASSERT_TRUE(file_->write_at(0, bytes("x")).is_ok());
  ASSERT_EQ(fiu_enable("posix/io/sync/fdatasync", 1, errno_info(EIO), FIU_ONETIME), 0);
  const wal::Status status = file_->sync_data();
  fiu_disable("posix/io/sync/fdatasync");
  EXPECT_EQ(status.code(), Code::kIoError) << status.to_string();
  EXPECT_EQ(status.sys_errno(), EIO);
  EXPECT_NE(status.message().find("fdatasync"), std::string::npos);
}

TEST_F(PosixFsFiu, RealPwriteEnospcThroughThePreload) {
  if (!preload_active()) GTEST_SKIP() << "LD_PRELOAD does not carry fiu_posix_preload.so";
  ASSERT_EQ(fiu_enable("posix/io/rw/pwrite", 1, errno_info(ENOSPC), FIU_ONETIME), 0);
  const wal::Status status = file_->write_at(0, bytes("abc"));
  fiu_disable("posix/io/rw/pwrite");
  EXPECT_EQ(status.code(), Code::kNoSpace) << status.to_string();
  EXPECT_EQ(contents(), "");
}

TEST_F(PosixFsFiu, RealShortPwritesAreCompleted) {
  if (!preload_active()) GTEST_SKIP() << "LD_PRELOAD does not carry fiu_posix_preload.so";
  std::string data(4096, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  // Every pwrite returns fewer bytes than asked; PosixFs must loop until all are written.
  ASSERT_EQ(fiu_enable("posix/io/rw/pwrite/reduce", 1, nullptr, 0), 0);
  // The fault is live: a bare pwrite comes back short.
  const int fd = ::open(dir_.sub("raw").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const ssize_t raw = ::pwrite(fd, data.data(), data.size(), 0);
  ::close(fd);
  EXPECT_LT(raw, static_cast<ssize_t>(data.size()));
  const wal::Status status = file_->write_at(0, bytes(data));
  fiu_disable("posix/io/rw/pwrite/reduce");
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  std::string out(data.size(), '\0');
  auto n = file_->read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, data.size());
  EXPECT_EQ(out, data);
}

}  // namespace
}  // namespace posix_fs_fiu_test
