#pragma once

#include <string_view>

#include <wal/types.h>

namespace walctl {

inline std::string_view entry_type_name(wal::EntryType type) {
  switch (type) {
    case wal::EntryType::kData: return "data";
    case wal::EntryType::kBatch: return "batch";
    case wal::EntryType::kCheckpoint: return "checkpoint";
  }
  return "unknown";
}

}  // namespace walctl
