#!/usr/bin/env bash
# Assessment on a simulated world, next to the naive baseline (a concern
# whenever any high indicator appears):
#   bench/assess/run.sh [WORLD_DIR ...]
# Default: the simulator's default world (seed 1), written if missing.
# Prints victim recall, reports to the first concern, false alerts per 1,000
# children per year, perpetrator precision at 20 and at N, and the share of
# victims first flagged through the network; then the time of a full run.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
BIN=target/release/sightline
OUT=bench/out/assess
mkdir -p "$OUT"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
worlds=("$@")
if [ ${#worlds[@]} -eq 0 ]; then
    worlds=(bench/out/simulator/default)
    [ -f bench/out/simulator/default/reports.jsonl ] ||
        "$BIN" simulate --seed 1 --out bench/out/simulator/default > /dev/null
fi
for world in "${worlds[@]}"; do
    name=$(basename "$world")
    store="$OUT/$name.db"
    rm -f "$store" "$store-wal" "$store-shm"
    echo
    echo "== $world"
    /usr/bin/time -f "run: %e s, peak RSS %M KiB" "$BIN" --store "$store" run "$world/reports.jsonl" > /dev/null
    "$BIN" --store "$store" export links --out "$OUT/$name-links.csv"
    "$BIN" --store "$store" export concerns --out "$OUT/$name-concerns.jsonl"
    "$BIN" --store "$store" network --json-out "$OUT/$name-network.json" > /dev/null
    "$BIN" --store "$store" export concerns --assess-rules bench/assess/naive.toml --out "$OUT/$name-naive.jsonl"
    python3 bench/assess/score_concerns.py "$world" "$OUT/$name-links.csv" "$OUT/$name-concerns.jsonl" "$OUT/$name-network.json" "sightline (default rules)" | grep -vE "^  (group [0-9]|network N)"
    python3 bench/assess/score_concerns.py "$world" "$OUT/$name-links.csv" "$OUT/$name-naive.jsonl" "naive baseline (any high indicator)"
done
