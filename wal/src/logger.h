// The WAL's one spdlog logger, named "wal". Quiet by default (warn): rotations log at debug,
// poisoning at error. An application that registers its own "wal" logger first gets it used.
#pragma once

#include <spdlog/spdlog.h>

namespace wal::detail {

spdlog::logger& logger();

}  // namespace wal::detail
