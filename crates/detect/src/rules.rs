//! The rule file format (`docs/rules.md`): indicators with their tiers and
//! weights, and rules with their triggers (coded factors, report kinds,
//! structured facts, narrative phrases) and examples.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The format version this build reads.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    /// Critical: refer now, whatever the score.
    C,
    /// High.
    H,
    /// Medium.
    M,
    /// Low: shown, never escalates alone.
    L,
    /// Vulnerability: context, never enough alone.
    V,
    /// A signal about the response (NA, VB), not about the child.
    R,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::C => "C",
            Tier::H => "H",
            Tier::M => "M",
            Tier::L => "L",
            Tier::V => "V",
            Tier::R => "R",
        }
    }
}

/// The code that turns rules and text into hits.
const ENGINE_SOURCE: [&str; 3] = [
    include_str!("engine.rs"),
    include_str!("text.rs"),
    include_str!("rules.rs"),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub format: u32,
    pub name: String,
    /// The rule set's own version, recorded with every result.
    pub version: String,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl RuleFile {
    /// A digest of the whole rule set (name, version, indicators, rules and
    /// examples) and of the detection engine's own source: what a stored
    /// detection was computed with. A change to either recomputes stored
    /// hits; nobody has to remember to bump a version.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        // Serialising plain data to JSON cannot fail; an empty string would
        // only make every stored detection look stale.
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut digest = sha2::Sha256::new();
        digest.update(json.as_bytes());
        for source in ENGINE_SOURCE {
            digest.update(source.as_bytes());
        }
        hex::encode(&digest.finalize()[..8])
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub title: String,
    pub tier: Tier,
    /// Overrides the tier's default weight.
    #[serde(default)]
    pub weight: Option<f64>,
    /// Where the indicator comes from (tools, guidance).
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub indicator: String,
    pub source: String,
    /// Narrative phrase patterns (see `docs/rules.md` for the syntax).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Coded factors, `scheme:code` (e.g. `cin_factor:10A`).
    #[serde(default)]
    pub codes: Vec<String>,
    /// Report kinds (e.g. `missing_episode`).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Structured facts (see [`Fact`]).
    #[serde(default)]
    pub facts: Vec<String>,
    /// Only when the subject is younger than this at the event.
    #[serde(default)]
    pub subject_under: Option<u8>,
    /// Force the experiencer (e.g. `subject` for "her friend goes missing",
    /// which is the subject's own H10).
    #[serde(default)]
    pub experiencer: Option<String>,
    /// Phrases that, in the same sentence, mean the rule's phrases are not
    /// the indicator (a lift from dad is not H3).
    #[serde(default)]
    pub unless: Vec<String>,
    /// How many words from an `unless` match the rule's matches are
    /// excepted (default 8); a large number makes the exception hold for
    /// the whole sentence (a family holiday is the setting of everything
    /// the sentence says about the hotel).
    #[serde(default)]
    pub unless_reach: Option<usize>,
    /// Indicators that, present for the same person anywhere in the
    /// narrative, make this rule's hits redundant: a missing episode is H1,
    /// and the hour the child was found in it is not also M1.
    #[serde(default)]
    pub unless_indicators: Vec<String>,
    #[serde(default)]
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: String,
    /// Indicator ids that must be found, present and not negated, about the
    /// subject (`H2`), or about someone else (`H2:other`).
    #[serde(default)]
    pub expect: Vec<String>,
    /// Indicator ids that must not be found as present.
    #[serde(default)]
    pub expect_not: Vec<String>,
}

/// Structured facts a rule can trigger on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// An adult (18+) at least five years older than the subject child is
    /// mentioned in the same report as an associate or suspect.
    OlderAdultPresent,
    /// The subject is a passenger in a vehicle an adult is driving.
    PassengerOfAdultDriver,
    /// The subject is seen at, or the report is about, a place of this
    /// category.
    PlaceCategory(PlaceCategory),
    /// The report was closed with no further action, or no action recorded.
    NoFurtherAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceCategory {
    Hotel,
    Takeaway,
    Flat,
    TaxiRank,
    CarPark,
    Park,
}

impl PlaceCategory {
    pub fn matches(self, category: &str) -> bool {
        let c = category.to_ascii_lowercase();
        match self {
            PlaceCategory::Hotel => c.contains("hotel") || c.contains("b&b") || c.contains("guest"),
            PlaceCategory::Takeaway => {
                c.contains("takeaway") || c.contains("take away") || c.contains("fast food")
            }
            PlaceCategory::Flat => c == "flat" || c.contains("flat") || c.contains("bedsit"),
            PlaceCategory::TaxiRank => c.contains("taxi"),
            PlaceCategory::CarPark => c.contains("car_park") || c.contains("car park"),
            PlaceCategory::Park => c == "park",
        }
    }
}

pub fn parse_fact(text: &str) -> Option<Fact> {
    Some(match text {
        "older_adult_present" => Fact::OlderAdultPresent,
        "passenger_of_adult_driver" => Fact::PassengerOfAdultDriver,
        "no_further_action" => Fact::NoFurtherAction,
        "place:hotel" => Fact::PlaceCategory(PlaceCategory::Hotel),
        "place:takeaway" => Fact::PlaceCategory(PlaceCategory::Takeaway),
        "place:flat" => Fact::PlaceCategory(PlaceCategory::Flat),
        "place:taxi_rank" => Fact::PlaceCategory(PlaceCategory::TaxiRank),
        "place:car_park" => Fact::PlaceCategory(PlaceCategory::CarPark),
        "place:park" => Fact::PlaceCategory(PlaceCategory::Park),
        _ => return None,
    })
}

/// A problem in a rule file, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct RuleError {
    pub file: String,
    /// `line 12`, `rule h2-older-boyfriend, phrases[3]`, ...
    pub place: String,
    pub message: String,
}

/// A token of a phrase pattern after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Alternatives, each a sequence of words; an empty alternative makes
    /// the group optional.
    Group(Vec<Vec<String>>),
    /// Up to this many other words.
    Gap(usize),
    /// Either order: the words before and after, within this many words.
    Swap(usize),
}

/// Parses a phrase pattern:
/// - words match their stem (`boyfriends` matches `boyfriend`), `#` any
///   number;
/// - `(a|b c)` alternatives, `[a b]` optional words;
/// - `*` up to 3 words, `*N` up to N (at most 8);
/// - `~` the parts either side in either order, within 4 words.
pub fn parse_phrase(pattern: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut chars = pattern.chars().peekable();
    let mut words: Vec<Vec<String>> = Vec::new();
    let flush = |words: &mut Vec<Vec<String>>, pieces: &mut Vec<Piece>| {
        for w in words.drain(..) {
            pieces.push(Piece::Group(vec![w]));
        }
    };
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | '[' => {
                flush(&mut words, &mut pieces);
                let close = if c == '(' { ')' } else { ']' };
                chars.next();
                let mut inner = String::new();
                let mut depth = 0;
                loop {
                    match chars.next() {
                        Some(x) if x == close && depth == 0 => break,
                        Some(x) if x == '(' || x == '[' => {
                            return Err(format!(
                                "nested `{x}` is not supported; write the alternatives out"
                            ));
                        }
                        Some(x) => inner.push(x),
                        None => return Err(format!("`{c}` is never closed")),
                    }
                    depth += 0;
                }
                let mut alternatives: Vec<Vec<String>> = inner
                    .split('|')
                    .map(|a| a.split_whitespace().map(str::to_lowercase).collect())
                    .collect();
                if alternatives
                    .iter()
                    .any(|a| a.iter().any(|w| w == "*" || w == "~"))
                {
                    return Err("gaps and `~` cannot stand inside a group".into());
                }
                if c == '[' {
                    alternatives.push(Vec::new());
                } else if alternatives.iter().any(Vec::is_empty) {
                    return Err(
                        "an empty alternative in `( )`; use `[ ]` for optional words".into(),
                    );
                }
                pieces.push(Piece::Group(alternatives));
            }
            ')' | ']' | '|' => return Err(format!("unexpected `{c}`")),
            '*' => {
                flush(&mut words, &mut pieces);
                chars.next();
                let mut n = String::new();
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() {
                        n.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let n: usize = if n.is_empty() {
                    3
                } else {
                    n.parse().map_err(|_| "bad gap size".to_string())?
                };
                if n == 0 || n > 8 {
                    return Err("a gap `*N` takes N from 1 to 8".into());
                }
                pieces.push(Piece::Gap(n));
            }
            '~' => {
                flush(&mut words, &mut pieces);
                chars.next();
                pieces.push(Piece::Swap(4));
            }
            _ => {
                let mut w = String::new();
                while let Some(&d) = chars.peek() {
                    if matches!(d, ' ' | '\t' | '(' | ')' | '[' | ']' | '|' | '*' | '~') {
                        break;
                    }
                    w.extend(d.to_lowercase());
                    chars.next();
                }
                if w.starts_with('?') {
                    return Err("`?` is not pattern syntax; use `[ ]` for optional words".into());
                }
                words.push(vec![w]);
            }
        }
    }
    flush(&mut words, &mut pieces);
    if pieces.is_empty() {
        return Err("the phrase is empty".into());
    }
    if matches!(pieces.first(), Some(Piece::Gap(_) | Piece::Swap(_)))
        || matches!(pieces.last(), Some(Piece::Gap(_) | Piece::Swap(_)))
    {
        return Err("a phrase cannot start or end with a gap or `~`".into());
    }
    // "car * [men]" without its optional word would end in a gap, which
    // never matches: the author means "car".
    let optional =
        |p: Option<&Piece>| matches!(p, Some(Piece::Group(a)) if a.iter().any(Vec::is_empty));
    let gap = |p: Option<&Piece>| matches!(p, Some(Piece::Gap(_) | Piece::Swap(_)));
    let n = pieces.len();
    if (optional(pieces.first()) && gap(pieces.get(1)))
        || (optional(pieces.last()) && n >= 2 && gap(pieces.get(n - 2)))
    {
        return Err(
            "optional words `[ ]` cannot start or end a phrase next to a gap or `~`; leave them out".into(),
        );
    }
    if pieces
        .iter()
        .filter(|p| matches!(p, Piece::Swap(_)))
        .count()
        > 1
    {
        return Err("at most one `~` in a phrase".into());
    }
    Ok(pieces)
}

/// A phrase as the matcher uses it: segments separated by gaps, each
/// segment a set of literal alternatives (lists of words). Alternatives are
/// expanded only within a segment, so a phrase with many options on both
/// sides of a gap stays one shape.
pub type Shape = Vec<(usize, Vec<Vec<String>>)>;

pub fn shapes(pieces: &[Piece]) -> Result<Vec<Shape>, String> {
    if let Some(i) = pieces.iter().position(|p| matches!(p, Piece::Swap(_))) {
        let gap = match pieces[i] {
            Piece::Swap(n) => n,
            _ => 4,
        };
        let (left, right) = (&pieces[..i], &pieces[i + 1..]);
        let mut forward = left.to_vec();
        forward.push(Piece::Gap(gap));
        forward.extend_from_slice(right);
        let mut backward = right.to_vec();
        backward.push(Piece::Gap(gap));
        backward.extend_from_slice(left);
        let mut out = shapes(&forward)?;
        out.extend(shapes(&backward)?);
        return Ok(out);
    }
    let mut shape: Shape = Vec::new();
    let mut gap = 0;
    let mut current: Vec<Vec<String>> = vec![Vec::new()];
    let flush = |gap: &mut usize, current: &mut Vec<Vec<String>>, shape: &mut Shape| {
        let alternatives: Vec<Vec<String>> = current.drain(..).filter(|a| !a.is_empty()).collect();
        if !alternatives.is_empty() {
            shape.push((*gap, alternatives));
            *gap = 0;
        }
        current.push(Vec::new());
    };
    for piece in pieces {
        match piece {
            Piece::Gap(n) => {
                flush(&mut gap, &mut current, &mut shape);
                gap += n;
            }
            Piece::Group(alternatives) => {
                let mut next = Vec::new();
                for c in &current {
                    for a in alternatives {
                        let mut c2 = c.clone();
                        c2.extend(a.iter().cloned());
                        next.push(c2);
                    }
                }
                if next.len() > MAX_VARIANTS {
                    return Err(format!(
                        "a segment expands to more than {MAX_VARIANTS} alternatives"
                    ));
                }
                current = next;
            }
            Piece::Swap(_) => {}
        }
    }
    flush(&mut gap, &mut current, &mut shape);
    if let Some(first) = shape.first_mut() {
        first.0 = 0;
    }
    if shape.is_empty() {
        return Err("every alternative is empty".into());
    }
    Ok(vec![shape])
}

/// Most variants one phrase may expand to, to keep the automaton small.
pub const MAX_VARIANTS: usize = 4096;

/// Default weights by tier (SERAF-derived; see the indicator catalogue).
pub fn default_weight(tier: Tier) -> f64 {
    match tier {
        Tier::C => 0.0,
        Tier::H => 5.0,
        Tier::M | Tier::L | Tier::V => 1.0,
        Tier::R => 0.0,
    }
}

/// Reads a rule file's text, checking everything a rule author can get
/// wrong, and reports every problem found.
pub fn load(text: &str, file: &str) -> Result<RuleFile, Vec<RuleError>> {
    load_with(text, file, &[])
}

fn load_with(text: &str, file: &str, known: &[Indicator]) -> Result<RuleFile, Vec<RuleError>> {
    let err = |place: String, message: String| RuleError {
        file: file.to_string(),
        place,
        message,
    };
    let parsed: RuleFile = toml::from_str(text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                format!(
                    "line {}",
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                )
            })
            .unwrap_or_else(|| "file".into());
        vec![err(place, e.message().to_string())]
    })?;
    let mut problems = Vec::new();
    if parsed.format != FORMAT {
        problems.push(err(
            "format".into(),
            format!(
                "this build reads rule format {FORMAT}, the file says {}",
                parsed.format
            ),
        ));
    }
    let mut indicators = BTreeMap::new();
    for ind in known {
        indicators.insert(ind.id.clone(), ind);
    }
    let defined_here: std::collections::BTreeSet<&String> =
        parsed.indicators.iter().map(|i| &i.id).collect();
    if defined_here.len() != parsed.indicators.len() {
        problems.push(err(
            "indicators".into(),
            "an indicator id is defined twice".into(),
        ));
    }
    for (i, ind) in parsed.indicators.iter().enumerate() {
        let place = format!("indicators[{i}] ({})", ind.id);
        if ind.id.trim().is_empty() {
            problems.push(err(place.clone(), "`id` is empty".into()));
        }
        indicators.insert(ind.id.clone(), ind);
        if let Some(w) = ind.weight
            && !(0.0..=100.0).contains(&w)
        {
            problems.push(err(place, format!("weight {w} is outside 0 to 100")));
        }
    }
    let mut ids = BTreeMap::new();
    for (i, rule) in parsed.rules.iter().enumerate() {
        let place = |field: &str| format!("rules[{i}] ({}), {field}", rule.id);
        if ids.insert(rule.id.clone(), i).is_some() {
            problems.push(err(
                place("id"),
                format!("rule `{}` is defined twice", rule.id),
            ));
        }
        if !indicators.contains_key(&rule.indicator) {
            problems.push(err(
                place("indicator"),
                format!(
                    "`{}` is not an indicator defined in this file",
                    rule.indicator
                ),
            ));
        }
        if rule.source.trim().is_empty() {
            problems.push(err(place("source"), "every rule cites its source".into()));
        }
        if rule.phrases.is_empty()
            && rule.codes.is_empty()
            && rule.kinds.is_empty()
            && rule.facts.is_empty()
        {
            problems.push(err(
                place("phrases"),
                "the rule has no trigger (phrases, codes, kinds or facts)".into(),
            ));
        }
        for (j, p) in rule.phrases.iter().enumerate() {
            if let Err(m) = parse_phrase(p).and_then(|pieces| shapes(&pieces)) {
                problems.push(err(place(&format!("phrases[{j}] \"{p}\"")), m));
            }
        }
        for (j, p) in rule.unless.iter().enumerate() {
            if let Err(m) = parse_phrase(p).and_then(|pieces| shapes(&pieces)) {
                problems.push(err(place(&format!("unless[{j}] \"{p}\"")), m));
            }
        }
        for (j, x) in rule.unless_indicators.iter().enumerate() {
            if !indicators.contains_key(x) {
                problems.push(err(
                    place(&format!("unless_indicators[{j}]")),
                    format!("`{x}` is not an indicator defined in this file"),
                ));
            }
        }
        for (j, c) in rule.codes.iter().enumerate() {
            if !c.contains(':') {
                problems.push(err(
                    place(&format!("codes[{j}]")),
                    format!("`{c}` should be `scheme:code`, e.g. `cin_factor:10A`"),
                ));
            }
        }
        for (j, k) in rule.kinds.iter().enumerate() {
            if sightline_model::Kind::parse(k).is_none() {
                problems.push(err(
                    place(&format!("kinds[{j}]")),
                    format!("`{k}` is not a report kind"),
                ));
            }
        }
        for (j, f) in rule.facts.iter().enumerate() {
            if parse_fact(f).is_none() {
                problems.push(err(
                    place(&format!("facts[{j}]")),
                    format!("`{f}` is not a fact (older_adult_present, passenger_of_adult_driver, no_further_action, place:hotel|takeaway|flat|taxi_rank|car_park|park)"),
                ));
            }
        }
        if let Some(e) = &rule.experiencer
            && e != "subject"
            && e != "other"
        {
            problems.push(err(
                place("experiencer"),
                format!("`{e}` must be `subject` or `other`"),
            ));
        }
        for (j, ex) in rule.examples.iter().enumerate() {
            for id in ex.expect.iter().chain(&ex.expect_not) {
                let base = id.split(':').next().unwrap_or("");
                if !indicators.contains_key(base) {
                    problems.push(err(
                        place(&format!("examples[{j}]")),
                        format!("`{id}` names no indicator"),
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// Reads an override file: the same format, but its rules may refer to
/// indicators of the default set without redefining them.
pub fn load_overrides(text: &str, file: &str) -> Result<RuleFile, Vec<RuleError>> {
    let base: RuleFile = load(crate::DEFAULT_RULES, "default rules")?;
    let parsed = load_with(text, file, &base.indicators)?;
    Ok(parsed)
}

/// Merges an organisation's overrides into a base rule set: indicators with
/// the same id replace tier, weight and title; rules with the same id
/// replace the base rule; others are added.
pub fn merge(mut base: RuleFile, overrides: RuleFile) -> RuleFile {
    for ind in overrides.indicators {
        match base.indicators.iter_mut().find(|i| i.id == ind.id) {
            Some(existing) => *existing = ind,
            None => base.indicators.push(ind),
        }
    }
    for rule in overrides.rules {
        match base.rules.iter_mut().find(|r| r.id == rule.id) {
            Some(existing) => *existing = rule,
            None => base.rules.push(rule),
        }
    }
    base.version = format!("{}+{}", base.version, overrides.version);
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(shape: &Shape) -> Vec<(usize, Vec<String>)> {
        shape
            .iter()
            .map(|(g, alts)| (*g, alts.iter().map(|a| a.join(" ")).collect()))
            .collect()
    }

    #[test]
    fn phrases_become_shapes() {
        let v = shapes(&parse_phrase("(older|much older) boyfriend").unwrap()).unwrap();
        assert_eq!(
            show(&v[0]),
            vec![(
                0,
                vec![
                    "older boyfriend".to_string(),
                    "much older boyfriend".to_string()
                ]
            )]
        );
        let v = shapes(&parse_phrase("got into [a] car * (man|men)").unwrap()).unwrap();
        assert_eq!(
            show(&v[0]),
            vec![
                (
                    0,
                    vec!["got into a car".to_string(), "got into car".to_string()]
                ),
                (3, vec!["man".to_string(), "men".to_string()])
            ]
        );
        let v = shapes(&parse_phrase("new ~ phone").unwrap()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            show(&v[1]),
            vec![(0, vec!["phone".to_string()]), (4, vec!["new".to_string()])]
        );
    }

    #[test]
    fn phrase_errors() {
        for bad in [
            "",
            "* x",
            "x *",
            "(a|b",
            "a)",
            "(a||b)",
            "*9 x",
            "a ~ b ~ c",
            "((a))",
            "x *2 [y]",
            "[y] ~ x",
        ] {
            assert!(parse_phrase(bad).and_then(|p| shapes(&p)).is_err(), "{bad}");
        }
    }

    #[test]
    fn load_reports_precise_errors() {
        let text = r#"
format = 1
name = "t"
version = "1"
[[indicators]]
id = "H2"
title = "x"
tier = "H"
source = "s"
[[rules]]
id = "r1"
indicator = "H9"
source = ""
phrases = ["(older"]
kinds = ["mising_episode"]
"#;
        let errors = load(text, "t.toml").unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|e| e.contains("t.toml: rules[0] (r1), indicator: `H9`")),
            "{text:?}"
        );
        assert!(text.iter().any(|e| e.contains("source")), "{text:?}");
        assert!(text.iter().any(|e| e.contains("phrases[0]")), "{text:?}");
        assert!(text.iter().any(|e| e.contains("kinds[0]")), "{text:?}");
        let bad = load("format = 1\nname = 3\n", "b.toml").unwrap_err();
        assert!(
            bad[0].to_string().starts_with("b.toml: line 2"),
            "{}",
            bad[0]
        );
    }
}
