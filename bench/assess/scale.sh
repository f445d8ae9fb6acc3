#!/usr/bin/env bash
# Assessment at scale on a simulated world of about a million reports: a
# full replay (link, detect and assess every report in data-time order,
# then write the concerns) timed end to end, the time to assess each of the
# last 1,000 reports with the rest already in (the update the server makes
# per report), and the accuracy figures of bench/assess/score_concerns.py.
#   bench/assess/scale.sh [WORLD_DIR]
# WORLD_DIR defaults to bench/out/link/million (written by
# `sightline simulate --seed 1 --children 140000 --years 10`).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
BIN=target/release/sightline
OUT=bench/out/assess
mkdir -p "$OUT"
WORLD=${1:-bench/out/link/million}
[ -f "$WORLD/reports.jsonl" ] ||
    "$BIN" simulate --seed 1 --children 140000 --years 10 --out "$WORLD" > /dev/null
name=$(basename "$WORLD")
STORE="$OUT/scale-$name.db"
rm -f "$STORE" "$STORE-wal" "$STORE-shm"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$BIN" --store "$STORE" ingest "$WORLD/reports.jsonl" > /dev/null
"$BIN" --store "$STORE" stats | head -1
# A full replay: no stored linking model, no stored projection to reuse.
/usr/bin/time -f "full replay: %e s wall, peak RSS %M KiB" \
    "$BIN" --store "$STORE" assess --profile-last 1000 > "$OUT/scale-$name-assess.txt"
head -1 "$OUT/scale-$name-assess.txt"
"$BIN" --store "$STORE" export links --out "$OUT/scale-$name-links.csv"
"$BIN" --store "$STORE" export concerns --out "$OUT/scale-$name-concerns.jsonl"
"$BIN" --store "$STORE" network --json-out "$OUT/scale-$name-network.json" > /dev/null
python3 bench/assess/score_concerns.py "$WORLD" "$OUT/scale-$name-links.csv" \
    "$OUT/scale-$name-concerns.jsonl" "$OUT/scale-$name-network.json" "sightline at scale" |
    grep -vE "^  (group|network N)"
