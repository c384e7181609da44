// `walsim validate` on malformed scenarios, end to end: each class of mistake the outside
// testers fed it (out-of-range sizes, non-power-of-two sectors and pages, sector > page,
// negative and overflowing numbers, wrong types) exits with its documented code (exit_codes.h)
// and a message that names the file, the line and the key, never a run that fails every seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;

struct Malformed {
  const char* name;
  const char* text;
  int code;             // 6 out of range, 5 wrong type, 3 not TOML
  const char* located;  // "<line>: " and then the key, as the message must carry them
  const char* key;
};

class WalsimValidateTest : public testing::TestWithParam<Malformed> {};

TEST_P(WalsimValidateTest, ExitsWithItsCodeNamingFileLineAndKey) {
  if (walsim_test::walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
  const Malformed& bad = GetParam();
  testutil::TempDir dir;
  const fs::path file = fs::path(dir.path()) / (std::string(bad.name) + ".toml");
  std::ofstream(file) << bad.text;
  const walsim_test::Output o = walsim_test::run("validate " + file.string());
  EXPECT_EQ(o.code, bad.code) << o.out;
  EXPECT_NE(o.out.find(file.string() + ":" + bad.located), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(bad.key), std::string::npos) << o.out;
  // And `run` refuses it the same way before any seed runs.
  const walsim_test::Output r = walsim_test::run("run " + file.string() + " --report ''");
  EXPECT_EQ(r.code, bad.code) << r.out;
  EXPECT_EQ(r.out.find("scenarios matched"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    OutsideFindings, WalsimValidateTest,
    testing::Values(
        Malformed{"segment-over-1tib", "name = \"x\"\n[wal]\nsegment_bytes = 1099511627777000\n",
                  6, "3: ", "wal.segment_bytes"},
        Malformed{"segment-too-small", "name = \"x\"\n[wal]\nsegment_bytes = 64\n", 6, "3: ",
                  "wal.segment_bytes"},
        Malformed{"sector-not-power-of-two", "name = \"x\"\n[device]\nsector_bytes = 500\n", 6,
                  "3: ", "device.sector_bytes"},
        Malformed{"page-not-power-of-two",
                  "name = \"x\"\n[device]\nsector_bytes = 512\npage_bytes = 3000\n", 6, "4: ",
                  "device.page_bytes"},
        Malformed{"sector-above-page", "name = \"x\"\n[device]\nsector_bytes = 65536\n", 6,
                  "3: ", "device.sector_bytes"},
        Malformed{"negative-count", "name = \"x\"\n[workload]\nops = -10\n", 6, "3: ",
                  "workload.ops"},
        Malformed{"negative-probability", "name = \"x\"\n[faults]\nwrite_eio = -0.5\n", 6,
                  "3: ", "faults.write_eio"},
        Malformed{"zero-max-entry", "name = \"x\"\n[wal]\nmax_entry_bytes = 0\n", 6, "3: ",
                  "wal.max_entry_bytes"},
        Malformed{"huge-buffer", "name = \"x\"\n[wal]\nbuffer_bytes = 4294967295\n", 6, "3: ",
                  "wal.buffer_bytes"},
        Malformed{"entry-above-max-entry",
                  "name = \"x\"\n[wal]\nmax_entry_bytes = 100\n[workload]\n"
                  "entry_bytes = [1, 200]\n",
                  6, "5: ", "workload.entry_bytes"},
        Malformed{"overflowing-number", "name = \"x\"\n[crash]\ncount = 99999999999999999999\n",
                  3, "3: ", "crash.count"},
        Malformed{"wrong-type", "name = \"x\"\n[device]\nsector_bytes = \"4k\"\n", 5, "3: ",
                  "device.sector_bytes"}),
    [](const testing::TestParamInfo<Malformed>& param) {
      std::string name = param.param.name;
      for (char& c : name) c = c == '-' ? '_' : c;
      return name;
    });

}  // namespace
