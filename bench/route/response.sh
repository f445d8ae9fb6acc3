#!/usr/bin/env bash
# Time to acknowledgement and escalations under a simulated team response
# model, over the concerns of a world routed by bench/route/run.sh.
#   bench/route/response.sh [WORLD_NAME] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
name=${1:-default}
[ -f "bench/out/route/$name-concerns.jsonl" ] || bench/route/run.sh "bench/out/simulator/$name" > /dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -srm)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
cargo run --release --quiet -p sightline-route --example response_model -- \
    "bench/out/route/$name-concerns.jsonl" examples/teams.toml "${2:-1}"
