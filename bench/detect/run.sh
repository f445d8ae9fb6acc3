#!/usr/bin/env bash
# Detection accuracy on the annotated corpus, and throughput.
#   bench/detect/run.sh
# frozen.jsonl was written before any rule was tuned and never changes
# (its SHA-256 is in bench/detect/corpus/FROZEN.sha256 and docs/benchmarks.md);
# dev.jsonl is the part rules may be tuned on.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
(cd bench/detect/corpus && sha256sum -c FROZEN.sha256)
files=(bench/detect/corpus/frozen.jsonl)
[ -f bench/detect/corpus/dev.jsonl ] && files+=(bench/detect/corpus/dev.jsonl)
cargo run --release --quiet -p sightline-detect --example eval -- "${files[@]}"
