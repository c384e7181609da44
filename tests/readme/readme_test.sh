#!/usr/bin/env bash
# The README's tour, run as written: every ```sh block of README.md, in order, in one bash with
# -e and pipefail, from the top folder of a fresh copy of the checkout whose bin/ links to this
# build (as `make` leaves it). A block right after a "<!-- readme-test: skip ... -->" line is
# left out (the two make commands: they are what runs this test). A tour command that breaks
# fails `make test` with the command and its output.
#   tests/readme/readme_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "${1:?usage: readme_test.sh SOURCE_DIR BUILD_DIR}" && pwd)
build=$(cd "${2:?usage: readme_test.sh SOURCE_DIR BUILD_DIR}" && pwd)
work="$build/readme-test"
rm -rf "$work"
mkdir -p "$work/checkout" "$work/tmp"

# The checkout as a user has it: tracked and new files of the working tree, no build, no reports.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
     xargs -0 cp --parents -t "$work/checkout")
else
  (cd "$src" && tar --exclude=./build --exclude=./reports/out -cf - .) | tar -xf - -C "$work/checkout"
fi
"$src/scripts/link-bin" "$build" "$work/checkout/bin"

# The blocks, each line numbered back to README.md for the failure message.
awk '
  /^<!-- readme-test: skip/ { skip = 1; next }
  /^```sh[[:space:]]*$/ { if (skip) { skipping = 1 } else { inside = 1 }; skip = 0; next }
  /^```/ { inside = 0; skipping = 0; next }
  inside { print "# README.md:" NR; print; next }
  /[^[:space:]]/ { if (!skipping) skip = 0 }
' "$src/README.md" > "$work/tour.sh"
blocks=$(grep -c '^# README.md:' "$work/tour.sh" || true)
if [[ "$blocks" -lt 10 ]]; then
  echo "readme_test: found only $blocks tour lines in README.md: is the parser still right?" >&2
  exit 1
fi

cd "$work/checkout"
if ! TMPDIR="$work/tmp" bash -euxo pipefail "$work/tour.sh" >"$work/tour.log" 2>&1; then
  echo "readme_test: a README command failed (the last ones and their output):" >&2
  tail -n 40 "$work/tour.log" >&2
  exit 1
fi
echo "readme_test: $blocks README lines ran, all succeeded ($work/tour.log)"
rm -rf "$work"
