#include "sim/walsim/test_abort_hook.h"

#include <cstdlib>
#include <memory>

#include <wal/assert.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/mutants.h"
#include "sim/walsim/cli_numbers.h"

namespace walsim {
namespace {

struct WriteCount {
  std::uint64_t writes = 0;
  std::uint64_t abort_at = 0;
};

class AbortingFile final : public faults::FileWrapper {
 public:
  AbortingFile(std::unique_ptr<wal::File> base, std::string path, WriteCount& count)
      : FileWrapper(std::move(base), std::move(path)), count_(count) {}

  [[nodiscard]] wal::Status write_at(std::uint64_t offset,
                                     std::span<const std::byte> data) override {
    // The hook's whole point: the abort a broken WAL invariant causes.
    WAL_ASSERT(++count_.writes != count_.abort_at && "WALSIM_TEST_ABORT_AT_WRITE");
    return FileWrapper::write_at(offset, data);
  }

 private:
  WriteCount& count_;
};

// Owns the layer under it when the scenario had a decorator of its own (lying_fsync, a
// mutant's environment): constructed before FsWrapper, which keeps a reference to it.
struct OwnedBase {
  std::unique_ptr<wal::Fs> owned;
};

class AbortingFs final : private OwnedBase, public faults::FsWrapper {
 public:
  AbortingFs(std::unique_ptr<wal::Fs> inner, wal::Fs& fs, std::uint64_t abort_at)
      : OwnedBase{std::move(inner)}, FsWrapper(owned ? *owned : fs) {
    count_.abort_at = abort_at;
  }

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file, std::string_view path) override {
    return std::make_unique<AbortingFile>(std::move(file), std::string(path), count_);
  }

 private:
  WriteCount count_;
};

}  // namespace

void apply_test_abort_hook(std::vector<Scenario>& scenarios) {
  if (!harness::mutants_available()) return;
  const char* text = std::getenv(kTestAbortEnv);
  if (text == nullptr) return;
  const std::optional<std::uint64_t> abort_at = parse_unsigned(text);
  if (!abort_at || *abort_at == 0) return;
  for (Scenario& scenario : scenarios) {
    auto inner = scenario.config.decorate_fs;
    scenario.config.decorate_fs = [inner, at = *abort_at](sim::SimFs& fs, sim::Prng& prng) {
      std::unique_ptr<wal::Fs> owned = inner ? inner(fs, prng) : nullptr;
      return std::unique_ptr<wal::Fs>(std::make_unique<AbortingFs>(std::move(owned), fs, at));
    };
  }
}

}  // namespace walsim
