#include <wal/fs.h>

namespace wal {

std::string join_path(std::string_view dir, std::string_view name) {
  std::string path;
  join_path_into(dir, name, path);
  return path;
}

std::string parent_path(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

void join_path_into(std::string_view dir, std::string_view name, std::string& out) {
  out.assign(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
}

}  // namespace wal
