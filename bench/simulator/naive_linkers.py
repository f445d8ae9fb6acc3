#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of two naive linkers on a simulated world.

    naive_linkers.py WORLD_DIR

The linkers: (1) exact name and birth date, (2) exact name only (names
lower-cased and trimmed; a mention without the fields a linker needs stays
on its own). Scores are over all person mentions and over children's
mentions only (mentions whose true identity is a child), by counting pairs
within clusters, so they are exact without enumerating pairs.
"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "link"))
from pairwise import pairwise  # noqa: E402


def main():
    world = sys.argv[1]
    truth = {}
    with open(f"{world}/truth/mentions.csv") as fh:
        for row in csv.DictReader(fh):
            truth[(row["agency"], row["system"], row["record_id"], row["ref"])] = row["person_id"]
    kind = {}
    with open(f"{world}/truth/people.csv") as fh:
        for row in csv.DictReader(fh):
            kind[row["person_id"]] = row["kind"]
    name_dob, name_only = {}, {}
    with open(f"{world}/reports.jsonl") as fh:
        for line in fh:
            r = json.loads(line)
            s = r["source"]
            for p in r.get("people", []):
                m = (s["agency"], s["system"], s["record_id"], p["ref"])
                n = p.get("name", {})
                full = n.get("full") or " ".join(x for x in (n.get("given"), n.get("family")) if x)
                full = " ".join(full.lower().split()) or None
                name_only[m] = full
                dob = p.get("birth_date")
                name_dob[m] = (full, dob) if full and dob else None
    results = {}
    for label, subset in (("all mentions", lambda m: True), ("child mentions", lambda m: kind.get(truth[m]) == "child")):
        t = {m: truth[m] for m in truth if subset(m)}
        for linker, keys in (("exact name + birth date", name_dob), ("exact name only", name_only)):
            k = {m: keys.get(m) for m in t}
            results[(label, linker)] = pairwise(k, t)
    print(f"{'mentions':<16} {'linker':<26} {'precision':>9} {'recall':>7} {'F1':>6}")
    for (label, linker), (p, r, f) in results.items():
        print(f"{label:<16} {linker:<26} {p:9.3f} {r:7.3f} {f:6.3f}")
    worst = max(f for (label, _), (_, _, f) in results.items() if label == "child mentions")
    print(f"hardness check: best naive child-mention F1 = {worst:.3f} ({'OK, below 0.6' if worst < 0.6 else 'TOO EASY: at or above 0.6'})")


if __name__ == "__main__":
    main()
