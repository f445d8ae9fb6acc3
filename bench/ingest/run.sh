#!/usr/bin/env bash
# Ingest throughput and peak memory on N synthetic reports (default 1 million).
#   bench/ingest/run.sh [N]
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
SIZE=$(stat -c %s "$FEED")

run() {
    local label=$1 count=$2 feed=$3
    local store="$OUT/store-$label.db"
    rm -f "$store" "$store-wal" "$store-shm"
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$OUT/maxrss-$label" "$BIN" --store "$store" ingest "$feed" > "$OUT/summary-$label"
    end=$(date +%s.%N)
    local secs rss
    secs=$(echo "$end - $start" | bc -l)
    rss=$(cat "$OUT/maxrss-$label")
    printf '%-10s %9d reports  %7.2f s  %9.0f reports/s  peak RSS %6.1f MiB  store %6.0f MiB\n' \
        "$label" "$count" "$secs" "$(echo "$count / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "$(stat -c %s "$store") / 1048576" | bc -l)"
}

# Memory must be flat in the number of reports: measure a tenth and the whole.
TENTH=$((N / 10))
head -n "$TENTH" "$FEED" > "$OUT/reports-tenth.jsonl"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "feed: $N reports, $((SIZE / 1024 / 1024)) MiB"
run tenth "$TENTH" "$OUT/reports-tenth.jsonl"
run full "$N" "$FEED"
cat "$OUT/summary-full"
# Idempotence at scale: the same feed again changes nothing.
start=$(date +%s.%N)
"$BIN" --store "$OUT/store-full.db" ingest "$FEED"
end=$(date +%s.%N)
printf 're-ingest  %9d duplicates %7.2f s\n' "$N" "$(echo "$end - $start" | bc -l)"
