// A run's trace read back as a report's timeline (reports::TimelineEvent) and its append
// latencies. The step of every row is the trace seq of the event it starts with, the one step
// numbering of the failure text and `walsim replay --trace`.
//
// Rows: the harness's calls (numbered in begin order, as the oracle numbers them) with what
// they returned; every file-system call the system made (consecutive contiguous writes, or
// reads, of one file with the same outcome are one row with their byte range); the WAL's log
// lines; injected faults; syncs; the power loss and, per file and directory, what it kept (in
// words: faults/crash_words.h). Virtual time comes from the run loop's "schedule" notes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/run_record.h"
#include "sim/harness/oracle.h"
#include "sim/trace.h"

namespace walsim {

class TraceReader {
 public:
  // `keep_timeline` false: only the latencies (a passing run's timeline is not shown).
  explicit TraceReader(bool keep_timeline) : keep_(keep_timeline) {}

  void read(const std::vector<sim::Event>& events) {
    for (const sim::Event& e : events) visit(e);
  }
  reports::Histogram latency;
  std::vector<reports::TimelineEvent> timeline;

 private:
  struct Open {
    std::size_t row = SIZE_MAX;  // in timeline, when kept
    std::uint64_t begin_us = 0;
    harness::CallKind kind = harness::CallKind::kOpen;
  };
  // The fs row the next contiguous write or read of the same file may extend.
  struct Merge {
    std::size_t row = SIZE_MAX;
    sim::FsOp op = sim::FsOp::kNone;
    std::string path;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t calls = 0;
    wal::Code outcome = wal::Code::kOk;
  };

  void add(reports::TimelineEvent event);
  void visit(const sim::Event& e);
  void fs_op(const sim::Event& e);
  void harness_note(const sim::Event& e);
  void call_returned(const sim::Event& e);

  bool keep_;
  std::uint64_t now_ = 0;
  bool crashed_ = false;
  std::uint64_t next_call_ = 0;
  std::map<std::uint64_t, Open> calls_;
  Merge merge_;
};

}  // namespace walsim
