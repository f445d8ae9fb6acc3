#!/usr/bin/env bash
# Assessment at scale: a full replay of about 1 million reports (link,
# detect and assess every report in data-time order, then write the
# concerns), and the time to assess each of the last 1,000 reports with
# the rest already in (the incremental update the server does per report).
#   bench/assess/scale.sh [STORE]
# STORE defaults to a copy of bench/out/ingest/store-full.db (written by
# bench/ingest/run.sh 1000000).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
BIN=target/release/sightline
OUT=bench/out/assess
mkdir -p "$OUT"
STORE=${1:-$OUT/million.db}
if [ ! -f "$STORE" ]; then
    [ -f bench/out/ingest/store-full.db ] || bench/ingest/run.sh 1000000
    cp bench/out/ingest/store-full.db "$STORE"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$BIN" --store "$STORE" stats | head -3
# A full replay: no stored linking model, no stored projections to reuse.
/usr/bin/time -f "full replay: %e s wall, peak RSS %M KiB" \
    "$BIN" --store "$STORE" assess --profile-last 1000 > "$OUT/million-assess.txt"
tail -1 "$OUT/million-assess.txt"
