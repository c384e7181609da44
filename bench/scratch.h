// Filesystem chores around a run: fresh directories, sizes, warming the page cache.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

// Removes `dir` if present and creates it empty (parents too).
void make_fresh_dir(const std::string& dir);
void remove_dir(const std::string& dir);
// Total bytes of the regular files directly in `dir` whose name ends with `suffix`.
std::uint64_t dir_bytes(const std::string& dir, const std::string& suffix = "");
// Reads every regular file under `dir` once, so the next pass finds them in the page cache.
void warm_page_cache(const std::string& dir);
// A marker written last when a cached dataset is complete; its text records the parameters.
bool marker_matches(const std::string& dir, const std::string& text);
void write_marker(const std::string& dir, const std::string& text);
// Flushes every dirty page of the machine, so one run's writeback does not land in the next.
void settle_disk();

}  // namespace bench
