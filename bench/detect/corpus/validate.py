#!/usr/bin/env python3
"""Validate the detector evaluation corpus and print counts.

Usage: python3 validate.py [--markdown]
Checks: every line parses; ids unique (within and across files) and well formed;
style known; indicators valid; experiencer in {subject, other}; flags boolean;
no (indicator, experiencer) pair repeated within a line; no pair both in labels
and negated; NA/VB only for the subject; frozen.jsonl matches FROZEN.sha256.
"""
import hashlib, json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
VALID = (["C1", "C2", "C3", "C4"] + [f"H{i}" for i in range(1, 14)] +
         [f"M{i}" for i in range(1, 15)] + [f"V{i}" for i in range(1, 11)] + ["NA", "VB"])
STYLES = ["police_log", "return_interview", "school_note", "health_record",
          "social_care_record", "business_report", "case_review"]
FILES = [("frozen.jsonl", "F"), ("dev.jsonl", "D")]


def load(name, prefix, seen, errs):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except Exception as e:
                errs.append(f"{name}:{n}: does not parse: {e}"); continue
            rid = r.get("id")
            where = f"{name}:{n} ({rid})"
            if set(r) != {"id", "style", "text", "labels", "negated", "note"}:
                errs.append(f"{where}: keys {sorted(r)}")
            if not isinstance(rid, str) or not re.fullmatch(prefix + r"\d{3,4}", rid):
                errs.append(f"{where}: bad id")
            if rid in seen:
                errs.append(f"{where}: duplicate id")
            seen.add(rid)
            if r.get("style") not in STYLES:
                errs.append(f"{where}: bad style {r.get('style')}")
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                errs.append(f"{where}: empty text")
            pairs = set()
            for l in r.get("labels", []):
                if set(l) != {"indicator", "experiencer", "hedged", "historical"}:
                    errs.append(f"{where}: label keys {sorted(l)}")
                if l.get("indicator") not in VALID:
                    errs.append(f"{where}: bad indicator {l.get('indicator')}")
                if l.get("experiencer") not in ("subject", "other"):
                    errs.append(f"{where}: bad experiencer {l.get('experiencer')}")
                if not isinstance(l.get("hedged"), bool) or not isinstance(l.get("historical"), bool):
                    errs.append(f"{where}: flags must be booleans")
                if l.get("indicator") in ("NA", "VB") and l.get("experiencer") != "subject":
                    errs.append(f"{where}: NA/VB must be subject")
                p = (l.get("indicator"), l.get("experiencer"))
                if p in pairs:
                    errs.append(f"{where}: repeated label pair {p}")
                pairs.add(p)
            npairs = set()
            for x in r.get("negated", []):
                if set(x) != {"indicator", "experiencer"}:
                    errs.append(f"{where}: negated keys {sorted(x)}")
                if x.get("indicator") not in VALID:
                    errs.append(f"{where}: bad negated indicator {x.get('indicator')}")
                if x.get("experiencer") not in ("subject", "other"):
                    errs.append(f"{where}: bad negated experiencer")
                p = (x.get("indicator"), x.get("experiencer"))
                if p in npairs:
                    errs.append(f"{where}: repeated negated pair {p}")
                npairs.add(p)
                if p in pairs:
                    errs.append(f"{where}: pair {p} both labelled and negated")
            rows.append(r)
    return rows


def main():
    md = "--markdown" in sys.argv
    errs, seen, data = [], set(), {}
    for name, prefix in FILES:
        data[name] = load(name, prefix, seen, errs)
    want = open(os.path.join(HERE, "FROZEN.sha256")).read().split()[0]
    got = hashlib.sha256(open(os.path.join(HERE, "frozen.jsonl"), "rb").read()).hexdigest()
    if want != got:
        errs.append(f"frozen.jsonl sha256 {got} != FROZEN.sha256 {want}")
    if len(data["frozen.jsonl"]) != 100:
        errs.append("frozen.jsonl must have exactly 100 lines")
    for e in errs:
        print("ERROR", e)
    if errs:
        sys.exit(1)
    print(f"OK: frozen {len(data['frozen.jsonl'])}, dev {len(data['dev.jsonl'])}, frozen sha256 {got}\n")
    names = [n for n, _ in FILES]
    # styles
    print("| style | frozen | dev | total |\n|---|---|---|---|" if md else "style counts")
    for s in STYLES:
        c = [sum(r["style"] == s for r in data[n]) for n in names]
        print(f"| {s} | {c[0]} | {c[1]} | {sum(c)} |" if md else f"  {s:20} {c}")
    c = [sum(not r["labels"] for r in data[n]) for n in names]
    print(f"| *texts with no labels* | {c[0]} | {c[1]} | {sum(c)} |" if md else f"  no labels            {c}")
    print()
    # indicators
    def count(rows, ind, exp=None, flag=None):
        return sum(1 for r in rows for l in r["labels"] if l["indicator"] == ind
                   and (exp is None or l["experiencer"] == exp) and (flag is None or l[flag]))
    def ncount(rows, ind):
        return sum(1 for r in rows for x in r["negated"] if x["indicator"] == ind)
    allrows = data["frozen.jsonl"] + data["dev.jsonl"]
    hdr = "| id | frozen subj | frozen other | dev subj | dev other | total | of which hedged | of which historical | negated (all) |"
    print(hdr + "\n|" + "---|" * 9 if md else "indicator counts: frozen subj/other, dev subj/other, total, hedged, historical, negated")
    for ind in VALID:
        f, d = data["frozen.jsonl"], data["dev.jsonl"]
        v = [count(f, ind, "subject"), count(f, ind, "other"), count(d, ind, "subject"), count(d, ind, "other"),
             count(allrows, ind), count(allrows, ind, flag="hedged"), count(allrows, ind, flag="historical"), ncount(allrows, ind)]
        print("| " + ind + " | " + " | ".join(map(str, v)) + " |" if md else f"  {ind:4} {v}")


if __name__ == "__main__":
    main()
