//! `sightline detect` and `sightline rules`: indicator detection.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use sightline_detect::{Detector, Evidence, Experiencer, Hit, RuleFile};

use crate::Globals;

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Detect in this text instead of the store (needs no store).
    #[arg(long, conflicts_with = "file")]
    text: Option<String>,
    /// Detect in the text of this file instead of the store.
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// One JSON object per hit per line on standard output, nothing else.
    #[arg(long)]
    json: bool,
    /// An organisation's rule file, merged over the default rules.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Recompute every report, not only those new since the last run.
    #[arg(long)]
    rebuild: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rule file (an override file, merged over the defaults).
    Check { file: PathBuf },
    /// Run the examples of the default rules, or of FILE merged over them.
    Test { file: Option<PathBuf> },
    /// Write the default rule file, to start an organisation's own.
    Show,
}

pub fn load(rules: Option<&Path>) -> Result<RuleFile> {
    let text;
    let overrides = match rules {
        Some(path) => {
            text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the rule file {}", path.display()))?;
            Some((text.as_str(), path.to_str().unwrap_or("rules")))
        }
        None => None,
    };
    sightline_detect::load_rules(overrides).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the rules are not valid:\n  {}", lines.join("\n  "))
    })
}

pub fn detector(rules: Option<&Path>) -> Result<(RuleFile, Detector)> {
    let file = load(rules)?;
    let detector = Detector::compile(&file).map_err(|e| anyhow::anyhow!(e))?;
    Ok((file, detector))
}

/// The exact JSON line the contract describes, for one hit.
pub fn hit_json(hit: &Hit) -> serde_json::Value {
    serde_json::json!({
        "indicator": hit.indicator,
        "tier": hit.tier.as_str(),
        "negated": hit.negated,
        "hedged": hit.hedged,
        "historical": hit.historical,
        "experiencer": match hit.experiencer { Experiencer::Subject => "subject", Experiencer::Other => "other" },
        "start": hit.start,
        "end": hit.end,
        "sentence": hit.sentence,
        "rule": hit.rule,
    })
}

/// What qualifies a hit, in plain words (empty for plain evidence about the
/// child).
pub fn flags(hit: &Hit) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if hit.negated {
        flags.push("negated");
    }
    if hit.hedged {
        flags.push("a concern, not evidence");
    }
    if hit.historical {
        flags.push("historical");
    }
    if hit.experiencer == Experiencer::Other {
        flags.push("about someone else");
    }
    flags
}

/// A hit in plain words, for a person.
pub fn describe(hit: &Hit, text: &str) -> String {
    let flags = flags(hit);
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", flags.join(", "))
    };
    let what = match (&hit.evidence, hit.start, hit.end) {
        (Evidence::Text, Some(s), Some(e)) => format!("\"{}\"", text.get(s..e).unwrap_or("")),
        (Evidence::Code { code }, _, _) => format!("coded {code}"),
        (Evidence::Kind { kind }, _, _) => format!("a {kind} report"),
        (Evidence::Fact { fact }, _, _) => format!("recorded fact: {fact}"),
        _ => String::new(),
    };
    format!(
        "{:<4} {} {what}{flags} (rule {})",
        hit.indicator,
        hit.tier.as_str(),
        hit.rule
    )
}

pub fn run(globals: &Globals, args: DetectArgs) -> Result<ExitCode> {
    let text = match (&args.text, &args.file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(path)) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        (None, None) => None,
    };
    let (_, detector) = detector(args.rules.as_deref())?;
    let Some(text) = text else {
        return crate::detect_store::run(globals, &detector, args.rebuild, args.json);
    };
    let hits = detector.detect(&text, None);
    let mut out = crate::output::open(None)?;
    if args.json {
        for hit in &hits {
            serde_json::to_writer(&mut out, &hit_json(hit))?;
            writeln!(out)?;
        }
    } else if hits.is_empty() {
        writeln!(out, "no indicators found")?;
    } else {
        let mut sentence = String::new();
        for hit in &hits {
            if hit.sentence != sentence {
                writeln!(out, "{}", hit.sentence)?;
                sentence = hit.sentence.clone();
            }
            writeln!(out, "  {}", describe(hit, &text))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn rules(cmd: RulesCommand) -> Result<ExitCode> {
    match cmd {
        RulesCommand::Check { file } => {
            let rules = load(Some(&file))?;
            Detector::compile(&rules).map_err(|e| anyhow::anyhow!(e))?;
            println!(
                "{}: valid ({} indicators, {} rules after merging over the defaults; version {})",
                file.display(),
                rules.indicators.len(),
                rules.rules.len(),
                rules.version
            );
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Test { file } => {
            let (rules, detector) = detector(file.as_deref())?;
            let (count, failures) = sightline_detect::run_examples(&rules, &detector);
            for f in &failures {
                println!("FAIL {}: {:?}: {}", f.rule, f.text, f.problem);
            }
            println!(
                "{} passed, {} failed",
                count - failures.len(),
                failures.len()
            );
            if failures.is_empty() {
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::FAILURE)
            }
        }
        RulesCommand::Show => {
            print!("{}", sightline_detect::DEFAULT_RULES);
            Ok(ExitCode::SUCCESS)
        }
    }
}
