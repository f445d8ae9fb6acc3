//! Time to acknowledgement and escalations under a simulated team response
//! model (bench/route/response.sh).
//!
//!     cargo run --release -p sightline-route --example response_model -- \
//!         CONCERNS.jsonl TEAMS.toml [SEED]
//!
//! Every concern of a concerns export is replayed through its workflow: the
//! team (or, for the unrouted queue, an administrator) takes it up after a
//! delay drawn from a response model, decides after a second delay, and
//! the escalations owed by then are counted. The model (working hours after
//! receipt, per concern): 55% the same working day (1–6 h), 30% the next
//! working day or the one after (8–40 h), 12% later in the week (40–100 h),
//! 3% lost in someone's inbox for one to three weeks. Times are wall-clock
//! hours from receipt; the clocks count working days in England and Wales.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sightline_route::workflow::{Action, Outcome, ServiceLevels, Workflow};
use sightline_route::{Calendar, Directory, RouteOutcome};

fn delay(rng: &mut ChaCha8Rng) -> SignedDuration {
    let p: f64 = rng.random();
    let hours = if p < 0.55 {
        rng.random_range(1.0..6.0)
    } else if p < 0.85 {
        rng.random_range(8.0..40.0)
    } else if p < 0.97 {
        rng.random_range(40.0..100.0)
    } else {
        rng.random_range(168.0..504.0)
    };
    SignedDuration::from_secs((hours * 3600.0) as i64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: response_model CONCERNS.jsonl TEAMS.toml [SEED]");
        std::process::exit(2);
    }
    let concerns = std::fs::read_to_string(&args[1])?;
    let directory = Directory::parse(&std::fs::read_to_string(&args[2])?, &args[2])?;
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let levels = ServiceLevels::default_levels();
    let calendar = Calendar::england_and_wales();
    let mut hours_to_ack = Vec::new();
    let mut on_time = 0;
    let mut by_level: BTreeMap<u32, usize> = BTreeMap::new();
    let mut reached_lead = 0;
    let mut total = 0;
    for line in concerns.lines().filter(|l| !l.trim().is_empty()) {
        let c: serde_json::Value = serde_json::from_str(line)?;
        let raised: Timestamp = c["raised_at"].as_str().unwrap_or_default().parse()?;
        let team = c["team"].as_str().map(String::from);
        let route = RouteOutcome {
            team: team.clone(),
            notify: Vec::new(),
            reason: "from the export".into(),
            basis: sightline_route::RouteBasis::Residence,
        };
        let mut w = Workflow::raised(raised, Some(&route));
        let mut escalations = Vec::new();
        let mut step = |w: &mut Workflow, at: Timestamp, actor: &str, action: Action| {
            for e in w.escalations_due(&directory, &levels, &calendar, at) {
                escalations.push(e.clone());
                w.escalated(e);
            }
            w.apply(Some(&directory), actor, at, &action)
        };
        total += 1;
        let mut at = raised;
        let team = match team {
            Some(t) => t,
            None => {
                // An administrator routes it to the first team (in the
                // simulation the right one is not known).
                at = at.checked_add(delay(&mut rng))?;
                let to = directory.teams[0].id.clone();
                let admin = directory.administrators[0].clone();
                step(
                    &mut w,
                    at,
                    &admin,
                    Action::Reassign {
                        team: to.clone(),
                        reason: "routed by hand".into(),
                    },
                )?;
                to
            }
        };
        let member = directory
            .team(&team)
            .map(|t| t.members[0].clone())
            .unwrap_or_default();
        let ack_at = at.checked_add(delay(&mut rng))?;
        let due = w.clocks(&levels, &calendar).first().map(|c| c.due);
        step(
            &mut w,
            ack_at,
            &member,
            Action::Acknowledge {
                note: String::new(),
            },
        )?;
        hours_to_ack.push((ack_at.as_second() - raised.as_second()) as f64 / 3600.0);
        if due.is_some_and(|d| ack_at <= d) {
            on_time += 1;
        }
        let decide_at = ack_at.checked_add(delay(&mut rng))?;
        step(
            &mut w,
            decide_at,
            &member,
            Action::Decide {
                outcome: Outcome::StrategyDiscussion,
                reason: "model".into(),
            },
        )?;
        for e in &escalations {
            *by_level.entry(e.level).or_default() += 1;
        }
        if escalations
            .iter()
            .any(|e| e.to == directory.partnership_lead)
        {
            reached_lead += 1;
        }
    }
    hours_to_ack.sort_by(f64::total_cmp);
    let q = |p: f64| {
        hours_to_ack[((hours_to_ack.len() as f64 * p) as usize).min(hours_to_ack.len() - 1)]
    };
    println!("concerns {total} (seed {seed})");
    if total > 0 {
        println!(
            "time to acknowledgement (hours from receipt): median {:.1}, p90 {:.1}, max {:.1}",
            q(0.5),
            q(0.9),
            hours_to_ack[hours_to_ack.len() - 1]
        );
        println!(
            "acknowledged within one working day: {on_time} ({:.3})",
            on_time as f64 / total as f64
        );
        println!(
            "escalations: {} in all; by level {:?}; {reached_lead} concerns reached the partnership lead",
            by_level.values().sum::<usize>(),
            by_level
        );
    }
    Ok(())
}
