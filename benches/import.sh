#!/usr/bin/env bash
# Import benchmark: a fresh import and a re-import (all unchanged) of a
# synthetic review export, with wall time, rows/s and peak memory (RSS):
# the median of three runs of each (the machine is a shared VM).
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
kefu=${KEFU:-target/release/kefu} # KEFU=path: another build, for a side-by-side

make_file() { # ROWS FILE
  [ -s "$2" ] && return
  if [ -f ../shared/bench/gen_reviews.py ]; then
    python3 ../shared/bench/gen_reviews.py "$1" --seed 42 --out "$2"
  else
    target/release/examples/gen_exports reviews "$1" > "$2"
  fi
}

once() { # FILE WORKSPACE: "seconds peak-KB" of one import
  { /usr/bin/time -f "%e %M" "$kefu" -q -w "$2" import reviews "$1" --source bench >/dev/null; } 2>&1 | tail -1
}

report() { # LABEL ROWS FILE RUNS... : the median run
  local label=$1 rows=$2 file=$3; shift 3
  printf '%s\n' "$@" | sort -n | sed -n 2p | awk -v l="$label" -v r="$rows" -v bytes="$(stat -c %s "$file")" '{
    printf "%-28s %9d rows %7.2f s %9.0f rows/s %6.1f MB/s  peak %5.1f MB\n", l, r, $1, r / $1, bytes / $1 / 1e6, $2 / 1024 }'
}

fresh() { # ROWS FILE: three imports, each into a new store
  local runs=() ws
  for _ in 1 2 3; do
    ws=$(mktemp -d); "$kefu" init -q "$ws"
    runs+=("$(once "$2" "$ws")")
    rm -rf "$ws"
  done
  report "fresh store$3" "$1" "$2" "${runs[@]}"
}

file="$data/reviews-$rows.csv"
quarter=$((rows / 4))
qfile="$data/reviews-$quarter.csv"
make_file "$rows" "$file"
make_file "$quarter" "$qfile"
cat "$file" "$qfile" > /dev/null # warm the page cache
echo "kefu import benchmark: $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
fresh "$rows" "$file" ""
ws=$(mktemp -d); "$kefu" init -q "$ws"
once "$file" "$ws" > /dev/null
runs=()
for _ in 1 2 3; do runs+=("$(once "$file" "$ws")"); done
report "re-import (unchanged)" "$rows" "$file" "${runs[@]}"
rm -rf "$ws"
fresh "$quarter" "$qfile" ", 1/4 of the rows"
