#!/usr/bin/env bash
# Do two builds make the same of the same records? Ingests feeds of damaged
# reports (bench/ingest/mutate_reports.py over the benchmark feed, the
# example feed and a simulated world) with a base binary and this one, into
# fresh stores, and compares everything they print and store except receipt
# times: the summaries and rejection messages, every ledger row (sequence,
# identity, warnings, body, hash, origin), every quarantine entry (reasons,
# raw bytes, identity) and `stats --json`; then ingests the same feeds
# again (every record a duplicate) and compares that too.
#   BASE_BIN=/path/to/old/sightline bench/ingest/same_outcomes.sh [N]
# Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${BASE_BIN:?set BASE_BIN to the binary to compare with}"
N=${1:-30000}
OUT=bench/out/same-outcomes
rm -rf "$OUT"
mkdir -p "$OUT"
cargo build --release --quiet
NEW_BIN=target/release/sightline
FEED=bench/out/ingest/reports-tenth.jsonl
if [ ! -f "$FEED" ]; then
    python3 bench/ingest/gen_reports.py 20000 1 > "$OUT/plain.jsonl"
    FEED="$OUT/plain.jsonl"
fi
"$NEW_BIN" simulate --seed 3 --children 1500 --years 3 --out "$OUT/world" > /dev/null
python3 bench/ingest/mutate_reports.py "$FEED" "$N" 1 > "$OUT/damaged-bench.jsonl"
python3 bench/ingest/mutate_reports.py examples/riverton-feed.jsonl 5000 2 > "$OUT/damaged-example.jsonl"
python3 bench/ingest/mutate_reports.py "$OUT/world/reports.jsonl" "$N" 3 > "$OUT/damaged-world.jsonl"
FEEDS=("$OUT/damaged-bench.jsonl" "$OUT/damaged-example.jsonl" "$OUT/world/reports.jsonl" "$OUT/damaged-world.jsonl" examples/riverton-school.csv)

dump() {
    local store=$1
    sqlite3 "$store" "SELECT seq, entry, agency, system, record_id, version, kind, recorded_at, event_at,
                             hex(content_hash), origin, warnings, warning_count, hex(body) FROM ledger ORDER BY seq"
    sqlite3 "$store" "SELECT agency, system, record_id, version, seq, hex(content_hash) FROM report_heads
                      ORDER BY agency, system, record_id"
    sqlite3 "$store" "SELECT id, source, line, hex(raw), reasons, agency, system, record_id, version, status
                      FROM quarantine ORDER BY id"
}

for which in base new; do
    bin=$BASE_BIN
    [ "$which" = new ] && bin=$NEW_BIN
    store="$OUT/store-$which.db"
    for pass in 1 2; do
        for f in "${FEEDS[@]}"; do
            mapping=()
            [[ $f == *.csv ]] && mapping=(--mapping examples/riverton-school.mapping.toml)
            set +e
            "$bin" --store "$store" ingest "$f" "${mapping[@]}" > "$OUT/$which-$pass-$(basename "$f").out" 2>&1
            echo "exit $?" >> "$OUT/$which-$pass-$(basename "$f").out"
            set -e
        done
    done
    "$bin" --store "$store" stats --json > "$OUT/$which-stats.json"
    "$bin" --store "$store" quarantine list --all > "$OUT/$which-quarantine-list.txt"
    dump "$store" > "$OUT/$which-dump.txt"
done

status=0
for f in "$OUT"/base-*; do
    g=${f/\/base-/\/new-}
    if ! cmp -s "$f" "$g"; then
        echo "DIFFERENT: $f $g"
        diff "$f" "$g" | head -20
        status=1
    fi
done
records=$(cat "${FEEDS[@]}" | wc -l)
echo "compared $(ls "$OUT"/base-* | wc -l) outputs over $records records (twice):" \
    "$(grep -c . "$OUT/base-dump.txt") ledger, head and quarantine rows"
grep -h "records:" "$OUT"/base-1-*.out
[ $status = 0 ] && echo "same outcomes"
exit $status
