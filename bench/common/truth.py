"""A simulated world's truth, and resolved persons mapped onto it.

Used by the scorers under bench/: each resolved person is the true person
most of their mentions belong to.
"""
import csv
from collections import Counter, defaultdict


def mentions(world):
    """(agency, system, record_id, ref) -> true person id."""
    truth = {}
    with open(f"{world}/truth/mentions.csv") as fh:
        for row in csv.DictReader(fh):
            truth[(row["agency"], row["system"], row["record_id"], row["ref"])] = row["person_id"]
    return truth


def people(world):
    """True person id -> their row of truth/people.csv."""
    with open(f"{world}/truth/people.csv") as fh:
        return {row["person_id"]: row for row in csv.DictReader(fh)}


def majority(links_path, truth):
    """Resolved person id -> the true person most of their mentions are."""
    votes = defaultdict(Counter)
    with open(links_path) as fh:
        for row in csv.DictReader(fh):
            m = (row["agency"], row["system"], row["record_id"], row["ref"])
            if m in truth:
                votes[row["person_id"]][truth[m]] += 1
    return {p: c.most_common(1)[0][0] for p, c in votes.items()}


def victims(world):
    with open(f"{world}/truth/victims.csv") as fh:
        return {row["person_id"]: row for row in csv.DictReader(fh)}


def homes(world):
    """Household -> its homes, oldest first (truth/homes.csv)."""
    out = defaultdict(list)
    with open(f"{world}/truth/homes.csv") as fh:
        for row in csv.DictReader(fh):
            out[row["household"]].append(row)
    return out
