// LevelDB (Debian's libleveldb, unchanged) as a program to record with walsim trace:
//   leveldb_demo put DIR N     N unsynced puts of 32 KiB values (the 64 KiB write buffer fills
//                              every two, so LevelDB switches to a new log file), then one
//                              sync put; prints "synced N" once it returned
//   leveldb_demo check DIR ACKNOWLEDGED
//                              the checker: the database opens, and if "synced N" was printed,
//                              every one of the N earlier puts is there too. LevelDB's own
//                              guarantee: a sync write makes every earlier write durable.
// google/leveldb#193: at a log switch LevelDB never syncs the old log, so a sync write to the
// new log can be durable while earlier writes still only in the old log are lost.
#include <leveldb/db.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace {

std::string key(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "k%06d", i);
  return buffer;
}

int put(const std::string& dir, int n) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 64 * 1024;
  leveldb::DB* raw = nullptr;
  leveldb::Status status = leveldb::DB::Open(options, dir, &raw);
  if (!status.ok()) {
    std::fprintf(stderr, "open: %s\n", status.ToString().c_str());
    return 1;
  }
  std::unique_ptr<leveldb::DB> db(raw);
  const std::string value(32 * 1024, 'v');
  for (int i = 0; i < n; ++i) {
    status = db->Put(leveldb::WriteOptions(), key(i), value);
    if (!status.ok()) return 1;
  }
  leveldb::WriteOptions sync;
  sync.sync = true;
  status = db->Put(sync, "marker", std::to_string(n));
  if (!status.ok()) return 1;
  std::printf("synced %d\n", n);
  std::fflush(stdout);
  return 0;
}

int check(const std::string& dir, const std::string& acknowledged) {
  std::ifstream in(acknowledged);
  std::string word;
  int n = -1;
  while (in >> word) {
    if (word == "synced") in >> n;
  }
  leveldb::Options options;
  leveldb::DB* raw = nullptr;
  leveldb::Status status = leveldb::DB::Open(options, dir, &raw);
  if (!status.ok()) {
    if (n < 0 && status.IsInvalidArgument()) return 0;  // nothing acknowledged, no database yet
    std::printf("the database will not open: %s\n", status.ToString().c_str());
    return 1;
  }
  std::unique_ptr<leveldb::DB> db(raw);
  for (int i = 0; i < n; ++i) {
    std::string value;
    if (!db->Get(leveldb::ReadOptions(), key(i), &value).ok()) {
      std::printf("put %d of %d lost, the sync put after it acknowledged\n", i, n);
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "put") return put(argv[2], std::atoi(argv[3]));
  if (argc == 4 && std::string(argv[1]) == "check") return check(argv[2], argv[3]);
  std::fprintf(stderr, "usage: leveldb_demo put DIR N | leveldb_demo check DIR ACKNOWLEDGED\n");
  return 2;
}
