#include "sim/walsim/scenario_files.h"

#include <algorithm>
#include <filesystem>

#include "sim/walsim/exit_codes.h"

namespace walsim {

std::vector<std::string> expand_paths(const std::vector<std::string>& paths,
                                      std::vector<ScenarioError>& errors) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path, error)) {
        if (entry.is_regular_file() && entry.path().extension() == ".toml") {
          found.push_back(entry.path().lexically_normal().string());
        }
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        errors.push_back({ErrorKind::kIo, path, 0, "", "no *.toml scenario in this folder"});
      }
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, error)) {
      files.push_back(path);
    } else {
      errors.push_back({ErrorKind::kIo, path, 0, "", "no such file or folder"});
    }
  }
  return files;
}

LoadedScenarios load_scenarios(const std::vector<std::string>& paths, bool runnable) {
  LoadedScenarios out;
  for (const std::string& file : expand_paths(paths, out.errors)) {
    ParseResult parsed = load_scenario(file);
    for (ScenarioError& e : parsed.errors) out.errors.push_back(std::move(e));
    if (!parsed.scenario) continue;
    if (runnable) {
      if (auto why = check_runnable(*parsed.scenario)) {
        out.errors.push_back(std::move(*why));
        continue;
      }
    }
    out.scenarios.push_back(std::move(*parsed.scenario));
  }
  if (!out.errors.empty()) out.exit_code = exit_code(out.errors.front().kind);
  return out;
}

}  // namespace walsim
