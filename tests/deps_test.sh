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
check wal sim faults harness reports tools
check sim faults harness reports tools
check faults harness reports tools
check harness reports
# The WAL reads time and randomness only through its seams.
if grep -rnE '#include <(random|thread)>' wal/src wal/include | grep -v 'wal/src/log.cc' ; then
  echo "wal/ must not use <random>, and <thread> only in the runtime (wal/src/log.cc)"
  status=1
fi
[[ $status -eq 0 ]] && echo "dependency direction: ok"
exit $status
