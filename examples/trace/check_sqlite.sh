#!/bin/sh
# Checker for the sqlite3 shell inserting rows 1..N into DIR/db.sqlite, printing "ok N" after
# each commit: the database passes PRAGMA integrity_check and holds every row it acknowledged.
# Usage: check_sqlite.sh DIR ACKNOWLEDGED
set -u
db=$1/db.sqlite
acked=$2
check=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
[ "$check" = ok ] || { echo "integrity_check: $check"; exit 1; }
for n in $(sed -n 's/^ok \([0-9]*\)$/\1/p' "$acked"); do
  count=$(sqlite3 "$db" "SELECT count(*) FROM t WHERE x = $n" 2>&1)
  [ "$count" = 1 ] || { echo "acknowledged row $n: count $count"; exit 1; }
done
exit 0
