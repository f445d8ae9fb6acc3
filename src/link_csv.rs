//! `sightline link-csv`: the linker on any CSV, to deduplicate one file or
//! link two, so that public benchmarks run as they are. A mapping file says
//! which column feeds which comparison (see `docs/linking.md`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;
use sightline_link::record::{Birth, RecordedSex};
use sightline_link::{LinkConfig, LinkRecord, Linker, NameTable, fit, probability};

#[derive(Debug, Args)]
pub struct LinkCsvArgs {
    /// The column mapping (TOML).
    #[arg(long, value_name = "FILE")]
    mapping: PathBuf,
    /// One file to deduplicate, or two to link (pairs across the files only).
    #[arg(required = true, num_args = 1..=2)]
    files: Vec<PathBuf>,
    /// Scored pairs: id_l,id_r,match_probability (every pair in one
    /// resolved cluster, across the files when there are two).
    #[arg(long, value_name = "FILE")]
    out_pairs: PathBuf,
    /// Clusters: id,cluster_id (with `source` when linking two files).
    #[arg(long, value_name = "FILE")]
    out_clusters: Option<PathBuf>,
    /// Explain two records' comparison on standard output, field by field
    /// (ids as in the files; with two files, the first id is from the first
    /// file). Repeat for more pairs.
    #[arg(long, num_args = 2, value_names = ["ID_A", "ID_B"], action = clap::ArgAction::Append)]
    explain: Vec<String>,
}

/// Which column feeds which comparison. Every entry is optional except the
/// id column.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    id: String,
    given: Option<String>,
    family: Option<String>,
    full_name: Option<String>,
    birth_date: Option<String>,
    /// `iso` (YYYY-MM-DD, YYYY-MM, YYYY), `ymd` (YYYYMMDD) or `dmy`
    /// (DD/MM/YYYY). Default `iso`.
    #[serde(default)]
    birth_date_format: Option<String>,
    sex: Option<String>,
    house_number: Option<String>,
    street: Option<String>,
    /// Free-text address line(s), comma-separated when several columns.
    #[serde(default)]
    address: Vec<String>,
    postcode: Option<String>,
    phone: Option<String>,
    identifier: Option<String>,
    /// The identifier's scheme (`nhs_number` and `upn` are checked; other
    /// schemes compare as written). Default `id`.
    identifier_scheme: Option<String>,
    alias: Option<String>,
    /// Hard-conflict rules to switch off: any of `identifiers`,
    /// `generations`, `twins`, `relatives` (see docs/linking.md).
    #[serde(default)]
    without_conflicts: Vec<String>,
    /// Blocking keys to add to the defaults: `household` (a family name
    /// with a postcode or house), for data whose errors replace a given
    /// name and a birth date at once (see docs/linking.md).
    #[serde(default)]
    extra_blocking: Vec<String>,
    /// Estimate u from the random pairs that are likely non-matches (see
    /// docs/linking.md). Default false.
    #[serde(default)]
    u_from_nonmatches: bool,
}

fn load_mapping(path: &Path) -> Result<Mapping> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("{}: not a valid link-csv mapping", path.display()))
}

fn birth(text: &str, format: &str) -> Option<Birth> {
    let t = text.trim();
    let (y, m, d) = match format {
        "ymd" if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) => (
            t[..4].parse().ok()?,
            t[4..6].parse().ok()?,
            t[6..].parse().ok()?,
        ),
        "dmy" | "iso" => {
            let (p, _) = sightline_model::PartialDate::parse(t).ok()?;
            return Some(Birth {
                year: p.year,
                month: p.month,
                day: p.day,
            });
        }
        _ => return None,
    };
    let (y, m, d): (i16, i8, i8) = (y, m, d);
    // A date that is not in the calendar is no evidence.
    jiff::civil::Date::new(y, m, d).ok()?;
    Some(Birth {
        year: y,
        month: Some(m),
        day: Some(d),
    })
}

/// One CSV row as a comparison record, with its id.
fn record(
    row: &csv::StringRecord,
    columns: &BTreeMap<String, usize>,
    m: &Mapping,
) -> Result<(String, LinkRecord)> {
    let get = |name: &Option<String>| -> Option<&str> {
        let c = columns.get(name.as_deref()?)?;
        row.get(*c).map(str::trim).filter(|v| !v.is_empty())
    };
    let id = get(&Some(m.id.clone())).context("empty id")?.to_string();
    let mut r = LinkRecord::default();
    match (get(&m.given), get(&m.family), get(&m.full_name)) {
        (None, None, Some(full)) => r.set_full_name(full),
        (g, f, _) => r.set_names(g, f),
    }
    if let Some(text) = get(&m.birth_date) {
        r.birth = birth(text, m.birth_date_format.as_deref().unwrap_or("iso"));
    }
    r.sex = match get(&m.sex).map(str::to_ascii_lowercase).as_deref() {
        Some("f" | "female") => Some(RecordedSex::Female),
        Some("m" | "male") => Some(RecordedSex::Male),
        _ => None,
    };
    let mut line = Vec::new();
    if let Some(n) = get(&m.house_number) {
        line.push(n.to_string());
    }
    if let Some(s) = get(&m.street) {
        line.push(s.to_string());
    }
    let mut text = line.join(" ");
    for column in &m.address {
        if let Some(v) = get(&Some(column.clone())) {
            text.push_str(", ");
            text.push_str(v);
        }
    }
    let postcode = get(&m.postcode).map(|p| {
        sightline_normalise::normalise_postcode(p)
            .map(|pc| pc.text)
            .unwrap_or_else(|_| p.to_ascii_uppercase())
    });
    if !text.trim_matches([',', ' ']).is_empty() || postcode.is_some() {
        let text = text.trim_matches([',', ' ']).to_string();
        r.add_address(
            (!text.is_empty()).then_some(text.as_str()),
            postcode.as_deref(),
        );
    }
    if let Some(p) = get(&m.phone) {
        let normalised = sightline_normalise::normalise_phone(p)
            .unwrap_or_else(|_| p.chars().filter(char::is_ascii_digit).collect());
        r.phones.push(normalised);
    }
    if let Some(v) = get(&m.identifier) {
        let scheme = m.identifier_scheme.clone().unwrap_or_else(|| "id".into());
        match sightline_normalise::normalise_identifier(&scheme, v) {
            Some(Ok(v)) => r.identifiers.push((scheme, v)),
            Some(Err(_)) => {} // fails its check: not evidence
            None => r.identifiers.push((scheme, v.to_string())),
        }
    }
    if let Some(a) = get(&m.alias) {
        r.aliases.push(sightline_normalise::fold_name(a));
    }
    Ok((id, r))
}

pub fn run(args: LinkCsvArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let mapping = load_mapping(&args.mapping)?;
    let mut items: Vec<(String, LinkRecord)> = Vec::new();
    let mut source_of: Vec<usize> = Vec::new();
    for (n, path) in args.files.iter().enumerate() {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let headers = reader
            .headers()
            .with_context(|| format!("{}: no header row", path.display()))?
            .clone();
        let columns: BTreeMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        if !columns.contains_key(&mapping.id) {
            bail!("{}: no id column `{}`", path.display(), mapping.id);
        }
        for (line, row) in reader.records().enumerate() {
            let row = row.with_context(|| format!("{}: line {}", path.display(), line + 2))?;
            let (id, r) = record(&row, &columns, &mapping)
                .with_context(|| format!("{}: line {}", path.display(), line + 2))?;
            // Ids are per file: prefix when linking two.
            let id = if args.files.len() == 2 {
                format!("{n}:{id}")
            } else {
                id
            };
            items.push((id, r));
            source_of.push(n);
        }
    }
    let read = start.elapsed();
    let names = NameTable::default_table();
    let mut cfg = LinkConfig::default();
    for rule in &mapping.without_conflicts {
        match rule.as_str() {
            "identifiers" => cfg.conflicts.identifiers = false,
            "generations" => cfg.conflicts.generations = false,
            "twins" => cfg.conflicts.twins = false,
            "relatives" => cfg.conflicts.relatives = false,
            other => bail!(
                "{}: without_conflicts: unknown rule `{other}` (expected identifiers, generations, twins or relatives)",
                args.mapping.display()
            ),
        }
    }
    cfg.u_from_nonmatches = mapping.u_from_nonmatches;
    for key in &mapping.extra_blocking {
        match key.as_str() {
            "household" => cfg.household_blocking = true,
            other => bail!(
                "{}: extra_blocking: unknown key `{other}` (expected household)",
                args.mapping.display()
            ),
        }
    }
    let records: Vec<LinkRecord> = items.iter().map(|(_, r)| r.clone()).collect();
    let (model, _) = fit(&records, &names, &cfg);
    let fitted = start.elapsed();
    let mut linker = Linker::new(model, names, cfg);
    linker.add_all(items);
    let linked = start.elapsed();

    let bare = |id: &str| -> String {
        if args.files.len() == 2 {
            id.split_once(':')
                .map(|(_, x)| x.to_string())
                .unwrap_or_default()
        } else {
            id.to_string()
        }
    };
    let mut pairs = csv::Writer::from_path(&args.out_pairs)
        .with_context(|| format!("cannot write {}", args.out_pairs.display()))?;
    pairs.write_record(["id_l", "id_r", "match_probability"])?;
    let mut n_pairs = 0u64;
    for person in linker.persons().collect::<Vec<_>>() {
        let members = linker.members(person);
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if args.files.len() == 2 && source_of[a as usize] == source_of[b as usize] {
                    continue;
                }
                let (l, r) = if source_of[a as usize] <= source_of[b as usize] {
                    (a, b)
                } else {
                    (b, a)
                };
                let p = probability(linker.weight(linker.record(l), linker.record(r)));
                pairs.write_record([bare(linker.id(l)), bare(linker.id(r)), format!("{p:.6}")])?;
                n_pairs += 1;
            }
        }
    }
    pairs.flush()?;
    if let Some(path) = &args.out_clusters {
        let mut w = csv::Writer::from_path(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        if args.files.len() == 2 {
            w.write_record(["source", "id", "cluster_id"])?;
        } else {
            w.write_record(["id", "cluster_id"])?;
        }
        for r in 0..linker.len() as u32 {
            let cluster = format!("C{}", linker.person_of(r));
            if args.files.len() == 2 {
                w.write_record([
                    source_of[r as usize].to_string(),
                    bare(linker.id(r)),
                    cluster,
                ])?;
            } else {
                w.write_record([linker.id(r), &cluster])?;
            }
        }
        w.flush()?;
    }
    explain_pairs(&linker, &args)?;
    let mut err = std::io::stderr();
    writeln!(
        err,
        "{} records -> {} clusters, {n_pairs} pairs; read {:.2?}, fit {:.2?}, link {:.2?}, total {:.2?}",
        linker.len(),
        linker.persons().count(),
        read,
        fitted - read,
        linked - fitted,
        start.elapsed()
    )?;
    for note in &linker.model.notes {
        writeln!(err, "model note: {note}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--explain A B`: each pair's field-by-field comparison, as `sightline
/// explain pair` prints it for the store.
fn explain_pairs(linker: &Linker, args: &LinkCsvArgs) -> Result<()> {
    if args.explain.is_empty() {
        return Ok(());
    }
    let two = args.files.len() == 2;
    let find = |id: &str, file: usize| -> Result<u32> {
        let key = if two {
            format!("{file}:{id}")
        } else {
            id.to_string()
        };
        linker.find(&key).with_context(|| {
            format!(
                "--explain: no record `{id}` in {}",
                args.files[file.min(args.files.len() - 1)].display()
            )
        })
    };
    let mut out = std::io::stdout().lock();
    for pair in args.explain.chunks(2) {
        let (a, b) = (find(&pair[0], 0)?, find(&pair[1], 1)?);
        crate::link::explain_pair(&mut out, linker, a, b)?;
        let same = linker.person_of(a) == linker.person_of(b);
        writeln!(
            out,
            "    resolved: {}",
            if same {
                "the same person"
            } else {
                "different persons"
            }
        )?;
    }
    Ok(())
}
