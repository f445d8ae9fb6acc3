//! `sightline`: the command-line front of the Sightline safeguarding hub.
//! Pure logic lives in the library crates under `crates/`; this binary does
//! the I/O: files, the store, the terminal.

mod assess;
mod chronology;
mod demo;
mod detect;
mod detect_store;
mod ingest;
mod link;
mod link_csv;
mod notify;
mod output;
mod quarantine;
mod route;
mod simulate;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use jiff::Timestamp;
use sightline_ledger::SqliteLedger;

/// Sightline: multi-agency safeguarding intelligence.
#[derive(Debug, Parser)]
#[command(name = "sightline", version, about, long_about = None)]
struct Cli {
    /// The store (embedded ledger file).
    #[arg(long, global = true, env = "SIGHTLINE_STORE", value_name = "PATH")]
    store: Option<PathBuf>,

    /// Who is acting: recorded with every human decision.
    #[arg(
        long = "as",
        global = true,
        env = "SIGHTLINE_USER",
        value_name = "USER"
    )]
    as_user: Option<String>,

    /// Compute as of this data time (a date, or an RFC 3339 date-time; without
    /// an offset it is UK local time) instead of the latest report.
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_as_of)]
    as_of: Option<Timestamp>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Take in reports from JSON Lines or CSV files (`-` for standard input).
    Ingest(ingest::IngestArgs),
    /// Records that could not be accepted: list, inspect, export, replay.
    #[command(subcommand)]
    Quarantine(quarantine::QuarantineCommand),
    /// Counts of what the store holds.
    Stats(stats::StatsArgs),
    /// Find exploitation indicators: in the store (incremental), or in a text.
    Detect(detect::DetectArgs),
    /// Check, test or show indicator rule files.
    #[command(subcommand)]
    Rules(detect::RulesCommand),
    /// Resolve every person mention to a person (incremental; `--rebuild` refits).
    Link(link::LinkArgs),
    /// Record an analyst's decision that two mentions are, or are not, one person.
    #[command(subcommand)]
    Decide(link::DecideCommand),
    /// Explain a link: why two mentions are one person, or how a person was built.
    #[command(subcommand)]
    Explain(link::ExplainCommand),
    /// Find people by any mix of name, birth date or age, address, phone or
    /// identifier, through the linker (misspellings and swapped dates still
    /// find them); vehicles by full or partial plate.
    Search(link::SearchArgs),
    /// The linker on any CSV: deduplicate one file or link two (for public
    /// benchmarks), with a column mapping file.
    LinkCsv(link_csv::LinkCsvArgs),
    /// Everything about one person from every agency, in time order, with
    /// outcomes, indicators and who and what else was there.
    Chronology(chronology::ChronologyArgs),
    /// Bring assessments, concerns and networks up to date over the store,
    /// in data time, and list the concerns.
    Assess(assess::AssessArgs),
    /// The networks around children at risk: groups, adults of concern
    /// ranked, hotspots; GraphML and JSON for analysts' tools.
    Network(assess::NetworkArgs),
    /// The missed-opportunities report: when Sightline would first have
    /// raised each concern, after how many reports, and what agencies had
    /// recorded and done by then.
    Replay(assess::ReplayArgs),
    /// The team directory: check a file, load it (recorded in the ledger),
    /// show the one in use.
    #[command(subcommand)]
    Teams(route::TeamsCommand),
    /// The routing table: check a file against the directory, load it.
    #[command(subcommand)]
    Routes(route::RoutesCommand),
    /// Concerns with their team, status and clocks (filter by team, status,
    /// overdue).
    Concerns(route::ConcernsArgs),
    /// One concern: show it, or take a step (ack, decide, close, sign-off,
    /// reassign), recorded with who, when and why.
    #[command(subcommand)]
    Concern(route::ConcernCommand),
    /// Advance the clocks: record every escalation owed by now (data time,
    /// or --as-of), queue the notifications, deliver what is due.
    Tick(route::TickArgs),
    /// The notification outbox: what was sent, what waits for a retry.
    Outbox(route::OutboxArgs),
    /// Ingest files and run every stage in order (detect, link, assess):
    /// the one command to schedule.
    Run(RunArgs),
    /// Export what Sightline knows in the report format's exchange files.
    #[command(subcommand)]
    Export(link::ExportCommand),
    /// Write a synthetic multi-agency world with ground truth.
    Simulate(simulate::SimulateArgs),
    /// Build a small demonstration store and show what Sightline does with it.
    Demo(demo::DemoArgs),
}

// Ingest allocates many small values on one thread and frees them on another;
// mimalloc handles that pattern far better than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_e` in
/// mimalloc 3's `include/mimalloc.h` (`libmimalloc-sys` names only
/// mimalloc 2's options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps memory the process frees for its own reuse instead of handing it
/// back to the OS after a delay. Every command is a batch that ends within
/// minutes, so giving memory back only to fault it in again is waste: in
/// `link --rebuild` on the town it was about 0.15 s of system time (the
/// madvise calls) in a run of under a second. A default only:
/// `MIMALLOC_PURGE_DELAY` in the environment still decides.
fn keep_freed_memory() {
    // SAFETY: sets an integer option; mimalloc reads options atomically and
    // accepts a change at any time.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, -1) }
}

pub const DEFAULT_STORE: &str = "sightline.db";

/// Options every command can see.
pub struct Globals {
    pub store: Option<PathBuf>,
    pub as_user: Option<String>,
    pub as_of: Option<Timestamp>,
}

impl Globals {
    pub fn store_path(&self) -> PathBuf {
        self.store
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STORE))
    }

    /// Opens (creating if needed) the store.
    pub fn open_store(&self) -> Result<SqliteLedger> {
        let path = self.store_path();
        SqliteLedger::open(&path)
            .with_context(|| format!("cannot open the store {}", path.display()))
    }

    /// Opens a store that must already exist (read commands never create one).
    pub fn open_existing_store(&self) -> Result<SqliteLedger> {
        let path = self.store_path();
        if !path.exists() {
            bail!(
                "no store at {} (give --store PATH or set SIGHTLINE_STORE; `sightline ingest` creates one)",
                path.display()
            );
        }
        SqliteLedger::open_existing(&path)
            .with_context(|| format!("cannot open the store {}", path.display()))
    }

    /// The acting user, required for human decisions.
    pub fn actor(&self) -> Result<String> {
        match self.as_user.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => Ok(u.to_string()),
            _ => bail!(
                "this records a human decision: say who you are with --as USER (or SIGHTLINE_USER)"
            ),
        }
    }
}

fn parse_as_of(text: &str) -> Result<Timestamp, String> {
    sightline_model::parse_time(text)
        .map(|t| t.instant)
        .ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD) or an RFC 3339 date-time"))
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[command(flatten)]
    ingest: ingest::IngestArgs,
    #[command(flatten)]
    rules: assess::RuleArgs,
}

/// `sightline run`: ingest, then every stage over the store. The stages run
/// on whatever was accepted even when some records were quarantined; the
/// exit status is ingest's.
fn run_all(globals: &Globals, args: RunArgs) -> Result<ExitCode> {
    let ingested = ingest::run(globals, args.ingest)?;
    let (_, detector) = detect::detector(args.rules.detect_rules.as_deref())?;
    {
        let mut ledger = globals.open_existing_store()?;
        let summary = detect_store::update(&mut ledger, &detector, false)?;
        eprintln!(
            "detect: {} reports read, {} indicator hits",
            summary.reports, summary.hits
        );
    }
    let (_, assessed) = assess::update(globals, &args.rules)?;
    eprintln!(
        "link: {} person mentions resolved to {} people",
        assessed.linked.mentions.len(),
        assessed.linked.person_ids.len()
    );
    let mut out = output::open(None)?;
    assess::print_summary(&mut out, &assessed, 10)?;
    std::io::Write::flush(&mut out)?;
    Ok(ingested)
}

/// A command whose output is piped into `head` or a pager that quits ends
/// quietly, as Unix tools do, instead of panicking on the closed pipe (Rust
/// ignores SIGPIPE by default).
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread starts;
    // restoring the default disposition of one signal has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    restore_sigpipe();
    let cli = Cli::parse();
    init_logging();
    let globals = Globals {
        store: cli.store,
        as_user: cli.as_user,
        as_of: cli.as_of,
    };
    let result = match cli.command {
        Command::Ingest(args) => ingest::run(&globals, args),
        Command::Quarantine(cmd) => quarantine::run(&globals, cmd),
        Command::Stats(args) => stats::run(&globals, args),
        Command::Detect(args) => detect::run(&globals, args),
        Command::Rules(cmd) => detect::rules(cmd),
        Command::Link(args) => link::run(&globals, args),
        Command::Decide(cmd) => link::decide(&globals, cmd),
        Command::Explain(cmd) => link::explain(&globals, cmd),
        Command::Export(cmd) => link::export(&globals, cmd),
        Command::Search(args) => link::search(&globals, args),
        Command::LinkCsv(args) => link_csv::run(args),
        Command::Chronology(args) => chronology::run(&globals, args),
        Command::Assess(args) => assess::run(&globals, args),
        Command::Network(args) => assess::network(&globals, args),
        Command::Replay(args) => assess::replay(&globals, args),
        Command::Run(args) => run_all(&globals, args),
        Command::Teams(cmd) => route::teams(&globals, cmd),
        Command::Routes(cmd) => route::routes(&globals, cmd),
        Command::Concerns(args) => route::list(&globals, args),
        Command::Concern(cmd) => route::concern(&globals, cmd),
        Command::Tick(args) => route::tick(&globals, args),
        Command::Outbox(args) => route::outbox(&globals, args),
        Command::Simulate(args) => simulate::run(&globals, args),
        Command::Demo(args) => demo::run(&globals, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("SIGHTLINE_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
