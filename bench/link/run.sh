#!/usr/bin/env bash
# Identity resolution on the simulated world, next to the naive linkers and
# (when its environment is set up) Splink, in one run.
#   bench/link/run.sh            default world (seed 1) and seeds 2-5
#   SCALE=1 bench/link/run.sh    also about 1 million person mentions
# Splink runs only if bench/link/splink/setup.sh has been run.
# Copy the figures into docs/benchmarks.md with the date.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/out/link
mkdir -p "$OUT"
cargo build --release --quiet
cargo build --release --quiet -p sightline-link --example link_jsonl
BIN=target/release/sightline
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"

world() { # seed dir
    if [ ! -f "$2/reports.jsonl" ]; then
        "$BIN" simulate --seed "$1" --out "$2" > /dev/null
    fi
}

echo
echo "== default world (seed 1): Sightline through the store"
W=$OUT/default
world 1 "$W"
rm -f "$OUT/s.db"
"$BIN" --store "$OUT/s.db" ingest "$W/reports.jsonl" > /dev/null
cp "$OUT/s.db" "$OUT/speed-base.db"    # for the speed runs below: nothing linked yet
/usr/bin/time -f 'sightline link --rebuild: wall %e s, peak RSS %M KB' \
    "$BIN" --store "$OUT/s.db" link --rebuild
"$BIN" --store "$OUT/s.db" export links --out "$OUT/sightline.csv"
python3 bench/link/score_links.py "$W" "$OUT/sightline.csv" sightline
python3 bench/simulator/naive_linkers.py "$W"
TRUTH="$W/truth/mentions.csv" SHOW=0 target/release/examples/link_jsonl "$W/reports.jsonl" "$OUT/example.csv" 2>&1 \
    | grep -E "blocking pair recall|mentions ->"

if [ -x bench/out/venv/bin/python ]; then
    echo
    echo "== Splink on the same world"
    /usr/bin/time -f 'splink: wall %e s, peak RSS %M KB' \
        bench/out/venv/bin/python bench/link/splink/sim_splink.py "$W" "$OUT/splink.csv"
    python3 bench/link/score_links.py "$W" "$OUT/splink.csv" splink

    # One run of each is at the mercy of whatever else the machine is doing;
    # the speed ratio is taken from medians of runs taken in turns.
    echo
    echo "== speed, in turns: ${ROUNDS:=5} rounds of sightline link --rebuild (store copied fresh) and the Splink process"
    for _ in $(seq "$ROUNDS"); do
        rm -f "$OUT/speed.db" "$OUT/speed.db-wal" "$OUT/speed.db-shm"
        cp "$OUT/speed-base.db" "$OUT/speed.db"
        start=$(date +%s%N)
        "$BIN" --store "$OUT/speed.db" link --rebuild > /dev/null
        echo "sightline $(( ($(date +%s%N) - start) / 1000000 ))"
        start=$(date +%s%N)
        bench/out/venv/bin/python bench/link/splink/sim_splink.py "$W" "$OUT/splink.csv" > /dev/null 2>&1
        echo "splink $(( ($(date +%s%N) - start) / 1000000 ))"
    done | python3 -c '
import collections, statistics, sys
ms = collections.defaultdict(list)
for line in sys.stdin:
    name, t = line.split()
    ms[name].append(int(t))
for name, t in ms.items():
    print(f"{name}: wall ms {sorted(t)}, median {statistics.median(t):.0f}")
ratio = statistics.median(ms["splink"]) / statistics.median(ms["sightline"])
print(f"speed ratio (median Splink / median sightline): {ratio:.1f}x")
'
fi

echo
echo "== incremental against rebuild: the first part fitted and linked, the rest linked with that model"
N=$(wc -l < "$W/reports.jsonl")
for tenths in 5 8 9; do
    head -n $((N * tenths / 10)) "$W/reports.jsonl" > "$OUT/first.jsonl"
    tail -n +$((N * tenths / 10 + 1)) "$W/reports.jsonl" > "$OUT/second.jsonl"
    rm -f "$OUT/inc.db" "$OUT/inc.db-wal" "$OUT/inc.db-shm"
    "$BIN" --store "$OUT/inc.db" ingest "$OUT/first.jsonl" > /dev/null
    "$BIN" --store "$OUT/inc.db" link > /dev/null
    "$BIN" --store "$OUT/inc.db" ingest "$OUT/second.jsonl" > /dev/null
    "$BIN" --store "$OUT/inc.db" link > /dev/null
    "$BIN" --store "$OUT/inc.db" export links --out "$OUT/incremental.csv"
    "$BIN" --store "$OUT/inc.db" link --rebuild > /dev/null
    "$BIN" --store "$OUT/inc.db" export links --out "$OUT/rebuilt.csv"
    printf 'model fitted on %s0%% of the reports; incremental vs rebuild: ' "$tenths"
    python3 bench/link/compare_links.py "$OUT/incremental.csv" "$OUT/rebuilt.csv"
    python3 bench/link/score_links.py "$W" "$OUT/incremental.csv" incremental | grep children
done
python3 bench/link/score_links.py "$W" "$OUT/rebuilt.csv" rebuilt | grep children

echo
echo "== other seeds (children)"
for seed in 2 3 4 5; do
    world "$seed" "$OUT/seed$seed"
    target/release/examples/link_jsonl "$OUT/seed$seed/reports.jsonl" "$OUT/seed$seed.csv" 2> /dev/null
    python3 bench/link/score_links.py "$OUT/seed$seed" "$OUT/seed$seed.csv" "seed $seed" | grep children
done

if [ "${SCALE:-0}" = 1 ]; then
    echo
    echo "== scale: about 1 million person mentions"
    if [ ! -f "$OUT/million/reports.jsonl" ]; then
        "$BIN" simulate --seed 1 --children 140000 --years 10 --out "$OUT/million" > /dev/null
    fi
    /usr/bin/time -f 'fit and link: wall %e s, peak RSS %M KB' \
        target/release/examples/link_jsonl "$OUT/million/reports.jsonl" "$OUT/million-links.csv" 2>&1 | tail -2
    python3 bench/link/score_links.py "$OUT/million" "$OUT/million-links.csv" million
fi
