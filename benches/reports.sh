#!/usr/bin/env bash
# Report benchmark: a store of ROWS feedback rows over one year, then
# `report daily` and `report trend --by month` over the year, with wall time
# and peak memory (RSS).
#
#   benches/reports.sh [ROWS]       # default 10,000,000
#
# Building the store takes a few minutes (it is an import of ROWS rows); it is
# kept in bench-data/ and reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
data=bench-data
mkdir -p "$data"
cargo build --release --quiet --bin kefu --example gen_exports
kefu=${KEFU:-target/release/kefu} # KEFU=path: another build, for a side-by-side
ws="$data/reports-$rows"
if [ ! -s "$ws/kefu.db" ]; then
  rm -rf "$ws"
  "$kefu" init -q "$ws"
  # One year: 31,536,000 s / ROWS rows = the average gap; max gap = twice it.
  gap=$(( 63072000 / rows )); [ "$gap" -ge 1 ] || gap=1
  echo "building a store of $rows rows (max gap ${gap}s) ..."
  start=$(date +%s)
  target/release/examples/gen_exports reviews "$rows" --max-gap "$gap" | "$kefu" -q -w "$ws" import reviews - --source bench
  echo "  built in $(( $(date +%s) - start )) s; $(du -h "$ws/kefu.db" | cut -f1)"
fi

measure() { # LABEL ARGS... : the median of three runs
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    runs+=("$( { /usr/bin/time -f "%e %M" "$kefu" -w "$ws" "$@" >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk -v l="$label" '{ printf "%-44s %6.3f s   peak %6.1f MB   (median of 3)\n", l, $1, $2 / 1024 }'
}

# Warm the OS page cache, as on a server that uses the store every day; the
# first full-year scan from a cold cache reads ~1 GB of index from disk.
cat "$ws/kefu.db" > /dev/null
echo "kefu report benchmark: $rows feedback rows, $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
measure "report daily --date 2026-07-01" report daily --date 2026-07-01 --format json
measure "report daily --date 2026-07-01 (table)" report daily --date 2026-07-01
measure "report trend --by month (one year)" report trend --by month --from 2026-01-01 --to 2026-12-31 --format json
measure "report trend --by day (one year)" report trend --by day --from 2026-01-01 --to 2026-12-31 --format json
measure "report causes (one month)" report causes --from 2026-07-01 --to 2026-07-31 --format json
# Reports that only count, over a year: the whole table in storage order.
measure "report causes (one year)" report causes --from 2026-01-01 --to 2026-12-31 --format json
measure "report distribution --by hour (one year)" report distribution --by hour --from 2026-01-01 --to 2026-12-31 --format json
# No review here was judged (是否成立): none can count, none is read.
measure "bonus --year 2026 (no review judged)" bonus --year 2026 --format json
