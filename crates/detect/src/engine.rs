//! The detector: every phrase of every rule, and the context triggers,
//! compiled into one Aho–Corasick automaton over the normalised token
//! stream; a ConText-style pass then marks each hit negated, hedged,
//! historical, and whose it is.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Serialize;

use crate::rules::{self, Fact, RuleFile, Tier};
use crate::text::{self, Prepared};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Experiencer {
    Subject,
    Other,
}

/// What a hit rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    /// A span of the narrative.
    Text,
    /// A coded field, `scheme:code`.
    Code { code: String },
    /// The report's kind.
    Kind { kind: String },
    /// A structured fact of the report.
    Fact { fact: String },
}

/// One indicator found, with the context a practitioner needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub indicator: String,
    pub tier: Tier,
    pub negated: bool,
    pub hedged: bool,
    pub historical: bool,
    pub experiencer: Experiencer,
    /// Byte offsets into the narrative (text evidence only).
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub sentence: String,
    pub rule: String,
    pub evidence: Evidence,
    /// A year the text dates the hit to ("went missing in 2019").
    pub dated_year: Option<i16>,
}

impl Hit {
    /// Present: found and not negated.
    pub fn present(&self) -> bool {
        !self.negated
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    NegatePre,
    NegatePost,
    HedgePre,
    HedgePost,
    HistoryPre,
    HistoryPost,
    OtherPre,
    Pseudo,
    Terminate,
    Reporting,
}

/// Context vocabulary (NegEx/ConText tradition, adapted to practitioners'
/// English). Each entry is a phrase in the same pattern language as rules.
const TRIGGERS: &[(Trigger, &[&str])] = &[
    (
        Trigger::NegatePre,
        &[
            "no",
            "not",
            "nil",
            "none",
            "never",
            "without",
            "deni",
            "deny",
            "denies",
            "denied",
            "denying",
            "no evidence of",
            "no sign of",
            "no signs of",
            "no indication of",
            "no concern",
            "no concerns",
            "no concerns about",
            "no concerns re",
            "no concerns regarding",
            "ruled out",
            "negative for",
            "did not",
            "does not",
            "didn't",
            "doesn't",
            "has not",
            "hasn't",
            "have not",
            "haven't",
            "was not",
            "wasn't",
            "is not",
            "isn't",
            "were not",
            "weren't",
            "neither",
            "nor",
            "free of",
            "refutes",
            "disputes",
            "no longer",
            "no reports of",
            "no report of",
            "no disclosure of",
            "no disclosures",
            "no history of",
            "unremarkable",
            "nothing to suggest",
            "no reason to believe",
        ],
    ),
    (
        Trigger::NegatePost,
        &[
            "denied",
            "was denied",
            "were denied",
            "ruled out",
            "not seen",
            "not found",
            "not present",
            "not known",
            "negative",
            "not confirmed",
            "unfounded",
        ],
    ),
    (
        Trigger::HedgePre,
        &[
            "may",
            "might",
            "could",
            "possibly",
            "possible",
            "probable",
            "probably",
            "query",
            "querying",
            "suspected",
            "suspicion",
            "suspicions",
            "worried",
            "worries",
            "worry",
            "worrying",
            "concerned",
            "concerns that",
            "concern that",
            "believed",
            "believes",
            "thought to",
            "reportedly",
            "reported to",
            "alleged",
            "allegedly",
            "rumour",
            "rumours",
            "rumoured",
            "unconfirmed",
            "appears",
            "appear",
            "seems",
            "seem",
            "risk of",
            "at risk of",
            "whether",
            "unclear",
            "not sure",
            "unknown whether",
            "fears",
            "feared",
            "fear",
            "if",
            "potential",
            "potentially",
            "likely",
            "unlikely",
            "maybe",
            "perhaps",
            "information suggests",
            "intelligence suggests",
            "suggests",
            "suggestion",
            "speculat",
            "vulnerable to",
            "indicators of",
            "signs of",
        ],
    ),
    (
        Trigger::HedgePost,
        &[
            "suspected",
            "queried",
            "is suspected",
            "not confirmed",
            "unconfirmed",
            "alleged",
        ],
    ),
    (
        Trigger::HistoryPre,
        &[
            "history of",
            "previous",
            "previously",
            "in the past",
            "historic",
            "historical",
            "historically",
            "used to",
            "formerly",
            "prior to",
            "when she was",
            "when he was",
            "as a younger child",
            "past history",
        ],
    ),
    (
        Trigger::HistoryPost,
        &[
            "last year",
            "years ago",
            "year ago",
            "months ago",
            "in the past",
            "previously",
            "historically",
            "as a child",
        ],
    ),
    (
        Trigger::OtherPre,
        &[
            "friend",
            "friends",
            "her friend",
            "his friend",
            "best friend",
            "sister",
            "sisters",
            "brother",
            "brothers",
            "sibling",
            "siblings",
            "mother",
            "mum",
            "mom",
            "mummy",
            "father",
            "dad",
            "daddy",
            "stepdad",
            "step dad",
            "stepfather",
            "stepmother",
            "stepmum",
            "partner",
            "mother's partner",
            "mum's partner",
            "cousin",
            "cousins",
            "aunt",
            "auntie",
            "uncle",
            "grandmother",
            "grandfather",
            "nan",
            "grandad",
            "another girl",
            "other girls",
            "another boy",
            "other boys",
            "another child",
            "other children",
            "other young people",
            "peer",
            "peers",
            "classmate",
            "classmates",
            "the male",
            "the man",
            "the suspect",
            "the adult",
            "parent",
            "parents",
            "carer",
            "carers",
            "neighbour",
            "girlfriend of",
        ],
    ),
    (
        Trigger::Reporting,
        &[
            "say",
            "says",
            "said",
            "report",
            "reports",
            "reported",
            "state",
            "states",
            "stated",
            "worri",
            "worries",
            "worried",
            "believe",
            "believes",
            "think",
            "thinks",
            "thought",
            "feel",
            "feels",
            "felt",
            "told",
            "tell",
            "tells",
            "inform",
            "informed",
            "informs",
            "explain",
            "explained",
            "confirm",
            "confirmed",
            "call",
            "called",
            "rang",
            "phoned",
            "contacted",
            "concerned",
            "is concerned",
            "are concerned",
            "is worried",
            "are worried",
            "disclosed that",
            "alleges",
            "raised",
            "was concerned",
            "has concerns",
            "expressed",
            "reportedly",
            "saw",
            "noticed",
            "heard",
            "found",
            "discovered",
            "fears",
            "asked",
            "wants",
            "agreed",
        ],
    ),
    (
        Trigger::Pseudo,
        &[
            "no further action",
            "no further",
            "not only",
            "not just",
            "no doubt",
            "no change",
            "not certain whether",
            "no increase",
            "not necessarily",
            "nfa",
        ],
    ),
    (
        Trigger::Terminate,
        &[
            "but",
            "however",
            "although",
            "though",
            "except",
            "apart from",
            "whereas",
            "which",
            "who",
            "whilst",
            "while",
            "despite",
            "yet",
            "aside from",
            "otherwise",
        ],
    ),
];

/// Words before a person that make them the object of the clause ("with
/// friends", "to her mum", "after dad left"), not whom it is about.
const OBJECT_MARKERS: &[&str] = &[
    "with", "to", "from", "by", "of", "after", "before", "for", "at", "about", "and", "without",
    "than",
];

const PRE_SCOPE: usize = 7;
const POST_SCOPE: usize = 4;

/// What an automaton pattern stands for.
#[derive(Debug, Clone)]
enum Target {
    /// Segment `segment` of variant `variant`.
    Segment { variant: usize, segment: usize },
}

struct VariantInfo {
    rule: usize,
    /// Largest gap before each segment.
    gaps: Vec<usize>,
    /// An exception (`unless`) of the rule rather than a trigger.
    unless: bool,
}

struct CompiledRule {
    id: String,
    indicator: String,
    tier: Tier,
    codes: Vec<String>,
    kinds: Vec<String>,
    facts: Vec<(Fact, String)>,
    subject_under: Option<u8>,
    experiencer: Option<Experiencer>,
}

pub struct Detector {
    /// Tells detectors apart in per-thread caches.
    id: u64,
    automaton: AhoCorasick,
    trigger_automaton: AhoCorasick,
    trigger_kinds: Vec<Trigger>,
    targets: Vec<Vec<Target>>,
    variants: Vec<VariantInfo>,
    rules: Vec<CompiledRule>,
    stemmer: rust_stemmers::Stemmer,
    /// Pattern words, for spelling tolerance: deletion variants → word.
    typo_index: HashMap<String, Vec<String>>,
    vocabulary: HashSet<String>,
    pub name: String,
    pub version: String,
    tiers: HashMap<String, (Tier, f64)>,
}

/// The report-level context structured triggers need.
#[derive(Debug, Clone, Default)]
pub struct ReportFacts {
    pub codes: Vec<String>,
    pub kind: Option<String>,
    pub subject_age: Option<i32>,
    pub facts: Vec<Fact>,
    /// The year of the event, to tell history from the present.
    pub year: Option<i16>,
}

fn normalise_phrase_words(stemmer: &rust_stemmers::Stemmer, words: &[String]) -> Vec<String> {
    // Patterns are tokenised like text, so "y/o" or "mum's" match the same
    // way; `#` (a number) and `#a` (a number from 18 to 99) stand as they are.
    let mut out = Vec::new();
    for w in words {
        if w == "#" || w == "#a" || w == "#t" {
            out.push(w.clone());
        } else {
            out.extend(
                text::prepare(stemmer, w)
                    .tokens
                    .into_iter()
                    .map(|t| t.norm.to_string()),
            );
        }
    }
    out
}

fn deletions(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

impl Detector {
    pub fn compile(file: &RuleFile) -> Result<Detector, String> {
        let stemmer = text::stemmer();
        let tiers: HashMap<String, (Tier, f64)> = file
            .indicators
            .iter()
            .map(|i| {
                (
                    i.id.clone(),
                    (
                        i.tier,
                        i.weight.unwrap_or_else(|| rules::default_weight(i.tier)),
                    ),
                )
            })
            .collect();
        let mut patterns: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::default();
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut add = |norm: Vec<String>,
                       target: Target,
                       patterns: &mut Vec<String>,
                       targets: &mut Vec<Vec<Target>>| {
            let key = format!(" {} ", norm.join(" "));
            let id = *index.entry(key.clone()).or_insert_with(|| {
                patterns.push(key);
                targets.push(Vec::new());
                patterns.len() - 1
            });
            targets[id].push(target);
        };
        let mut variants = Vec::new();
        let mut rules_out = Vec::new();
        let mut vocabulary = HashSet::default();
        for rule in &file.rules {
            let (tier, _) = tiers
                .get(&rule.indicator)
                .copied()
                .ok_or_else(|| format!("rule {}: no indicator {}", rule.id, rule.indicator))?;
            let r = rules_out.len();
            let triggers = rule.phrases.iter().map(|p| (p, false));
            let exceptions = rule.unless.iter().map(|p| (p, true));
            for (phrase, unless) in triggers.chain(exceptions) {
                let pieces = rules::parse_phrase(phrase)
                    .map_err(|e| format!("rule {}: {phrase}: {e}", rule.id))?;
                for shape in rules::shapes(&pieces)
                    .map_err(|e| format!("rule {}: {phrase}: {e}", rule.id))?
                {
                    let v = variants.len();
                    let mut gaps = Vec::new();
                    for (s, (gap, alternatives)) in shape.iter().enumerate() {
                        gaps.push(*gap);
                        for words in alternatives {
                            let norm = normalise_phrase_words(&stemmer, words);
                            if norm.is_empty() {
                                continue;
                            }
                            for w in &norm {
                                vocabulary.insert(w.clone());
                            }
                            add(
                                norm,
                                Target::Segment {
                                    variant: v,
                                    segment: s,
                                },
                                &mut patterns,
                                &mut targets,
                            );
                        }
                    }
                    variants.push(VariantInfo {
                        rule: r,
                        gaps,
                        unless,
                    });
                }
            }
            rules_out.push(CompiledRule {
                id: rule.id.clone(),
                indicator: rule.indicator.clone(),
                tier,
                codes: rule.codes.iter().map(|c| c.to_ascii_lowercase()).collect(),
                kinds: rule.kinds.clone(),
                facts: rule
                    .facts
                    .iter()
                    .filter_map(|f| rules::parse_fact(f).map(|x| (x, f.clone())))
                    .collect(),
                subject_under: rule.subject_under,
                experiencer: match rule.experiencer.as_deref() {
                    Some("subject") => Some(Experiencer::Subject),
                    Some("other") => Some(Experiencer::Other),
                    _ => None,
                },
            });
        }
        // Context triggers match surface words, not stems: "reported" is
        // not "reportedly", nor "the suspect" "suspected".
        let mut trigger_patterns = Vec::new();
        let mut trigger_kinds = Vec::new();
        for (trigger, phrases) in TRIGGERS {
            for p in *phrases {
                let words: Vec<String> = text::prepare(&stemmer, p)
                    .tokens
                    .into_iter()
                    .map(|t| t.lower.to_string())
                    .collect();
                trigger_patterns.push(format!(" {} ", words.join(" ")));
                trigger_kinds.push(*trigger);
            }
        }
        let trigger_automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&trigger_patterns)
            .map_err(|e| format!("cannot build the context automaton: {e}"))?;
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| format!("cannot build the phrase automaton: {e}"))?;
        let mut typo_index: HashMap<String, Vec<String>> = HashMap::default();
        for w in &vocabulary {
            if w.chars().count() >= 6 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                for d in deletions(w) {
                    typo_index.entry(d).or_default().push(w.clone());
                }
                typo_index.entry(w.clone()).or_default().push(w.clone());
            }
        }
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Ok(Detector {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            automaton,
            trigger_automaton,
            trigger_kinds,
            targets,
            variants,
            rules: rules_out,
            stemmer,
            typo_index,
            vocabulary,
            name: file.name.clone(),
            version: file.version.clone(),
            tiers,
        })
    }

    /// The tier and weight of an indicator.
    pub fn tier_of(&self, indicator: &str) -> Option<(Tier, f64)> {
        self.tiers.get(indicator).copied()
    }

    /// A spelling-tolerant reading of a word not in the pattern vocabulary:
    /// one edit away from exactly one pattern word of six letters or more.
    fn correct(&self, norm: &str, surface_len: usize) -> Option<std::rc::Rc<str>> {
        if surface_len < 7
            || self.vocabulary.contains(norm)
            || !norm.chars().all(|c| c.is_ascii_alphabetic())
        {
            return None;
        }
        type Cache = HashMap<u64, HashMap<Box<str>, Option<std::rc::Rc<str>>>>;
        thread_local! {
            static CORRECTIONS: std::cell::RefCell<Cache> = std::cell::RefCell::new(HashMap::default());
        }
        // Per detector: different rule sets have different words.
        if let Some(known) =
            CORRECTIONS.with(|c| c.borrow().get(&self.id).and_then(|m| m.get(norm).cloned()))
        {
            return known;
        }
        let found = self.correct_uncached(norm).map(std::rc::Rc::<str>::from);
        CORRECTIONS.with(|c| {
            let mut c = c.borrow_mut();
            let m = c.entry(self.id).or_default();
            if m.len() > 100_000 {
                m.clear();
            }
            m.insert(norm.into(), found.clone());
        });
        found
    }

    fn correct_uncached(&self, norm: &str) -> Option<&str> {
        let mut found: Option<&str> = None;
        let mut probe = |key: &str| -> bool {
            if let Some(words) = self.typo_index.get(key) {
                for w in words {
                    match found {
                        None => found = Some(w),
                        Some(f) if f == w => {}
                        Some(_) => return false,
                    }
                }
            }
            true
        };
        if !probe(norm) {
            return None;
        }
        for d in deletions(norm) {
            if !probe(&d) {
                return None;
            }
        }
        found
    }

    /// Finds indicators in a narrative. `facts` adds structured triggers
    /// when the text comes from a report.
    pub fn detect(&self, narrative: &str, facts: Option<&ReportFacts>) -> Vec<Hit> {
        let prepared = text::prepare(&self.stemmer, narrative);
        let mut hits = self.text_hits(narrative, &prepared, facts);
        if let Some(f) = facts {
            hits.extend(self.structured_hits(f));
        }
        // NA is about a child at risk: a case closed with no action only
        // matters when the record itself shows a C, H or M indicator.
        let at_risk = hits.iter().any(|h| {
            h.present()
                && h.experiencer == Experiencer::Subject
                && matches!(h.tier, Tier::C | Tier::H | Tier::M)
        });
        if !at_risk {
            hits.retain(|h| h.indicator != "NA");
        }
        hits
    }

    fn text_hits(&self, narrative: &str, p: &Prepared, facts: Option<&ReportFacts>) -> Vec<Hit> {
        if p.tokens.is_empty() {
            return Vec::new();
        }
        // The normalised stream: " tok tok tok ", with each token's offset.
        let mut stream = String::with_capacity(narrative.len() + 16);
        let mut starts = Vec::with_capacity(p.tokens.len());
        stream.push(' ');
        for t in &p.tokens {
            starts.push(stream.len());
            match self.correct(&t.norm, t.lower.chars().count()) {
                Some(corrected) => stream.push_str(&corrected),
                None => stream.push_str(&t.norm),
            }
            stream.push(' ');
        }
        let mut surface = String::with_capacity(narrative.len() + 16);
        let mut surface_starts = Vec::with_capacity(p.tokens.len());
        surface.push(' ');
        for t in &p.tokens {
            surface_starts.push(surface.len());
            surface.push_str(&t.lower);
            surface.push(' ');
        }
        let token_at = |byte: usize| starts.partition_point(|&s| s < byte);
        // Segment matches per variant, and triggers, as token spans.
        let mut segments: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::default();
        let mut triggers: Vec<(Trigger, usize, usize)> = Vec::new();
        for m in self.automaton.find_overlapping_iter(&stream) {
            // Patterns start and end with a space: the match begins at the
            // space before its first token.
            let first = token_at(m.start() + 1);
            let words = stream[m.start()..m.end()].split_whitespace().count();
            let last = first + words.saturating_sub(1);
            if last >= p.tokens.len() || p.tokens[first].sentence != p.tokens[last].sentence {
                continue;
            }
            for target in &self.targets[m.pattern().as_usize()] {
                match target {
                    Target::Segment { variant, segment } => segments
                        .entry((*variant, *segment))
                        .or_default()
                        .push((first, words)),
                }
            }
        }
        for m in self.trigger_automaton.find_overlapping_iter(&surface) {
            let first = surface_starts.partition_point(|&s| s < m.start() + 1);
            let words = surface[m.start()..m.end()].split_whitespace().count();
            let last = first + words.saturating_sub(1);
            if last >= p.tokens.len() || p.tokens[first].sentence != p.tokens[last].sentence {
                continue;
            }
            triggers.push((self.trigger_kinds[m.pattern().as_usize()], first, last + 1));
        }
        let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // (rule, first token, end token)
        let mut excepted: Vec<(usize, usize)> = Vec::new(); // (rule, sentence)
        // Only variants whose first segment matched can match.
        let mut started: Vec<usize> = segments
            .keys()
            .filter(|(_, s)| *s == 0)
            .map(|(v, _)| *v)
            .collect();
        started.sort_unstable();
        for v in started {
            let info = &self.variants[v];
            let Some(firsts) = segments.get(&(v, 0)) else {
                continue;
            };
            let sentence_of = |t: usize| p.tokens[t].sentence;
            'start: for &(f, len) in firsts {
                let mut end = f + len;
                for s in 1..info.gaps.len() {
                    let Some(next) = segments.get(&(v, s)) else {
                        continue 'start;
                    };
                    let gap = info.gaps[s];
                    let found = next
                        .iter()
                        .filter(|&&(n, _)| {
                            n >= end && n <= end + gap && sentence_of(n) == sentence_of(f)
                        })
                        .min();
                    match found {
                        Some(&(n, l)) => end = n + l,
                        None => continue 'start,
                    }
                }
                if info.unless {
                    excepted.push((info.rule, sentence_of(f)));
                } else {
                    spans.push((info.rule, f, end));
                }
            }
        }
        // One hit per indicator and span: the longest match wins.
        spans.sort_by_key(|&(r, f, e)| (self.rules[r].indicator.clone(), f, std::cmp::Reverse(e)));
        let mut hits: Vec<Hit> = Vec::new();
        let mut kept: Vec<(String, usize, usize)> = Vec::new();
        for (r, f, e) in spans {
            if excepted.contains(&(r, p.tokens[f].sentence)) {
                continue;
            }
            let rule = &self.rules[r];
            if kept
                .iter()
                .any(|(i, kf, ke)| *i == rule.indicator && f < *ke && *kf < e)
            {
                continue;
            }
            if let Some(limit) = rule.subject_under {
                let known_young = facts
                    .and_then(|x| x.subject_age)
                    .is_some_and(|a| a < i32::from(limit));
                if !known_young && !self.text_says_under(p, narrative, limit) {
                    continue;
                }
            }
            kept.push((rule.indicator.clone(), f, e));
            let sentence = p.tokens[f].sentence;
            let ctx = self.context(p, &triggers, f, e, sentence, facts.and_then(|x| x.year));
            let start = p.tokens[f].start;
            let end = p.tokens[e - 1].end;
            hits.push(Hit {
                indicator: rule.indicator.clone(),
                tier: rule.tier,
                negated: ctx.negated,
                hedged: ctx.hedged,
                historical: ctx.historical,
                experiencer: rule.experiencer.unwrap_or(if ctx.other {
                    Experiencer::Other
                } else {
                    Experiencer::Subject
                }),
                start: Some(start),
                end: Some(end),
                sentence: text::sentence_text(narrative, p.sentences[sentence]).to_string(),
                rule: rule.id.clone(),
                evidence: Evidence::Text,
                dated_year: ctx.year,
            });
        }
        hits.sort_by_key(|h| (h.start, h.indicator.clone()));
        hits
    }

    /// Whether the text states an age under `limit`: "aged 12", "12 y/o",
    /// "12-year-old", "Shauna (12)", "(then 11)", "pregnant at 12".
    fn text_says_under(&self, p: &Prepared, text: &str, limit: u8) -> bool {
        let tokens = &p.tokens;
        tokens.iter().enumerate().any(|(i, t)| {
            let Ok(age) = t.lower.parse::<u8>() else {
                return false;
            };
            if !(4..limit).contains(&age) {
                return false;
            }
            let before = i.checked_sub(1).map(|j| tokens[j].lower.as_ref());
            let after = tokens.get(i + 1).map(|x| x.lower.as_ref());
            let in_brackets = text[..t.start].trim_end().ends_with('(')
                || text[t.end..].trim_start().starts_with(')');
            matches!(before, Some("aged" | "age" | "then" | "at" | "only"))
                || matches!(
                    after,
                    Some("y/o" | "yo" | "yr" | "yrs" | "year" | "years" | "yrs." | "yo.")
                )
                || in_brackets
        })
    }

    fn context(
        &self,
        p: &Prepared,
        triggers: &[(Trigger, usize, usize)],
        first: usize,
        end: usize,
        sentence: usize,
        year: Option<i16>,
    ) -> Ctx {
        let mut ctx = Ctx::default();
        let in_sentence = |t: usize| p.tokens[t].sentence == sentence;
        // A terminator between a trigger and the hit ends the trigger's scope.
        let terminated = |from: usize, to: usize| {
            triggers
                .iter()
                .any(|&(t, s, _)| t == Trigger::Terminate && s >= from && s < to)
        };
        let pseudo = |s: usize, e: usize| {
            triggers
                .iter()
                .any(|&(t, ps, pe)| t == Trigger::Pseudo && ps <= s && pe >= e)
        };
        for &(t, s, e) in triggers {
            if !in_sentence(s) {
                continue;
            }
            let before = e <= first && first - e <= PRE_SCOPE && !terminated(e, first);
            let after = s >= end && s - end <= POST_SCOPE && !terminated(end, s);
            match t {
                Trigger::NegatePre if before && !pseudo(s, e) => ctx.negated = true,
                Trigger::NegatePost if after => ctx.negated = true,
                Trigger::HedgePre if before && !pseudo(s, e) => ctx.hedged = true,
                Trigger::HedgePost if after => ctx.hedged = true,
                Trigger::HistoryPre if before => ctx.historical = true,
                Trigger::HistoryPost if after => ctx.historical = true,
                Trigger::OtherPre if before => {
                    // "Mum says she..." names the source, not the experiencer.
                    let reporting = triggers
                        .iter()
                        .any(|&(rt, rs, _)| rt == Trigger::Reporting && rs >= e && rs <= e + 2);
                    // "with friends", "to her mum", "after dad left": the
                    // other person is an object, not whom the clause is about.
                    let object_marker =
                        |j: usize| OBJECT_MARKERS.contains(&p.tokens[j].lower.as_ref());
                    let object = s.checked_sub(1).is_some_and(object_marker)
                        || s.checked_sub(2).is_some_and(|j| {
                            object_marker(j)
                                && matches!(
                                    p.tokens[j + 1].lower.as_ref(),
                                    "her" | "his" | "their" | "a" | "the" | "an"
                                )
                        });
                    // A pronoun for the subject between them takes the clause
                    // back: "mum says that she ...".
                    let back_to_subject = p.tokens[e..first].iter().any(|t| {
                        matches!(
                            t.lower.as_ref(),
                            "she" | "he" | "yp" | "child" | "they" | "i"
                        )
                    });
                    if !reporting && !object && !back_to_subject {
                        ctx.other = true;
                    }
                }
                _ => {}
            }
        }
        // A year before the report's dates the hit to the past.
        let report_year = year;
        for (i, t) in p.tokens.iter().enumerate() {
            if t.sentence != sentence || t.lower.len() != 4 {
                continue;
            }
            if let Ok(y) = t.lower.parse::<i16>()
                && (1990..=2100).contains(&y)
            {
                let near = i + 6 >= first && i <= end + 6;
                // Without the report's date, a year written in the text
                // dates the event to the past: narratives give years for
                // history, not for what is happening now.
                if near && report_year.is_none_or(|ry| y < ry) {
                    ctx.year = Some(y);
                    ctx.historical = true;
                }
            }
        }
        ctx
    }

    fn structured_hits(&self, f: &ReportFacts) -> Vec<Hit> {
        let mut hits = Vec::new();
        let codes: Vec<String> = f.codes.iter().map(|c| c.to_ascii_lowercase()).collect();
        for rule in &self.rules {
            let age_ok = rule
                .subject_under
                .is_none_or(|limit| f.subject_age.is_some_and(|a| a < i32::from(limit)));
            if !age_ok {
                continue;
            }
            let mut evidence = None;
            if let Some(c) = rule.codes.iter().find(|c| codes.contains(c)) {
                evidence = Some(Evidence::Code { code: c.clone() });
            } else if let Some(k) = f.kind.as_ref().filter(|k| rule.kinds.contains(k)) {
                evidence = Some(Evidence::Kind { kind: k.clone() });
            } else if let Some((_, name)) =
                rule.facts.iter().find(|(fact, _)| f.facts.contains(fact))
            {
                evidence = Some(Evidence::Fact { fact: name.clone() });
            }
            if let Some(evidence) = evidence {
                if hits.iter().any(|h: &Hit| h.indicator == rule.indicator) {
                    continue;
                }
                hits.push(Hit {
                    indicator: rule.indicator.clone(),
                    tier: rule.tier,
                    negated: false,
                    hedged: false,
                    historical: false,
                    experiencer: rule.experiencer.unwrap_or(Experiencer::Subject),
                    start: None,
                    end: None,
                    sentence: String::new(),
                    rule: rule.id.clone(),
                    evidence,
                    dated_year: None,
                });
            }
        }
        hits
    }
}

#[derive(Default)]
struct Ctx {
    negated: bool,
    hedged: bool,
    historical: bool,
    other: bool,
    year: Option<i16>,
}
