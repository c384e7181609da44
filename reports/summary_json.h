// summary.json (schema: reports/README.md) and the JSON form of one run, which is also what a
// walsim worker process sends its parent. Everything is written in a canonical order, so two
// equivalent sweeps give byte-identical files once the "host" object is set aside.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/run_record.h"

namespace reports {

// Version 2 folds the passing seeds of each scenario into "passed_runs" unless every seed is
// asked for; version 1 files are still read.
inline constexpr std::string_view kSummarySchema = "walsim-summary/2";
inline constexpr std::string_view kSummarySchemaV1 = "walsim-summary/1";

nlohmann::json run_to_json(const RunRecord& run, bool with_wall_time);
// Throws nlohmann::json::exception on a malformed record (callers catch at the boundary).
RunRecord run_from_json(const nlohmann::json& json);

// every_seed: per-seed detail for passing seeds too (--full-summary); else they are folded.
nlohmann::json summary_to_json(const Sweep& sweep, bool every_seed = false);
std::string write_summary_json(const Sweep& sweep, bool every_seed = false);

// Parses a summary.json back into a Sweep; on failure returns false and says why in `error`.
bool read_summary_json(const std::string& text, Sweep& out, std::string& error);

}  // namespace reports
