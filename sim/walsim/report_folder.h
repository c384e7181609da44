// Where a run's report goes when the user names no folder: each run its own folder under
// reports/out/ (named for the wall-clock time it started and the command), and a symbolic link
// in reports/out/ pointing at the newest (`latest` for walsim run, `latest-swarm` for walsim
// swarm), so that no run overwrites another's report and the newest is always at one path.
#pragma once

#include <string>
#include <string_view>

namespace walsim {

// The --report default of `walsim run` and `walsim swarm`, as --help shows it.
inline constexpr std::string_view kReportRoot = "reports/out";
inline constexpr std::string_view kNewRunReport = "reports/out/<time>-run";
inline constexpr std::string_view kNewSwarmReport = "reports/out/<time>-swarm";
// Shrunk scenarios go here by default: beside the reports, out of every suite folder and out of
// git (reports/out/ is ignored), so a later run of the suite does not pick them up.
inline constexpr std::string_view kShrunkFolder = "reports/out/shrunk";

struct ReportFolder {
  std::string dir;   // where to write ("": no report)
  std::string link;  // the link to point at dir once written ("": none)
};

// `given` as the user passed --report (the default when they did not): the default gets a new
// folder under kReportRoot, named "<YYYYMMDD-HHMMSS>-<kind>" (a "-2", "-3"... suffix when that
// exists), and the link `link_name`; any other value is used as it is, with no link.
// On failure (the folder cannot be created) dir is empty and `error` says why.
ReportFolder resolve_report_folder(std::string_view given, std::string_view kind,
                                   std::string_view link_name, std::string& error);

// Points folder.link at folder.dir (replacing an older link atomically); "" or an error.
std::string point_latest(const ReportFolder& folder);

}  // namespace walsim
