#!/usr/bin/env bash
# Points/bonus benchmark: 5,000 agents, one year of 1,000,000 events and
# 2,000,000 complaints, then `kefu bonus --quarter`, `kefu bonus --year` and `kefu points` for one
# agent, with wall time and peak memory (RSS).
#
#   benches/points.sh
#
# The store is built once (a few minutes) in bench-data/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
data=bench-data
mkdir -p "$data"
cargo build --release --quiet --bin kefu --example gen_exports
kefu=target/release/kefu
gen=target/release/examples/gen_exports
ws="$data/points-5000"
if [ ! -s "$ws/kefu.db" ]; then
  rm -rf "$ws"
  "$kefu" init -q "$ws"
  start=$(date +%s)
  "$gen" agents 5000 > "$data/agents-5000.csv"
  "$kefu" -q -w "$ws" import agents "$data/agents-5000.csv"
  # One year: 1,000,000 events (gap ≤ 60 s) and 2,000,000 complaints (gap ≤ 30 s).
  "$gen" events 1000000 --agents 5000 | "$kefu" -q -w "$ws" import events - --source bench-events
  "$gen" complaints 2000000 --agents 5000 --max-gap 30 | "$kefu" -q -w "$ws" import complaints - --source bench-complaints
  echo "built in $(( $(date +%s) - start )) s; $(du -h "$ws/kefu.db" | cut -f1)"
fi

measure() { # LABEL ARGS... : the median of three runs
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    runs+=("$( { /usr/bin/time -f "%e %M" "$kefu" -w "$ws" "$@" >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk -v l="$label" '{ printf "%-46s %6.3f s   peak %6.1f MB   (median of 3)\n", l, $1, $2 / 1024 }'
}

echo "kefu points benchmark: 5,000 agents, 1M events, 2M complaints; $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
measure "bonus --quarter 2026Q3" bonus --quarter 2026Q3 --format json
measure "bonus --quarter 2026Q3 (table)" bonus --quarter 2026Q3
measure "bonus --year 2026 (the sum of its quarters)" bonus --year 2026 --format json
measure "points --quarter 2026Q3 --agent A1234" points --quarter 2026Q3 --agent A1234 --format json
measure "points --year 2026 --agent A1234" points --year 2026 --agent A1234 --format json
