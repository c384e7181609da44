// A RecoveryReport as JSON (verify --json, repair).
#pragma once

#include <nlohmann/json.hpp>
#include <wal/recovery_report.h>

namespace walctl {

nlohmann::json to_json(const wal::DamagedRange& range);
nlohmann::json to_json(const wal::RecoveryReport& report);

// "clean", "torn-tail" (only a torn tail) or "corrupt" (anything else).
std::string_view verdict(const wal::RecoveryReport& report);

}  // namespace walctl
