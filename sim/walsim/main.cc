// The walsim binary: the WAL and the example stores (kv, queue), registered by the example
// targets linked in, behind walsim's command line.
#include "sim/walsim/walsim_main.h"

int main(int argc, char** argv) { return harness::walsim_main(argc, argv); }
