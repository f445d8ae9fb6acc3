//! `sightline simulate`: writes a synthetic multi-agency world with ground
//! truth (see docs/simulator.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use sightline_sim::{Noise, SimConfig};

use crate::Globals;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Random seed: the same seed and settings give the same world.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of children in the town.
    #[arg(long, default_value_t = 5000)]
    children: usize,
    /// Years simulated.
    #[arg(long, default_value_t = 5)]
    years: u32,
    /// First year simulated.
    #[arg(long, default_value_t = 2008)]
    start_year: i16,
    /// Exploitation networks (default: one per 1,500 children).
    #[arg(long)]
    networks: Option<usize>,
    /// Output folder: reports.jsonl and truth/.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Base rate of misspelt names per mention.
    #[arg(long, default_value_t = Noise::default().misspelling)]
    misspelling: f64,
    /// Base rate of nicknames per mention.
    #[arg(long, default_value_t = Noise::default().nickname)]
    nickname: f64,
    /// Base rate of spelling variants and transliterations per mention.
    #[arg(long, default_value_t = Noise::default().variant)]
    variant: f64,
    /// Base rate of day/month swaps in birth dates.
    #[arg(long, default_value_t = Noise::default().dob_swap)]
    dob_swap: f64,
    /// Base rate of other birth date errors.
    #[arg(long, default_value_t = Noise::default().dob_typo)]
    dob_typo: f64,
    /// Share of mentions after a move that give the old address.
    #[arg(long, default_value_t = Noise::default().old_address)]
    old_address: f64,
    /// Share of vehicle mentions with a partial plate.
    #[arg(long, default_value_t = Noise::default().partial_plate)]
    partial_plate: f64,
    /// Base rate of given and family names swapped.
    #[arg(long, default_value_t = Noise::default().name_swap)]
    name_swap: f64,
}

pub fn config(args: &SimulateArgs) -> SimConfig {
    SimConfig {
        seed: args.seed,
        children: args.children,
        years: args.years,
        start_year: args.start_year,
        networks: args.networks,
        noise: Noise {
            misspelling: args.misspelling.clamp(0.0, 1.0),
            nickname: args.nickname.clamp(0.0, 1.0),
            variant: args.variant.clamp(0.0, 1.0),
            dob_swap: args.dob_swap.clamp(0.0, 1.0),
            dob_typo: args.dob_typo.clamp(0.0, 1.0),
            old_address: args.old_address.clamp(0.0, 1.0),
            partial_plate: args.partial_plate.clamp(0.0, 1.0),
            name_swap: args.name_swap.clamp(0.0, 1.0),
        },
    }
}

pub fn run(_globals: &Globals, args: SimulateArgs) -> Result<ExitCode> {
    let cfg = config(&args);
    let started = std::time::Instant::now();
    let tally = sightline_sim::simulate(&cfg, &args.out)
        .with_context(|| format!("cannot simulate into {}", args.out.display()))?;
    println!(
        "simulated {} years of a town of {} children (seed {}) into {} in {:.1} s",
        cfg.years,
        cfg.children,
        cfg.seed,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    for line in tally.describe() {
        println!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}
