// The ledger (ledger.h) as a walsim target: registers "ledger" and its planted bug.
#pragma once

namespace ledger {

// Registers the target "ledger" with the harness (call before harness::walsim_main).
void register_target();

}  // namespace ledger
