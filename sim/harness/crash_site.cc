#include "sim/harness/crash_site.h"

namespace harness {
namespace {

enum class Role : std::uint8_t { kOther, kSegment, kNewSegment, kFront };

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

Role role_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name == "FRONT" || name == "FRONT.tmp") return Role::kFront;
  if (ends_with(name, ".tmp")) return Role::kNewSegment;
  if (ends_with(name, ".wal")) return Role::kSegment;
  return Role::kOther;
}

bool writer_call(Activity activity) {
  switch (activity) {
    case Activity::kAppend:
    case Activity::kBatch:
    case Activity::kCheckpoint:
    case Activity::kSync:
    case Activity::kSyncer:
      return true;
    default:
      return false;
  }
}

// What a call on its own says about the writer's call it came in, if anything.
std::optional<Activity> housekeeping(bool ticket, const FsCall& call) {
  const Role role = role_of(call.path);
  if (role == Role::kFront || call.op == sim::FsOp::kUnlink) {
    // An unlink of a temp segment is a failed creation's cleanup: the rotation's.
    if (role == Role::kNewSegment) return Activity::kRotation;
    return Activity::kRetention;
  }
  if (role == Role::kNewSegment) return Activity::kRotation;
  if (role == Role::kSegment && !ticket && call.op != sim::FsOp::kWrite) {
    return Activity::kRotation;
  }
  return std::nullopt;
}

}  // namespace

CrashSite site_of_cut(Activity activity, bool ticket, const FsCall& cut, const FsCall& before) {
  CrashSite site{activity, sim::to_string(cut.op)};
  if (!writer_call(activity)) return site;
  if (cut.op == sim::FsOp::kSyncDir) {
    // The directory sync that publishes a rename or an unlink belongs to what it publishes.
    if (before.op == sim::FsOp::kRename || before.op == sim::FsOp::kUnlink) {
      if (const std::optional<Activity> owner = housekeeping(false, before)) site.op = *owner;
    }
    return site;
  }
  if (const std::optional<Activity> owner = housekeeping(ticket, cut)) site.op = *owner;
  return site;
}

}  // namespace harness
