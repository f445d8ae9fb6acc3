#!/usr/bin/env bash
# Ingest throughput and peak memory on N synthetic reports (default 1 million).
#   bench/ingest/run.sh [N]
#   BASE_BIN=/path/to/other/sightline bench/ingest/run.sh [N]
# With BASE_BIN, every run is made with that binary too, right before this
# build's, on the same feed, and the ratio of the two rates is printed: on
# a shared, noisy machine only figures from the same sitting compare.
# Writes its figures to standard output; copy them into docs/benchmarks.md with
# the date and machine. Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
OUT=bench/out/ingest
mkdir -p "$OUT"
FEED="$OUT/reports-$N.jsonl"
if [ ! -f "$FEED" ]; then
    echo "generating $N reports into $FEED" >&2
    python3 bench/ingest/gen_reports.py "$N" 1 > "$FEED"
fi
cargo build --release --quiet
BIN=target/release/sightline
SIZE=$(stat -L -c %s "$FEED")

# run LABEL COUNT FEED BINARY: prints one line, leaves the rate in $RATE.
run() {
    local label=$1 count=$2 feed=$3 bin=$4
    local store="$OUT/store-$label.db"
    rm -f "$store" "$store-wal" "$store-shm"
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f '%M %U %S' -o "$OUT/time-$label" "$bin" --store "$store" ingest "$feed" > "$OUT/summary-$label"
    end=$(date +%s.%N)
    local secs rss user sys
    secs=$(echo "$end - $start" | bc -l)
    read -r rss user sys < "$OUT/time-$label"
    RATE=$(echo "$count / $secs" | bc -l)
    printf '%-15s %9d reports  %7.2f s  %9.0f reports/s  peak RSS %6.1f MiB  CPU %6.2f s  store %6.0f MiB\n' \
        "$label" "$count" "$secs" "$RATE" "$(echo "$rss / 1024" | bc -l)" "$(echo "$user + $sys" | bc -l)" \
        "$(echo "$(stat -c %s "$store") / 1048576" | bc -l)"
}

# run_pair LABEL COUNT FEED: the base binary (if any), then this build.
run_pair() {
    local label=$1 count=$2 feed=$3
    if [ -n "${BASE_BIN:-}" ]; then
        run "base-$label" "$count" "$feed" "$BASE_BIN"
        local base=$RATE
        run "$label" "$count" "$feed" "$BIN"
        printf '%-15s %.2fx the base rate\n' "$label" "$(echo "$RATE / $base" | bc -l)"
    else
        run "$label" "$count" "$feed" "$BIN"
    fi
}

# Memory must be flat in the number of reports: measure a tenth and the whole.
TENTH=$((N / 10))
head -n "$TENTH" "$FEED" > "$OUT/reports-tenth.jsonl"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "feed: $N reports, $((SIZE / 1024 / 1024)) MiB"
[ -n "${BASE_BIN:-}" ] && echo "base: $BASE_BIN"
run_pair tenth "$TENTH" "$OUT/reports-tenth.jsonl"
run_pair full "$N" "$FEED"
cat "$OUT/summary-full"
# Idempotence at scale: the same feed again changes nothing.
start=$(date +%s.%N)
"$BIN" --store "$OUT/store-full.db" ingest "$FEED"
end=$(date +%s.%N)
printf 're-ingest  %9d duplicates %7.2f s\n' "$N" "$(echo "$end - $start" | bc -l)"
