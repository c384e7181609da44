// The path helpers of <wal/fs.h>: the log's directory sync and SQLite's VFS both ask for the
// directory that holds a path.
#include <gtest/gtest.h>

#include <wal/fs.h>

namespace {

TEST(FsPath, ParentPathIsTheDirectoryHoldingThePath) {
  EXPECT_EQ(wal::parent_path("/wal/test.db"), "/wal");
  EXPECT_EQ(wal::parent_path("/wal/"), "/");
  EXPECT_EQ(wal::parent_path("/wal"), "/");
  EXPECT_EQ(wal::parent_path("a/b//"), "a");
  EXPECT_EQ(wal::parent_path("test.db"), ".");
  EXPECT_EQ(wal::parent_path("/"), "/");
  EXPECT_EQ(wal::join_path(wal::parent_path("/d/f"), "g"), "/d/g");
}

}  // namespace
