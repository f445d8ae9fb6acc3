#!/usr/bin/env python3
"""Pairwise agreement of two person-links CSVs over the mentions they share.

    compare_links.py A.csv B.csv

Prints precision, recall and F1 of A's pairs against B's (B as reference):
F1 = 1 means the two partitions of mentions into persons are identical.
"""
import csv
import sys

from pairwise import pairwise


def read(path):
    with open(path) as fh:
        return {(r["agency"], r["system"], r["record_id"], r["ref"]): r["person_id"] for r in csv.DictReader(fh)}


a, b = read(sys.argv[1]), read(sys.argv[2])
shared = [m for m in a if m in b]
p, r, f = pairwise(a, {m: b[m] for m in shared})
print(f"mentions {len(shared)} (only in A {len(a) - len(shared)}, only in B {len(b) - len(shared)})\tP {p:.4f}\tR {r:.4f}\tF1 {f:.4f}")
