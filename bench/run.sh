#!/usr/bin/env bash
# Runs the benchmark suite of `make bench` against an already built tree (make bench builds the
# release preset first) and leaves everything in bench/out/ (git-ignored, on the repo's ext4):
#   machine.txt    cores, CPU, filesystem, kernel, load, and `walctl bench` (fsync latency)
#   results.json   every sample of compare_bench (W1-W5 x wal/raw/rocksdb/leveldb x rounds)
#   table.md       medians, ranges and ratios (also printed)
#   sim_fs_bench.json  the simulator's own Google Benchmark figures, when that binary is built
#   sim_run_bench.json  the harness's seeded runs/s and explored crash states/s, when built
#
#   bench/run.sh [compare_bench flags...]     e.g. --rounds 5, --scale 0.1, --works W2,W3
#   BUILD_DIR=build/bench bench/run.sh         another build tree (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build/release}
out=bench/out
mkdir -p "$out"

if [[ $(stat -f -c %T "$out") == tmpfs ]]; then
  echo "bench/run.sh: $out is on tmpfs, where fsync is free; refusing to measure" >&2
  exit 1
fi

{
  echo "date:   $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cores:  $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))"
  echo "memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "fs:     $(df --output=fstype "$out" | tail -1) on $(df --output=source "$out" | tail -1)"
  echo "kernel: $(uname -r)"
  echo "load:   $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ -x $build/tools/walctl ]] || [[ -x $build/tools/walctl/walctl ]]; then
    walctl=$build/tools/walctl
    [[ -d $walctl ]] && walctl=$walctl/walctl
    echo
    echo "walctl bench $out/walctl:"
    mkdir -p "$out/walctl"
    "$walctl" bench "$out/walctl" --seconds 1
  fi
} | tee "$out/machine.txt"
echo

"$build/bench/compare_bench" --out "$out" "$@"

# The harness's figure: runs/s of the chaos suite on the simulator (walsim prints the run count
# and the wall time on its last lines).
if [[ -x $build/sim/walsim/walsim ]]; then
  echo
  echo "walsim run scenarios/chaos --seeds 10 -j 2:"
  "$build/sim/walsim/walsim" run scenarios/chaos --seeds 10 -j 2 --no-progress \
    --report "$out/walsim" | tail -3 || true
fi

if [[ -x $build/bench/sim_fs_bench ]]; then
  echo
  echo "sim_fs_bench:"
  "$build/bench/sim_fs_bench" --benchmark_min_time=0.2 --benchmark_out="$out/sim_fs_bench.json" \
    --benchmark_out_format=json
fi
if [[ -x $build/bench/sim_run_bench ]]; then
  echo
  echo "sim_run_bench (per core: items_per_second is over CPU time):"
  "$build/bench/sim_run_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/sim_run_bench.json" --benchmark_out_format=json 2>/dev/null
fi
