#!/bin/sh
# Checker for `walctl append DIR/log`: every LSN walctl printed (it prints one once the entry is
# as durable as --sync promises) must be in the recovered log with the line it was given
# ("entry-<LSN>"), and the log must open. Nothing acknowledged: any state that opens will do.
# Usage: WALCTL=path check_walctl.sh DIR ACKNOWLEDGED
set -u
walctl=${WALCTL:-walctl}
dir=$1
acked=$2
if [ ! -d "$dir/log" ]; then
  [ -s "$acked" ] && { echo "the log is gone, $(wc -l < "$acked") entries were acknowledged"; exit 1; }
  exit 0
fi
dump=$("$walctl" dump "$dir/log" --format text 2>&1)
status=$?
if [ $status -ne 0 ] && [ $status -ne 7 ]; then
  echo "walctl dump exit $status: $dump"
  exit 1
fi
while read -r lsn; do
  printf '%s\n' "$dump" | grep -q -x "$lsn	data	entry-$lsn" || {
    echo "acknowledged LSN $lsn is not in the log"
    exit 1
  }
done < "$acked"
exit 0
