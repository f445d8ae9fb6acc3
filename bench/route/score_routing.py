#!/usr/bin/env python3
"""Routing accuracy against the world's responsible teams.

    score_routing.py WORLD_DIR LINKS.csv CONCERNS.jsonl TEAMS.toml

Each concern's person is the true person most of their mentions belong to.
The right team is the one responsible for that child where their household
lived when the concern's team received it (`routed_at`, else `raised_at`),
from the world's truth/homes.csv: a concern is judged by what was true when
it was routed, and a concern that follows the child to a new home is judged
at the move. For information the score against where the child lived at the
end of the period (truth/people.csv) is printed too. Counts every concern:
routed to the right team, routed to another team, or in the unrouted queue;
none may be missing.
"""
import json
import sys
import tomllib
from collections import Counter
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import truth as world_truth  # noqa: E402


def main():
    world, links, concerns_path, teams_path = sys.argv[1:5]
    truth = world_truth.mentions(world)
    true_of = world_truth.majority(links, truth)
    people = world_truth.people(world)
    end_team_of = {p: row["team"] for p, row in people.items() if row["team"]}
    homes = world_truth.homes(world)

    def home_on(person, when):
        """(team, local authority) responsible for a child on a date."""
        row = people.get(person)
        if row is None or row["kind"] != "child":
            return None, None
        current = None
        for h in homes.get(row["household"], []):
            if h["moved_in"] <= when[:10]:
                current = h
        if current is None:
            return end_team_of.get(person), row["local_authority"]
        return current["children_team"], current["local_authority"]
    with open(teams_path, "rb") as fh:
        teams = tomllib.load(fh)["teams"]
    name_of = {t["id"]: t["name"] for t in teams}
    la_of_team = {t["id"]: t.get("local_authority") for t in teams}
    right_authority = 0
    outcome = Counter()
    wrong = []
    concerns = [json.loads(l) for l in open(concerns_path) if l.strip()]
    right_at_end = 0
    for c in concerns:
        person = true_of.get(c["person_id"])
        expected, expected_la = home_on(person, c.get("routed_at") or c["raised_at"])
        if c["team"] is not None and name_of.get(c["team"]) == end_team_of.get(person):
            right_at_end += 1
        if c["status"] == "unrouted" or c["team"] is None:
            outcome["unrouted"] += 1
        elif expected is None:
            outcome["routed, no responsible team in the truth (an adult)"] += 1
        elif name_of.get(c["team"]) == expected:
            outcome["right team"] += 1
            right_authority += 1
        else:
            outcome["wrong team"] += 1
            wrong.append((c["concern_id"], c["team"], expected))
            if la_of_team.get(c["team"]) == expected_la:
                right_authority += 1
    total = len(concerns)
    counted = sum(outcome.values())
    judged = outcome["right team"] + outcome["wrong team"]
    print(f"concerns {total}, counted {counted} (missing {total - counted})")
    for k, n in sorted(outcome.items()):
        print(f"  {k}: {n}")
    if total:
        print(f"routing accuracy: {outcome['right team'] / total:.4f} of all concerns to the right team; "
              f"{outcome['right team'] / judged if judged else 0:.4f} of those routed to a team with a known responsible team")
        print(f"right local authority (a team of the responsible authority): {right_authority / total:.4f}")
        print(f"for information, right team for where the child lived at the end of the period: {right_at_end / total:.4f}")
    for w in wrong[:10]:
        print("  wrong:", *w)
    # Why each concern not at the right team missed it: could any record
    # have shown the right team's area by then? A child whose every record
    # still gives the old address after a move (an agency that was never
    # told) cannot be routed to the new area by any system.
    team_of_district = routes_by_district(os.path.join(os.path.dirname(teams_path), "routes.toml"))
    recorded = recorded_homes(world, truth)
    causes = Counter()
    for c in concerns:
        person = true_of.get(c["person_id"])
        when = c.get("routed_at") or c["raised_at"]
        expected, _ = home_on(person, when)
        if expected is None or name_of.get(c["team"]) == expected:
            continue
        shown = {
            name_of.get(team_of_district.get(pc.split(" ")[0]))
            for at, pc in recorded.get(person, [])
            if at <= when[:19]
        }
        if expected not in shown:
            causes["no record of the child gave an address in the right team's area by then"] += 1
        else:
            causes["a record gave the right area (linking or address choice)"] += 1
    for k, n in sorted(causes.items()):
        print(f"  not at the right team, {k}: {n}")


def routes_by_district(routes_path):
    """Postcode district -> team id, from a routing table."""
    with open(routes_path, "rb") as fh:
        table = tomllib.load(fh)
    return {d: r["team"] for r in table["routes"] for d in r.get("districts", [])}


def recorded_homes(world, truth):
    """True person -> (when, postcode) of every home or placement address
    a report recorded for them (`truth`: mention -> true person)."""
    out = {}
    with open(f"{world}/reports.jsonl") as fh:
        for line in fh:
            r = json.loads(line)
            s = r["source"]
            when = r.get("recorded_at") or r.get("occurred_at") or ""
            for p in r.get("people", []):
                person = truth.get((s["agency"], s["system"], s["record_id"], p["ref"]))
                for a in p.get("addresses", []):
                    if a.get("kind") in ("home", "placement") and a.get("postcode"):
                        out.setdefault(person, []).append((when[:19], a["postcode"]))
    return out


if __name__ == "__main__":
    main()
