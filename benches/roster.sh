#!/usr/bin/env bash
# Roster benchmark: what importing the roster (`kefu import agents`) costs on
# a store that already holds the feedback, with wall time and peak memory.
#
#   benches/roster.sh            KEFU=path/to/kefu benches/roster.sh
#
# 1. 300,000 reviews naming their agent by name alone (Taobao's 接待客服),
#    stored before the roster came; then a roster of 1,500 agents, which
#    links them by name.
# 2. 500,000 complaints of those 1,500 agents, the roster already there
#    (入职日期 2024-01-01); then the roster again with every 入职日期 moved to
#    2026-03-01, which leaves the complaints before it outside their agent's
#    employment and warns about them.
#
# The stores are built once in bench-data/ and copied for each run (a roster
# import changes them). Each figure is the median of three runs.
set -euo pipefail
cd "$(dirname "$0")/.."
data=bench-data
mkdir -p "$data"
cargo build --release --quiet --bin kefu --example gen_exports
kefu=${KEFU:-target/release/kefu}
gen=target/release/examples/gen_exports
export KEFU_TODAY=${KEFU_TODAY:-2026-12-05}

roster="$data/agents-1500.csv"
"$gen" agents 1500 > "$roster"
sed 's/,2024-01-01,/,2026-03-01,/' "$roster" > "$data/agents-1500-moved.csv"

names="$data/roster-names-300000"
if [ ! -s "$names/kefu.db" ]; then
  rm -rf "$names"
  "$kefu" init -q "$names"
  "$gen" reviews 300000 --agents 1500 --names-only | "$kefu" -q -w "$names" import reviews - --source bench-names
fi
dated="$data/roster-complaints-500000"
if [ ! -s "$dated/kefu.db" ]; then
  rm -rf "$dated"
  "$kefu" init -q "$dated"
  "$kefu" -q -w "$dated" import agents "$roster"
  "$gen" complaints 500000 --agents 1500 --max-gap 60 | "$kefu" -q -w "$dated" import complaints - --source bench-complaints
fi

measure() { # LABEL STORE ROSTER: the median of three runs, each on a fresh copy
  local label=$1 store=$2 file=$3 runs=() run
  for _ in 1 2 3; do
    run=$(mktemp -d)
    cp "$store/kefu.toml" "$store/kefu.db" "$run/"
    /usr/bin/time -o "$run/time" -f "%e %M" "$kefu" -q -w "$run" import agents "$file" >/dev/null 2>&1
    runs+=("$(tail -1 "$run/time")")
    rm -rf "$run"
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk -v l="$label" '{ printf "%-58s %6.3f s   peak %6.1f MB   (median of 3)\n", l, $1, $2 / 1024 }'
}

echo "kefu roster benchmark; $(nproc) cores, $("$kefu" --version)"
measure "roster of 1,500 over 300,000 name-only reviews (links)" "$names" "$roster"
measure "roster moving 1,500 入职日期 over 500,000 complaints" "$dated" "$data/agents-1500-moved.csv"
