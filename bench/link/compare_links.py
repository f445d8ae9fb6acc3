#!/usr/bin/env python3
"""Pairwise agreement of two person-links CSVs over the mentions they share.

    compare_links.py A.csv B.csv

Prints precision, recall and F1 of A's pairs against B's (B as reference):
F1 = 1 means the two partitions of mentions into persons are identical.
"""
import csv
import sys
from collections import Counter


def read(path):
    with open(path) as fh:
        return {(r["agency"], r["system"], r["record_id"], r["ref"]): r["person_id"] for r in csv.DictReader(fh)}


def pairs(n):
    return n * (n - 1) // 2


a, b = read(sys.argv[1]), read(sys.argv[2])
shared = [m for m in a if m in b]
both = Counter((a[m], b[m]) for m in shared)
tp = sum(pairs(n) for n in both.values())
pa = sum(pairs(n) for n in Counter(a[m] for m in shared).values())
pb = sum(pairs(n) for n in Counter(b[m] for m in shared).values())
p = tp / pa if pa else 1.0
r = tp / pb if pb else 1.0
f = 2 * p * r / (p + r) if p + r else 0.0
print(f"mentions {len(shared)} (only in A {len(a) - len(shared)}, only in B {len(b) - len(shared)})\tP {p:.4f}\tR {r:.4f}\tF1 {f:.4f}")
