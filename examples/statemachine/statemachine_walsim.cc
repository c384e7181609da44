// The ledger's own walsim: walsim's whole command line with the "ledger" target registered.
//   statemachine_walsim run scenarios/          the ledger under power loss, and its planted bug
//   statemachine_walsim shrink scenarios/replay-from-checkpoint.toml --seed N
#include <sim/walsim/walsim_main.h>

#include "ledger_target.h"

int main(int argc, char** argv) {
  ledger::register_target();
  return harness::walsim_main(argc, argv);
}
