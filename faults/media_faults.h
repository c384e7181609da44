// Media faults on durable data (SPEC 3.4), applied to a SimFs at a chosen moment (typically
// after a crash, before recovery): the harness decides when, by probability or schedule, and
// these choose where from the PRNG. Each is recorded in the trace as an injected fault.
//   bit_flip       one bit of one file's durable image flips (the page cache follows unless
//                  a pending write covers the byte)
//   latent_sector  one sector of one file's durable image becomes unreadable: reads touching it
//                  fail with an injected EIO until a write covers it
// Targets are files with durable bytes, reached by visible path in name order. Both return false
// (and change nothing) when there is no such file.
// (misdirected_write acts while writing: see MisdirectedWriteFs in io_faults.h.)
#pragma once

#include "faults/media_aim.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"

namespace faults {

// `aim` (media_aim.h): uniform draws exactly what it always drew, so runs without aiming keep
// their traces; structure and mixed aim at the log's structural bytes when it has any.
bool inject_bit_flip(sim::SimFs& fs, sim::Prng& prng, MediaAim aim = MediaAim::kUniform);
bool inject_latent_sector(sim::SimFs& fs, sim::Prng& prng, MediaAim aim = MediaAim::kUniform);

}  // namespace faults
