// A user's own walsim (sim/walsim/walsim_main.h): the "tally" store registered, then walsim's
// whole command line. run_consumer.cmake runs tally.toml through it, replays a seed and lists
// the scenario, as a user of the installed package would.
#include "sim/walsim/walsim_main.h"
#include "tally_target.h"

int main(int argc, char** argv) {
  tally::register_tally();
  return harness::walsim_main(argc, argv);
}
