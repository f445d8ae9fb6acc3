#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of resolved vehicles, phones and places.

    score_objects.py WORLD_DIR OBJECTS.csv

OBJECTS.csv is `sightline export objects`; the truth is WORLD_DIR/truth/objects.csv
(agency,system,record_id,ref,kind,entity_id). Per kind: pairs of mentions
resolved to one entity against pairs that are one entity in truth.
"""
import csv
import sys

from pairwise import pairwise


def read(path):
    with open(path) as fh:
        return {(r["agency"], r["system"], r["record_id"], r["ref"]): (r["kind"], r["entity_id"]) for r in csv.DictReader(fh)}


truth, pred = read(sys.argv[1] + "/truth/objects.csv"), read(sys.argv[2])
for kind in ("vehicle", "phone", "place"):
    ms = [m for m in truth if truth[m][0] == kind and m in pred]
    missing = sum(1 for m in truth if truth[m][0] == kind and m not in pred)
    p, r, f = pairwise({m: pred[m][1] for m in ms}, {m: truth[m][1] for m in ms})
    print(f"{kind}\tmentions {len(ms)} (missing {missing})\tentities {len(set(pred[m][1] for m in ms))} (true {len(set(truth[m][1] for m in ms))})\tP {p:.4f}\tR {r:.4f}\tF1 {f:.4f}")
