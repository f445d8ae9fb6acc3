#!/usr/bin/env python3
"""Deduplicate a simulator world's person mentions with Splink (DuckDB backend).

    bench/out/venv/bin/python bench/link/splink/sim_splink.py WORLD_DIR OUT_LINKS.csv [-v]

Reads WORLD_DIR/reports.jsonl (sightline.report/1, docs/report-format.md),
flattens every person mention into one row, deduplicates the rows with a
Fellegi-Sunter model in the spirit of Splink's own FEBRL and
"deduplicate_50k_synthetic" examples, clusters the pairwise predictions with
connected components, and writes OUT_LINKS.csv in the person-links export
format `agency,system,record_id,ref,person_id` (one row per mention; the
person_id is Splink's cluster id).  Score it with

    python3 bench/link/score_links.py WORLD_DIR OUT_LINKS.csv splink

Wall time (load + train + predict + cluster + write) and peak RSS go to stderr.
"""
import argparse
import csv
import json
import logging
import re
import resource
import sys
import time

import pandas as pd

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Threshold used for both predict() and connected-components clustering.
THRESHOLD = 0.5
# Pairs sampled for the u estimate.
U_MAX_PAIRS = 5e6
# Assumed recall of the deterministic rules used for the prior (lambda).
DETERMINISTIC_RECALL = 0.7

_PUNCT = re.compile(r"[^\w\s'-]", re.UNICODE)


def norm_text(s):
    """Lower-case, strip punctuation (apostrophes and hyphens dropped), squeeze spaces."""
    if not s:
        return None
    s = _PUNCT.sub(" ", str(s))
    s = s.replace("'", "").replace("-", " ")
    s = " ".join(s.lower().split())
    return s or None


def split_full(full):
    """Split a `name.full` into (given, family).

    A word in ALL CAPS among other words is the family name ("OSEI Samuel Femi");
    otherwise the last word is ("Gary John White").  A single word is a given name.
    """
    words = [w for w in str(full).split() if any(ch.isalpha() for ch in w)]
    if not words:
        return None, None
    if len(words) == 1:
        return words[0], None
    caps = [i for i, w in enumerate(words)
            if sum(ch.isalpha() for ch in w) >= 2 and w.upper() == w and w.lower() != w]
    if caps and len(caps) < len(words):
        i = caps[0]
        family = words[i]
        given = " ".join(words[:i] + words[i + 1:])
    else:
        family = words[-1]
        given = " ".join(words[:-1])
    return given, family


def norm_postcode(pc):
    if not pc:
        return None
    s = re.sub(r"[^A-Za-z0-9]", "", str(pc)).upper()
    if len(s) < 5 or len(s) > 7:
        return None
    return f"{s[:-3]} {s[-3:]}"  # canonical "OUT IN" spacing


def norm_phone(p):
    if not p:
        return None
    d = re.sub(r"\D", "", str(p))
    if d.startswith("44"):
        d = "0" + d[2:]
    elif d.startswith("0044"):
        d = "0" + d[4:]
    return d if len(d) >= 9 else None


def norm_dob(b):
    if not b:
        return None
    b = str(b).strip()
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", b):
        return b
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", b)  # UK day-first
    if m:
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return None


def load_mentions(world):
    rows = []
    with open(f"{world}/reports.jsonl", encoding="utf-8") as fh:
        latest = {}
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
                s = r["source"]
                key = (s["agency"], s["system"], s["record_id"])
            except (ValueError, KeyError, TypeError):
                continue
            v = s.get("version", 1)
            if key not in latest or v >= latest[key][0]:
                latest[key] = (v, r)
    for (agency, system, record_id), (_, r) in latest.items():
        for p in r.get("people") or []:
            ref = p.get("ref")
            if not ref:
                continue
            name = p.get("name") or {}
            given, family = name.get("given"), name.get("family")
            if not given and not family and name.get("full"):
                given, family = split_full(name["full"])
            given, family = norm_text(given), norm_text(family)
            first = given.split()[0] if given else None
            postcode = None
            for a in p.get("addresses") or []:
                postcode = norm_postcode(a.get("postcode"))
                if postcode:
                    break
            phones = sorted({x for x in (norm_phone(ph) for ph in p.get("phones") or []) if x})
            ids = {}
            for i in p.get("identifiers") or []:
                scheme, value = i.get("scheme"), i.get("value")
                if scheme and value and scheme not in ids:
                    ids[scheme] = re.sub(r"\s", "", str(value)).upper()
            sex = p.get("sex")
            rows.append({
                "unique_id": f"{agency}/{system}/{record_id}/{ref}",
                "agency": agency, "system": system, "record_id": record_id, "ref": ref,
                "first_name": first,
                "surname": family,
                "dob": norm_dob(p.get("birth_date")),
                "postcode": postcode,
                "phones": phones or None,
                "nhs_number": ids.get("nhs_number"),
                "upn": ids.get("upn"),
                "local_id": ids.get("local"),
                "sex": sex if sex in ("female", "male") else None,
            })
    return pd.DataFrame(rows)


def settings(scale=False):
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.88])
            .configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.88])
            .configure(term_frequency_adjustments=True),
            cl.CustomComparison(
                output_column_name="dob",
                comparison_levels=[
                    cll.NullLevel("dob"),
                    cll.ExactMatchLevel("dob"),
                    cll.DamerauLevenshteinLevel("dob", 1),
                    cll.CustomLevel("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)",
                                    label_for_charts="same birth year"),
                    cll.ElseLevel(),
                ],
            ),
            cl.PostcodeComparison("postcode"),  # exact, sector, district, area
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
            cl.ExactMatch("local_id"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            # At scale a birth date or a postcode alone pairs up tens of
            # millions of mentions (more than this machine's disk can spill):
            # each is narrowed by the first letter of the given name there.
            block_on("dob", "substr(first_name, 1, 1)") if scale else block_on("dob"),
            block_on("first_name", "surname"),
            block_on("postcode", "first_name") if scale else block_on("postcode", "substr(first_name, 1, 1)"),
            block_on("surname", "substr(dob, 1, 4)"),
            block_on("nhs_number"),
            block_on("upn"),
            block_on("local_id"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("world")
    ap.add_argument("out")
    ap.add_argument("--model", help="also save the trained Splink model (JSON) here")
    ap.add_argument("-v", "--verbose", action="store_true", help="Splink INFO logging")
    ap.add_argument("--scale", action="store_true",
                    help="for about a million mentions: DuckDB limited to 14 GB (spilling to "
                         "bench/out/duckdb-tmp), no EM round blocked on postcode alone (a "
                         "postcode holds thousands of mentions there), predictions blocked on "
                         "birth date and postcode each with the given name's initial or the "
                         "given name, pairs not counted. Without it, Splink was killed for "
                         "want of memory at 24 GiB.")
    args = ap.parse_args()

    t0 = time.perf_counter()
    df = load_mentions(args.world)
    t_load = time.perf_counter()
    print(f"mentions: {len(df)}", file=sys.stderr)

    if args.scale:
        import duckdb
        con = duckdb.connect()
        con.execute("SET memory_limit = '14GB'")
        con.execute("SET temp_directory = 'bench/out/duckdb-tmp'")
        db_api = DuckDBAPI(connection=con)
    else:
        db_api = DuckDBAPI()
    sdf = db_api.register(df, dataset_display_name="mentions")
    linker = Linker(sdf, settings(args.scale), log_level=logging.INFO if args.verbose else logging.WARNING)

    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "surname", "dob"),
            block_on("nhs_number"),
            block_on("upn"),
        ],
        recall=DETERMINISTIC_RECALL,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True)
    if not args.scale:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("postcode"), estimate_without_term_frequencies=True)
    t_train = time.perf_counter()
    print(f"trained in {t_train - t_load:.2f}s", file=sys.stderr, flush=True)

    pred = linker.inference.predict(threshold_match_probability=THRESHOLD)
    t_pred = time.perf_counter()
    print(f"predicted in {t_pred - t_train:.2f}s", file=sys.stderr, flush=True)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=THRESHOLD)
    cdf = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    t_clus = time.perf_counter()

    out = df[["unique_id", "agency", "system", "record_id", "ref"]].merge(cdf, on="unique_id", how="left")
    out["person_id"] = out["cluster_id"].fillna(out["unique_id"])
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["agency", "system", "record_id", "ref", "person_id"])
        w.writerows(out[["agency", "system", "record_id", "ref", "person_id"]].itertuples(index=False))
    t_end = time.perf_counter()

    if args.model:
        linker.misc.save_model_to_json(args.model, overwrite=True)

    n_pairs = "not counted" if args.scale else len(pred.as_pandas_dataframe())
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pairs >= {THRESHOLD}: {n_pairs}; clusters: {out['person_id'].nunique()}", file=sys.stderr)
    print(f"time: load {t_load - t0:.2f}s, train {t_train - t_load:.2f}s, predict {t_pred - t_train:.2f}s, "
          f"cluster {t_clus - t_pred:.2f}s, write {t_end - t_clus:.2f}s", file=sys.stderr)
    print(f"wall time {t_end - t0:.2f} s; peak RSS {rss_mib:.0f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
