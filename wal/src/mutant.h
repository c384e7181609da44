// Bug zoo switches (docs/bug-zoo.md): named, deliberately wrong variants of WAL decisions that
// the harness must catch. Each is a libfiu point "wal/mutant/<name>"; test builds (FIU_ENABLE)
// compile them in, off unless a test enables one (sim/harness/mutants.h); release builds
// compile WAL_MUTANT(...) to a constant false, so the wrong branch is dead code and vanishes.
#pragma once

#ifdef FIU_ENABLE
#include <fiu.h>
#define WAL_MUTANT(name) (fiu_fail("wal/mutant/" name) != 0)
#else
#define WAL_MUTANT(name) false
#endif
