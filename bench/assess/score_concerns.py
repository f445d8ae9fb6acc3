#!/usr/bin/env python3
"""Scores a concerns export (and a network export) against a world's truth.

    score_concerns.py WORLD_DIR LINKS.csv CONCERNS.jsonl [NETWORK.json] [LABEL]

LINKS.csv is `sightline export links`; CONCERNS.jsonl `sightline export
concerns`; NETWORK.json `sightline network --json-out`. Each resolved person
is the true person most of their mentions belong to. Prints:

- victim recall: exploited children with a concern of band moderate or above
  by the end;
- reports to the first concern: per victim, the reports about them recorded
  from the start of exploitation up to and including the one that raised
  their first concern (median and 90th percentile; victims never flagged are
  left out and counted in recall);
- false alerts: never-exploited children (and adults) with a concern, per
  1,000 children per year of the world;
- perpetrators: precision at 20 and at the true number of perpetrators of the
  adults ranked by network signals;
- hidden victims: the share of victims first flagged through the network.
"""
import csv
import json
import statistics
import sys
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import truth as world_truth  # noqa: E402
from collections import Counter, defaultdict
from datetime import datetime, timezone


def parse_time(text):
    """An RFC 3339 time or a bare date, as an aware UTC datetime."""
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t.astimezone(timezone.utc) if t.tzinfo else t.replace(tzinfo=timezone.utc)


MODERATE_OR_ABOVE = {"moderate", "significant", "critical"}


def main():
    world, links_path, concerns_path = sys.argv[1:4]
    network_path = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4].endswith(".json") else None
    label = sys.argv[-1] if len(sys.argv) > 4 and not sys.argv[-1].endswith(".json") else concerns_path

    truth = world_truth.mentions(world)
    kind = {p: row["kind"] for p, row in world_truth.people(world).items()}
    children = sum(1 for k in kind.values() if k == "child")
    victims = world_truth.victims(world)
    perpetrators = set()
    with open(f"{world}/truth/perpetrators.csv") as fh:
        for row in csv.DictReader(fh):
            perpetrators.add(row["person_id"])

    true_of = world_truth.majority(links_path, truth)

    # Report times and the reports each true person is in.
    recorded = {}
    first, last = None, None
    with open(f"{world}/reports.jsonl") as fh:
        for line in fh:
            r = json.loads(line)
            s = r["source"]
            t = parse_time(r["recorded_at"])
            recorded[(s["agency"], s["system"], s["record_id"])] = t
            first = t if first is None or t < first else first
            last = t if last is None or t > last else last
    years = (last - first).days / 365.25
    reports_of = defaultdict(set)
    for (a, s, rid, _), person in truth.items():
        reports_of[person].add((a, s, rid))

    concerns = [json.loads(l) for l in open(concerns_path) if l.strip()]
    first_concern = {}
    for c in concerns:
        if c["tier"] not in MODERATE_OR_ABOVE:
            continue
        person = true_of.get(c["person_id"])
        if person is None:
            continue
        raised = parse_time(c["raised_at"])
        # The first moment the band reached moderate: the raise, or a later
        # history entry.
        at = None
        for h in c.get("history", []):
            if h["tier"] in MODERATE_OR_ABOVE:
                at = parse_time(h["at"])
                break
        at = at or raised
        prev = first_concern.get(person)
        if prev is None or at < prev[0]:
            first_concern[person] = (at, c.get("raised_by", "assessment"))

    flagged = [v for v in victims if v in first_concern]
    recall = len(flagged) / len(victims) if victims else 0.0
    counts = []
    for v in flagged:
        start = datetime.fromisoformat(victims[v]["exploitation_start"]).replace(tzinfo=timezone.utc)
        at = first_concern[v][0]
        n = sum(1 for k in reports_of[v] if start <= recorded[k] <= at)
        counts.append(n)
    counts.sort()
    median = statistics.median(counts) if counts else float("nan")
    p90 = counts[min(len(counts) - 1, int(0.9 * len(counts)))] if counts else float("nan")
    false_children = sorted(p for p in first_concern if kind.get(p) == "child" and p not in victims)
    false_adults = sorted(p for p in first_concern if kind.get(p) == "adult")
    rate = len(false_children) / (children / 1000) / years if children and years else float("nan")
    hidden = sum(1 for v in flagged if first_concern[v][1] == "network")
    print(f"{label}")
    print(f"  victims {len(victims)}, children {children}, years {years:.1f}, concerns {len(concerns)}")
    print(f"  victim recall {recall:.3f} ({len(flagged)}/{len(victims)})")
    print(f"  reports to first concern: median {median}, p90 {p90}")
    print(f"  false alerts: {len(false_children)} children ({rate:.2f} per 1,000 children per year), {len(false_adults)} adults")
    print(f"  hidden victims: {hidden}/{len(flagged)} flagged victims first flagged through the network ({hidden / len(flagged) if flagged else 0:.3f})")
    if network_path:
        doc = json.load(open(network_path))
        ranked = [true_of.get(a["person_id"]) for a in doc.get("adults", [])]
        n = len(perpetrators)
        for k in (20, n):
            top = ranked[:k]
            hits = sum(1 for p in top if p in perpetrators)
            print(f"  perpetrators: precision at {k} = {hits / k:.3f} ({hits} of the top {len(top)}; distinct perpetrators {len(set(p for p in top if p in perpetrators))}/{n})")
    if network_path:
        # Groups against the true networks: each group's majority network,
        # and the share of its members from the simulated networks that
        # belong to it (purity), and of each network's members found in
        # its best group (coverage).
        member_of = {}
        with open(f"{world}/truth/networks.csv") as fh:
            for row in csv.DictReader(fh):
                for p in row["adults"].split(";") + row["victims"].split(";"):
                    member_of[p] = row["network_id"]
        sizes = Counter(member_of.values())
        best = {}
        purity_of = {}
        for g in doc.get("groups", []):
            people = {true_of.get(p) for p in g["adults"] + g["children"]} - {None}
            nets = Counter(member_of[p] for p in people if p in member_of)
            if not nets:
                print(f"  group {g['id']}: {len(people)} people, none from a simulated network")
                continue
            net, n = nets.most_common(1)[0]
            purity = n / sum(nets.values())
            best[net] = max(best.get(net, 0), n)
            purity_of[g["id"]] = purity
            print(f"  group {g['id']}: {len(people)} people, network {net} ({n} of its {sizes[net]} members; purity {purity:.2f} among network members)")
        for net, size in sorted(sizes.items()):
            print(f"  network {net}: {best.get(net, 0)}/{size} members in one group")
        half = sum(1 for net, size in sizes.items() if best.get(net, 0) * 2 >= size)
        covered = sum(best.values()) / sum(sizes.values()) if sizes else 0.0
        purities = [p for p in purity_of.values()]
        print(f"  groups: {half}/{len(sizes)} networks with at least half their members in one group; "
              f"{covered:.3f} of network members in their network's best group; "
              f"mean purity {sum(purities) / len(purities) if purities else 0:.2f} over {len(purities)} groups")
    missed = [v for v in victims if v not in first_concern]
    if missed:
        print(f"  missed victims: {' '.join(sorted(missed))}")


if __name__ == "__main__":
    main()
