#!/usr/bin/env bash
# How hard is the simulated world, and how fast is the simulator?
#   bench/simulator/run.sh
# 1. The default world (seed 1): pairwise F1 of two naive linkers.
# 2. The same for seeds 2-5, to show the spread.
# 3. Time and peak memory to simulate about 1 million reports.
# Run by hand; copy the figures into docs/benchmarks.md with the date.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out/simulator
mkdir -p "$OUT"
cargo build --release --quiet
BIN=target/release/sightline
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "== default world (sightline simulate --seed 1 --out DIR)"
rm -rf "$OUT/default"
"$BIN" simulate --seed 1 --out "$OUT/default"
python3 bench/simulator/naive_linkers.py "$OUT/default"
echo
echo "== other seeds: best naive child-mention F1"
for seed in 2 3 4 5; do
    rm -rf "$OUT/seed$seed"
    "$BIN" simulate --seed "$seed" --out "$OUT/seed$seed" > /dev/null
    printf 'seed %s: ' "$seed"
    python3 bench/simulator/naive_linkers.py "$OUT/seed$seed" | tail -1
done
echo
echo "== scale: about 1 million reports"
rm -rf "$OUT/million"
/usr/bin/time -f 'wall %e s, user %U s, peak RSS %M KB' \
    "$BIN" simulate --seed 1 --children 175000 --years 10 --out "$OUT/million" 2>&1 | grep -E 'simulated|reports:|wall'
rm -rf "$OUT/million"
