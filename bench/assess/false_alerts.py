#!/usr/bin/env python3
"""What raised the concerns about children who were never exploited.

    false_alerts.py WORLD_DIR LINKS.csv CONCERNS.jsonl [SHOW]

Counts, over concerns whose person is not a true victim: how they were
raised, the overrides and patterns at the raise, and the indicators that
counted; then prints SHOW of their reasons at the raise.
"""
import json
import random
import sys
from collections import Counter
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import truth as world_truth  # noqa: E402


def main():
    world, links, concerns = sys.argv[1:4]
    show = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    truth = world_truth.mentions(world)
    true_of = world_truth.majority(links, truth)
    victims = set(world_truth.victims(world))
    false = [c for c in map(json.loads, open(concerns)) if true_of.get(c["person_id"]) not in victims]
    how, reasons, indicators = Counter(), Counter(), Counter()
    for c in false:
        how[c["raised_by"]] += 1
        for line in c.get("raised_because", []):
            if line.startswith(("Override", "Pattern")):
                reasons[line.split(":")[0]] += 1
            elif line.startswith("  "):
                indicators[line.split()[0]] += 1
    print(f"{len(false)} concerns about people who were never exploited")
    print("raised by:", dict(how))
    print("overrides and patterns at the raise:", reasons.most_common())
    print("indicators at the raise:", indicators.most_common(20))
    random.seed(1)
    for c in random.sample(false, min(show, len(false))):
        print("---", c["concern_id"], c["raised_at"])
        print("\n".join(c.get("raised_because", [])))


if __name__ == "__main__":
    main()
