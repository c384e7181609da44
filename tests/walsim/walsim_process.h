// Running the built walsim binary from a test: where it is (WALSIM, else the build's), where
// the source tree is (WAL_SOURCE_DIR, else the configured one), and one run of it with its exit
// code and output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace walsim_test {

struct Output {
  int code = -1;
  std::string out;  // stdout and stderr together
};

// A file's whole content ("" when it cannot be read).
inline std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string walsim_binary() {
  if (const char* path = std::getenv("WALSIM")) return path;
#ifdef WALSIM_BINARY
  return WALSIM_BINARY;
#else
  return "";
#endif
}

inline std::string source_dir() {
  if (const char* path = std::getenv("WAL_SOURCE_DIR")) return path;
#ifdef WALSIM_SOURCE_DIR
  return WALSIM_SOURCE_DIR;
#else
  return "";
#endif
}

// `walsim ARGS` through the shell (ARGS may carry redirections; `env` a VAR=value prefix).
inline Output run(const std::string& args, const std::string& env = "") {
  Output o;
  const std::string command =
      (env.empty() ? "" : env + " ") + walsim_binary() + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return o;
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    o.out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace walsim_test
