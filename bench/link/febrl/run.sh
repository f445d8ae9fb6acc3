#!/usr/bin/env bash
# FEBRL3 (deduplication) and FEBRL4 (linking 5,000 x 5,000), with and without
# soc_sec_id: Sightline's link-csv next to Splink 5 on the same files, same
# machine, same run. Needs bench/link/splink/setup.sh (PyPI) once.
#   bench/link/febrl/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
F=bench/out/febrl
PY=bench/out/venv/bin/python
[ -x "$PY" ] || bench/link/splink/setup.sh
cargo build --release --quiet
B=target/release/sightline
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "== Splink (exports the FEBRL CSVs first)"
"$PY" bench/link/splink/febrl.py "$F"
echo
echo "== Sightline link-csv (threshold 0.5, the model's own)"
for m in mapping mapping-no-ssid; do
    /usr/bin/time -f "   febrl4 $m: wall %e s, peak RSS %M KB" \
        "$B" link-csv --mapping "bench/link/febrl/$m.toml" "$F/febrl4a.csv" "$F/febrl4b.csv" --out-pairs "$F/sightline_febrl4_$m.csv" 2>&1 | grep -v "^model note"
    python3 bench/link/splink/score_pairs.py "$F/febrl4_pairs.csv" "$F/sightline_febrl4_$m.csv" --label "febrl4 $m"
    /usr/bin/time -f "   febrl3 $m: wall %e s, peak RSS %M KB" \
        "$B" link-csv --mapping "bench/link/febrl/$m.toml" "$F/febrl3.csv" --out-pairs "$F/sightline_febrl3_$m.csv" 2>&1 | grep -v "^model note"
    python3 bench/link/splink/score_pairs.py "$F/febrl3_pairs.csv" "$F/sightline_febrl3_$m.csv" --label "febrl3 $m"
done
