#include "check.h"

#include <cerrno>
#include <cstring>

namespace bench {

void check_errno(long result, std::string_view what) {
  if (result < 0) die(what, std::strerror(errno));
}

}  // namespace bench
