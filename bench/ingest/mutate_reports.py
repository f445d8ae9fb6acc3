#!/usr/bin/env python3
"""Writes damaged copies of JSON Lines reports, for comparing what two
builds make of them (bench/ingest/same_outcomes.sh).

    mutate_reports.py FILE N SEED > damaged.jsonl

Each output line is a report from FILE (taken in turn) with one to three
random edits: a value replaced by one of another type or a doubtful one, a
key removed, a key repeated, a ref reused, the line cut short or a byte
changed. Deterministic for a given seed. All data is synthetic.
"""
import json
import random
import sys

ODD_VALUES = [None, True, False, 0, -1, 1.5, 121, 2**64, "", " ", "x", "Police", "missing episode",
              "2008-02-30", "31/02/2008", "12/04/1995", "2008-13-01", "2099-01-01T00:00:00Z", "2008-03-15",
              "1800", "1995-04", "ZZ99 3AB", "OL11 1AA", "not a postcode", "9434765918", "9434765919",
              "07700 900123", "+1 555", "AB12 C??", "ab12cde", "A", "P", "3", "E", "seen at", "with",
              "sightline.report/2", "p1", "v1", "\u00e9\u00e8 \u2603", "a\"quote", "tab\there", [], {},
              [1, "x"], {"a": 1}, {"scheme": "nhs_number"}, {"scheme": "upn", "value": "A123"}, "x" * 70]


def paths(v, at=()):
    out = [at]
    if isinstance(v, dict):
        for k, c in v.items():
            out += paths(c, at + (k,))
    elif isinstance(v, list):
        for i, c in enumerate(v):
            out += paths(c, at + (i,))
    return out


def get(v, path):
    for p in path:
        v = v[p]
    return v


def edit(rng, report):
    ps = paths(report)
    path = rng.choice(ps[1:]) if len(ps) > 1 else ()
    if not path:
        return
    parent = get(report, path[:-1])
    key = path[-1]
    r = rng.random()
    if r < 0.55:
        parent[key] = rng.choice(ODD_VALUES)
    elif r < 0.75:
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif r < 0.85 and isinstance(parent, dict):
        parent["ref"] = rng.choice(["p1", "p2", "v1", "t1", "l1"])
    elif isinstance(parent, dict):
        parent[rng.choice(["kind", "recorded_at", "role", "type", "from", "to", "sex", "age", "x_ext"])] = \
            rng.choice(ODD_VALUES)


def damage(rng, line):
    r = rng.random()
    if r < 0.08 and len(line) > 2:
        return line[: rng.randrange(1, len(line))]
    if r < 0.14:
        i = rng.randrange(len(line))
        return line[:i] + rng.choice(['"', "}", ",", "\\", "\u00ff", " "]) + line[i + 1:]
    if r < 0.24:
        # Repeat the first member of some object.
        starts = [i for i, c in enumerate(line) if c == "{"]
        i = rng.choice(starts)
        j = min([k for k in (line.find(",", i), line.find("}", i)) if k > i], default=-1)
        if j > i + 1:
            return line[: i + 1] + line[i + 1: j] + "," + line[i + 1:]
    return line


def main():
    src, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    with open(src, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    out = sys.stdout
    for i in range(n):
        line = lines[i % len(lines)]
        try:
            report = json.loads(line)
            for _ in range(rng.randint(0, 3)):
                edit(rng, report)
            text = json.dumps(report, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))
        except (ValueError, RecursionError):
            # Not JSON, or nested too deep to edit here: kept as it is.
            out.write(line + "\n")
            continue
        out.write(damage(rng, text).replace("\n", " ") + "\n")


if __name__ == "__main__":
    main()
