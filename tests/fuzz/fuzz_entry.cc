// The libFuzzer entry point of one target; WAL_FUZZ_TARGET names its function (targets.h). A
// broken invariant aborts with its description, which libFuzzer turns into a crash artifact.
// The description goes to stdout as well: the walctl fuzzer runs with -close_fd_mask=2 (the
// commands' error lines would drown everything), which closes stderr but not stdout.
#include <cstdio>
#include <cstdlib>

#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  if (wal_fuzz::Violation violation = wal_fuzz::WAL_FUZZ_TARGET(input)) {
    std::printf("invariant broken: %s\n", violation->c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "invariant broken: %s\n", violation->c_str());
    std::abort();
  }
  return 0;
}
