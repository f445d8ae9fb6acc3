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
import sys
from collections import Counter, defaultdict


def pairs(n):
    return n * (n - 1) // 2


def score(keys, truth):
    """keys, truth: dict mention -> cluster label (None = singleton)."""
    pred = Counter(k for k in keys.values() if k is not None)
    true = Counter(truth.values())
    both = Counter((keys[m], truth[m]) for m in keys if keys[m] is not None)
    tp = sum(pairs(n) for n in both.values())
    pp = sum(pairs(n) for n in pred.values())
    tt = sum(pairs(n) for n in true.values())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


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
            results[(label, linker)] = score(k, t)
    print(f"{'mentions':<16} {'linker':<26} {'precision':>9} {'recall':>7} {'F1':>6}")
    for (label, linker), (p, r, f) in results.items():
        print(f"{label:<16} {linker:<26} {p:9.3f} {r:7.3f} {f:6.3f}")
    worst = max(f for (label, _), (_, _, f) in results.items() if label == "child mentions")
    print(f"hardness check: best naive child-mention F1 = {worst:.3f} ({'OK, below 0.6' if worst < 0.6 else 'TOO EASY: at or above 0.6'})")


if __name__ == "__main__":
    main()
