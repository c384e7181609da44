// A fresh directory for one test, removed afterwards. It lives under the build tree, which is on
// the repo's ext4 filesystem (not tmpfs): fsync behaviour there is real.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace testutil {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("WAL_BUILD_DIR");
    std::filesystem::path root = base ? std::filesystem::path(base) / "test-tmp"
                                      : std::filesystem::temp_directory_path();
    std::filesystem::create_directories(root);
    std::string pattern = (root / "wal-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory (not created).
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace testutil
