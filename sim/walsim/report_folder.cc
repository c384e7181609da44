#include "sim/walsim/report_folder.h"

#include <ctime>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace walsim {

namespace stdfs = std::filesystem;

ReportFolder resolve_report_folder(std::string_view given, std::string_view kind,
                                   std::string_view link_name, std::string& error) {
  if (given != kNewRunReport && given != kNewSwarmReport) return {std::string(given), ""};
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  const stdfs::path root(kReportRoot);
  std::error_code ec;
  stdfs::create_directories(root, ec);
  if (ec) {
    error = fmt::format("cannot create {}: {}", root.string(), ec.message());
    return {};
  }
  // create_directory says whether it made the folder: two runs in the same second (or two
  // processes) never share one.
  for (int n = 1; n < 1000; ++n) {
    const std::string name =
        n == 1 ? fmt::format("{}-{}", stamp, kind) : fmt::format("{}-{}-{}", stamp, kind, n);
    const stdfs::path dir = root / name;
    if (stdfs::create_directory(dir, ec)) {
      return {dir.string(), (root / link_name).string()};
    }
    if (ec) {
      error = fmt::format("cannot create {}: {}", dir.string(), ec.message());
      return {};
    }
  }
  error = fmt::format("cannot find a free report folder name under {}", root.string());
  return {};
}

std::string point_latest(const ReportFolder& folder) {
  if (folder.link.empty() || folder.dir.empty()) return "";
  const stdfs::path link(folder.link);
  // Relative to the link's own folder, so the tree can move.
  const stdfs::path target = stdfs::path(folder.dir).filename();
  const stdfs::path temp = link.string() + ".new";
  std::error_code ec;
  // A folder of an older walsim (which wrote into reports/out/latest itself) is moved aside
  // once, not deleted: it holds a report somebody may want.
  if (stdfs::is_directory(stdfs::symlink_status(link, ec))) {
    const stdfs::path aside = link.string() + ".old";
    if (stdfs::exists(stdfs::symlink_status(aside, ec))) {
      return fmt::format("cannot point {} at {}: it is a folder, and {} exists", link.string(),
                         folder.dir, aside.string());
    }
    stdfs::rename(link, aside, ec);
    if (ec) return fmt::format("cannot move {} aside: {}", link.string(), ec.message());
  }
  stdfs::remove(temp, ec);
  stdfs::create_directory_symlink(target, temp, ec);
  if (!ec) stdfs::rename(temp, link, ec);  // rename(2) replaces the old link in one step
  if (ec) return fmt::format("cannot point {} at {}: {}", link.string(), folder.dir, ec.message());
  return "";
}

}  // namespace walsim
