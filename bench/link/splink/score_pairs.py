#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of predicted record pairs against true pairs.

    score_pairs.py TRUTH_PAIRS.csv PRED_PAIRS.csv [--threshold P] [--clusters] [--label L]

Both files are CSV with header columns `id_l,id_r`; PRED_PAIRS.csv may also
have `match_probability`.  Pairs are unordered ((a,b) == (b,a)); self-pairs and
duplicates are ignored.  Works for deduplication (FEBRL3) and for linking two
files (FEBRL4: ids of the two files must be distinct, as FEBRL's are).

--threshold P   keep predicted pairs with match_probability >= P (default 0.5;
                ignored when the file has no match_probability column, in
                which case every listed pair is a predicted match).
--clusters      score the pairs of the predicted clusters instead of the listed
                pairs: the kept pairs are closed transitively (connected
                components) and every pair inside a component counts as
                predicted.  This is how a clustering linker is judged.

Prints one line: label, P, R, F1, true positives, predicted pairs, true pairs.
When match_probability is present (and not --clusters) it also prints the best
F1 over all thresholds found in the file, for information.

Standard library only, so it runs with any python3.
"""
import argparse
import csv
import sys
from collections import defaultdict


def read_pairs(path, with_prob=False):
    """Return {frozenset({a, b}): probability-or-None}, keeping the highest probability."""
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        rd = csv.DictReader(fh)
        has_prob = with_prob and "match_probability" in (rd.fieldnames or [])
        for row in rd:
            a, b = row["id_l"].strip(), row["id_r"].strip()
            if a == b:
                continue
            k = frozenset((a, b))
            p = float(row["match_probability"]) if has_prob and row["match_probability"] != "" else None
            if k not in out or (p is not None and (out[k] is None or p > out[k])):
                out[k] = p
    return out


def cluster_pairs(pairs):
    """All pairs inside the connected components of the given pairs."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k in pairs:
        a, b = tuple(k)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    comps = defaultdict(list)
    for x in parent:
        comps[find(x)].append(x)
    out = set()
    for members in comps.values():
        members.sort()
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                out.add(frozenset((members[i], members[j])))
    return out


def prf(tp, n_pred, n_true):
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_true if n_true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(truth, pred, threshold=0.5, clusters=False):
    """truth: set of frozensets; pred: {frozenset: prob or None}. Returns a dict."""
    kept = {k for k, p in pred.items() if p is None or p >= threshold}
    if clusters:
        kept = cluster_pairs(kept)
    tp = len(kept & truth)
    p, r, f = prf(tp, len(kept), len(truth))
    res = {"precision": p, "recall": r, "f1": f, "tp": tp, "predicted": len(kept), "true": len(truth)}
    probs = [(pr, k in truth) for k, pr in pred.items() if pr is not None]
    if probs and not clusters:
        probs.sort(key=lambda x: -x[0])
        best = (0.0, None)
        tp_c = 0
        for i, (pr, hit) in enumerate(probs):
            tp_c += hit
            # evaluate only at the last pair of a run of equal probabilities
            if i + 1 < len(probs) and probs[i + 1][0] == pr:
                continue
            f_c = 2 * tp_c / (i + 1 + len(truth))
            if f_c > best[0]:
                best = (f_c, pr)
        res["best_f1"], res["best_threshold"] = best
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("truth")
    ap.add_argument("pred")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--clusters", action="store_true")
    ap.add_argument("--label", default=None)
    a = ap.parse_args()
    truth = set(read_pairs(a.truth))
    pred = read_pairs(a.pred, with_prob=True)
    res = score(truth, pred, a.threshold, a.clusters)
    label = a.label or a.pred
    mode = "cluster-pairs" if a.clusters else "pairs"
    print(f"{label}\t{mode}\tP {res['precision']:.4f}\tR {res['recall']:.4f}\tF1 {res['f1']:.4f}\t"
          f"tp {res['tp']}\tpredicted {res['predicted']}\ttrue {res['true']}")
    if "best_f1" in res:
        print(f"{label}\tbest F1 over thresholds {res['best_f1']:.4f} at match_probability >= {res['best_threshold']:.4g}")


if __name__ == "__main__":
    sys.exit(main())
