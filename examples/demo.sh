#!/usr/bin/env bash
# The department's daily job on the bundled fixtures: build kefu, create a
# workspace in ./demo, import the roster, the day's review exports (Taobao GBK
# CSV, JD xlsx, internal JSON, Douyin UTF-16 TSV, Shopee Taiwan Big5 CSV in
# Traditional Chinese) and the complaint log, then
# print the daily report for 2026-11-20 and write it as HTML and xlsx.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
kefu=target/release/kefu
ws=${1:-demo}
rm -rf "$ws"
"$kefu" init "$ws"
"$kefu" -w "$ws" import agents fixtures/agents.csv
# Taobao's export has no channel column: say which channel it is.
"$kefu" -w "$ws" import reviews fixtures/taobao_reviews_gbk.csv --channel 淘宝
"$kefu" -w "$ws" import reviews fixtures/jd_reviews.xlsx fixtures/internal_reviews.json \
  fixtures/douyin_reviews_utf16.tsv fixtures/reviews_semicolon_bom.csv
# Taiwan's shop: Big5, Traditional headers, 負評/好評, agents named 張偉 for 张伟.
"$kefu" -w "$ws" import reviews fixtures/shopee_tw_reviews_big5.csv --channel 蝦皮
"$kefu" -w "$ws" import complaints fixtures/complaints.jsonl
"$kefu" -w "$ws" report daily --date 2026-11-20
"$kefu" -w "$ws" report daily --date 2026-11-20 -o "$ws/daily-2026-11-20.html"
"$kefu" -w "$ws" report daily --date 2026-11-20 -o "$ws/daily-2026-11-20.xlsx"
