#include <wal/fs.h>

namespace wal {

std::string join_path(std::string_view dir, std::string_view name) {
  std::string path;
  join_path_into(dir, name, path);
  return path;
}

void join_path_into(std::string_view dir, std::string_view name, std::string& out) {
  out.assign(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
}

}  // namespace wal
