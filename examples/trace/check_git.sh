#!/bin/sh
# Checker for `git commit` in DIR: the repository passes `git fsck`, the commit git reported
# ("[master (root-commit) abc1234] ...") is there and on HEAD, and git can go on working in it:
# after removing a stale .git/index.lock, as git's own message tells a user to (ALICE's git
# checker does the same), `git status` reads it and a new commit succeeds.
# Usage: check_git.sh DIR ACKNOWLEDGED
set -u
dir=$1
acked=$2
git -C "$dir" fsck --no-progress --no-dangling 2>&1 || { echo "git fsck fails"; exit 1; }
commit=$(sed -n 's/^\[[^]]* \([0-9a-f]\{7,\}\)\].*/\1/p' "$acked" | tail -1)
if [ -n "$commit" ]; then
  git -C "$dir" merge-base --is-ancestor "$commit" HEAD 2>/dev/null || {
    echo "reported commit $commit is not on HEAD"
    exit 1
  }
fi
find "$dir/.git" -name '*.lock' -type f -delete
git -C "$dir" status --porcelain >/dev/null 2>&1 || {
  git -C "$dir" status 2>&1 | head -3
  exit 1
}
echo after-crash >"$dir/after-crash"
git -C "$dir" add after-crash 2>&1 && git -C "$dir" -c user.name=check -c user.email=c@x \
  commit -q -m after-crash 2>&1 || { echo "git cannot commit after the crash"; exit 1; }
exit 0
