// walsim in a binary of your own (docs/harness-api.md): register your targets, then hand over.
//
//   #include <sim/harness/target.h>
//   #include <sim/walsim/walsim_main.h>
//
//   int main(int argc, char** argv) {
//     harness::register_target({"mystore", "my store on wal::LogCore",
//                               [] { return std::make_unique<MyTarget>(); }, {}});
//     return harness::walsim_main(argc, argv);
//   }
//
// The binary is then a whole walsim: run, replay, shrink, explore, swarm, validate, list and
// merge, TOML scenarios with `target = "mystore"` next to the WAL's own, the four reports, and
// the exit codes of `walsim --help`. Link wal::walsim (find_package(wal) exports it).
#pragma once

namespace harness {

// Parses `argv` as the walsim command line and runs it; returns the process exit code.
int walsim_main(int argc, char** argv);

}  // namespace harness
