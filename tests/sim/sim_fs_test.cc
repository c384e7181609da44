// SimFs semantics (SPEC 3.2): read-your-writes, durability only after the right sync, directory
// entries only after sync_dir, rename/unlink of open files, truncate/allocate, capacity, locks,
// and contract violations being caught.
#include "sim/sim_fs.h"

#include <gtest/gtest.h>

#include <string>

namespace sim {
namespace {

std::span<const std::byte> bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string text(const Bytes& data) {
  return std::string(reinterpret_cast<const char*>(data.data()), data.size());
}

std::string read_all(wal::File& file) {
  const std::uint64_t size = file.size().value();
  std::string out(size, '\0');
  auto got = file.read_at(0, std::as_writable_bytes(std::span(out.data(), out.size())));
  EXPECT_TRUE(got.is_ok());
  out.resize(got.is_ok() ? *got : 0);
  return out;
}

std::unique_ptr<wal::File> must_open(SimFs& fs, std::string_view path,
                                     wal::OpenMode mode = wal::OpenMode::kCreate) {
  auto file = fs.open(path, mode);
  EXPECT_TRUE(file.is_ok()) << file.status().to_string();
  return std::move(file).value();
}

// What survives a power loss that keeps only what is durable.
SimFsState after_power_loss(const SimFs& fs) { return apply_crash(fs.state(), CrashPlan{}); }

InodeId durable_lookup(const SimFsState& state, const std::string& dir, const std::string& name) {
  InodeId current = SimFsState::kRoot;
  if (!dir.empty()) current = state.inodes.at(current).dir.durable.at(dir);
  const auto& entries = state.inodes.at(current).dir.durable;
  const auto it = entries.find(name);
  return it == entries.end() ? 0 : it->second;
}

std::string durable_text(const SimFsState& state, const std::string& dir,
                         const std::string& name) {
  const InodeId inode = durable_lookup(state, dir, name);
  return inode == 0 ? "<missing>" : text(state.inodes.at(inode).file.durable);
}

class SimFsTest : public ::testing::Test {
 protected:
  void SetUp() override { fs_.make_durable_dirs("d"); }
  SimFs fs_;
};

TEST_F(SimFsTest, ReadsSeeEveryWriteAtOnce) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("hello")).is_ok());
  ASSERT_TRUE(file->write_at(3, bytes("p!")).is_ok());
  EXPECT_EQ(read_all(*file), "help!");
  ASSERT_TRUE(file->write_at(8, bytes("x")).is_ok());
  EXPECT_EQ(read_all(*file), std::string("help!\0\0\0x", 9));
  std::byte buf[4];
  EXPECT_EQ(*file->read_at(7, buf), 2u);   // short only at end of file
  EXPECT_EQ(*file->read_at(9, buf), 0u);   // at end
  EXPECT_EQ(*file->read_at(100, buf), 0u); // past it
}

TEST_F(SimFsTest, NothingIsDurableBeforeASync) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("abc")).is_ok());
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "");
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "abc");
}

TEST_F(SimFsTest, SyncDataKeepsOnlyWritesInsideTheDurableSize) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  ASSERT_TRUE(file->write_at(0, bytes("0123456789")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());  // durable size 10
  ASSERT_TRUE(file->write_at(8, bytes("ABCD")).is_ok());  // straddles the durable size
  ASSERT_TRUE(file->sync_data().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "01234567AB");
  EXPECT_EQ(read_all(*file), "01234567ABCD");
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "01234567ABCD");
}

TEST_F(SimFsTest, SyncDataAfterAllocateAndSyncMakesOverwritesDurable) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  ASSERT_TRUE(file->allocate(0, 8).is_ok());
  ASSERT_TRUE(file->sync_data().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "");  // the size is not durable yet
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(file->write_at(0, bytes("abcd")).is_ok());
  ASSERT_TRUE(file->sync_data().is_ok());
  EXPECT_TRUE(fs_.state().inodes.at(durable_lookup(fs_.state(), "d", "f")).file.pending.empty());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), std::string("abcd\0\0\0\0", 8));
}

TEST_F(SimFsTest, ForcedWritesSurviveEvenBehindAPendingTruncate) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  ASSERT_TRUE(file->write_at(0, bytes("aaaaaaaaaa")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(file->truncate(4).is_ok());
  ASSERT_TRUE(file->write_at(6, bytes("BB")).is_ok());
  ASSERT_TRUE(file->sync_data().is_ok());
  const InodeId inode = durable_lookup(fs_.state(), "d", "f");
  // The truncate is still pending and the write, made durable, is kept after it in order.
  const FileState& state = fs_.state().inodes.at(inode).file;
  ASSERT_EQ(state.pending.size(), 2u);
  EXPECT_TRUE(state.pending[1].forced);
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "aaaaaaBBaa");
  EXPECT_EQ(text(apply_crash(fs_.state(), CrashPlan::keep_all(fs_.state()))
                     .inodes.at(inode).file.durable),
            std::string("aaaa\0\0BB", 8));
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), std::string("aaaa\0\0BB", 8));
}

// A file's bytes keep their hash once taken (cow_bytes.h): a change after that, in place or to
// a copy another state shares, must be seen by the next durable_hash.
TEST_F(SimFsTest, DurableHashSeesAChangeAfterItWasTaken) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("first")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  const SimFsState shared = fs_.state();
  const std::uint64_t first = durable_hash(fs_.state());
  ASSERT_TRUE(file->write_at(0, bytes("again")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  const std::uint64_t second = durable_hash(fs_.state());
  EXPECT_NE(second, first);
  EXPECT_EQ(durable_hash(shared), first);  // the state that shared the old bytes kept them
  SimFs fresh;  // the same files made without a hash taken on the way
  fresh.make_durable_dirs("d");
  auto same = must_open(fresh, "d/f");
  ASSERT_TRUE(same->write_at(0, bytes("again")).is_ok());
  ASSERT_TRUE(same->sync().is_ok());
  ASSERT_TRUE(fresh.sync_dir("d").is_ok());
  EXPECT_EQ(durable_hash(fresh.state()), second);
  SimFsState edited = fs_.state();
  Inode& inode = edited.inodes.at(durable_lookup(edited, "d", "f"));
  inode.file.visible = CowBytes();  // the durable bytes' only holder now: changed in place
  inode.file.durable.mut()[0] = std::byte{'A'};
  const std::uint64_t third = durable_hash(edited);
  EXPECT_NE(third, second);
  inode.file.durable.mut()[0] = std::byte{'a'};
  EXPECT_EQ(durable_hash(edited), second);
}

// SimFs::restore copies a state that is already as a crash leaves it instead of rebuilding it:
// crash_settled() must say yes only when a rebuild would change nothing.
TEST_F(SimFsTest, OnlyWhatACrashLeavesIsSettled) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("durable")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  ASSERT_TRUE(file->write_at(7, bytes(" and pending")).is_ok());
  auto gone = must_open(fs_, "d/unsynced");  // its entry is pending
  EXPECT_FALSE(crash_settled(fs_.state()));
  for (const CrashPlan& plan : {CrashPlan{}, CrashPlan::keep_all(fs_.state())}) {
    const SimFsState after = apply_crash(fs_.state(), plan);
    EXPECT_TRUE(crash_settled(after));
    const SimFsState again = apply_crash(after, CrashPlan::keep_all(after));
    EXPECT_EQ(durable_hash(again), durable_hash(after));
    EXPECT_EQ(again.inodes.size(), after.inodes.size());
    EXPECT_EQ(again.next_inode, after.next_inode);
    SimFsState diverged = after;  // a page cache that differs from its durable image
    diverged.inodes.at(durable_lookup(after, "d", "f")).file.visible = Bytes(3);
    EXPECT_FALSE(crash_settled(diverged));
    SimFsState orphan = after;  // an inode no durable entry names
    orphan.inodes[orphan.next_inode];
    EXPECT_FALSE(crash_settled(orphan));
  }
  fs_.restore(apply_crash(fs_.state(), CrashPlan{}));
  EXPECT_EQ(read_all(*must_open(fs_, "d/f", wal::OpenMode::kReadOnly)), "durable");
  EXPECT_TRUE(fs_.open("d/unsynced", wal::OpenMode::kReadOnly).status().code() ==
              wal::Code::kNotFound);
}

TEST_F(SimFsTest, CreateIsDurableOnlyAfterSyncDir) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("x")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_EQ(durable_lookup(after_power_loss(fs_), "d", "f"), 0u);
  ASSERT_TRUE(fs_.sync_dir("").is_ok());  // the wrong directory
  EXPECT_EQ(durable_lookup(after_power_loss(fs_), "d", "f"), 0u);
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "x");
}

TEST_F(SimFsTest, RenameAndUnlinkAreDurableOnlyAfterSyncDir) {
  auto a = must_open(fs_, "d/a");
  ASSERT_TRUE(a->write_at(0, bytes("A")).is_ok());
  ASSERT_TRUE(a->sync().is_ok());
  auto b = must_open(fs_, "d/b");
  ASSERT_TRUE(b->write_at(0, bytes("B")).is_ok());
  ASSERT_TRUE(b->sync().is_ok());
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  ASSERT_TRUE(fs_.rename("d/a", "d/b").is_ok());  // replaces b
  EXPECT_EQ(fs_.list("d").value(), std::vector<std::string>{"b"});
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "b"), "B");
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "a"), "A");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "b"), "A");
  EXPECT_EQ(durable_lookup(after_power_loss(fs_), "d", "a"), 0u);
  ASSERT_TRUE(fs_.unlink("d/b").is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "b"), "A");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  EXPECT_EQ(durable_lookup(after_power_loss(fs_), "d", "b"), 0u);
}

TEST_F(SimFsTest, OpenHandlesKeepTheirInodeAcrossRenameAndUnlink) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("one")).is_ok());
  ASSERT_TRUE(fs_.rename("d/f", "d/g").is_ok());
  ASSERT_TRUE(file->write_at(3, bytes("two")).is_ok());
  auto again = must_open(fs_, "d/g", wal::OpenMode::kReadOnly);
  EXPECT_EQ(read_all(*again), "onetwo");
  ASSERT_TRUE(fs_.unlink("d/g").is_ok());
  EXPECT_EQ(fs_.stat("d/g").status().code(), wal::Code::kNotFound);
  ASSERT_TRUE(file->write_at(6, bytes("!")).is_ok());
  EXPECT_EQ(read_all(*again), "onetwo!");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  EXPECT_EQ(read_all(*file), "onetwo!");  // still alive while open
  EXPECT_EQ(fs_.open_handles(), 2u);
  ASSERT_TRUE(file->close().is_ok());
  ASSERT_TRUE(again->close().is_ok());
  EXPECT_EQ(fs_.open_handles(), 0u);
  EXPECT_EQ(fs_.state().inodes.size(), 2u);  // root and d: the unlinked inode is gone
}

// A rename over a synced name leaves the old inode named by the durable entry until the
// directory's fsync; that fsync must collect it, even when a collection ran in between.
TEST_F(SimFsTest, ADirectorySyncCollectsWhatARenameReplaced) {
  for (const char* name : {"d/f", "d/g"}) {
    auto file = must_open(fs_, name);
    ASSERT_TRUE(file->write_at(0, bytes(name)).is_ok());
    ASSERT_TRUE(file->sync().is_ok());
    ASSERT_TRUE(file->close().is_ok());
    ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  }
  EXPECT_EQ(fs_.state().inodes.size(), 4u);  // root, d, f, g
  fs_.make_durable_dirs("e");
  ASSERT_TRUE(fs_.rename("d/g", "d/f").is_ok());
  ASSERT_TRUE(fs_.sync_dir("e").is_ok());  // a collection in between: nothing to take yet
  EXPECT_EQ(fs_.state().inodes.size(), 5u);  // root, d, e, f, g: the old f is durably named
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  EXPECT_EQ(fs_.state().inodes.size(), 4u);
  EXPECT_EQ(durable_text(fs_.state(), "d", "f"), "d/g");
}

TEST_F(SimFsTest, TruncateShrinksAndGrowsWithZerosDurableAfterSync) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  ASSERT_TRUE(file->write_at(0, bytes("abcdef")).is_ok());
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(file->truncate(2).is_ok());
  EXPECT_EQ(read_all(*file), "ab");
  ASSERT_TRUE(file->truncate(4).is_ok());
  EXPECT_EQ(read_all(*file), std::string("ab\0\0", 4));
  ASSERT_TRUE(file->sync_data().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), "abcdef");
  ASSERT_TRUE(file->sync().is_ok());
  EXPECT_EQ(durable_text(after_power_loss(fs_), "d", "f"), std::string("ab\0\0", 4));
}

TEST_F(SimFsTest, AllocateExtendsWithZerosAndNeverShrinks) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("abcdef")).is_ok());
  ASSERT_TRUE(file->allocate(2, 2).is_ok());
  EXPECT_EQ(file->size().value(), 6u);
  ASSERT_TRUE(file->allocate(4, 4).is_ok());
  EXPECT_EQ(read_all(*file), std::string("abcdef\0\0", 8));
  ASSERT_TRUE(file->allocate(20, 0).is_ok());
  EXPECT_EQ(file->size().value(), 8u);
}

TEST_F(SimFsTest, OpenModesAndErrorsMatchPosix) {
  EXPECT_EQ(fs_.open("d/none", wal::OpenMode::kReadOnly).status().code(), wal::Code::kNotFound);
  EXPECT_EQ(fs_.open("d/none", wal::OpenMode::kReadWrite).status().code(), wal::Code::kNotFound);
  EXPECT_EQ(fs_.open("nodir/f", wal::OpenMode::kCreate).status().code(), wal::Code::kNotFound);
  auto file = must_open(fs_, "d/f", wal::OpenMode::kCreateExclusive);
  EXPECT_EQ(fs_.open("d/f", wal::OpenMode::kCreateExclusive).status().code(),
            wal::Code::kAlreadyExists);
  EXPECT_EQ(fs_.open("d", wal::OpenMode::kReadOnly).status().code(), wal::Code::kIoError);
  EXPECT_EQ(fs_.open("d/f/x", wal::OpenMode::kCreate).status().code(), wal::Code::kIoError);
  EXPECT_EQ(fs_.mkdir("d").code(), wal::Code::kAlreadyExists);
  EXPECT_EQ(fs_.unlink("d").code(), wal::Code::kIoError);
  EXPECT_EQ(fs_.unlink("d/none").code(), wal::Code::kNotFound);
  EXPECT_EQ(fs_.rename("d/none", "d/x").code(), wal::Code::kNotFound);
  EXPECT_EQ(fs_.list("d/f").status().code(), wal::Code::kIoError);
  EXPECT_EQ(fs_.sync_dir("d/none").code(), wal::Code::kNotFound);
  ASSERT_TRUE(fs_.mkdir("d/sub").is_ok());
  EXPECT_EQ(fs_.list("d").value(), (std::vector<std::string>{"f", "sub"}));
  EXPECT_TRUE(fs_.stat("d/sub")->is_directory);
  EXPECT_TRUE(fs_.contract_violations().empty());
}

TEST_F(SimFsTest, MkdirIsDurableOnlyAfterSyncOfTheParent) {
  ASSERT_TRUE(fs_.mkdir("d/sub").is_ok());
  auto file = must_open(fs_, "d/sub/f");
  ASSERT_TRUE(file->sync().is_ok());
  ASSERT_TRUE(fs_.sync_dir("d/sub").is_ok());
  EXPECT_EQ(durable_lookup(after_power_loss(fs_), "d", "sub"), 0u);
  ASSERT_TRUE(fs_.sync_dir("d").is_ok());
  const SimFsState after = after_power_loss(fs_);
  const InodeId sub = durable_lookup(after, "d", "sub");
  ASSERT_NE(sub, 0u);
  EXPECT_EQ(after.inodes.at(sub).dir.durable.count("f"), 1u);
}

TEST_F(SimFsTest, CapacityFailsWithNoSpaceAndChangesNothing) {
  DeviceModel device;
  device.capacity_bytes = 10;
  SimFs fs(device);
  auto file = must_open(fs, "f");
  ASSERT_TRUE(file->write_at(0, bytes("12345678")).is_ok());
  EXPECT_EQ(file->write_at(8, bytes("abc")).code(), wal::Code::kNoSpace);
  EXPECT_EQ(file->allocate(0, 11).code(), wal::Code::kNoSpace);
  EXPECT_EQ(read_all(*file), "12345678");
  ASSERT_TRUE(file->write_at(0, bytes("abcdefghij")).is_ok());  // overwrite + 2 bytes fits
  ASSERT_TRUE(file->truncate(0).is_ok());
  ASSERT_TRUE(file->write_at(0, bytes("0123456789")).is_ok());  // space came back
}

TEST_F(SimFsTest, LockIsExclusiveUntilReleasedAndDiesWithACrash) {
  auto first = fs_.lock("d/LOCK");
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(fs_.lock("d/LOCK").status().code(), wal::Code::kBusy);
  first.value().reset();
  auto second = fs_.lock("d/LOCK");
  ASSERT_TRUE(second.is_ok());
  fs_.crash(CrashPlan{});
  EXPECT_EQ(fs_.held_locks(), 0u);
  EXPECT_TRUE(fs_.lock("d/LOCK").is_ok());  // the crash released it; the old object is inert
}

TEST_F(SimFsTest, ContractViolationsAreRecordedAndFailTheCall) {
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->close().is_ok());
  std::byte buf[1];
  EXPECT_EQ(file->write_at(0, bytes("x")).code(), wal::Code::kInvalidArgument);
  EXPECT_EQ(file->read_at(0, buf).status().code(), wal::Code::kInvalidArgument);
  EXPECT_EQ(file->close().code(), wal::Code::kInvalidArgument);
  auto reader = must_open(fs_, "d/f", wal::OpenMode::kReadOnly);
  EXPECT_EQ(reader->write_at(0, bytes("x")).code(), wal::Code::kInvalidArgument);
  EXPECT_EQ(reader->truncate(0).code(), wal::Code::kInvalidArgument);
  auto writer = must_open(fs_, "d/f");
  EXPECT_EQ(writer->write_at(~std::uint64_t{0} - 1, bytes("xy")).code(),
            wal::Code::kInvalidArgument);
  EXPECT_EQ(fs_.contract_violations().size(), 6u);
  fs_.crash(CrashPlan{});
  EXPECT_EQ(writer->sync().code(), wal::Code::kInvalidArgument);  // a handle from before
  EXPECT_EQ(fs_.contract_violations().size(), 7u);
  EXPECT_TRUE(writer->close().is_ok());  // dropping the dead process's handles is fine
  EXPECT_EQ(fs_.contract_violations().size(), 7u);
}

TEST_F(SimFsTest, OpenHandleCountFollowsOpenCloseAndDestruction) {
  {
    auto a = must_open(fs_, "d/a");
    auto b = must_open(fs_, "d/b");
    EXPECT_EQ(fs_.open_handles(), 2u);
    ASSERT_TRUE(a->close().is_ok());
    EXPECT_EQ(fs_.open_handles(), 1u);
  }
  EXPECT_EQ(fs_.open_handles(), 0u);
}

TEST_F(SimFsTest, EveryCallIsTraced) {
  Trace trace;
  fs_.set_trace(&trace);
  auto file = must_open(fs_, "d/f");
  ASSERT_TRUE(file->write_at(0, bytes("abc")).is_ok());
  ASSERT_TRUE(file->sync_data().is_ok());
  EXPECT_EQ(fs_.open("d/none", wal::OpenMode::kReadOnly).status().code(), wal::Code::kNotFound);
  ASSERT_EQ(trace.size(), 4u);
  EXPECT_EQ(trace.events()[1].op, FsOp::kWrite);
  EXPECT_EQ(trace.events()[1].length, 3u);
  EXPECT_EQ(trace.events()[3].outcome, wal::Code::kNotFound);
  EXPECT_NE(trace.dump().find("sync_data d/f"), std::string::npos) << trace.dump();
}

TEST_F(SimFsTest, HandlesOutliveTheirFsSafely) {
  std::unique_ptr<wal::File> file;
  {
    SimFs fs;
    file = must_open(fs, "f");
  }
  EXPECT_EQ(file->write_at(0, bytes("x")).code(), wal::Code::kInvalidArgument);
}

}  // namespace
}  // namespace sim
