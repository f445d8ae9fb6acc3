#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a person-links CSV against a world's truth.

    score_links.py WORLD_DIR LINKS.csv [LABEL]

LINKS.csv has the export format `agency,system,record_id,ref,person_id`.
Scores are over all person mentions and over children's mentions (mentions
whose true identity is a child). Also: how many resolved persons merge two
or more true identities, and the largest such merge (in true identities).
"""
import csv
import sys
from collections import defaultdict

from pairwise import pairwise


def main():
    world, links = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else links
    truth = {}
    with open(f"{world}/truth/mentions.csv") as fh:
        for row in csv.DictReader(fh):
            truth[(row["agency"], row["system"], row["record_id"], row["ref"])] = row["person_id"]
    kind = {}
    with open(f"{world}/truth/people.csv") as fh:
        for row in csv.DictReader(fh):
            kind[row["person_id"]] = row["kind"]
    pred = {}
    with open(links) as fh:
        for row in csv.DictReader(fh):
            pred[(row["agency"], row["system"], row["record_id"], row["ref"])] = row["person_id"]
    missing = [m for m in truth if m not in pred]
    if missing:
        print(f"warning: {len(missing)} mentions missing from {links}", file=sys.stderr)
    for subset_name, keep in (("all", lambda m: True), ("children", lambda m: kind.get(truth[m]) == "child")):
        subset = {m: truth[m] for m in truth if m in pred and keep(m)}
        p, r, f = pairwise(pred, subset)
        ms = subset
        print(f"{label}\t{subset_name}\tmentions {len(ms)}\tP {p:.4f}\tR {r:.4f}\tF1 {f:.4f}")
    identities = defaultdict(set)
    for m, person in pred.items():
        if m in truth:
            identities[person].add(truth[m])
    merged = [len(s) for s in identities.values() if len(s) > 1]
    print(f"{label}\tresolved persons {len(identities)} (true {len(set(truth.values()))}); "
          f"merging 2+ identities: {len(merged)}; largest: {max(merged, default=0)}")


if __name__ == "__main__":
    main()
