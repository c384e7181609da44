// `walsim --version`: the project's version and the git revision captured when CMake
// configured (cmake/GitRevision.cmake: `git describe --always --dirty`, "unknown" outside a
// checkout of the project).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;

using walsim_test::read;

TEST(WalsimVersionTest, PrintsTheVersionAndTheGitRevisionAndExitsZero) {
  if (walsim_test::walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
  const walsim_test::Output o = walsim_test::run("--version");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_TRUE(std::regex_match(
      o.out, std::regex(R"(walsim [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-zA-Z._/-]+|unknown)\)\n)")))
      << o.out;
}

#ifdef WAL_CMAKE_COMMAND
// The header the CMake helper writes, in script mode, for a given source directory.
std::string revision_for(const fs::path& source, const fs::path& binary) {
  const std::string command = std::string(WAL_CMAKE_COMMAND) + " -DPROJECT_SOURCE_DIR=" +
                              source.string() + " -DPROJECT_BINARY_DIR=" + binary.string() +
                              " -DPROJECT_VERSION=1.2.3 -P " +
                              (fs::path(walsim_test::source_dir()) / "cmake/GitRevision.cmake")
                                  .string() +
                              " > /dev/null 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return read(binary / "generated/git_revision/wal_git_revision.h");
}

TEST(WalsimVersionTest, OutsideACheckoutTheRevisionIsUnknown) {
  testutil::TempDir dir;
  const fs::path source = fs::path(dir.path()) / "tarball";
  fs::create_directories(source);
  const std::string header = revision_for(source, fs::path(dir.path()) / "build");
  EXPECT_NE(header.find("#define WAL_VERSION_STRING \"1.2.3\""), std::string::npos) << header;
  EXPECT_NE(header.find("#define WAL_GIT_REVISION \"unknown\""), std::string::npos) << header;
}

TEST(WalsimVersionTest, InTheCheckoutTheRevisionIsGitDescribe) {
  testutil::TempDir dir;
  const fs::path source = walsim_test::source_dir();
  if (!fs::exists(source / ".git")) GTEST_SKIP() << "the source tree is not a git checkout";
  const std::string header = revision_for(source, fs::path(dir.path()) / "build");
  EXPECT_EQ(header.find("\"unknown\""), std::string::npos) << header;
  EXPECT_TRUE(std::regex_search(header, std::regex(R"(WAL_GIT_REVISION "[^"]+")")))
      << header;
}
#endif

}  // namespace
