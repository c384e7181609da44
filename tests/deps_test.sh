#!/usr/bin/env bash
# Dependencies point one way: wal <- sim <- faults <- harness/CLI <- reports.
# Fails, naming the file and line, when a module includes from a module downstream of it.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2
status=0
check() {  # check <folder> <forbidden include prefix>...
  local folder=$1; shift
  [[ -d $folder ]] || return 0
  for prefix in "$@"; do
    hits=$(grep -rnE "#include [<\"]$prefix/" "$folder" --include='*.h' --include='*.cc' || true)
    if [[ -n $hits ]]; then
      echo "dependency violation: $folder/ must not include $prefix/:"
      echo "$hits"
      status=1
    fi
  done
}
# sim/ holds the simulator core at its top level and the harness in sim/harness/.
check wal sim faults reports tools
check_core_sim() {
  hits=$(grep -nE '#include [<"](faults|sim/harness|reports|tools)/' sim/*.h sim/*.cc 2>/dev/null || true)
  if [[ -n $hits ]]; then
    echo "dependency violation: the sim core (sim/*) must not include faults/, sim/harness/, reports/:"
    echo "$hits"; status=1
  fi
}
check_core_sim
check faults sim/harness reports tools
check sim/harness reports
# walsim trace's recorder records any program: it needs nothing of the WAL or the simulator.
check systrace wal sim faults reports tools
# The WAL reads time and randomness only through its seams, and starts threads only through
# the Runtime: <random> only for a new log's salt (log.cc), <thread> only in std_runtime.cc.
if grep -rnE '#include <random>' wal/src wal/include | grep -v 'wal/src/log.cc' ||
   grep -rnE '#include <thread>' wal/src wal/include | grep -v 'wal/src/std_runtime.cc' ; then
  echo "wal/ must not use <random> (but log.cc for the salt) nor <thread> (but std_runtime.cc)"
  status=1
fi
[[ $status -eq 0 ]] && echo "dependency direction: ok"
exit $status
