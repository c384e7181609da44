#include "systrace/file_ids.h"

namespace systrace {

std::uint64_t FileIds::fresh(dev_t dev, ino_t ino) {
  const std::uint64_t id = next_++;
  ids_[Key{dev, ino}] = id;
  return id;
}

std::uint64_t FileIds::find_or_add(dev_t dev, ino_t ino) {
  if (const std::optional<std::uint64_t> id = find(dev, ino)) return *id;
  return fresh(dev, ino);
}

std::optional<std::uint64_t> FileIds::find(dev_t dev, ino_t ino) const {
  const auto it = ids_.find(Key{dev, ino});
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void FileIds::forget(dev_t dev, ino_t ino) { ids_.erase(Key{dev, ino}); }

}  // namespace systrace
