#include "sim/harness/wal_log_route.h"

#include <memory>
#include <mutex>
#include <string>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace harness {
namespace {

thread_local const ScopedWalLogListener::Listener* tls_listener = nullptr;

// No lock of its own: each thread writes only to its own listener's run.
class ToListener final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (tls_listener == nullptr) return;
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    (*tls_listener)(std::string_view(level.data(), level.size()),
                    std::string_view(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}
};

}  // namespace

void route_wal_log() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto sink = std::make_shared<ToListener>();
    std::shared_ptr<spdlog::logger> logger = spdlog::get("wal");
    if (logger == nullptr) {
      logger = std::make_shared<spdlog::logger>("wal", sink);
      spdlog::register_logger(logger);
    } else {
      logger->sinks() = {sink};
    }
  });
  // Every call, not once: quiet_wal_log() (real-disk runs, a test) turns the level off, and a
  // run after it would then hash no log lines, unlike the same run in a fresh process.
  spdlog::get("wal")->set_level(spdlog::level::warn);
}

ScopedWalLogListener::ScopedWalLogListener(Listener listener)
    : listener_(std::move(listener)), previous_(tls_listener) {
  tls_listener = &listener_;
}

ScopedWalLogListener::~ScopedWalLogListener() { tls_listener = previous_; }

}  // namespace harness
