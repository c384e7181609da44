// PosixFs against the Fs contract on the real disk (TempDir lives on the build tree's ext4).
#include <wal/posix_fs.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "testutil/temp_dir.h"

namespace {

using wal::Code;
using wal::OpenMode;

std::span<const std::byte> bytes(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string read_all(wal::File& file) {
  auto size = file.size();
  EXPECT_TRUE(size.is_ok()) << size.status().to_string();
  std::string out(*size, '\0');
  auto n = file.read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
  EXPECT_TRUE(n.is_ok()) << n.status().to_string();
  out.resize(*n);
  return out;
}

std::unique_ptr<wal::File> must_open(const std::string& path, OpenMode mode) {
  auto file = wal::posix_fs().open(path, mode);
  EXPECT_TRUE(file.is_ok()) << file.status().to_string();
  return std::move(file).value();
}

TEST(PosixFs, WriteThenReadBack) {
  testutil::TempDir dir;
  auto file = must_open(dir.sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(0, bytes("hello ")).is_ok());
  ASSERT_TRUE(file->write_at(6, bytes("world")).is_ok());
  ASSERT_TRUE(file->sync_data().is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_EQ(read_all(*file), "hello world");

  // A read past the end is short, then empty.
  std::string buf(8, '\0');
  auto n = file->read_at(8, std::as_writable_bytes(std::span(buf.data(), buf.size())));
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, 3u);
  n = file->read_at(100, std::as_writable_bytes(std::span(buf.data(), buf.size())));
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, 0u);
  ASSERT_TRUE(file->close().is_ok());

  auto again = must_open(dir.sub("a"), OpenMode::kReadOnly);
  EXPECT_EQ(read_all(*again), "hello world");
}

TEST(PosixFs, WriteBeyondEndExtendsWithZeros) {
  testutil::TempDir dir;
  auto file = must_open(dir.sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(4, bytes("x")).is_ok());
  EXPECT_EQ(read_all(*file), std::string("\0\0\0\0x", 5));
}

TEST(PosixFs, AllocateExtendsWithZeros) {
  testutil::TempDir dir;
  auto file = must_open(dir.sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(0, bytes("ab")).is_ok());
  wal::Status status = file->allocate(0, 8192);
  if (status.code() == Code::kUnsupported) GTEST_SKIP() << "filesystem has no fallocate";
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  auto size = file->size();
  ASSERT_TRUE(size.is_ok());
  EXPECT_EQ(*size, 8192u);
  const std::string content = read_all(*file);
  EXPECT_EQ(content.substr(0, 2), "ab");
  EXPECT_EQ(content.substr(2), std::string(8190, '\0'));
  // An empty range reserves nothing and succeeds.
  EXPECT_TRUE(file->allocate(8192, 0).is_ok());
}

TEST(PosixFs, TruncateShrinksAndGrows) {
  testutil::TempDir dir;
  auto file = must_open(dir.sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(0, bytes("abcdef")).is_ok());
  ASSERT_TRUE(file->truncate(3).is_ok());
  EXPECT_EQ(read_all(*file), "abc");
  ASSERT_TRUE(file->truncate(5).is_ok());
  EXPECT_EQ(read_all(*file), std::string("abc\0\0", 5));
}

TEST(PosixFs, ReadOnlyRefusesWrites) {
  testutil::TempDir dir;
  must_open(dir.sub("a"), OpenMode::kCreate).reset();
  auto file = must_open(dir.sub("a"), OpenMode::kReadOnly);
  EXPECT_EQ(file->write_at(0, bytes("x")).code(), Code::kInvalidArgument);
  EXPECT_EQ(file->truncate(0).code(), Code::kInvalidArgument);
  EXPECT_EQ(file->allocate(0, 10).code(), Code::kInvalidArgument);
}

TEST(PosixFs, OpenModes) {
  testutil::TempDir dir;
  auto& fs = wal::posix_fs();
  auto missing = fs.open(dir.sub("missing"), OpenMode::kReadOnly);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find(dir.sub("missing")), std::string::npos)
      << missing.error().message();
  EXPECT_EQ(fs.open(dir.sub("missing"), OpenMode::kReadWrite).status().code(), Code::kNotFound);

  ASSERT_TRUE(fs.open(dir.sub("x"), OpenMode::kCreateExclusive).is_ok());
  auto twice = fs.open(dir.sub("x"), OpenMode::kCreateExclusive);
  EXPECT_EQ(twice.status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(fs.open(dir.sub("x"), OpenMode::kCreate).is_ok());

  // A directory is not a File, even read-only.
  auto directory = fs.open(dir.path(), OpenMode::kReadOnly);
  ASSERT_FALSE(directory.is_ok());
  EXPECT_EQ(directory.error().sys_errno(), EISDIR);
}

TEST(PosixFs, RenameAndUnlink) {
  testutil::TempDir dir;
  auto& fs = wal::posix_fs();
  auto file = must_open(dir.sub("a"), OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(0, bytes("data")).is_ok());
  ASSERT_TRUE(file->close().is_ok());
  ASSERT_TRUE(fs.rename(dir.sub("a"), dir.sub("b")).is_ok());
  ASSERT_TRUE(fs.sync_dir(dir.path()).is_ok());
  EXPECT_EQ(fs.stat(dir.sub("a")).status().code(), Code::kNotFound);
  EXPECT_EQ(read_all(*must_open(dir.sub("b"), OpenMode::kReadOnly)), "data");
  ASSERT_TRUE(fs.unlink(dir.sub("b")).is_ok());
  EXPECT_EQ(fs.stat(dir.sub("b")).status().code(), Code::kNotFound);

  wal::Status gone = fs.unlink(dir.sub("b"));
  EXPECT_EQ(gone.code(), Code::kNotFound);
  EXPECT_NE(gone.message().find(dir.sub("b")), std::string::npos) << gone.message();
  wal::Status bad_rename = fs.rename(dir.sub("nope"), dir.sub("c"));
  EXPECT_EQ(bad_rename.code(), Code::kNotFound);
  EXPECT_NE(bad_rename.message().find(dir.sub("nope")), std::string::npos);
}

TEST(PosixFs, ListIsSortedBytewiseWithoutDots) {
  testutil::TempDir dir;
  auto& fs = wal::posix_fs();
  for (const char* name : {"b", "a", "B", "aa", "\xff"}) {
    ASSERT_TRUE(fs.open(dir.sub(name), OpenMode::kCreate).is_ok());
  }
  ASSERT_TRUE(fs.mkdir(dir.sub("sub")).is_ok());
  auto names = fs.list(dir.path());
  ASSERT_TRUE(names.is_ok()) << names.status().to_string();
  EXPECT_EQ(*names, (std::vector<std::string>{"B", "a", "aa", "b", "sub", "\xff"}));
  EXPECT_EQ(fs.list(dir.sub("missing")).status().code(), Code::kNotFound);
}

TEST(PosixFs, StatAndMkdir) {
  testutil::TempDir dir;
  auto& fs = wal::posix_fs();
  ASSERT_TRUE(fs.mkdir(dir.sub("d")).is_ok());
  EXPECT_EQ(fs.mkdir(dir.sub("d")).code(), Code::kAlreadyExists);
  EXPECT_EQ(fs.mkdir(dir.sub("missing/d")).code(), Code::kNotFound);
  auto st = fs.stat(dir.sub("d"));
  ASSERT_TRUE(st.is_ok());
  EXPECT_TRUE(st->is_directory);

  auto file = must_open(dir.sub("f"), OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(0, bytes("12345")).is_ok());
  st = fs.stat(dir.sub("f"));
  ASSERT_TRUE(st.is_ok());
  EXPECT_FALSE(st->is_directory);
  EXPECT_EQ(st->size_bytes, 5u);
  EXPECT_EQ(fs.sync_dir(dir.sub("missing")).code(), Code::kNotFound);
}

TEST(PosixFs, LockIsExclusiveEvenWithinOneProcess) {
  testutil::TempDir dir;
  auto& fs = wal::posix_fs();
  auto first = fs.lock(dir.sub("LOCK"));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  auto second = fs.lock(dir.sub("LOCK"));
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.error().code(), Code::kBusy);
  EXPECT_NE(second.error().message().find(dir.sub("LOCK")), std::string::npos);
  first.value().reset();  // releasing the lock lets the next opener in
  EXPECT_TRUE(fs.lock(dir.sub("LOCK")).is_ok());
}

TEST(PosixFs, ErrorsNameTheOperationAndPath) {
  testutil::TempDir dir;
  auto result = wal::posix_fs().open(dir.sub("missing/file"), OpenMode::kCreate);
  ASSERT_FALSE(result.is_ok());
  const std::string text = result.error().to_string();
  EXPECT_NE(text.find("open"), std::string::npos) << text;
  EXPECT_NE(text.find(dir.sub("missing/file")), std::string::npos) << text;
  EXPECT_EQ(result.error().sys_errno(), ENOENT);
}

}  // namespace
