#include "sim/harness/quiet_log.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace harness {

void quiet_wal_log() {
  if (std::shared_ptr<spdlog::logger> existing = spdlog::get("wal")) {
    existing->set_level(spdlog::level::off);
    return;
  }
  auto quiet =
      std::make_shared<spdlog::logger>("wal", std::make_shared<spdlog::sinks::null_sink_mt>());
  quiet->set_level(spdlog::level::off);
  spdlog::register_logger(quiet);
}

}  // namespace harness
