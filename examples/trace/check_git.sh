#!/bin/sh
# Checker for `git commit` in DIR: the repository passes `git fsck`, `git status` can read it,
# and the commit git reported ("[master (root-commit) abc1234] ...") is there and on HEAD.
# Usage: check_git.sh DIR ACKNOWLEDGED
set -u
dir=$1
acked=$2
git -C "$dir" fsck --no-progress --no-dangling 2>&1 || { echo "git fsck fails"; exit 1; }
git -C "$dir" status --porcelain >/dev/null 2>&1 || {
  git -C "$dir" status 2>&1 | head -5
  exit 1
}
commit=$(sed -n 's/^\[[^]]* \([0-9a-f]\{7,\}\)\].*/\1/p' "$acked" | tail -1)
if [ -n "$commit" ]; then
  git -C "$dir" merge-base --is-ancestor "$commit" HEAD 2>/dev/null || {
    echo "reported commit $commit is not on HEAD"
    exit 1
  }
fi
exit 0
