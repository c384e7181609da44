// Turns the samples of all rounds into the tables a reader needs: every figure as a median with
// its range, the ratio of ours to the reference each target names, and whether it is met.
#pragma once

#include <string>
#include <vector>

#include "sample.h"

namespace bench {

// The tables as Markdown (printed, and written to table.md for bench/RESULTS.md).
std::string render_report(const std::vector<Sample>& samples, int rounds);

}  // namespace bench
