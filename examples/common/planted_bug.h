// Each example carries one deliberately planted bug, a libfiu point "examples/<store>/<name>"
// that test builds (FIU_ENABLE) compile in, off unless a test or a walsim scenario switches it
// on. It shows that the harness catches a real mistake in a user's store, not only in the WAL.
// Release builds compile EXAMPLE_PLANTED_BUG(...) to false and the wrong branch vanishes.
#pragma once

#ifdef FIU_ENABLE
#include <fiu.h>
#define EXAMPLE_PLANTED_BUG(point) (fiu_fail(point) != 0)
#else
#define EXAMPLE_PLANTED_BUG(point) false
#endif
