#!/usr/bin/env bash
# Routing accuracy on a simulated world: every concern, routed by the
# simulated towns' directory and routing table (examples/teams.toml,
# examples/routes.toml), against the team the truth says is responsible.
#   bench/route/run.sh [WORLD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
BIN=target/release/sightline
OUT=bench/out/route
mkdir -p "$OUT"
WORLD=${1:-bench/out/simulator/default}
[ -f "$WORLD/reports.jsonl" ] || "$BIN" simulate --seed 1 --out "$WORLD" > /dev/null
name=$(basename "$WORLD")
STORE="$OUT/$name.db"
rm -f "$STORE" "$STORE-wal" "$STORE-shm"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$BIN" --store "$STORE" ingest "$WORLD/reports.jsonl" > /dev/null
"$BIN" --store "$STORE" --as bench teams load examples/teams.toml
"$BIN" --store "$STORE" --as bench routes load examples/routes.toml
"$BIN" --store "$STORE" assess > /dev/null
"$BIN" --store "$STORE" export links --out "$OUT/$name-links.csv"
"$BIN" --store "$STORE" export concerns --out "$OUT/$name-concerns.jsonl"
python3 bench/route/score_routing.py "$WORLD" "$OUT/$name-links.csv" "$OUT/$name-concerns.jsonl" examples/teams.toml
