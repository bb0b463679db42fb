#!/usr/bin/env bash
# Import benchmark: a fresh import and a re-import (all unchanged) of a
# synthetic review export, with wall time, rows/s and peak memory (RSS).
#
#   benches/import.sh [ROWS]        # default 1,000,000
#
# Uses ../shared/bench/gen_reviews.py (the file the issues' targets refer to)
# when present, else this repo's generator (examples/gen_exports.rs).
# Also imports a quarter of the rows into a fresh store, to show that peak
# memory does not grow with the file.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
data=bench-data
mkdir -p "$data"
cargo build --release --quiet --bin kefu --example gen_exports
kefu=target/release/kefu

make_file() { # ROWS FILE
  [ -s "$2" ] && return
  if [ -f ../shared/bench/gen_reviews.py ]; then
    python3 ../shared/bench/gen_reviews.py "$1" --seed 42 --out "$2"
  else
    target/release/examples/gen_exports reviews "$1" > "$2"
  fi
}

measure() { # LABEL ROWS FILE WORKSPACE
  local out
  out=$( { /usr/bin/time -f "%e %M" "$kefu" -q -w "$4" import reviews "$3" --source bench >/dev/null; } 2>&1 | tail -1)
  local secs=${out% *} kb=${out#* }
  awk -v l="$1" -v r="$2" -v s="$secs" -v kb="$kb" -v bytes="$(stat -c %s "$3")" 'BEGIN {
    printf "%-28s %9d rows %7.2f s %9.0f rows/s %6.1f MB/s  peak %5.1f MB\n", l, r, s, r / s, bytes / s / 1e6, kb / 1024 }'
}

file="$data/reviews-$rows.csv"
quarter=$((rows / 4))
qfile="$data/reviews-$quarter.csv"
make_file "$rows" "$file"
make_file "$quarter" "$qfile"
echo "kefu import benchmark: $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
for label in "fresh store" "re-import (unchanged)"; do
  if [ "$label" = "fresh store" ]; then ws=$(mktemp -d); "$kefu" init -q "$ws"; fi
  measure "$label" "$rows" "$file" "$ws"
done
rm -rf "$ws"
ws=$(mktemp -d); "$kefu" init -q "$ws"
measure "fresh store, 1/4 of the rows" "$quarter" "$qfile" "$ws"
rm -rf "$ws"
