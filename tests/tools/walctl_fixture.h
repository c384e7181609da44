// The walctl end-to-end fixture: runs the built binary ($WAL_BUILD_DIR/tools/walctl) on a fresh
// log directory, stdin/stdout/stderr through files, and waits for it. Shared by the walctl_*
// test files, one executable each.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "testutil/temp_dir.h"

extern char** environ;

namespace walctl_test {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;  // -signal when killed by one
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string walctl_path() {
  const char* build = std::getenv("WAL_BUILD_DIR");
  return build == nullptr ? std::string() : std::string(build) + "/tools/walctl";
}

class Walctl : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = walctl_path();
    if (binary_.empty() || !fs::exists(binary_)) {
      GTEST_SKIP() << "walctl binary not found (set WAL_BUILD_DIR and build target walctl): '"
                   << binary_ << "'";
    }
    log_ = tmp_.sub("log");
  }

  Outcome run(const std::vector<std::string>& args, const std::string& input = "") {
    const std::string in = tmp_.sub("stdin");
    const std::string out = tmp_.sub("stdout");
    const std::string err = tmp_.sub("stderr");
    write_file(in, input);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    argv.push_back(binary_.data());
    std::vector<std::string> copies = args;
    for (std::string& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    Outcome result;
    const int spawned = posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      ADD_FAILURE() << "posix_spawn failed: " << spawned;
      return result;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    result.out = read_file(out);
    result.err = read_file(err);
    return result;
  }

  // Names of the segment files in the log, oldest first.
  std::vector<std::string> segments() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(log_)) {
      const std::string name = entry.path().filename().string();
      if (name.size() == 24 && name.ends_with(".wal")) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Every file in the log directory with its bytes.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::directory_iterator(log_)) {
      files[entry.path().filename().string()] = read_file(entry.path().string());
    }
    return files;
  }

  std::string binary_;
  testutil::TempDir tmp_;
  std::string log_;
};

inline std::string lines(int first, int last, const std::string& prefix) {
  std::string text;
  for (int i = first; i <= last; ++i) text += prefix + std::to_string(i) + "\n";
  return text;
}

inline std::string lsn_lines(int first, int last) { return lines(first, last, ""); }

}  // namespace walctl_test
