#!/usr/bin/env bash
# Robustness to text copied from PDFs: the corpus with every narrative
# hard-wrapped at 72 columns (a line break mid-sentence), scored like
# bench/detect/run.sh. Compare with the unwrapped figures.
#   bench/detect/wrapped.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=bench/out/detect
mkdir -p "$out"
for name in frozen dev; do
    python3 - "$name" "$out/$name-wrapped.jsonl" <<'PY'
import json, sys, textwrap
name, path = sys.argv[1], sys.argv[2]
with open(f"bench/detect/corpus/{name}.jsonl") as src, open(path, "w") as dst:
    for line in src:
        item = json.loads(line)
        item["text"] = "\n".join(textwrap.wrap(item["text"], 72))
        dst.write(json.dumps(item) + "\n")
PY
done
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
EVAL_MB=0 cargo run --release --quiet -p sightline-detect --example eval -- \
    "$out/frozen-wrapped.jsonl" "$out/dev-wrapped.jsonl" | grep -E "narratives|micro"
