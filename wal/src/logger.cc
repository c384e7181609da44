#include "logger.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace wal::detail {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    if (std::shared_ptr<spdlog::logger> existing = spdlog::get("wal")) return existing;
    auto created = std::make_shared<spdlog::logger>(
        "wal", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    created->set_level(spdlog::level::warn);
    spdlog::register_logger(created);
    return created;
  }();
  return *instance;
}

}  // namespace wal::detail
