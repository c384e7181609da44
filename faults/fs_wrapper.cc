#include "faults/fs_wrapper.h"

namespace faults {

wal::File& innermost(wal::File& file) {
  wal::File* current = &file;
  while (auto* wrapper = dynamic_cast<FileWrapper*>(current)) current = &wrapper->base();
  return *current;
}

}  // namespace faults
