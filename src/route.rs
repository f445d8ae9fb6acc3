//! `sightline teams`, `routes`, `concerns`, `concern` and `tick`: every
//! concern routed to the team responsible for the child, tracked until it
//! is acknowledged, decided and closed, and escalated when a clock runs out.
//!
//! The team directory, the routing table and every step are decisions in
//! the ledger (who, when, why); a concern's workflow is rebuilt from them on
//! each run, like every other projection. Steps carry the data time they
//! were taken at, so clocks run in data time in batch and replay.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use serde_json::json;
use sightline_assess::Band;
use sightline_assess::engine::Concern;
use sightline_ledger::{Ledger, NewDecision, SqliteLedger};
use sightline_route::workflow::{Action, Escalation, Outcome, ServiceLevels, Status, Workflow};
use sightline_route::{Calendar, Directory, RouteOutcome, Router};

use crate::Globals;
use crate::assess::{Assessed, RuleArgs};

pub const TEAMS_LOADED: &str = "teams_loaded";
pub const ROUTES_LOADED: &str = "routes_loaded";
pub const LEVELS_LOADED: &str = "service_levels_loaded";
pub const STEP: &str = "concern_step";
pub const ESCALATED: &str = "concern_escalated";
/// Every decision kind the workflow reads.
pub const KINDS: [&str; 5] = [TEAMS_LOADED, ROUTES_LOADED, LEVELS_LOADED, STEP, ESCALATED];

#[derive(Debug, Subcommand)]
pub enum TeamsCommand {
    /// Validate a team directory file.
    Check { file: PathBuf },
    /// Validate a team directory and make it the one in use (recorded in
    /// the ledger, with who and when).
    Load { file: PathBuf },
    /// The directory in use.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum RoutesCommand {
    /// Validate a routing table against a team directory (the one in use,
    /// or --teams FILE), and list the postcode districts it leaves unrouted.
    Check {
        file: PathBuf,
        #[arg(long, value_name = "FILE")]
        teams: Option<PathBuf>,
        /// More postcode districts (`district,local_authority,name` rows),
        /// over the shipped table.
        #[arg(long, value_name = "CSV")]
        districts: Option<PathBuf>,
    },
    /// Validate a routing table and make it the one in use.
    Load {
        file: PathBuf,
        /// More postcode districts (`district,local_authority,name` rows),
        /// over the shipped table; kept with the table.
        #[arg(long, value_name = "CSV")]
        districts: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ConcernsArgs {
    /// Only this team's concerns (`unrouted` for the unrouted queue).
    #[arg(long)]
    team: Option<String>,
    /// Only concerns with this status.
    #[arg(long)]
    status: Option<String>,
    /// Only concerns with a clock run out.
    #[arg(long)]
    overdue: bool,
    /// JSON Lines.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConcernCommand {
    /// Everything about one concern: why, its band history, who did what
    /// when, its clocks.
    Show { id: String },
    /// The team has it.
    Ack {
        id: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// What the team decided: strategy_discussion, s47_enquiry, early_help,
    /// referral or no_further_action.
    Decide {
        id: String,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        reason: String,
    },
    /// Close a decided concern (no further action needs a reason; at band
    /// significant or critical a second person signs it off).
    Close {
        id: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// A second person signs off a closing.
    SignOff {
        id: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Give the concern to another team (or route an unrouted one).
    Reassign {
        id: String,
        #[arg(long)]
        team: String,
        #[arg(long)]
        reason: String,
    },
}

/// What routing runs with: the directory, routing table and service levels
/// in use, and the calendar.
pub struct RouteConfig {
    pub directory: Option<Directory>,
    pub router: Option<Router>,
    pub levels: ServiceLevels,
    pub calendar: Calendar,
}

/// The routing configuration in use: the latest of each loaded into the
/// ledger (as of `as_of`).
pub fn config(ledger: &dyn Ledger, as_of: Option<Timestamp>) -> Result<RouteConfig> {
    let decisions = ledger.decisions(&[TEAMS_LOADED, ROUTES_LOADED, LEVELS_LOADED])?;
    let latest = |kind: &str| {
        decisions
            .iter()
            .rev()
            .filter(|d| as_of.is_none_or(|t| d.at <= t))
            .find(|d| d.decision == kind)
    };
    let text = |d: &sightline_ledger::StoredDecision| {
        (
            d.body["text"].as_str().unwrap_or_default().to_string(),
            d.body["file"].as_str().unwrap_or_default().to_string(),
        )
    };
    let directory = match latest(TEAMS_LOADED) {
        Some(d) => {
            let (t, f) = text(d);
            Some(Directory::parse(&t, &f)?)
        }
        None => None,
    };
    let router = match (latest(ROUTES_LOADED), &directory) {
        (Some(d), Some(dir)) => {
            let (t, f) = text(d);
            let districts = d.body["districts"].as_str().map(|x| (x, "districts"));
            Some(Router::parse(&t, &f, dir, districts)?)
        }
        _ => None,
    };
    let levels = match latest(LEVELS_LOADED) {
        Some(d) => {
            let (t, f) = text(d);
            ServiceLevels::parse(&t, &f)?
        }
        None => ServiceLevels::default_levels(),
    };
    Ok(RouteConfig {
        directory,
        router,
        levels,
        calendar: Calendar::england_and_wales(),
    })
}

/// The last ledger entry the workflows depend on: part of the concerns
/// projection's version.
pub fn last_seq(ledger: &dyn Ledger) -> Result<u64> {
    Ok(ledger.decisions(&KINDS)?.last().map_or(0, |d| d.seq))
}

/// Where routing sends a concern from a moment on.
type TimedRoute = (Timestamp, RouteOutcome);

/// Every concern's workflow, rebuilt from the assessment and the ledger's
/// steps, keyed by concern id.
pub fn workflows(
    ledger: &dyn Ledger,
    assessed: &Assessed,
    cfg: &RouteConfig,
    as_of: Option<Timestamp>,
) -> Result<BTreeMap<String, Workflow>> {
    let a = &assessed.assessor;
    let mut out = BTreeMap::new();
    let route_on = |person: &str, concern_type: &str, at: Timestamp| {
        cfg.router.as_ref().map(|r| {
            let place = assessed
                .places
                .get(person)
                .map(|h| h.as_of(at))
                .unwrap_or_default();
            r.route(&place, concern_type)
        })
    };
    // Each concern's route at every moment after `after` when the records
    // said something new of where the child is, in time order.
    let routes_after = |c: &Concern, after: Timestamp| -> Vec<TimedRoute> {
        let Some(history) = assessed.places.get(&c.person_id) else {
            return Vec::new();
        };
        history
            .changes_after(after)
            .into_iter()
            .filter_map(|at| Some((at, route_on(&c.person_id, &c.concern_type, at)?)))
            .collect()
    };
    // Those moves are applied between the steps people took (a team acts
    // on a concern while it is theirs): each concern's list, and how far
    // into it the workflow is.
    let mut moves: HashMap<&str, (Vec<TimedRoute>, usize)> = HashMap::new();
    for c in a.concerns() {
        let raised_at = a.reports[c.raised_report as usize].recorded_at;
        // Routed with what the records said when it was raised, so that a
        // replay "as of" any date routes as it would have then.
        let route = route_on(&c.person_id, &c.concern_type, raised_at);
        moves.insert(c.concern_id.as_str(), (routes_after(c, raised_at), 0));
        let mut w = Workflow::raised(raised_at, route.as_ref());
        w.band(c.band >= Band::Significant);
        out.insert(c.concern_id.clone(), w);
    }
    let mut moved_until = |id: &str, w: &mut Workflow, until: Timestamp| {
        if let Some((list, next)) = moves.get_mut(id) {
            while let Some((at, r)) = list.get(*next).filter(|(at, _)| *at <= until) {
                w.moved(*at, r);
                *next += 1;
            }
        }
    };
    for d in ledger.decisions(&[STEP, ESCALATED])? {
        if as_of.is_some_and(|t| d.at > t) {
            continue;
        }
        let Some((id, w)) = d.body["concern_id"]
            .as_str()
            .and_then(|id| out.get_mut(id).map(|w| (id, w)))
        else {
            continue;
        };
        if d.decision == ESCALATED {
            if let Ok(e) = serde_json::from_value::<Escalation>(d.body["escalation"].clone()) {
                w.escalated(e);
            }
            continue;
        }
        let (Ok(action), Some(at)) = (
            serde_json::from_value::<Action>(d.body["action"].clone()),
            d.body["effective_at"]
                .as_str()
                .and_then(|t| t.parse::<Timestamp>().ok()),
        ) else {
            tracing::warn!(
                "ledger entry {} is not a concern step this build reads",
                d.seq
            );
            continue;
        };
        moved_until(id, w, at);
        // Steps were checked when taken; one that no longer fits (the
        // directory changed since) is kept in the ledger and skipped here.
        if let Err(e) = w.apply(cfg.directory.as_ref(), &d.actor, at, &action) {
            tracing::warn!("ledger entry {}: {e}", d.seq);
        }
    }
    for (id, w) in &mut out {
        moved_until(id, w, Timestamp::MAX);
    }
    // New information about a child whose concern was closed reopens it;
    // each missing episode since the concern was raised owes a return home
    // interview.
    for c in a.concerns() {
        let Some(w) = out.get_mut(&c.concern_id) else {
            continue;
        };
        let appearances: Vec<&sightline_assess::engine::ReportInfo> = a
            .appearances(c.node)
            .iter()
            .map(|&r| &a.reports[r as usize])
            .collect();
        w.return_interviews = appearances
            .iter()
            .filter(|r| r.kind == sightline_model::Kind::MissingEpisode)
            .filter_map(|r| r.ended_at)
            .filter(|&returned| returned >= w.raised_at)
            .map(|returned| {
                let done = appearances
                    .iter()
                    .filter(|r| {
                        r.kind == sightline_model::Kind::ReturnInterview && r.event_at >= returned
                    })
                    .map(|r| r.recorded_at)
                    .min();
                (returned, done)
            })
            .collect();
        w.return_interviews.sort();
        w.return_interviews.dedup();
        w.strategy_discussions = appearances
            .iter()
            .filter(|r| r.kind == sightline_model::Kind::StrategyDiscussion)
            .map(|r| r.recorded_at)
            .collect();
        w.s47_records = appearances
            .iter()
            .filter(|r| {
                matches!(
                    r.kind,
                    sightline_model::Kind::S47Enquiry | sightline_model::Kind::Assessment
                )
            })
            .map(|r| r.recorded_at)
            .collect();
        w.cp_plans = appearances
            .iter()
            .filter(|r| r.kind == sightline_model::Kind::CpPlan)
            .map(|r| r.recorded_at)
            .collect();
        let Some(closed) = w.closed_at else { continue };
        let new: Vec<(Timestamp, String)> = a
            .appearances(c.node)
            .iter()
            .map(|&r| &a.reports[r as usize])
            .filter(|r| r.recorded_at > closed && !r.indicators.is_empty())
            .map(|r| {
                (
                    r.recorded_at,
                    format!("{}/{}/{}", r.key.agency, r.key.system, r.key.record_id),
                )
            })
            .collect();
        if let Some((at, _)) = new.first() {
            let ids: Vec<String> = new.iter().map(|(_, id)| id.clone()).collect();
            w.new_information(*at, &ids);
            // Reopened, it goes to the team responsible for the child now,
            // and follows them from then on (moves while it was closed were
            // passed over).
            if let Some(r) = route_on(&c.person_id, &c.concern_type, *at) {
                w.moved(*at, &r);
            }
            for (later, r) in routes_after(c, *at) {
                w.moved(later, &r);
            }
        }
    }
    Ok(out)
}

/// Records a directory, routing table or service levels as the one in use.
pub fn record_config(
    ledger: &mut dyn Ledger,
    kind: &str,
    actor: &str,
    file: &str,
    version: &str,
    text: &str,
) -> Result<u64> {
    Ok(ledger.append_decision(NewDecision {
        decision: kind.into(),
        actor: actor.to_string(),
        at: Timestamp::now(),
        body: json!({"file": file, "version": version, "text": text}),
    })?)
}

fn read(path: &PathBuf) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn teams(globals: &Globals, cmd: TeamsCommand) -> Result<ExitCode> {
    match cmd {
        TeamsCommand::Check { file } => {
            let d = Directory::parse(&read(&file)?, &file.display().to_string())?;
            println!(
                "{}: directory version {}, {} teams, partnership lead {}: valid",
                file.display(),
                d.version,
                d.teams.len(),
                d.partnership_lead
            );
            Ok(ExitCode::SUCCESS)
        }
        TeamsCommand::Load { file } => {
            let actor = globals.actor()?;
            let text = read(&file)?;
            let d = Directory::parse(&text, &file.display().to_string())?;
            let mut ledger = globals.open_store()?;
            let seq = record_config(
                &mut ledger,
                TEAMS_LOADED,
                &actor,
                &file.display().to_string(),
                &d.version,
                &text,
            )?;
            println!(
                "team directory version {} in use ({} teams; ledger entry {seq})",
                d.version,
                d.teams.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        TeamsCommand::Show => {
            let ledger = globals.open_existing_store()?;
            let cfg = config(&ledger, globals.as_of)?;
            let Some(d) = cfg.directory else {
                bail!("no team directory loaded (`sightline --as USER teams load FILE`)");
            };
            println!(
                "directory version {}; partnership lead {}; administrators {}",
                d.version,
                d.partnership_lead,
                d.administrators.join(", ")
            );
            for t in &d.teams {
                println!(
                    "  {:<16} {} ({}{}); manager {}; members {}; escalation {}",
                    t.id,
                    t.name,
                    t.agency,
                    t.local_authority
                        .as_ref()
                        .map(|l| format!(", {l}"))
                        .unwrap_or_default(),
                    t.manager,
                    t.members.join(", "),
                    d.chain(t).join(" → ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn routes(globals: &Globals, cmd: RoutesCommand) -> Result<ExitCode> {
    let directory_for = |teams: Option<&PathBuf>| -> Result<Directory> {
        match teams {
            Some(f) => Ok(Directory::parse(&read(f)?, &f.display().to_string())?),
            None => {
                let ledger = globals.open_existing_store().context(
                    "a routing table is checked against a team directory: give --teams FILE or load one",
                )?;
                config(&ledger, globals.as_of)?
                    .directory
                    .context("no team directory loaded: give --teams FILE")
            }
        }
    };
    match cmd {
        RoutesCommand::Check {
            file,
            teams,
            districts,
        } => {
            let dir = directory_for(teams.as_ref())?;
            let extra = districts.as_ref().map(read).transpose()?;
            let name = districts.as_ref().map(|d| d.display().to_string());
            let r = Router::parse(
                &read(&file)?,
                &file.display().to_string(),
                &dir,
                extra.as_deref().zip(name.as_deref()),
            )?;
            println!(
                "{}: routing table version {}: valid",
                file.display(),
                r.version()
            );
            let gaps = r.uncovered_districts("sexual_exploitation");
            if !gaps.is_empty() {
                println!(
                    "  postcode districts no route covers (their concerns go to the unrouted queue): {}",
                    gaps.join(" ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        RoutesCommand::Load { file, districts } => {
            let actor = globals.actor()?;
            let dir = directory_for(None)?;
            let text = read(&file)?;
            let extra = districts.as_ref().map(read).transpose()?;
            let name = districts.as_ref().map(|d| d.display().to_string());
            let r = Router::parse(
                &text,
                &file.display().to_string(),
                &dir,
                extra.as_deref().zip(name.as_deref()),
            )?;
            let mut ledger = globals.open_existing_store()?;
            // Extra districts travel with the table they were loaded with.
            let seq = ledger.append_decision(NewDecision {
                decision: ROUTES_LOADED.into(),
                actor,
                at: Timestamp::now(),
                body: json!({
                    "file": file.display().to_string(),
                    "version": r.version(),
                    "text": text,
                    "districts": extra,
                }),
            })?;
            println!(
                "routing table version {} in use (ledger entry {seq})",
                r.version()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn find<'a>(assessed: &'a Assessed, id: &str) -> Result<&'a Concern> {
    let concerns = assessed.assessor.concerns();
    concerns
        .iter()
        .find(|c| c.concern_id == id || c.person_id == id)
        .copied()
        .with_context(|| format!("no concern `{id}` (a concern id C-..., or a person id P-...)"))
}

/// Data time now: `--as-of`, else the latest report's `recorded_at`.
fn now(globals: &Globals, assessed: &Assessed) -> Timestamp {
    globals
        .as_of
        .or(assessed.assessor.now())
        .unwrap_or_else(Timestamp::now)
}

fn day(t: Timestamp) -> String {
    sightline_assess::explain::day(t.as_second())
}

pub fn list(globals: &Globals, args: ConcernsArgs) -> Result<ExitCode> {
    let (ledger, assessed) = crate::assess::update(globals, &args.rules)?;
    let cfg = config(&ledger, globals.as_of)?;
    let flows = &assessed.workflows;
    let now = now(globals, &assessed);
    let mut out = crate::output::open(None)?;
    let mut shown = 0;
    for c in assessed.assessor.concerns() {
        let Some(w) = flows.get(&c.concern_id) else {
            continue;
        };
        // No routing loaded: `open`, with no team; otherwise a concern
        // with no team is in the unrouted queue.
        let team = match (w.status, w.team.as_deref()) {
            (_, Some(t)) => t,
            (Status::Open, None) => "-",
            (_, None) => "unrouted",
        };
        if args.team.as_deref().is_some_and(|t| t != team)
            || args
                .status
                .as_deref()
                .is_some_and(|s| s != w.status.as_str())
        {
            continue;
        }
        let overdue = w.overdue(&cfg.levels, &cfg.calendar, now);
        if args.overdue && overdue.is_empty() {
            continue;
        }
        shown += 1;
        let next = w
            .clocks(&cfg.levels, &cfg.calendar)
            .into_iter()
            .find(|c| c.met.is_none());
        if args.json {
            serde_json::to_writer(
                &mut out,
                &json!({
                    "concern_id": c.concern_id, "person_id": c.person_id,
                    "name": assessed.names.get(&c.person_id), "band": c.band, "tier": c.tier,
                    "status": w.status.as_str(), "team": w.team, "notify": w.notify,
                    "raised_at": sightline_model::format_instant(w.raised_at),
                    "next_due": next.as_ref().map(|n| json!({"step": n.kind.as_str(), "due": sightline_model::format_instant(n.due)})),
                    "overdue": overdue.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(),
                }),
            )?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}  {:<11} {:<12} {:<16} {} {:<24} raised {}{}{}",
                c.concern_id,
                c.band.as_str(),
                w.status.as_str(),
                team,
                c.person_id,
                assessed
                    .names
                    .get(&c.person_id)
                    .cloned()
                    .unwrap_or_default(),
                day(w.raised_at),
                next.map(|n| format!(", {} due {}", n.kind.as_str(), day(n.due)))
                    .unwrap_or_default(),
                if overdue.is_empty() { "" } else { "  OVERDUE" }
            )?;
        }
    }
    if !args.json {
        writeln!(out, "{shown} concerns (as of {})", day(now))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn concern(globals: &Globals, cmd: ConcernCommand) -> Result<ExitCode> {
    let rules = RuleArgs::default();
    let (mut ledger, assessed) = crate::assess::update(globals, &rules)?;
    let cfg = config(&ledger, globals.as_of)?;
    let flows = &assessed.workflows;
    let now = now(globals, &assessed);
    let (id, action) = match cmd {
        ConcernCommand::Show { id } => {
            let c = find(&assessed, &id)?;
            let w = &flows[&c.concern_id];
            show(&assessed, c, w, &cfg, now)?;
            return Ok(ExitCode::SUCCESS);
        }
        ConcernCommand::Ack { id, note } => (id, Action::Acknowledge { note }),
        ConcernCommand::Decide {
            id,
            outcome,
            reason,
        } => {
            let Some(outcome) = Outcome::parse(&outcome) else {
                bail!(
                    "`{outcome}` is not an outcome: strategy_discussion, s47_enquiry, early_help, referral or no_further_action"
                );
            };
            (id, Action::Decide { outcome, reason })
        }
        ConcernCommand::Close { id, reason } => (id, Action::Close { reason }),
        ConcernCommand::SignOff { id, note } => (id, Action::SignOff { note }),
        ConcernCommand::Reassign { id, team, reason } => (id, Action::Reassign { team, reason }),
    };
    let actor = globals.actor()?;
    let c = find(&assessed, &id)?;
    let mut w = flows[&c.concern_id].clone();
    w.apply(cfg.directory.as_ref(), &actor, now, &action)?;
    let seq = record_step(&mut ledger, &actor, &c.concern_id, now, &action)?;
    println!(
        "{}: {} (ledger entry {seq}); {}",
        c.concern_id,
        w.status.as_str(),
        w.timeline
            .last()
            .map(|t| t.what.as_str())
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn record_step(
    ledger: &mut SqliteLedger,
    actor: &str,
    concern_id: &str,
    effective_at: Timestamp,
    action: &Action,
) -> Result<u64> {
    Ok(ledger.append_decision(NewDecision {
        decision: STEP.into(),
        actor: actor.to_string(),
        at: Timestamp::now(),
        body: json!({
            "concern_id": concern_id,
            "effective_at": effective_at.to_string(),
            "action": action,
        }),
    })?)
}

fn show(
    assessed: &Assessed,
    c: &Concern,
    w: &Workflow,
    cfg: &RouteConfig,
    now: Timestamp,
) -> Result<()> {
    let mut out = crate::output::open(None)?;
    let name = assessed
        .names
        .get(&c.person_id)
        .cloned()
        .unwrap_or_default();
    writeln!(
        out,
        "{} {} {}: band {} (highest {}), {}{}",
        c.concern_id,
        c.person_id,
        name,
        c.band,
        c.tier,
        w.status.as_str(),
        w.team
            .as_ref()
            .map(|t| format!(", team {t}"))
            .unwrap_or_default()
    )?;
    if !w.notify.is_empty() {
        writeln!(out, "also told: {}", w.notify.join(", "))?;
    }
    writeln!(out, "Timeline:")?;
    let mut timeline: Vec<_> = w.timeline.iter().collect();
    timeline.sort_by_key(|t| t.at);
    for t in timeline {
        writeln!(
            out,
            "  {}  {:<12} {}",
            sightline_model::format_instant(t.at),
            t.who,
            t.what
        )?;
    }
    let clocks = w.clocks(&cfg.levels, &cfg.calendar);
    if !clocks.is_empty() {
        writeln!(
            out,
            "Clocks ({}, working days in England and Wales):",
            cfg.levels.version
        )?;
        for k in clocks {
            let state = match k.met {
                Some(at) if at <= k.due => format!("met {}", day(at)),
                Some(at) => format!("met late {}", day(at)),
                None if k.due <= now => "OVERDUE".to_string(),
                None => "running".to_string(),
            };
            writeln!(
                out,
                "  {:<12} due {}  {state}",
                k.kind.as_str(),
                sightline_model::format_instant(k.due)
            )?;
        }
    }
    writeln!(out, "Why:")?;
    for line in sightline_assess::explain::explain_concern(&assessed.assessor, c, &assessed.titles)
    {
        writeln!(out, "  {line}")?;
    }
    out.flush()?;
    Ok(())
}

/// `sightline tick`: records every escalation owed by now (data time, or
/// `--as-of`), once each.
#[derive(Debug, Args)]
pub struct TickArgs {
    /// Run the clocks in wall time (the machine's clock): what a live
    /// deployment schedules every few minutes, so that a clock runs out
    /// even when no new report arrives. Without it, and without
    /// `--as-of`, the clocks stop at the latest report (data time, for
    /// batch runs and replays).
    #[arg(long)]
    pub wall_clock: bool,
}

pub fn tick(globals: &Globals, args: TickArgs) -> Result<ExitCode> {
    if args.wall_clock && globals.as_of.is_some() {
        bail!("give --wall-clock or --as-of, not both: one clock at a time");
    }
    let (mut ledger, assessed) = crate::assess::update(globals, &RuleArgs::default())?;
    let cfg = config(&ledger, globals.as_of)?;
    let Some(directory) = cfg.directory.as_ref() else {
        println!("no team directory loaded: nothing to escalate to");
        return Ok(ExitCode::SUCCESS);
    };
    // The assessment's update rebuilt every workflow; escalations recorded
    // now are applied to them as well, for the notifications below.
    let mut flows = assessed.workflows.clone();
    let now = if args.wall_clock {
        Timestamp::now()
    } else {
        now(globals, &assessed)
    };
    let mut recorded = 0;
    for (id, w) in &mut flows {
        for e in w.escalations_due(directory, &cfg.levels, &cfg.calendar, now) {
            ledger.append_decision(NewDecision {
                decision: ESCALATED.into(),
                actor: "sightline".into(),
                at: Timestamp::now(),
                body: json!({"concern_id": id, "escalation": e}),
            })?;
            println!(
                "{id}: {} overdue since {}: escalated to {} (level {})",
                e.clock.as_str(),
                sightline_model::format_instant(e.at),
                e.to,
                e.level
            );
            w.escalated(e);
            recorded += 1;
        }
    }
    println!(
        "{recorded} escalations recorded (as of {})",
        sightline_model::format_instant(now)
    );
    // Notifications: every message the workflows call for, queued once
    // (the outbox refuses a key it holds), then what is due delivered.
    let queued = enqueue(&mut ledger, &assessed, &flows, directory)?;
    let sent = crate::notify::deliver(
        &mut ledger,
        &crate::notify::Transport::from_env()?,
        Timestamp::now(),
    )?;
    println!(
        "{queued} notifications queued; {} delivered, {} failed (retried later: `sightline outbox`)",
        sent.delivered, sent.failed
    );
    Ok(ExitCode::SUCCESS)
}

/// Queues every message the workflows call for; returns how many were new.
pub fn enqueue(
    ledger: &mut SqliteLedger,
    assessed: &Assessed,
    flows: &BTreeMap<String, Workflow>,
    directory: &Directory,
) -> Result<usize> {
    let now = Timestamp::now();
    let mut items = Vec::new();
    for c in assessed.assessor.concerns() {
        let Some(w) = flows.get(&c.concern_id) else {
            continue;
        };
        let name = assessed
            .names
            .get(&c.person_id)
            .cloned()
            .unwrap_or_default();
        let about = sightline_route::notify::About {
            concern_id: &c.concern_id,
            person_id: &c.person_id,
            name: &name,
            band: c.band.as_str(),
        };
        for m in sightline_route::notify::messages(&about, w, directory) {
            items.push(sightline_ledger::NewNotification {
                idempotency_key: m.idempotency_key,
                channel: m.channel.to_string(),
                target: m.target,
                subject: m.subject,
                body: m.body,
                created_at: now,
            });
        }
    }
    Ok(ledger.outbox_enqueue(&items)?)
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Delivered entries too, not only those waiting.
    #[arg(long)]
    all: bool,
    /// JSON Lines.
    #[arg(long)]
    json: bool,
}

pub fn outbox(globals: &Globals, args: OutboxArgs) -> Result<ExitCode> {
    let ledger = globals.open_existing_store()?;
    let mut out = crate::output::open(None)?;
    for e in ledger.outbox(None, usize::MAX >> 1)? {
        if !args.all && e.delivered_at.is_some() {
            continue;
        }
        if args.json {
            serde_json::to_writer(&mut out, &e)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "#{} {:<7} {:<32} {} — {}",
                e.id,
                e.notification.channel,
                e.notification.target,
                match (e.delivered_at, &e.last_error) {
                    (Some(at), _) => format!("delivered {}", sightline_model::format_instant(at)),
                    (None, Some(err)) => format!(
                        "{} attempts, next {}: {err}",
                        e.attempts,
                        sightline_model::format_instant(e.next_attempt_at)
                    ),
                    (None, None) => "waiting".into(),
                },
                e.notification.subject
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Status and team of a concern for the export.
pub fn status_of(w: Option<&Workflow>) -> (&'static str, Option<String>) {
    match w {
        Some(w) => (w.status.as_str(), w.team.clone()),
        None => (Status::Open.as_str(), None),
    }
}
