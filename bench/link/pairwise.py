"""Pairwise precision, recall and F1 of a partition of mentions into persons
against the true partition, by counting pairs within clusters (exact, without
enumerating pairs). Shared by the linking and simulator bench scripts."""
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def pairwise(pred, truth):
    """pred, truth: dict mention -> cluster label; a pred label of None is a
    singleton. Scores the mentions of `truth`. Returns (precision, recall, F1)."""
    labelled = [m for m in truth if pred.get(m) is not None]
    both = Counter((pred[m], truth[m]) for m in labelled)
    tp = sum(pairs(n) for n in both.values())
    pp = sum(pairs(n) for n in Counter(pred[m] for m in labelled).values())
    tt = sum(pairs(n) for n in Counter(truth.values()).values())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f
