// A program on the installed wal: appends entries, closes, reopens (recovering) and reads every
// entry back. Exit 0 iff all come back in order with their bytes.
#include <cstdio>
#include <string>

#include <wal/log.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: append_read DIR\n");
    return 2;
  }
  constexpr int kEntries = 100;
  {
    wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(argv[1]);
    if (!log) {
      std::fprintf(stderr, "open: %s\n", log.error().to_string().c_str());
      return 1;
    }
    for (int i = 0; i < kEntries; ++i) {
      const std::string text = "entry " + std::to_string(i);
      if (!(*log)->append(std::as_bytes(std::span(text)))) return 1;
    }
    if (!(*log)->close()) return 1;
  }
  wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(argv[1]);
  if (!log) return 1;
  wal::Result<std::unique_ptr<wal::Reader>> reader = (*log)->reader(1);
  if (!reader) return 1;
  int seen = 0;
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
    if (!next) return 1;
    if (!next->has_value()) break;
    const std::string want = "entry " + std::to_string(seen);
    const std::string got(reinterpret_cast<const char*>((*next)->payload.data()),
                          (*next)->payload.size());
    if ((*next)->lsn != static_cast<wal::Lsn>(seen + 1) || got != want) {
      std::fprintf(stderr, "entry %d: got LSN %llu '%s'\n", seen,
                   static_cast<unsigned long long>((*next)->lsn), got.c_str());
      return 1;
    }
    ++seen;
  }
  if (!(*log)->close()) return 1;
  std::printf("append_read: %d entries appended, recovered and read back\n", seen);
  return seen == kEntries ? 0 : 1;
}
