#include "faults/file_glob.h"

#include <fnmatch.h>

#include <string>

namespace faults {

std::string_view base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool glob_matches(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return true;
  // fnmatch needs NUL-terminated strings; both are short (a file name and a scenario value).
  const std::string glob(pattern);
  const std::string name(base_name(path));
  return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

bool valid_glob(std::string_view pattern) {
  return !pattern.empty() && pattern.find('/') == std::string_view::npos &&
         pattern.find('\0') == std::string_view::npos;
}

}  // namespace faults
