// summary.json (schema: reports/README.md) and the JSON form of one run, which is also what a
// walsim worker process sends its parent. Everything is written in a canonical order, so two
// equivalent sweeps give byte-identical files once the "host" object is set aside.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/run_record.h"

namespace reports {

inline constexpr std::string_view kSummarySchema = "walsim-summary/1";

nlohmann::json run_to_json(const RunRecord& run, bool with_wall_time);
// Throws nlohmann::json::exception on a malformed record (callers catch at the boundary).
RunRecord run_from_json(const nlohmann::json& json);

nlohmann::json summary_to_json(const Sweep& sweep);
std::string write_summary_json(const Sweep& sweep);

// Parses a summary.json back into a Sweep; on failure returns false and says why in `error`.
bool read_summary_json(const std::string& text, Sweep& out, std::string& error);

}  // namespace reports
