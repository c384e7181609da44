#include "sim/walsim/script_toml.h"

#include <fmt/format.h>

namespace walsim {

std::vector<ScenarioError> read_script(const toml::table& table, std::string_view file,
                                       harness::RunConfig& /*config*/) {
  return {{ErrorKind::kUnavailable, std::string(file),
           static_cast<std::uint32_t>(table.source().begin.line), "script",
           "[script]: scripted runs are not available in this build yet"}};
}

}  // namespace walsim
