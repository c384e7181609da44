#include "sim/walsim/shrink_anchor.h"

#include <sstream>

#include <fmt/format.h>

#include "sim/harness/mutants.h"
#include "sim/walsim/isolated.h"

namespace walsim {
namespace {

using harness::FsCallKind;
using harness::OpSurvey;

// The class of the file operation n was on ("" for none, or a survey without classes).
std::string_view file_of(const OpSurvey& survey, std::uint64_t operation) {
  return operation - 1 < survey.files.size() ? std::string_view(survey.files[operation - 1])
                                             : std::string_view();
}

// Whether operation n is a `call` on `file` (nullopt: on any file).
bool counts(const OpSurvey& survey, std::uint64_t operation, FsCallKind call,
            std::optional<std::string_view> file) {
  return survey.calls[operation - 1] == call && (!file || file_of(survey, operation) == *file);
}

// The operation that is the nth (1-based) such call of the run, 0 if the survey saw fewer.
std::uint64_t nth_call(const OpSurvey& survey, FsCallKind call,
                       std::optional<std::string_view> file, std::uint64_t n) {
  for (std::uint64_t operation = 1; operation <= survey.calls.size(); ++operation) {
    if (counts(survey, operation, call, file) && --n == 0) return operation;
  }
  return 0;
}

std::uint64_t calls_up_to(const OpSurvey& survey, FsCallKind call,
                          std::optional<std::string_view> file, std::uint64_t operation) {
  std::uint64_t n = 0;
  for (std::uint64_t at = 1; at <= operation && at <= survey.calls.size(); ++at) {
    n += counts(survey, at, call, file) ? 1 : 0;
  }
  return n;
}

// A fault anchored to a file counts the calls on that class only (script.h).
std::optional<std::string_view> counted_file(const harness::ScriptedFault& fault) {
  if (fault.file.empty()) return std::nullopt;
  return std::string_view(fault.file);
}

// The survey through the child's pipe: the number of operations, one line per operation (its
// kind's digit, then its file class), then one line per op.
std::string survey_text(const OpSurvey& survey) {
  std::string text = std::to_string(survey.calls.size()) + '\n';
  for (std::uint64_t operation = 1; operation <= survey.calls.size(); ++operation) {
    text += static_cast<char>('0' + static_cast<int>(survey.calls[operation - 1]));
    text += file_of(survey, operation);
    text += '\n';
  }
  for (const OpSurvey::Span& op : survey.ops) {
    text += fmt::format("{} {} {} {}\n", static_cast<int>(op.kind), op.index, op.first, op.last);
  }
  return text;
}

OpSurvey parse_survey(const std::string& text) {
  std::istringstream in(text);
  OpSurvey survey;
  std::uint64_t operations = 0;
  in >> operations;
  in.ignore(1);
  std::string line;
  for (std::uint64_t n = 0; n < operations && std::getline(in, line) && !line.empty(); ++n) {
    survey.calls.push_back(static_cast<FsCallKind>(line[0] - '0'));
    survey.files.push_back(line.substr(1));
  }
  int kind = 0;
  OpSurvey::Span op;
  while (in >> kind >> op.index >> op.first >> op.last) {
    op.kind = static_cast<harness::OpKind>(kind);
    survey.ops.push_back(op);
  }
  return survey;
}

}  // namespace

std::optional<OpSurvey> isolated_survey(const harness::RunConfig& config, std::uint64_t seed,
                                        const std::optional<std::string>& mutant) {
  const ChildOutcome outcome = run_isolated([&] {
    std::optional<harness::ScopedMutant> on;
    if (mutant) on.emplace(*mutant);
    return survey_text(harness::survey_ops(config, seed));
  });
  if (!outcome.completed) return std::nullopt;
  return parse_survey(outcome.output);
}

std::optional<Anchor> anchor_of(const OpSurvey& survey, std::uint64_t operation) {
  if (operation == 0 || operation > survey.calls.size()) return std::nullopt;
  const OpSurvey::Span* holder = nullptr;
  for (const OpSurvey::Span& op : survey.ops) {
    if (op.first <= operation && operation <= op.last &&
        (holder == nullptr || op.first > holder->first)) {
      holder = &op;
    }
  }
  if (holder == nullptr) return std::nullopt;
  Anchor anchor{holder->index, survey.calls[operation - 1],
                std::string(file_of(survey, operation)), 0};
  for (std::uint64_t at = holder->first; at <= operation; ++at) {
    anchor.ordinal += counts(survey, at, anchor.call, anchor.file) ? 1 : 0;
  }
  return anchor;
}

std::optional<std::uint64_t> place(const OpSurvey& survey, const Anchor& anchor) {
  for (const OpSurvey::Span& op : survey.ops) {
    if (op.index != anchor.index) continue;
    std::uint64_t n = anchor.ordinal;
    for (std::uint64_t at = op.first; at <= op.last && at <= survey.calls.size(); ++at) {
      if (counts(survey, at, anchor.call, anchor.file) && --n == 0) return at;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

FsCallKind counted_call(harness::FaultKind kind) {
  switch (kind) {
    case harness::FaultKind::kFsyncEio: return FsCallKind::kSync;
    case harness::FaultKind::kWriteEio:
    case harness::FaultKind::kWriteShort:
    case harness::FaultKind::kMisdirectedWrite: return FsCallKind::kWrite;
    case harness::FaultKind::kReadEio:
    case harness::FaultKind::kReadShort: return FsCallKind::kRead;
    default: return FsCallKind::kOther;
  }
}

std::optional<harness::CrashAt> crash_reanchored(const OpSurvey& before, const OpSurvey& after,
                                                 const harness::CrashAt& crash) {
  if (crash.kind != harness::CrashAt::Kind::kFsOp) return std::nullopt;
  // fs-op:N lets N operations through: the one it refuses is N + 1.
  const std::optional<Anchor> anchor = anchor_of(before, crash.value + 1);
  const std::optional<std::uint64_t> at = anchor ? place(after, *anchor) : std::nullopt;
  if (!at) return std::nullopt;
  return harness::CrashAt{harness::CrashAt::Kind::kFsOp, *at - 1};
}

std::optional<std::uint64_t> fault_reanchored(const OpSurvey& before, const OpSurvey& after,
                                              const harness::ScriptedFault& fault) {
  const FsCallKind call = counted_call(fault.kind);
  if (call == FsCallKind::kOther) return std::nullopt;
  const std::optional<std::string_view> file = counted_file(fault);
  const std::optional<Anchor> anchor = anchor_of(before, nth_call(before, call, file, fault.at));
  const std::optional<std::uint64_t> at = anchor ? place(after, *anchor) : std::nullopt;
  if (!at) return std::nullopt;
  return calls_up_to(after, call, file, *at);
}

}  // namespace walsim
