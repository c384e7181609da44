#include "sim/harness/invariants.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/harness/payload.h"
#include "sim/harness/invariants_internal.h"

namespace harness {
namespace {

constexpr std::size_t kMaxMessagesPerInvariant = 8;

constexpr std::string_view kNames[kInvariantCount] = {
    "durability",     "prefix",     "integrity",           "atomic-batch",
    "lsn-continuity", "checkpoint", "idempotent-recovery", "error-honesty",
    "corruption-detected", "no-leak",
};

std::string_view type_name(wal::EntryType type) {
  switch (type) {
    case wal::EntryType::kData: return "data";
    case wal::EntryType::kBatch: return "batch";
    case wal::EntryType::kCheckpoint: return "checkpoint";
  }
  return "unknown-type";
}

void cap_messages(InvariantVerdict& verdict) {
  if (verdict.violations.size() <= kMaxMessagesPerInvariant) return;
  const std::size_t more = verdict.violations.size() - kMaxMessagesPerInvariant;
  verdict.violations.resize(kMaxMessagesPerInvariant);
  Violation tail = verdict.violations.back();
  tail.message = fmt::format("{}: ... and {} more", to_string(verdict.invariant), more);
  verdict.violations.push_back(std::move(tail));
}

}  // namespace

namespace invariants_internal {

std::string describe(const Expected& e) {
  return fmt::format("{}, {} {} bytes fp {:#018x}", to_string(e.id), type_name(e.type),
                     e.size_bytes, e.fingerprint);
}

std::string describe(const RecoveredEntry& e) {
  return fmt::format("{} {} bytes fp {:#018x}", type_name(e.type), e.size_bytes, e.fingerprint);
}

std::string range_text(wal::Lsn first, wal::Lsn last) {
  return first == last ? fmt::format("LSN {}", first) : fmt::format("LSNs {}..{}", first, last);
}

void Checker::run() {
  if (in_.recovery != nullptr) {
    durability();
    prefix();
    integrity();
    atomic_batch();
    checkpoint();
    idempotent_recovery();
    corruption_detected();
  }
  lsn_continuity();
  error_honesty();
  no_leak();
}

void Checker::add(Invariant invariant, wal::Lsn lsn, std::uint64_t step, std::string message) {
  InvariantVerdict& verdict = result_[invariant];
  verdict.checked = true;
  verdict.violations.push_back(
      Violation{invariant, lsn, step,
                fmt::format("{}: {} [trace step {}]", to_string(invariant), message, step)});
}

}  // namespace invariants_internal

std::string_view to_string(Invariant invariant) {
  return kNames[static_cast<std::size_t>(invariant)];
}

std::optional<Invariant> parse_invariant(std::string_view name) {
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    if (kNames[i] == name) return static_cast<Invariant>(i);
  }
  return std::nullopt;
}

RecoveredEntry RecoveredEntry::from(wal::Lsn lsn, wal::EntryType type,
                                    std::span<const std::byte> bytes) {
  RecoveredEntry entry;
  entry.lsn = lsn;
  entry.type = type;
  entry.size_bytes = static_cast<std::uint32_t>(bytes.size());
  entry.fingerprint = harness::fingerprint(bytes);
  entry.id = identify_payload(bytes);
  return entry;
}

RecoveredEntry RecoveredEntry::from(const wal::Entry& entry) {
  return from(entry.lsn, entry.type, entry.payload);
}

CheckResult::CheckResult() {
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    verdicts_[i].invariant = static_cast<Invariant>(i);
  }
}

const InvariantVerdict& CheckResult::operator[](Invariant invariant) const {
  return verdicts_[static_cast<std::size_t>(invariant)];
}

InvariantVerdict& CheckResult::operator[](Invariant invariant) {
  return verdicts_[static_cast<std::size_t>(invariant)];
}

bool CheckResult::passed() const {
  return std::none_of(verdicts_.begin(), verdicts_.end(),
                      [](const InvariantVerdict& v) { return v.violated(); });
}

std::vector<Violation> CheckResult::violations() const {
  std::vector<Violation> all;
  for (const InvariantVerdict& verdict : verdicts_) {
    all.insert(all.end(), verdict.violations.begin(), verdict.violations.end());
  }
  return all;
}

std::vector<Invariant> CheckResult::checked() const {
  std::vector<Invariant> out;
  for (const InvariantVerdict& verdict : verdicts_) {
    if (verdict.checked) out.push_back(verdict.invariant);
  }
  return out;
}

std::vector<Invariant> CheckResult::violated() const {
  std::vector<Invariant> out;
  for (const InvariantVerdict& verdict : verdicts_) {
    if (verdict.violated()) out.push_back(verdict.invariant);
  }
  return out;
}

std::string CheckResult::summary() const {
  if (passed()) return fmt::format("all {} checked invariants hold", checked().size());
  std::string text;
  for (const Violation& violation : violations()) {
    text += violation.message;
    text += '\n';
  }
  return text;
}

CheckResult check(const CheckInput& input) {
  CheckResult result;
  invariants_internal::Checker(input, result).run();
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    cap_messages(result[static_cast<Invariant>(i)]);
  }
  return result;
}

}  // namespace harness