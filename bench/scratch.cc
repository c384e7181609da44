#include "scratch.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "check.h"

namespace bench {

namespace fs = std::filesystem;

void make_fresh_dir(const std::string& dir) {
  remove_dir(dir);
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) die("create " + dir, error.message());
}

void remove_dir(const std::string& dir) {
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) die("remove " + dir, error.message());
}

std::uint64_t dir_bytes(const std::string& dir, const std::string& suffix) {
  std::uint64_t total = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      total += entry.file_size();
    }
  }
  return total;
}

void warm_page_cache(const std::string& dir) {
  std::vector<char> buffer(1u << 20);
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    check_errno(fd, "open " + entry.path().string());
    ssize_t n = 0;
    while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
    }
    check_errno(n, "read " + entry.path().string());
    ::close(fd);
  }
}

bool marker_matches(const std::string& dir, const std::string& text) {
  std::ifstream in(dir + "/BENCH_COMPLETE");
  if (!in) return false;
  std::stringstream found;
  found << in.rdbuf();
  return found.str() == text;
}

void write_marker(const std::string& dir, const std::string& text) {
  std::ofstream out(dir + "/BENCH_COMPLETE", std::ios::trunc);
  out << text;
  if (!out) die("write marker in " + dir, "ofstream failed");
}

void settle_disk() { ::sync(); }

}  // namespace bench
