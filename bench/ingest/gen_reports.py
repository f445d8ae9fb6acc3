#!/usr/bin/env python3
"""Writes N synthetic sightline.report/1 reports as JSON Lines to stdout.

A simple stand-in generator for the ingest benchmark until the town
simulator lands: realistic shapes and sizes (2-4 people, addresses,
identifiers, a narrative of a few sentences, sometimes a vehicle and
relations), deterministic for a given seed. All data is synthetic.
"""
import json
import random
import sys

AGENCIES = [("police", "NICHE-BENCH"), ("social_care", "LCS-BENCH"), ("health", "EMIS-BENCH"),
            ("education", "SIMS-BENCH"), ("youth_justice", "CHILDVIEW-BENCH"), ("voluntary", "VCS-BENCH")]
KINDS = ["incident", "crime", "intelligence", "missing_episode", "return_interview", "contact",
         "referral", "assessment", "health_attendance", "school_attendance", "school_concern"]
GIVEN_F = ["Kayleigh", "Chloe", "Amira", "Jessica", "Zofia", "Aaliyah", "Grace", "Ruby", "Fatima", "Olivia"]
GIVEN_M = ["Oliver", "Tariq", "Jakub", "Kwame", "Liam", "Imran", "Daniel", "Marcus", "Adam", "Harry"]
FAMILY = ["Smyth", "Hussain", "Nowak", "Brown", "Walsh", "Khan", "Mensah", "Campbell", "Patel", "Jones",
          "Kowalski", "Begum", "Okafor", "Taylor", "Ali", "Williams"]
STREETS = ["Mill Lane", "Station Road", "Canal Street", "Orchard Close", "Market Street", "Bury Road"]
SENTENCES = [
    "Returned home late and would not say where she had been.",
    "Seen getting into a silver car driven by an older male.",
    "Mother reports she has a new phone and new clothes.",
    "Attendance has fallen this half term.",
    "Denies being hurt and says she was with friends.",
    "Staff concerned about older males waiting outside the school.",
    "Found at an address in another town in the early hours.",
    "Attended with a friend, no concerns noted.",
    "Advice given to parent about keeping safe online.",
    "Reluctant to engage with the return interview.",
]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    out = sys.stdout
    write = out.write
    for i in range(n):
        agency, system = rng.choice(AGENCIES)
        year = 2005 + (i * 15) // n
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        people = []
        for j in range(rng.randint(2, 4)):
            female = rng.random() < 0.6
            person = {
                "ref": f"p{j + 1}",
                "role": "subject" if j == 0 else rng.choice(["associate", "parent_carer", "witness", "suspect"]),
                "name": {"given": rng.choice(GIVEN_F if female else GIVEN_M), "family": rng.choice(FAMILY)},
                "sex": "female" if female else "male",
                "birth_date": f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "addresses": [{"text": f"{rng.randint(1, 120)} {rng.choice(STREETS)}, Riverton",
                               "postcode": f"RV{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                               "kind": "home"}],
            }
            if rng.random() < 0.3:
                person["phones"] = [f"07700 9{rng.randint(0, 99999):05d}"]
            people.append(person)
        report = {
            "schema": "sightline.report/1",
            "source": {"agency": agency, "system": system, "record_id": f"R-{i:08d}", "version": 1},
            "kind": rng.choice(KINDS),
            "occurred_at": f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            "recorded_at": f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
            "area": {"police_force": "Riverton Constabulary", "local_authority": "E08000099"},
            "people": people,
            "narrative": " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6))),
            "outcome": {"action": rng.choice(["no_further_action", "advice_given", "referred", "ongoing"])},
        }
        if rng.random() < 0.2:
            report["vehicles"] = [{"ref": "v1", "registration": f"AB{rng.randint(10, 70)} CDE", "colour": "silver"}]
            report["relations"] = [{"from": "p2", "to": "v1", "type": "driving"}]
        write(json.dumps(report, separators=(",", ":")))
        write("\n")


if __name__ == "__main__":
    main()
