#!/usr/bin/env bash
# Classify benchmark: `kefu classify` on a 1,000,000-row review CSV (about
# 237 MB), side by side in one run with what an analyst would otherwise use:
#   - xsv search -s content with an alternation of the same phrases (the five
#     cause sections of src/classify/builtin.rules): a filter, not a classifier;
#   - pandas str.contains with the same alternation, one column per cause;
#   - miller (mlr) with the same alternation, when installed.
# Wall time, input MB/s and peak memory (RSS) for each.
#
#   benches/classify.sh [ROWS]      # default 1,000,000
#
# xsv (`cargo install xsv`) and pandas (`pip install pandas`) are used when
# present and skipped, with a note, when not.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
data=bench-data
mkdir -p "$data"
cargo build --release --quiet --bin kefu
kefu=${KEFU:-target/release/kefu} # KEFU=path: another build, for a side-by-side
file="$data/reviews-$rows.csv"
if [ ! -s "$file" ]; then
  if [ -f ../shared/bench/gen_reviews.py ]; then
    python3 ../shared/bench/gen_reviews.py "$rows" --seed 42 --out "$file"
  else
    cargo build --release --quiet --example gen_exports
    target/release/examples/gen_exports reviews "$rows" > "$file"
  fi
fi
mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.0f", b / 1e6 }')
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
"$kefu" init -q "$ws"

# The complaint phrases of the five causes, one per line, weights removed.
phrases="$ws/phrases.txt"
awk '/^\[/ { on = ($0 ~ /^\[(attitude|competence|response|resolution|other)\]$/); next }
     on && NF && !/^#/ { sub(/[ \t]*=.*$/, ""); print }' src/classify/builtin.rules |
  sort -u > "$phrases"
alternation=$(python3 -c 'import re,sys; print("|".join(re.escape(l.strip()) for l in open(sys.argv[1]) if l.strip()))' "$phrases")

cat "$file" > /dev/null # warm the page cache
measure() { # LABEL COMMAND... : the median of three runs
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    runs+=("$( { /usr/bin/time -f "%e %M" "$@" >/dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p |
    awk -v l="$label" -v mb="$mb" '{ printf "%-44s %6.2f s  %6.0f MB/s   peak %6.1f MB\n", l, $1, mb / $1, $2 / 1024 }'
}

echo "classify benchmark: $rows rows, $mb MB, $(wc -l < "$phrases") phrases; $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
measure "kefu classify (default: rules + model)" "$kefu" -w "$ws" classify "$file"
measure "kefu classify --rules-only" "$kefu" -w "$ws" classify --rules-only "$file"
if command -v xsv >/dev/null; then
  measure "xsv search -s content (filter only)" xsv search -s content "$alternation" "$file"
else
  echo "xsv: not installed (cargo install xsv), skipped"
fi
if python3 -c 'import pandas' 2>/dev/null; then
  cat > "$ws/pandas_classify.py" <<'PY'
import re, sys
import pandas as pd
phrases = {}
section = None
for line in open("src/classify/builtin.rules", encoding="utf-8"):
    line = line.strip()
    if line.startswith("["):
        section = line.strip("[]")
        continue
    if section in ("attitude", "competence", "response", "resolution", "other") and line and not line.startswith("#"):
        phrases.setdefault(section, []).append(re.escape(line.split("=")[0].strip()))
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
text = df["content"].str.lower()
for cause, ps in phrases.items():
    df[cause] = text.str.contains("|".join(ps), regex=True)
df.to_csv(sys.stdout, index=False)
PY
  measure "pandas str.contains (one column per cause)" python3 "$ws/pandas_classify.py" "$file"
else
  echo "pandas: not installed (pip install pandas), skipped"
fi
if command -v mlr >/dev/null; then
  measure "miller filter (same alternation)" mlr --icsv --ocsv filter "\$content =~ \"$alternation\"" "$file"
fi
