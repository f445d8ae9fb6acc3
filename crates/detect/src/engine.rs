//! The detector: every phrase of every rule, and the context triggers,
//! compiled into word-level automata over word ids (stems for phrases,
//! written words for triggers), matched in one pass over the words of the
//! text; a ConText-style pass then marks each hit negated, hedged,
//! historical, and whose it is.

use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use crate::rules::{self, Fact, RuleFile, Tier};
use crate::text;

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
    /// Unconfirmed intelligence and hearsay ("intelligence suggests",
    /// "unconfirmed reports that", "it is thought"): everything after it in
    /// the sentence is a concern, until "but".
    HedgeSentence,
    HistoryPre,
    HistoryPost,
    OtherPre,
    Pseudo,
    Terminate,
    Reporting,
}

/// Peers: someone else when they begin a clause, and the friends whose
/// exploitation is the subject's H10.
const PEER_NOUNS: WordList = WordList::new(
    0,
    &[
        "friend",
        "friends",
        "peer",
        "peers",
        "classmate",
        "classmates",
        "housemate",
        "housemates",
        "flatmate",
        "flatmates",
    ],
);

/// Words for a partner whose age an older-partner check reads.
const PARTNER_WORDS: &[&str] = &[
    "boyfriend",
    "girlfriend",
    "partner",
    "boyfriends",
    "girlfriends",
    "partners",
];

/// An age written as one word in clinical and police shorthand ("14y",
/// "15F", "13yo", "16yrs", "14M", "15yF").
fn compact_age(word: &str) -> Option<u8> {
    let split = word.find(|c: char| !c.is_ascii_digit())?;
    if split == 0 || split > 2 {
        return None;
    }
    let (digits, suffix) = word.split_at(split);
    ["y", "yo", "yr", "yrs", "f", "m", "yf", "ym", "yof", "yom"]
        .iter()
        .any(|s| suffix.eq_ignore_ascii_case(s))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Colloquial words read as the word records usually write.
const COLLOQUIAL: &[(&str, &str)] = &[
    ("bloke", "man"),
    ("blokes", "men"),
    ("fella", "man"),
    ("fellas", "men"),
    ("feller", "man"),
    ("geezer", "man"),
    ("geezers", "men"),
];

/// Tens and teens an adult's age is written with.
const SPELLED_ADULT_AGES: &[&str] = &[
    "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety",
];

/// Family members a record may name an adult as, resolving a reported lift
/// or company (see `Text::resolved_as_family`).
const FAMILY: &[&str] = &[
    "uncle",
    "aunt",
    "auntie",
    "dad",
    "father",
    "stepdad",
    "stepfather",
    "brother",
    "cousin",
    "grandad",
    "granddad",
    "grandfather",
    "grandpa",
    "grandmother",
    "grandma",
    "nan",
    "nana",
    "relative",
];

/// The first-person forms a pattern's third-person pronoun also matches,
/// for the child's own words a record quotes.
fn first_person(word: &str) -> &'static [&'static str] {
    match word {
        "her" => &["me", "my"],
        "him" => &["me"],
        "his" => &["my"],
        "she" | "he" => &["i"],
        "herself" | "himself" => &["myself"],
        "them" => &["us"],
        "they" => &["we"],
        "their" => &["our"],
        _ => &[],
    }
}

/// Forms of "be" that make a reporting verb passive ("is said to").
const PASSIVE: WordList = WordList::new(1, &["is", "was", "are", "were", "being", "been", "be"]);

/// Context vocabulary (NegEx/ConText tradition, adapted to practitioners'
/// English). Each entry is a phrase in the same pattern language as rules.
const TRIGGERS: &[(Trigger, &[&str])] = &[
    (
        Trigger::NegatePre,
        &[
            "no",
            "not",
            "nothing",
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
            "had not",
            "hadn't",
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
            "not required",
            "not needed",
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
            "is said to",
            "are said to",
            "was said to",
            "were said to",
            "understood to",
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
        Trigger::HedgeSentence,
        &[
            "unconfirmed information",
            "unconfirmed reports",
            "unconfirmed report",
            "unconfirmed intelligence",
            "unverified information",
            "unverified intelligence",
            "unverified reports",
            "intelligence suggests",
            "intelligence indicates",
            "intelligence states",
            "intel suggests",
            "intel indicates",
            "information suggests",
            "information indicates",
            "it is thought",
            "it is believed",
            "it is suspected",
            "it is possible",
            "it is alleged",
            "it is understood",
            "source states",
            "source reports",
            "source says",
            "the source",
            "anonymous caller",
            "anonymous call",
            "anonymous report",
            "rumoured that",
            "rumours that",
            "staff suspect",
            "staff wonder",
            "has heard",
            "have heard",
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
            // ("mate" alone is also how a record quotes a child's speech.)
            "her mate",
            "his mate",
            "my mate",
            "best mate",
            "her mates",
            "his mates",
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
            "roommate",
            "another resident",
            "other residents",
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
            "boyfriend",
            "her boyfriend",
            "his boyfriend",
            "his girlfriend",
            "adult males",
        ],
    ),
    // Unrelated adults (shared with the check that what they do around a
    // child is the child's indicator).
    (Trigger::OtherPre, ADULT_NOUNS.words),
    (Trigger::OtherPre, PEER_NOUNS.words),
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
            // Reviews' findings about the response, not denials of the
            // fact: "professionals did not recognise her relationship with
            // a 27-year-old as abusive".
            // "a man of about 30, not known to the family": a stranger,
            // not a denial.
            "not known to",
            "not known by",
            // "a man he had never met drove him there": a stranger.
            "never met",
            "never seen before",
            "not met before",
            "did not recognise",
            "did not recognize",
            "does not recognise",
            "does not recognize",
            "doesn't recognise",
            "didn't recognise",
            "don't recognise",
            "didn't recognize",
            // Reviews' findings about the response: "agencies did not take
            // account of her learning disability".
            "did not take account of",
            "did not take into account",
            "no account was taken of",
            "did not grasp",
            "did not understand",
            "failed to recognise",
            "failed to see",
            "not recognised",
            "not recognized",
            "failed to recognise",
            "failed to recognize",
            "did not consider",
            "not seen as",
            "did not act on",
            "not acted on",
            "did not record",
            "not recorded as",
            "did not explore",
            "not explored",
            "did not ask",
            "did not share",
            "not shared",
            "did not link",
            "did not connect",
            "did not follow up",
            "not followed up",
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
            "aside from",
            "otherwise",
        ],
    ),
];

/// Words before a person that make them the object of the clause ("with
/// friends", "to her mum", "after dad left"), not whom it is about.
const OBJECT_MARKERS: WordList = WordList::new(
    2,
    &[
        "with", "to", "from", "by", "of", "after", "before", "for", "at", "about", "and",
        "without", "than",
    ],
);

const PRE_SCOPE: usize = 7;
/// How many words from an `unless` match a rule's match is excepted, unless
/// the rule says otherwise (`unless_reach`).
const UNLESS_REACH: usize = 8;
const POST_SCOPE: usize = 4;

/// What an automaton pattern stands for: segment `segment` of variant
/// `variant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    variant: u32,
    segment: u32,
}

/// A phrase variant while the rules are compiled (see [`Chains`] for the
/// form detection reads).
struct VariantInfo {
    rule: usize,
    /// The patterns of each segment after the first.
    segments: Vec<Vec<u32>>,
    /// Largest gap before each segment.
    gaps: Vec<usize>,
    /// An exception (`unless`) of the rule rather than a trigger.
    unless: bool,
}

/// A variant that a pattern match may start: what it reports and where its
/// later segments are in [`Chains::steps`].
#[derive(Debug, Clone, Copy)]
struct ChainStart {
    /// The filter of its first later segment (`ChainStep::window_bloom`; 0 for a
    /// variant of one segment): most variants a match starts are ruled out
    /// by it against the words after the match, without reading their
    /// steps.
    first_bloom: u64,
    rule: u32,
    steps_from: u32,
    steps_to: u32,
    /// An exception (`unless`) of the rule rather than a trigger.
    unless: bool,
}

/// A later segment of a variant: how far after the previous one it may
/// start, and which patterns match it.
#[derive(Debug, Clone, Copy)]
struct ChainStep {
    /// A 256-bit filter of its patterns ([`PatternFilter`]): most
    /// candidate matches are ruled out by one AND before the search (a
    /// segment may have dozens of patterns, which fill 64 bits).
    filter: PatternFilter,
    /// A 64-bit filter of its patterns ([`bloom_bit`]), to test against
    /// all the matches after a match at once.
    window_bloom: u64,
    /// Largest gap before the segment, in words.
    gap: u32,
    /// Its patterns, sorted: `Chains::step_patterns[patterns_from..patterns_to]`.
    patterns_from: u32,
    patterns_to: u32,
}

/// Every phrase variant by the patterns that start it, in flat arrays:
/// trying the variants a match starts reads a run of [`ChainStart`]s and
/// one [`ChainStep`] each, instead of following a pointer per field.
#[derive(Default)]
struct Chains {
    /// The variants pattern `p` starts are
    /// `starts[start_from[p]..start_from[p + 1]]`, in variant order.
    start_from: Vec<u32>,
    starts: Vec<ChainStart>,
    steps: Vec<ChainStep>,
    step_patterns: Vec<u32>,
    /// The largest gap before any variant's second segment.
    max_first_gap: u32,
}

/// A pattern's bit in a 64-bit filter.
#[inline]
fn bloom_bit(pattern: u32) -> u64 {
    1u64 << (pattern % 64)
}

/// A set of patterns as 256 bits (pattern `p` sets bit `p % 256`): a
/// pattern whose bit is clear is not in the set.
#[derive(Debug, Clone, Copy, Default)]
struct PatternFilter([u64; 4]);

impl PatternFilter {
    fn of(patterns: &[u32]) -> PatternFilter {
        let mut filter = PatternFilter::default();
        for &p in patterns {
            filter.0[(p / 64 % 4) as usize] |= bloom_bit(p);
        }
        filter
    }

    #[inline]
    fn may_contain(&self, pattern: u32) -> bool {
        self.0[(pattern / 64 % 4) as usize] & bloom_bit(pattern) != 0
    }

    #[inline]
    fn add(&mut self, pattern: u32) {
        self.0[(pattern / 64 % 4) as usize] |= bloom_bit(pattern);
    }

    /// Whether the two sets may share a pattern.
    #[inline]
    fn meets(&self, other: &PatternFilter) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

impl Chains {
    /// Lays out `variants`; `starts[p]` lists the variants pattern `p`
    /// starts.
    fn new(variants: &[VariantInfo], starts_by_pattern: &[Vec<u32>]) -> Chains {
        let mut chains = Chains::default();
        // Each variant's steps, written once and shared by every pattern
        // that starts it.
        let mut step_range = Vec::with_capacity(variants.len());
        for info in variants {
            let from = chains.steps.len() as u32;
            for (s, patterns) in info.segments.iter().enumerate() {
                let patterns_from = chains.step_patterns.len() as u32;
                chains.step_patterns.extend_from_slice(patterns);
                chains.steps.push(ChainStep {
                    filter: PatternFilter::of(patterns),
                    window_bloom: patterns.iter().fold(0u64, |b, &p| b | bloom_bit(p)),
                    gap: info.gaps[s + 1] as u32,
                    patterns_from,
                    patterns_to: chains.step_patterns.len() as u32,
                });
            }
            step_range.push((from, chains.steps.len() as u32));
        }
        chains.start_from.push(0);
        for variants_started in starts_by_pattern {
            for &v in variants_started {
                let info = &variants[v as usize];
                let (steps_from, steps_to) = step_range[v as usize];
                let first_step = (steps_from < steps_to).then(|| chains.steps[steps_from as usize]);
                if let Some(step) = first_step {
                    chains.max_first_gap = chains.max_first_gap.max(step.gap);
                }
                chains.starts.push(ChainStart {
                    first_bloom: first_step.map_or(0, |step| step.window_bloom),
                    rule: info.rule as u32,
                    steps_from,
                    steps_to,
                    unless: info.unless,
                });
            }
            chains.start_from.push(chains.starts.len() as u32);
        }
        chains
    }

    /// The variants a match of pattern `p` starts.
    #[inline]
    fn started_by(&self, p: u32) -> &[ChainStart] {
        let p = p as usize;
        match (self.start_from.get(p), self.start_from.get(p + 1)) {
            (Some(&from), Some(&to)) => &self.starts[from as usize..to as usize],
            _ => &[],
        }
    }
}

struct CompiledRule {
    id: String,
    indicator: String,
    /// Index of the indicator, to group spans without comparing strings.
    indicator_ix: u32,
    tier: Tier,
    codes: Vec<String>,
    kinds: Vec<String>,
    facts: Vec<(Fact, String)>,
    subject_under: Option<u8>,
    experiencer: Option<Experiencer>,
    /// How many words from an `unless` match its matches are excepted.
    unless_reach: usize,
    /// Indicators whose presence for the same person drops its hits.
    unless_indicators: Vec<String>,
    /// Whether the rule reads narrative text (has phrase patterns).
    has_phrases: bool,
}

/// The matches starting at tokens `first..=last`, as a range of indices:
/// `match_at` holds the first match at or after each token, and one more
/// entry for the end of the text.
#[inline]
fn starting_within(match_at: &[u32], first: usize, last: usize) -> std::ops::Range<usize> {
    let end = match_at.len() - 1;
    let from = match_at[first.min(end)] as usize;
    let to = match_at[(last + 1).min(end)] as usize;
    from..to.max(from)
}

/// No word of the vocabulary.
const NONE: u32 = 0;

/// What a written word (lower-cased) is to the matcher: the id of its stem
/// among the pattern words, and the id of the word among the context
/// triggers' words (`NONE` for either); and to the context pass, the word
/// lists it is on (a bit each, [`WordList`]), as an index of
/// [`Detector::list_sets`]. (Eight bytes, so that the lexicon's table
/// stays small enough for the cache.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Entry {
    word: u32,
    surf: u16,
    lists: u16,
}

/// A list of words the context pass asks whether a token is one of
/// ([`Text::word_is`], without regard to ASCII case). Each list has a bit,
/// carried by the lexicon entry of each of its words ([`Entry::lists`]):
/// a token read through the lexicon knows every list it is on, and asking
/// costs one AND instead of a comparison with each word of the list (the
/// context pass asks hundreds of times per narrative).
#[derive(Debug, Clone, Copy)]
struct WordList {
    bit: u64,
    words: &'static [&'static str],
}

impl WordList {
    /// List number `index`, below 63 (bit 63 is [`WRITTEN_OTHERWISE`]);
    /// every list is one of [`CONTEXT_WORD_LISTS`].
    const fn new(index: u32, words: &'static [&'static str]) -> WordList {
        assert!(index < 63, "at most 63 word lists");
        WordList {
            bit: 1 << index,
            words,
        }
    }
}

/// The lists of a token whose written word is not its lexicon form (an
/// apostrophe dropped, a character other than ASCII lower-cased): its word
/// is compared with each word of a list as written.
const WRITTEN_OTHERWISE: u64 = 1 << 63;

/// Written words → entries; words of up to sixteen bytes (nearly all) are keyed by
/// their bytes as a number, which hashes and compares in one step: words of
/// up to eight bytes (most) in a table of their own, whose keys are half
/// the size.
#[derive(Default)]
struct Lexicon {
    short: HashMap<u64, Entry>,
    medium: HashMap<u128, Entry>,
    long: HashMap<Box<str>, Entry>,
}

#[inline]
fn pack(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    if b.len() > 16 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    Some(u128::from_le_bytes(k))
}

impl Lexicon {
    fn insert(&mut self, word: &str, e: Entry) {
        match pack(word) {
            Some(k) if word.len() <= 8 => {
                self.short.insert(k as u64, e);
            }
            Some(k) => {
                self.medium.insert(k, e);
            }
            None => {
                self.long.insert(word.into(), e);
            }
        }
    }

    /// The entry of `word`, whose short key ([`text::Word::short_key`]) may
    /// be known: it is the key of the table of short words.
    #[inline]
    fn get_keyed(&self, word: &str, short_key: Option<u64>) -> Option<Entry> {
        match short_key {
            Some(key) => {
                debug_assert_eq!(Some(u128::from(key)), pack(word));
                self.short.get(&key).copied()
            }
            None => self.get(word),
        }
    }

    #[inline]
    fn get(&self, word: &str) -> Option<Entry> {
        if word.len() <= 8 {
            // The key as `pack` makes it, built without a call to copy.
            let key = word.bytes().rev().fold(0u64, |k, b| k << 8 | u64::from(b));
            return self.short.get(&key).copied();
        }
        match pack(word) {
            Some(k) => self.medium.get(&k).copied(),
            None => self.long.get(word).copied(),
        }
    }
}

/// A word of the text as the matcher sees it.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: u32,
    end: u32,
    sentence: u32,
    word: u32,
    surf: u32,
    /// The word lists it is on ([`Entry::lists`]), or [`WRITTEN_OTHERWISE`].
    lists: u64,
}

/// Word-level multi-pattern matcher: an Aho–Corasick automaton whose
/// alphabet is word ids. Every overlapping match is reported, as a walk
/// from each word would find them. The root's transitions are a table by
/// word id; other states keep their few transitions sorted, and each state
/// lists every pattern that ends there (its own and its failure chain's),
/// so a word costs one look-up, rarely a few. (A byte-level DFA over the
/// words written as bytes took 77 MB: each word cost two transitions that
/// mostly missed the cache, and evicted what the later steps needed.)
#[derive(Default)]
struct WordMatcher {
    /// Pattern sequences, in index order.
    patterns: Vec<Vec<u32>>,
    index: HashMap<Vec<u32>, usize>,
    automaton: WordAutomaton,
    /// The largest word id in any pattern.
    max_id: u32,
}

/// The states of a [`WordMatcher`]; state 0 is the root.
#[derive(Default)]
struct WordAutomaton {
    /// The root's transitions by word id (0: no pattern starts with it).
    root: Vec<u32>,
    states: Vec<WordState>,
    /// Every state's transitions, as (word, next state) sorted by word.
    edges: Vec<(u32, u32)>,
    /// Every state's outputs: a pattern ending there and its length in
    /// words, as `pattern << 8 | words`.
    outputs: Vec<u32>,
}

/// A state of a [`WordAutomaton`], its fields side by side so that a step
/// reads them from one cache line.
#[derive(Debug, Clone, Copy, Default)]
struct WordState {
    /// The words of its transitions as 64 bits (word `w` sets bit
    /// `w % 64`): most words are no transition of the state they meet,
    /// and are turned to the failure transition on one AND.
    edge_words: u64,
    /// Its transitions: `edges[edges_from..edges_from + edges_len]`.
    edges_from: u32,
    edges_len: u32,
    /// The state of its longest proper suffix that is a prefix of some
    /// pattern.
    fail: u32,
    /// The patterns ending here, its own and its failure chain's:
    /// `outputs[outputs_from..outputs_from + outputs_len]`.
    outputs_from: u32,
    outputs_len: u32,
}

impl WordAutomaton {
    /// Builds the automaton of `patterns` (no pattern empty or longer than
    /// 255 words, no word 0, fewer than 2^24 patterns).
    fn new(patterns: &[Vec<u32>], max_id: u32) -> WordAutomaton {
        // The trie: children by (state, word), and each state's own
        // patterns.
        let mut goto: HashMap<(u32, u32), u32> = HashMap::default();
        let mut children: Vec<Vec<(u32, u32)>> = vec![Vec::new()];
        let mut own: Vec<Vec<u32>> = vec![Vec::new()];
        for (p, seq) in patterns.iter().enumerate() {
            let mut state = 0u32;
            for &w in seq {
                state = match goto.get(&(state, w)) {
                    Some(&next) => next,
                    None => {
                        let next = children.len() as u32;
                        goto.insert((state, w), next);
                        children[state as usize].push((w, next));
                        children.push(Vec::new());
                        own.push(Vec::new());
                        next
                    }
                };
            }
            own[state as usize].push(p as u32);
        }
        let n = children.len();
        // Failure transitions and complete outputs, breadth first (a
        // state's failure is shallower, so done before it).
        let mut fail = vec![0u32; n];
        let mut outputs_of: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut queue = std::collections::VecDeque::new();
        for &(_, child) in &children[0] {
            outputs_of[child as usize] = own[child as usize].clone();
            queue.push_back(child);
        }
        while let Some(state) = queue.pop_front() {
            for &(w, child) in &children[state as usize] {
                let mut f = fail[state as usize];
                let child_fail = loop {
                    if let Some(&next) = goto.get(&(f, w)) {
                        break next;
                    }
                    if f == 0 {
                        break 0;
                    }
                    f = fail[f as usize];
                };
                fail[child as usize] = child_fail;
                let mut out = own[child as usize].clone();
                out.extend_from_slice(&outputs_of[child_fail as usize]);
                outputs_of[child as usize] = out;
                queue.push_back(child);
            }
        }
        let mut automaton = WordAutomaton {
            root: vec![0; max_id as usize + 1],
            ..WordAutomaton::default()
        };
        for &(w, child) in &children[0] {
            automaton.root[w as usize] = child;
        }
        for (state, mut edges) in children.into_iter().enumerate() {
            let edges_from = automaton.edges.len() as u32;
            if state != 0 {
                edges.sort_unstable();
                automaton.edges.extend_from_slice(&edges);
            }
            let outputs_from = automaton.outputs.len() as u32;
            automaton.outputs.extend(
                outputs_of[state]
                    .iter()
                    .map(|&p| p << 8 | patterns[p as usize].len() as u32),
            );
            automaton.states.push(WordState {
                edge_words: automaton.edges[edges_from as usize..]
                    .iter()
                    .fold(0, |bits, &(w, _)| bits | 1u64 << (w % 64)),
                edges_from,
                edges_len: automaton.edges.len() as u32 - edges_from,
                fail: fail[state],
                outputs_from,
                outputs_len: automaton.outputs.len() as u32 - outputs_from,
            });
        }
        automaton
    }

    /// The state after reading word `w` (a pattern word) in state `state`.
    #[inline]
    fn next(&self, mut state: u32, w: u32) -> u32 {
        loop {
            if state == 0 {
                return self.root.get(w as usize).copied().unwrap_or(0);
            }
            let s = &self.states[state as usize];
            if s.edge_words & 1u64 << (w % 64) == 0 {
                state = s.fail;
                continue;
            }
            let edges = &self.edges[s.edges_from as usize..(s.edges_from + s.edges_len) as usize];
            // (A state after a common first word has hundreds of edges;
            // most have a few, read in order.)
            let next = if edges.len() <= 8 {
                edges
                    .iter()
                    .find(|&&(word, _)| word == w)
                    .map(|&(_, next)| next)
            } else {
                edges
                    .binary_search_by_key(&w, |&(word, _)| word)
                    .ok()
                    .map(|i| edges[i].1)
            };
            if let Some(next) = next {
                return next;
            }
            state = s.fail;
        }
    }

    /// The patterns ending at `state`, as `pattern << 8 | words`.
    #[inline]
    fn outputs(&self, state: u32) -> &[u32] {
        let s = &self.states[state as usize];
        &self.outputs[s.outputs_from as usize..(s.outputs_from + s.outputs_len) as usize]
    }
}

/// A match of the word matcher packed so that matches sort in text order
/// as plain numbers: first token (32 bits), length in words (8), pattern
/// (24).
type WordMatch = u64;

/// Most patterns the matcher packs into a [`WordMatch`].
const MAX_PATTERNS: usize = 1 << 24;

thread_local! {
    /// The matches of the narrative being matched (reused from one
    /// narrative to the next).
    static FOUND: std::cell::RefCell<Vec<WordMatch>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl WordMatcher {
    fn new() -> WordMatcher {
        WordMatcher::default()
    }

    /// Adds a pattern (a sequence of word ids); returns its index, the
    /// same for the same sequence. [`WordMatcher::build`] must follow.
    fn insert(&mut self, seq: &[u32], patterns: &mut usize) -> usize {
        if let Some(&i) = self.index.get(seq) {
            return i;
        }
        let i = self.patterns.len();
        self.patterns.push(seq.to_vec());
        self.index.insert(seq.to_vec(), i);
        *patterns = self.patterns.len();
        i
    }

    /// Builds the automaton over every pattern added.
    fn build(&mut self) -> Result<(), String> {
        self.max_id = self.patterns.iter().flatten().copied().max().unwrap_or(0);
        if self.patterns.len() > MAX_PATTERNS {
            return Err(format!("{} patterns are too many", self.patterns.len()));
        }
        // (Each match packs its pattern in 24 bits and length in 8.)
        for seq in &self.patterns {
            if seq.is_empty() || seq.len() > 255 {
                return Err(format!("a pattern of {} words", seq.len()));
            }
        }
        if self.patterns.iter().flatten().any(|&w| w == NONE) {
            return Err("a pattern word without an id".into());
        }
        self.automaton = WordAutomaton::new(&self.patterns, self.max_id);
        Ok(())
    }

    /// Every match in the tokens, within a sentence: (pattern, first
    /// token, length), in text order (by first token, then length).
    fn find(
        &self,
        toks: &[Tok],
        id: impl Fn(&Tok) -> u32,
        mut on: impl FnMut(usize, usize, usize),
    ) {
        FOUND.with_borrow_mut(|found| {
            found.clear();
            let mut state = 0u32;
            for (i, t) in toks.iter().enumerate() {
                let w = id(t);
                // No pattern holds a word outside the vocabulary, nor spans
                // two sentences: the walk starts again after either.
                if w == NONE || w > self.max_id {
                    state = 0;
                    continue;
                }
                if i > 0 && toks[i - 1].sentence != t.sentence {
                    state = 0;
                }
                state = self.automaton.next(state, w);
                for &output in self.automaton.outputs(state) {
                    let (pattern, words) = (output >> 8, u64::from(output & 0xff));
                    // The words of a match are consecutive tokens ending
                    // with this one.
                    let first = i as u64 + 1 - words;
                    // Kept in order as they come (by first token, length,
                    // pattern): a match ending here goes before the few
                    // shorter ones that start after it.
                    let m = first << 32 | words << 24 | u64::from(pattern);
                    let mut at = found.len();
                    while at > 0 && found[at - 1] > m {
                        at -= 1;
                    }
                    found.insert(at, m);
                }
            }
            for &m in found.iter() {
                let (first, words, pattern) = (m >> 32, (m >> 24) & 0xff, m & 0xff_ffff);
                on(pattern as usize, first as usize, words as usize);
            }
        });
    }
}

/// The context triggers by their first written word: a few hundred short
/// phrases over a vocabulary of their own, so most words of a text are no
/// trigger's first word and cost one comparison. (A second automaton pass
/// over the text cost 15% of detection.)
#[derive(Default)]
struct TriggerTable {
    /// Written-word id → the triggers starting with it: their other words
    /// and their index, shortest first (while the table is built).
    by_first: Vec<Vec<(Box<[u32]>, usize)>>,
    index: HashMap<Vec<u32>, usize>,
    /// The same, laid out flat by [`TriggerTable::finish`] for reading:
    /// the triggers starting with word `w` are
    /// `entries[first_from[w]..first_from[w + 1]]`, each (its other words
    /// as a range of `rests`, its index).
    first_from: Vec<u32>,
    entries: Vec<(u32, u32, u32)>,
    rests: Vec<u32>,
}

impl TriggerTable {
    /// Adds a trigger phrase; returns its index, the same for the same
    /// words.
    fn insert(&mut self, seq: &[u32]) -> usize {
        if let Some(&i) = self.index.get(seq) {
            return i;
        }
        let i = self.index.len();
        self.index.insert(seq.to_vec(), i);
        let Some((&first, rest)) = seq.split_first() else {
            return i;
        };
        let first = first as usize;
        if self.by_first.len() <= first {
            self.by_first.resize(first + 1, Vec::new());
        }
        let list = &mut self.by_first[first];
        list.push((rest.into(), i));
        list.sort_by_key(|(rest, i)| (rest.len(), *i));
        i
    }

    /// Lays the triggers out flat for [`TriggerTable::find`], once every
    /// one is inserted.
    fn finish(&mut self) {
        self.first_from = vec![0];
        self.entries.clear();
        self.rests.clear();
        for list in &self.by_first {
            for (rest, trigger) in list {
                let from = self.rests.len() as u32;
                self.rests.extend_from_slice(rest);
                self.entries
                    .push((from, self.rests.len() as u32, *trigger as u32));
            }
            self.first_from.push(self.entries.len() as u32);
        }
    }

    /// Every trigger in the tokens, within a sentence: (trigger, first
    /// token, length), in text order (by first token, then length).
    fn find(&self, toks: &[Tok], mut on: impl FnMut(usize, usize, usize)) {
        for (i, t) in toks.iter().enumerate() {
            let w = t.surf as usize;
            let (Some(&from), Some(&to)) = (self.first_from.get(w), self.first_from.get(w + 1))
            else {
                continue;
            };
            for &(rest_from, rest_to, trigger) in &self.entries[from as usize..to as usize] {
                let rest = &self.rests[rest_from as usize..rest_to as usize];
                let end = i + 1 + rest.len();
                let Some(following) = toks.get(i + 1..end) else {
                    continue;
                };
                if following
                    .iter()
                    .zip(rest.iter())
                    .all(|(t2, &w)| t2.surf == w && t2.sentence == t.sentence)
                {
                    on(trigger as usize, i, end - i);
                }
            }
        }
    }
}

pub struct Detector {
    /// Tells detectors apart in per-thread caches.
    id: u64,
    /// Every segment of every phrase, over stem ids.
    automaton: WordMatcher,
    /// Every context trigger, over written-word ids.
    trigger_table: TriggerTable,
    trigger_kinds: Vec<Vec<Trigger>>,
    /// Pattern → the variants whose first segment it is, and their later
    /// segments.
    chains: Chains,
    rules: Vec<CompiledRule>,
    stemmer: rust_stemmers::Stemmer,
    /// Written forms known at compile time: every inflection of every
    /// pattern word that stems to it, and every trigger word.
    lexicon: Lexicon,
    /// The sets of word lists lexicon entries are on ([`Entry::lists`]
    /// indexes it; 0, the empty set, first).
    list_sets: Vec<u64>,
    /// Pattern stems → ids.
    stems: HashMap<String, u32>,
    /// Pattern stems, for spelling tolerance: deletion variants → ids.
    typo_index: HashMap<String, Vec<u32>>,
    /// Pattern stems by id.
    stem_names: Vec<String>,
    /// Ids of `#` (a number), `#a` (18 to 99), `#t` (a clock time) and
    /// `#n` (a clock time at night, 22:00 to 05:59).
    numbers: [u32; 4],
    /// Written-word ids of the subject's possible pronouns.
    pronouns: [u32; 7],
    pub name: String,
    pub version: String,
    /// A digest of the whole rule set as compiled: stored detections are
    /// recomputed when it changes, even when an edited file keeps its
    /// version.
    pub fingerprint: String,
    /// The matcher's ids of the [`FAMILY`] words.
    family_words: Vec<u32>,
    /// The rule an older partner found by the age gap is reported under
    /// (the first H2 rule with phrases).
    older_partner_rule: Option<usize>,
    /// The matcher's ids of the words for a partner ("boyfriend"...).
    partner_words: Vec<u32>,
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

/// Whether `written` looks like a slip of the keyboard for `stem` (one edit
/// apart): two neighbouring letters swapped ("boyfreind"), or a letter
/// dropped or doubled inside the word ("collcted", "misssing"). A letter
/// changed for another, or one added or dropped at either end, usually
/// makes another real word ("remind" for "remand", "traffic" for
/// "traffick"), so those are not read as the pattern word.
fn typo_of(written: &str, stem: &str) -> bool {
    let a: Vec<char> = written.chars().collect();
    let b: Vec<char> = stem.chars().collect();
    if a.len() == b.len() {
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        return diff.len() == 2
            && diff[1] == diff[0] + 1
            && a[diff[0]] == b[diff[1]]
            && a[diff[1]] == b[diff[0]];
    }
    let (long, short) = if a.len() > b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() != short.len() + 1 {
        return false;
    }
    // The first position where they differ is the extra letter.
    let at = (0..short.len())
        .find(|&i| long[i] != short[i])
        .unwrap_or(short.len());
    at > 0 && at < short.len() && long[at + 1..] == short[at..]
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

/// Written forms that may stem like `base`: inflections and common
/// derivations (the stemmer decides which really do).
fn inflections(base: &str) -> Vec<String> {
    const SUFFIXES: &[&str] = &[
        "", "s", "es", "ed", "d", "ing", "er", "ers", "est", "ly", "y", "ies", "ied", "ying", "e",
        "al", "ment", "ments", "ness", "ful", "ion", "ions", "ive", "ous", "ity",
    ];
    let mut bases = vec![base.to_string()];
    if let Some(b) = base.strip_suffix('e') {
        bases.push(b.to_string());
    }
    if let Some(b) = base.strip_suffix('y').or_else(|| base.strip_suffix('i')) {
        bases.push(format!("{b}i"));
        bases.push(format!("{b}y"));
    }
    if let Some(last) = base.chars().last()
        && last.is_ascii_alphabetic()
        && !"aeiouwxy".contains(last)
    {
        bases.push(format!("{base}{last}"));
    }
    let mut out = Vec::new();
    for b in &bases {
        for s in SUFFIXES {
            out.push(format!("{b}{s}"));
        }
    }
    out
}

/// Buffers of one narrative's detection, kept for the next.
#[derive(Default)]
struct Scratch {
    toks: Vec<Tok>,
    buf: String,
    /// Pattern matches in text order: (pattern, first token, length).
    matches: Vec<(u32, u32, u32)>,
    /// Context triggers: (kind, first token, end token).
    triggers: Vec<(Trigger, usize, usize)>,
    /// Complete phrase matches: (rule, first token, end token, its gaps in
    /// `gap_list`).
    spans: Vec<(usize, usize, usize, u32, u32)>,
    /// The words a span skips between its segments (`*`, `~`).
    gap_list: Vec<(usize, usize)>,
    /// Exceptions (`unless`) matched: (rule, first token, end token).
    excepted: Vec<(usize, usize, usize)>,
    /// Hits kept so far, in order: (indicator, first token, end token,
    /// about someone else).
    kept: Vec<(u32, usize, usize, bool)>,
    /// Index of the first match at or after each token.
    match_at: Vec<u32>,
    /// The end token of each token's sentence.
    sentence_end: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

thread_local! {
    /// Words met on this thread that the lexicon does not know: their stem
    /// ids (for one detector at a time).
    static UNKNOWN: std::cell::RefCell<(u64, HashMap<u128, u32>)> =
        std::cell::RefCell::new((0, HashMap::default()));
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
        let indicator_ix: HashMap<&str, u32> = file
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.id.as_str(), i as u32))
            .collect();
        // Pattern words: stems with ids (0 is NONE), and the written forms
        // rule authors used.
        let mut stems: HashMap<String, u32> = HashMap::default();
        let mut written: Vec<(String, u32)> = Vec::new();
        let stem_id = |stem: &str, stems: &mut HashMap<String, u32>| -> u32 {
            let next = stems.len() as u32 + 1;
            *stems.entry(stem.to_string()).or_insert(next)
        };
        let numbers = [
            stem_id("#", &mut stems),
            stem_id("#a", &mut stems),
            stem_id("#t", &mut stems),
            stem_id("#n", &mut stems),
        ];
        // A pattern word → the ids a token may have to match it (`#` is any
        // number).
        let word_ids = |w: &str,
                        stems: &mut HashMap<String, u32>,
                        written: &mut Vec<(String, u32)>|
         -> Vec<Vec<u32>> {
            match w {
                "#" => vec![numbers.to_vec()],
                "#a" => vec![vec![numbers[1]]],
                "#t" => vec![vec![numbers[2], numbers[3]]],
                "#n" => vec![vec![numbers[3]]],
                _ => text::prepare(&stemmer, w)
                    .tokens
                    .iter()
                    .map(|t| {
                        let id = stem_id(&t.norm, stems);
                        written.push((t.lower.to_string(), id));
                        // A child's own words, quoted: "he took me to",
                        // "they pick us up", "I owe them".
                        let mut ids = vec![id];
                        for &first in first_person(&t.lower) {
                            for f in text::prepare(&stemmer, first).tokens.iter() {
                                let fid = stem_id(&f.norm, stems);
                                written.push((f.lower.to_string(), fid));
                                if !ids.contains(&fid) {
                                    ids.push(fid);
                                }
                            }
                        }
                        ids
                    })
                    .collect(),
            }
        };
        // Words the context needs by id, made part of the vocabulary.
        let family_words: Vec<u32> = FAMILY
            .iter()
            .flat_map(|w| word_ids(w, &mut stems, &mut written))
            .flatten()
            .collect();
        let mut automaton = WordMatcher::new();
        let mut n_patterns = 0usize;
        let mut targets: Vec<Vec<Target>> = Vec::new();
        let mut variants = Vec::new();
        let mut rules_out = Vec::new();
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
                    let v = variants.len() as u32;
                    let mut gaps = Vec::new();
                    for (s, (gap, alternatives)) in shape.iter().enumerate() {
                        gaps.push(*gap);
                        for words in alternatives {
                            // Each word: the ids that match it; expand.
                            let mut seqs: Vec<Vec<u32>> = vec![Vec::new()];
                            for w in words {
                                for options in word_ids(w, &mut stems, &mut written) {
                                    seqs = seqs
                                        .iter()
                                        .flat_map(|q| {
                                            options.iter().map(move |o| {
                                                let mut q = q.clone();
                                                q.push(*o);
                                                q
                                            })
                                        })
                                        .collect();
                                }
                            }
                            for seq in seqs.into_iter().filter(|q| !q.is_empty()) {
                                let id = automaton.insert(&seq, &mut n_patterns);
                                if id == targets.len() {
                                    targets.push(Vec::new());
                                }
                                let target = Target {
                                    variant: v,
                                    segment: s as u32,
                                };
                                if !targets[id].contains(&target) {
                                    targets[id].push(target);
                                }
                            }
                        }
                    }
                    variants.push(VariantInfo {
                        rule: r,
                        segments: Vec::new(),
                        gaps,
                        unless,
                    });
                }
            }
            rules_out.push(CompiledRule {
                id: rule.id.clone(),
                indicator: rule.indicator.clone(),
                indicator_ix: indicator_ix
                    .get(rule.indicator.as_str())
                    .copied()
                    .unwrap_or(u32::MAX),
                tier,
                codes: rule.codes.iter().map(|c| c.to_ascii_lowercase()).collect(),
                kinds: rule.kinds.clone(),
                facts: rule
                    .facts
                    .iter()
                    .filter_map(|f| rules::parse_fact(f).map(|x| (x, f.clone())))
                    .collect(),
                subject_under: rule.subject_under,
                unless_reach: rule.unless_reach.unwrap_or(UNLESS_REACH),
                unless_indicators: rule.unless_indicators.clone(),
                has_phrases: !rule.phrases.is_empty(),
                experiencer: match rule.experiencer.as_deref() {
                    Some("subject") => Some(Experiencer::Subject),
                    Some("other") => Some(Experiencer::Other),
                    _ => None,
                },
            });
        }
        let mut stem_names = vec![String::new(); stems.len() + 1];
        for (w, &id) in &stems {
            if let Some(slot) = stem_names.get_mut(id as usize) {
                *slot = w.clone();
            }
        }
        let mut typo_index: HashMap<String, Vec<u32>> = HashMap::default();
        for (w, &id) in &stems {
            if w.chars().count() >= 6 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                for d in deletions(w) {
                    typo_index.entry(d).or_default().push(id);
                }
                typo_index.entry(w.clone()).or_default().push(id);
            }
        }
        // Context triggers match written words, not stems: "reported" is
        // not "reportedly", nor "the suspect" "suspected".
        let mut surfaces: HashMap<String, u32> = HashMap::default();
        // The pronouns that tell whom a narrative is about, as written words.
        let mut pronouns = [NONE; 7];
        for (i, w) in ["she", "her", "herself", "he", "him", "his", "himself"]
            .iter()
            .enumerate()
        {
            let next = surfaces.len() as u32 + 1;
            pronouns[i] = *surfaces.entry(w.to_string()).or_insert(next);
        }
        let mut trigger_table = TriggerTable::default();
        let mut trigger_kinds: Vec<Vec<Trigger>> = Vec::new();
        for (trigger, phrases) in TRIGGERS {
            for p in *phrases {
                let mut key = Vec::new();
                for t in text::prepare(&stemmer, p).tokens {
                    let next = surfaces.len() as u32 + 1;
                    key.push(*surfaces.entry(t.lower.to_string()).or_insert(next));
                }
                let i = trigger_table.insert(&key);
                if i == trigger_kinds.len() {
                    trigger_kinds.push(Vec::new());
                }
                if !trigger_kinds[i].contains(trigger) {
                    trigger_kinds[i].push(*trigger);
                }
            }
        }
        trigger_table.finish();
        // Index the targets: first segments by pattern, later segments by
        // variant.
        let mut starts: Vec<Vec<u32>> = vec![Vec::new(); targets.len()];
        for (p, ts) in targets.iter().enumerate() {
            for t in ts {
                let info: &mut VariantInfo = &mut variants[t.variant as usize];
                if t.segment == 0 {
                    starts[p].push(t.variant);
                } else {
                    let s = t.segment as usize - 1;
                    if info.segments.len() <= s {
                        info.segments.resize(s + 1, Vec::new());
                    }
                    info.segments[s].push(p as u32);
                }
            }
        }
        for info in &mut variants {
            info.segments
                .resize(info.gaps.len().saturating_sub(1), Vec::new());
            for patterns in &mut info.segments {
                patterns.sort_unstable();
                patterns.dedup();
            }
        }
        let chains = Chains::new(&variants, &starts);
        automaton
            .build()
            .map_err(|e| format!("cannot build the phrase automaton: {e}"))?;
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut detector = Detector {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            automaton,
            trigger_table,
            trigger_kinds,
            chains,
            rules: rules_out,
            stemmer,
            lexicon: Lexicon::default(),
            list_sets: vec![0],
            stems,
            typo_index,
            stem_names,
            numbers,
            pronouns,
            name: file.name.clone(),
            version: file.version.clone(),
            fingerprint: file.fingerprint(),
            family_words,
            older_partner_rule: None,
            partner_words: Vec::new(),
            tiers,
        };
        detector.older_partner_rule = detector
            .rules
            .iter()
            .position(|r| r.indicator == "H2" && r.has_phrases);
        // The lexicon: the written forms of pattern words and their
        // inflections that stem the same, and the trigger words, each
        // with both its ids, so that most words of a text are read with one
        // look-up and no stemming.
        // Generated forms of seven bytes or more are left to the per-thread
        // cache of words met (they are read exactly by stemming there):
        // this keeps the lexicon small enough to stay in cache.
        let mut forms: Vec<String> = surfaces.keys().cloned().collect();
        let mut stem_of: HashMap<u32, &str> = HashMap::default();
        for (stem, id) in &detector.stems {
            stem_of.insert(*id, stem);
        }
        let short = |f: &String| f.len() < 7;
        // (Each pattern word was recorded at each use.)
        written.sort_unstable();
        written.dedup();
        for (w, id) in &written {
            forms.push(w.clone());
            let stem = stem_of.get(id).copied().unwrap_or_default();
            forms.extend(inflections(w).into_iter().filter(short));
            forms.extend(inflections(stem).into_iter().filter(short));
        }
        forms.sort_unstable();
        forms.dedup();
        // (Trigger words are a few hundred: their ids fit in an entry's
        // sixteen bits.)
        let surface = |w: &str| -> Result<u16, String> {
            let id = surfaces.get(w).copied().unwrap_or(NONE);
            u16::try_from(id).map_err(|_| format!("{} trigger words are too many", surfaces.len()))
        };
        for form in forms {
            if form.is_empty() || form.bytes().all(|b| b.is_ascii_digit() || b == b':') {
                continue;
            }
            let word = detector.word_of(&form);
            let surf = surface(&form)?;
            if word != NONE || surf != 0 {
                detector.lexicon.insert(
                    &form,
                    Entry {
                        word,
                        surf,
                        lists: 0,
                    },
                );
            }
        }
        // An adult's age written out ("nineteen and has his own car", "he's
        // like twenty-something") is `#a` as "19" is: in the lexicon, so
        // reading a word costs no extra check.
        for age in SPELLED_ADULT_AGES {
            let surf = surface(age)?;
            let word = detector.numbers[1];
            detector.lexicon.insert(
                age,
                Entry {
                    word,
                    surf,
                    lists: 0,
                },
            );
        }
        // Everyday words for a man, as members of the public write them
        // ("a bloke, twenties", "older fellas"), read as the pattern words.
        for (colloquial, standard) in COLLOQUIAL {
            let word = detector.word_of(standard);
            let surf = surface(standard)?;
            if word != NONE || surf != 0 {
                detector.lexicon.insert(
                    colloquial,
                    Entry {
                        word,
                        surf,
                        lists: 0,
                    },
                );
            }
        }
        // The context's word lists, marked on the entries of their words
        // (a word not read otherwise gets the entry it is read as without
        // one). A word with an apostrophe is never a lexicon form: a token
        // written so is compared as written.
        let mut lists_of_word: std::collections::BTreeMap<String, u64> = Default::default();
        for list in CONTEXT_WORD_LISTS {
            for word in list.words.iter().filter(|w| !w.contains('\'')) {
                *lists_of_word.entry(word.to_ascii_lowercase()).or_default() |= list.bit;
            }
        }
        for (word, lists) in lists_of_word {
            let set = match detector.list_sets.iter().position(|&l| l == lists) {
                Some(set) => set,
                None => {
                    detector.list_sets.push(lists);
                    detector.list_sets.len() - 1
                }
            };
            let mut e = detector.entry(&word);
            e.lists = u16::try_from(set).map_err(|_| "too many sets of word lists".to_string())?;
            detector.lexicon.insert(&word, e);
        }
        detector.partner_words = PARTNER_WORDS
            .iter()
            .map(|w| detector.entry(w).word)
            .filter(|&id| id != NONE)
            .collect();
        Ok(detector)
    }

    /// The tier and weight of an indicator.
    pub fn tier_of(&self, indicator: &str) -> Option<(Tier, f64)> {
        self.tiers.get(indicator).copied()
    }

    /// The pattern-word id of a lower-cased written word, by stemming it;
    /// a word of seven letters or more not among the pattern words but one
    /// edit away from exactly one of six letters or more is read as that
    /// word (spelling tolerance).
    fn word_of(&self, lower: &str) -> u32 {
        let norm = text::normalise_word(&self.stemmer, lower);
        if let Some(&id) = self.stems.get(&*norm) {
            return id;
        }
        if lower.chars().count() < 7 || !norm.chars().all(|c| c.is_ascii_alphabetic()) {
            return NONE;
        }
        let mut found: Option<u32> = None;
        let mut probe = |key: &str| -> bool {
            if let Some(ids) = self.typo_index.get(key) {
                for &w in ids {
                    match found {
                        None => found = Some(w),
                        Some(f) if f == w => {}
                        Some(_) => return false,
                    }
                }
            }
            true
        };
        if !probe(&norm) {
            return NONE;
        }
        for d in deletions(&norm) {
            if !probe(&d) {
                return NONE;
            }
        }
        match found {
            Some(id)
                if self
                    .stem_names
                    .get(id as usize)
                    .is_some_and(|stem| typo_of(&norm, stem)) =>
            {
                id
            }
            _ => NONE,
        }
    }

    /// The word lists word `w` of a text is on, by its lexicon entry `e`:
    /// the entry's when the written word is its lexicon form ("plain"),
    /// else [`WRITTEN_OTHERWISE`].
    #[inline]
    fn lists_of(&self, w: &text::Word<'_>, e: Entry) -> u64 {
        if w.plain {
            self.list_sets[usize::from(e.lists)]
        } else {
            WRITTEN_OTHERWISE
        }
    }

    /// What a written word is to the matcher.
    #[inline]
    fn entry(&self, lower: &str) -> Entry {
        self.entry_keyed(lower, None)
    }

    /// [`Detector::entry`], with the word's short key when the scanner
    /// read it ([`text::Word::short_key`]).
    #[inline]
    fn entry_keyed(&self, lower: &str, short_key: Option<u64>) -> Entry {
        let bytes = lower.as_bytes();
        if bytes.first().is_some_and(u8::is_ascii_digit)
            && bytes.iter().all(|b| b.is_ascii_digit() || *b == b':')
        {
            // Numbers that could be an adult's age are told apart, so that
            // "boyfriend aged 24" can be written `boyfriend aged #a`.
            let word = if let Some(colon) = bytes.iter().position(|&b| b == b':') {
                match lower[..colon].parse::<u32>() {
                    Ok(h) if h >= 22 || h <= 5 => self.numbers[3],
                    _ => self.numbers[2],
                }
            } else {
                match lower.parse::<u32>() {
                    Ok(n) if (18..=99).contains(&n) => self.numbers[1],
                    // Police logs write the 24-hour clock without a colon
                    // ("came in at 0300", "2140 hrs"); 2000 to 2059 are
                    // more often years.
                    Ok(n)
                        if bytes.len() == 4
                            && n / 100 <= 23
                            && n % 100 <= 59
                            && !(2000..=2059).contains(&n) =>
                    {
                        if n / 100 >= 22 || n / 100 <= 5 {
                            self.numbers[3]
                        } else {
                            self.numbers[2]
                        }
                    }
                    _ => self.numbers[0],
                }
            };
            return Entry {
                word,
                ..Entry::default()
            };
        }
        // "2am", "11pm": a clock time, at night or not.
        if bytes.first().is_some_and(u8::is_ascii_digit)
            && let Some(night) = text::am_pm_is_night(lower)
        {
            let word = if night {
                self.numbers[3]
            } else {
                self.numbers[2]
            };
            return Entry {
                word,
                ..Entry::default()
            };
        }
        if let Some(e) = self.lexicon.get_keyed(lower, short_key) {
            return e;
        }
        // Short words not in the lexicon are no pattern's: their
        // inflections are all there. Longer ones may be a derivation the
        // lexicon lacks, or misspelt.
        if lower.len() < 7 {
            return Entry::default();
        }
        let word = UNKNOWN.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.0 != self.id {
                cache.0 = self.id;
                cache.1.clear();
            }
            let Some(key) = pack(lower) else {
                return self.word_of(lower);
            };
            if let Some(&w) = cache.1.get(&key) {
                return w;
            }
            let w = self.word_of(lower);
            if cache.1.len() >= 200_000 {
                cache.1.clear();
            }
            cache.1.insert(key, w);
            w
        });
        Entry {
            word,
            ..Entry::default()
        }
    }

    /// Finds indicators in a narrative. `facts` adds structured triggers
    /// when the text comes from a report.
    pub fn detect(&self, narrative: &str, facts: Option<&ReportFacts>) -> Vec<Hit> {
        let mut hits = self.text_hits(narrative, facts);
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

    fn text_hits(&self, narrative: &str, facts: Option<&ReportFacts>) -> Vec<Hit> {
        // Buffers reused from one narrative to the next on this thread.
        let mut scratch = SCRATCH.with(std::cell::Cell::take);
        let hits = self.text_hits_in(narrative, facts, &mut scratch);
        SCRATCH.with(|s| s.set(scratch));
        hits
    }

    fn text_hits_in(
        &self,
        narrative: &str,
        facts: Option<&ReportFacts>,
        scratch: &mut Scratch,
    ) -> Vec<Hit> {
        let Scratch {
            toks,
            buf,
            matches,
            triggers,
            spans,
            gap_list,
            excepted,
            kept,
            match_at,
            sentence_end,
        } = scratch;
        toks.clear();
        matches.clear();
        triggers.clear();
        let sentences = text::scan(narrative, buf, |w| {
            let mut e = self.entry_keyed(w.lower, w.short_key);
            let lists = self.lists_of(&w, e);
            // A log line's time stamp ("0015: girl came to reception") or a
            // reference number ("IR-2231") is when the record was written
            // or what it is called, not when the child was out: a number.
            let bytes = narrative.as_bytes();
            if w.lower.bytes().all(|b| b.is_ascii_digit() || b == b':') {
                let stamp = bytes.get(w.end) == Some(&b':')
                    && bytes.get(w.end + 1).is_none_or(|b| b.is_ascii_whitespace())
                    && toks
                        .last()
                        .is_none_or(|p: &Tok| p.sentence as usize != w.sentence);
                let reference = w.start >= 2
                    && bytes[w.start - 1] == b'-'
                    && bytes[w.start - 2].is_ascii_alphabetic();
                if stamp || reference {
                    e = Entry {
                        word: self.numbers[0],
                        ..Entry::default()
                    };
                }
            }
            // "14 Elm Close", "Sycamore Close": a street, not "closed".
            if w.lower == "close"
                && narrative.as_bytes().get(w.start) == Some(&b'C')
                && toks.last().is_some_and(|p: &Tok| {
                    p.sentence as usize == w.sentence
                        && narrative
                            .as_bytes()
                            .get(p.start as usize)
                            .is_some_and(u8::is_ascii_uppercase)
                })
            {
                e.word = NONE;
            }
            toks.push(Tok {
                start: w.start as u32,
                end: w.end as u32,
                sentence: w.sentence as u32,
                word: e.word,
                surf: e.surf.into(),
                lists,
            });
        });
        if toks.is_empty() {
            return Vec::new();
        }
        let toks = &toks[..];
        // Pattern matches: (pattern, first token, length).
        self.automaton.find(
            toks,
            |t| t.word,
            |pattern, first, len| {
                matches.push((pattern as u32, first as u32, len as u32));
            },
        );
        if matches.is_empty() {
            return Vec::new();
        }
        // (In text order: by first token, then length.)
        self.trigger_table.find(toks, |pattern, first, len| {
            for kind in &self.trigger_kinds[pattern] {
                triggers.push((*kind, first, first + len));
            }
        });
        // (Triggers come in text order: by first token, then length.)
        let mut t = Text {
            text: narrative,
            toks,
            female: std::cell::OnceCell::new(),
            pronouns: &self.pronouns,
            other_names: Vec::new(),
            subject_name_cache: std::cell::OnceCell::new(),
            review_start_cache: std::cell::OnceCell::new(),
        };
        t.other_names = t.names_of_others(triggers);
        let t = t;
        spans.clear();
        gap_list.clear();
        excepted.clear();
        kept.clear();
        // The first match at or after each token: how many start before it
        // (matches are in text order), counted by token and summed, without
        // a branch on where each token's matches end.
        match_at.clear();
        match_at.resize(toks.len() + 1, 0);
        for &(_, first, _) in matches.iter() {
            match_at[first as usize + 1] += 1;
        }
        for t in 1..match_at.len() {
            match_at[t] += match_at[t - 1];
        }
        // The end token of each token's sentence: a phrase never leaves
        // its sentence, so a segment is looked for no further.
        sentence_end.clear();
        sentence_end.resize(toks.len(), 0);
        let mut next_sentence_at = toks.len();
        for i in (0..toks.len()).rev() {
            if i + 1 < toks.len() && toks[i + 1].sentence != toks[i].sentence {
                next_sentence_at = i + 1;
            }
            sentence_end[i] = next_sentence_at as u32;
        }
        for &(p, f, len) in matches.iter() {
            let started = self.chains.started_by(p);
            if started.is_empty() {
                continue;
            }
            let f = f as usize;
            // The last token a later segment may start at.
            let last_in_sentence = sentence_end[f] as usize - 1;
            // The filter bits of every match a second segment could be:
            // a variant none of whose second segment's bits is among them
            // cannot go on.
            let after = f + len as usize;
            let reach = (after + self.chains.max_first_gap as usize).min(last_in_sentence);
            let mut window_bloom = 0u64;
            let mut window_filter = PatternFilter::default();
            for &(q, _, _) in &matches[starting_within(match_at, after, reach)] {
                window_bloom |= bloom_bit(q);
                window_filter.add(q);
            }
            for chain in started {
                // (First on the 64 bits the variant carries, then on the
                // 256 of its second segment.)
                if chain.steps_from < chain.steps_to
                    && (chain.first_bloom & window_bloom == 0
                        || !window_filter
                            .meets(&self.chains.steps[chain.steps_from as usize].filter))
                {
                    continue;
                }
                let mut end = after;
                let mut complete = true;
                let gaps_from = gap_list.len();
                let steps = &self.chains.steps[chain.steps_from as usize..chain.steps_to as usize];
                for step in steps {
                    let patterns = &self.chains.step_patterns
                        [step.patterns_from as usize..step.patterns_to as usize];
                    let last_start = (end + step.gap as usize).min(last_in_sentence);
                    // The earliest match of any of the segment's patterns
                    // within the gap (matches are in text order).
                    let best = matches[starting_within(match_at, end, last_start)]
                        .iter()
                        .find(|&&(q, _, _)| {
                            step.filter.may_contain(q) && patterns.binary_search(&q).is_ok()
                        })
                        .map(|&(_, n, l)| (n, l));
                    match best {
                        Some((n, l)) => {
                            if n as usize > end {
                                gap_list.push((end, n as usize));
                            }
                            end = n as usize + l as usize;
                        }
                        None => {
                            complete = false;
                            break;
                        }
                    }
                }
                if !complete {
                    gap_list.truncate(gaps_from);
                    continue;
                }
                let rule = chain.rule as usize;
                if chain.unless {
                    gap_list.truncate(gaps_from);
                    excepted.push((rule, f, end));
                } else {
                    spans.push((rule, f, end, gaps_from as u32, gap_list.len() as u32));
                }
            }
        }
        // A partner whose age, against the child's, makes them older ("her
        // boyfriend, who is 17" about a 12-year-old): the rule's own
        // phrases only know adults' ages.
        if let Some(r) = self.older_partner_rule.filter(|_| {
            // (Most words are ruled out on their bit of the partner
            // words' ids, without the list.)
            let bits = self
                .partner_words
                .iter()
                .fold(0u64, |bits, &w| bits | 1 << (w % 64));
            toks.iter()
                .any(|t| bits & 1 << (t.word % 64) != 0 && self.partner_words.contains(&t.word))
        }) {
            let child_age = facts
                .and_then(|x| x.subject_age)
                .and_then(|a| u8::try_from(a).ok())
                .or_else(|| t.first_child_age());
            if let Some(age) = child_age {
                let at = gap_list.len() as u32;
                for (f, e) in t.older_partners(age, &self.partner_words) {
                    spans.push((r, f, e, at, at));
                }
            }
        }
        // One hit per indicator and span: the longest match wins.
        spans.sort_unstable_by_key(|&(r, f, e, _, _)| {
            (self.rules[r].indicator_ix, f, std::cmp::Reverse(e), r)
        });
        // A negation inside the words a rule matched ("where he had no
        // connections", "had not eaten", "a man mum didn't recognise") is
        // that phrase's meaning: (trigger start, phrase end) of each. It
        // denies neither what follows the phrase nor the words another
        // pattern skipped over it. (Not when it ends the phrase, "due home
        // at 10 and had not", which reaches on; nor in closures and blaming
        // words: "no concerns, closed" is both a closure and a denial.)
        let owned_negations: Vec<(usize, usize)> = triggers
            .iter()
            .filter(|&&(k, _, _)| matches!(k, Trigger::NegatePre | Trigger::NegatePost))
            .filter_map(|&(_, s, e)| {
                spans
                    .iter()
                    .find(|&&(r, f, end, g0, g1)| {
                        f < s
                            && e < end
                            && !RESPONSE_SIGNALS.contains(&self.rules[r].indicator.as_str())
                            && !gap_list[g0 as usize..g1 as usize]
                                .iter()
                                .any(|&(gs, ge)| s < ge && e > gs)
                    })
                    .map(|&(_, _, end, _, _)| (s, end))
            })
            .collect();
        let mut hits: Vec<Hit> = Vec::with_capacity(spans.len());
        // The rule of each hit, in step with `hits`.
        let mut hit_rules: Vec<usize> = Vec::with_capacity(spans.len());
        let mut under: Vec<(u8, bool)> = Vec::new();
        for &(r, f, e, g0, g1) in spans.iter() {
            // An exception reaches the rule's matches in its sentence up
            // to UNLESS_REACH words away: "her boyfriend (24)" is not
            // company kept, but "collected by her boyfriend ... and seen
            // with older men in town" still is.
            let reach = self.rules[r].unless_reach;
            if excepted.iter().any(|&(xr, xf, xe)| {
                xr == r
                    && toks[xf].sentence == toks[f].sentence
                    && xf.saturating_sub(e) <= reach
                    && f.saturating_sub(xe) <= reach
            }) {
                continue;
            }
            let rule = &self.rules[r];
            if kept
                .iter()
                .any(|&(i, kf, ke, _)| i == rule.indicator_ix && f < ke && kf < e)
            {
                continue;
            }
            if let Some(limit) = rule.subject_under {
                let known_young = facts
                    .and_then(|x| x.subject_age)
                    .is_some_and(|a| a < i32::from(limit));
                let says = match under.iter().find(|(l, _)| *l == limit) {
                    Some(&(_, b)) => b,
                    None => {
                        let b = t.says_under(limit);
                        under.push((limit, b));
                        b
                    }
                };
                if !known_young && !says {
                    continue;
                }
            }
            let sentence = toks[f].sentence as usize;
            let gaps = &gap_list[g0 as usize..g1 as usize];
            let mut ctx = t.context(
                (triggers, &owned_negations),
                (f, e, gaps),
                facts
                    .and_then(|x| x.year)
                    .or_else(|| t.review_period_start()),
                &rule.indicator,
            );
            // "mum's partner Steven HOLT arrested at the family home for
            // possession with intent to supply": a second match of the same
            // indicator later in the clause is about the same person.
            if let Some(&(ix, prev_first, prev_end, true)) = kept.last()
                && ix == rule.indicator_ix
                && toks[prev_first].sentence == toks[f].sentence
                && !ctx.other
                && prev_end <= f
                && t.same_clause(triggers, prev_end, f)
            {
                ctx.other = true;
            }
            kept.push((rule.indicator_ix, f, e, ctx.other));
            hit_rules.push(r);
            // A form's question answered no or not known ("Older boyfriend?
            // N", "Missing episodes: None", "Unexplained gifts: not known"):
            // not present.
            if t.form_answer(toks[e - 1].end as usize) == Some(false) {
                ctx.negated = true;
            }
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
                start: Some(toks[f].start as usize),
                end: Some(toks[e - 1].end as usize),
                sentence: text::sentence_text(narrative, sentences[sentence]).to_string(),
                rule: rule.id.clone(),
                evidence: Evidence::Text,
                dated_year: ctx.year,
            });
        }
        // A rule's hits are redundant when an indicator it names is present
        // for the same person ("unless_indicators").
        if hit_rules
            .iter()
            .any(|&r| !self.rules[r].unless_indicators.is_empty())
        {
            let present: Vec<(String, Experiencer)> = hits
                .iter()
                .filter(|h| h.present())
                .map(|h| (h.indicator.clone(), h.experiencer))
                .collect();
            let mut i = 0;
            hits.retain(|h| {
                let rule = &self.rules[hit_rules[i]];
                i += 1;
                !rule
                    .unless_indicators
                    .iter()
                    .any(|x| present.iter().any(|(p, e)| p == x && *e == h.experiencer))
            });
        }
        // A friend or peer the record shows exploited (their own missing
        // episode, older boyfriend, abuse, exploitation) is the subject's
        // H10, whatever words carry it.
        // (Checked in the order of cost: most records have no hit for
        // someone else, so the rule is looked up only when one does.)
        let peer_exploited = hits.iter().find(|h| {
            h.present()
                && h.experiencer == Experiencer::Other
                && PEER_EXPLOITED.contains(&h.indicator.as_str())
                && h.start.is_some_and(|at| t.peer_before(at))
        });
        if let Some(h) = peer_exploited
            && !hits.iter().any(|h| {
                h.indicator == "H10" && h.experiencer == Experiencer::Subject && h.present()
            })
            && let Some(rule) = self.rules.iter().find(|r| r.indicator == "H10")
        {
            let mut derived = h.clone();
            derived.indicator = rule.indicator.clone();
            derived.tier = rule.tier;
            derived.experiencer = Experiencer::Subject;
            derived.rule = rule.id.clone();
            hits.push(derived);
        }
        // "Sophie (14) and her school friend Mia (14) were reported
        // missing": a clause whose subject is the child together with a
        // friend is about both.
        let mut joint: Vec<Hit> = Vec::new();
        for h in hits.iter().filter(|h| h.present()) {
            if RESPONSE_SIGNALS.contains(&h.indicator.as_str()) {
                continue;
            }
            let Some(at) = h.start else { continue };
            let counterpart = match h.experiencer {
                Experiencer::Subject => Experiencer::Other,
                Experiencer::Other => Experiencer::Subject,
            };
            let has =
                |x: &Hit| x.indicator == h.indicator && x.experiencer == counterpart && x.present();
            if !t.joint_subject(at) || hits.iter().any(has) || joint.iter().any(has) {
                continue;
            }
            let mut both = h.clone();
            both.experiencer = counterpart;
            joint.push(both);
        }
        hits.extend(joint);
        // A reported lift or adult company the record then resolves as
        // family is not the indicator.
        let adult_contact = |h: &Hit| {
            (h.indicator == "H3" || h.indicator == "H8")
                && h.experiencer == Experiencer::Subject
                && !h.negated
        };
        if hits.iter().any(adult_contact)
            && let Some(resolved_at) = t.resolved_as_family(&self.family_words)
        {
            for h in hits.iter_mut() {
                if adult_contact(h) && h.start.is_some_and(|s| s < resolved_at) {
                    h.negated = true;
                }
            }
        }
        hits.sort_unstable_by(|a, b| (a.start, &a.indicator).cmp(&(b.start, &b.indicator)));
        hits
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

/// A context trigger found in a text: its kind, first token and end.
type TriggerAt = (Trigger, usize, usize);

#[derive(Default)]
struct Ctx {
    negated: bool,
    hedged: bool,
    historical: bool,
    other: bool,
    year: Option<i16>,
}

/// A narrative's text and tokens, for the context pass.
struct Text<'a> {
    text: &'a str,
    toks: &'a [Tok],
    /// The subject child's pronouns as the narrative uses them most:
    /// `Some(true)` she/her, `Some(false)` he/him.
    female: std::cell::OnceCell<Option<bool>>,
    /// Written-word ids of she, her, herself, he, him, his, himself.
    pronouns: &'a [u32; 7],
    /// Tokens where the record names someone other than the subject ("her
    /// friend Ellie", "big sister Jordan (15)", "driver Craig T (24)").
    other_names: Vec<usize>,
    /// The subject's name (found when first needed).
    subject_name_cache: std::cell::OnceCell<Option<&'a str>>,
    /// A case review's first year (found when first needed).
    review_start_cache: std::cell::OnceCell<Option<i16>>,
}

/// Words after a subject's object pronoun that make it a possessive about
/// someone else ("her friend", "his mum").
/// Words that describe a relative or friend between a possessive or
/// trigger and the noun or name ("her older half sister", "his best friend
/// Kai").
const KIN_DESCRIBERS: WordList = WordList::new(
    3,
    &[
        "big", "little", "older", "younger", "eldest", "oldest", "youngest", "twin", "half",
        "step", "best", "ex", "new", "school", "close", "closest", "baby", "adult",
    ],
);

const RELATIVES: WordList = WordList::new(
    4,
    &[
        "friend",
        "friends",
        "mate",
        "mates",
        "mum",
        "mother",
        "mums",
        "dad",
        "father",
        "dads",
        "sister",
        "sisters",
        "brother",
        "brothers",
        "boyfriend",
        "girlfriend",
        "partner",
        "cousin",
        "cousins",
        "aunt",
        "uncle",
        "nan",
        "grandmother",
        "grandfather",
        "carer",
        "carers",
        "parents",
        "stepdad",
        "stepmum",
        "sibling",
        "siblings",
        "peers",
        "classmate",
    ],
);

/// Capitalised words that are not anyone's name.
const NOT_NAMES: WordList = WordList::new(
    5,
    &[
        "Child",
        "She",
        "He",
        "They",
        "The",
        "Her",
        "His",
        "Mum",
        "Dad",
        "Mother",
        "Father",
        "Police",
        "Officers",
        "Staff",
        "School",
        "Reported",
        "Return",
        "Report",
        "Referral",
        "Strategy",
        "Case",
        "Health",
        "Social",
        "Review",
        "Intel",
        "Intelligence",
        "Missing",
        "Young",
        "Miss",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
    ],
);

/// Words before a capitalised word that make it a place, not a person
/// ("a man from Hull", "jailed at Leeds Crown Court").
const PLACE_BEFORE: WordList = WordList::new(
    60,
    &[
        "from", "in", "at", "to", "near", "into", "outside", "towards", "via", "of",
    ],
);

/// Words before "of" that make it partitive ("two of the men").
const QUANTIFIERS: WordList = WordList::new(
    6,
    &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "some",
        "all", "both", "several", "many", "most", "each", "none", "either", "neither", "few",
        "any",
    ],
);

/// The response signals: what was done about the child (NA) and language
/// blaming the child (VB). They are always the subject's, and their words
/// ("no concerns, closed") are not someone else's denial.
const RESPONSE_SIGNALS: &[&str] = &["NA", "VB"];

/// Indicators about the one who acts (offending): the victim's being the
/// object of the clause does not make them the subject child's.
const ACTOR_INDICATORS: &[&str] = &["M13"];

/// What a friend or peer may be shown to suffer that makes them the
/// subject's H10: exploitation, going missing, an older partner.
const PEER_EXPLOITED: &[&str] = &[
    "C1", "C2", "C3", "C4", "H1", "H2", "H3", "H5", "H8", "H12", "H13", "M12",
];

/// Indicators whose evidence is what adults around the child do: an adult
/// as the clause's subject does not make them the adult's.
const ADULT_EVIDENCE: &[&str] = &["H3", "H4", "H5", "H8"];

/// Words for unrelated adults among the other-person triggers.
const ADULT_NOUNS: WordList = WordList::new(
    7,
    &[
        "male",
        "males",
        "men",
        "man",
        "woman",
        "women",
        "adults",
        "suspect",
        "suspects",
        "offender",
        "offenders",
        "perpetrator",
        "perpetrators",
        "driver",
        "drivers",
        "ap",
        "aps",
        "nominal",
        "nominals",
        "accused",
        "defendant",
        "defendants",
        // The parties to an appeal or application in the courts' writing.
        "appellant",
        "appellants",
        "applicant",
        "applicants",
    ],
);

/// Besides the unrelated adults ([`ADULT_NOUNS`]), the people a record
/// describes as someone other than the subject child who are the actors of
/// offending right after them ("mum's ex, Gary, was remanded").
const ACTORS: WordList = WordList::new(
    8,
    &[
        "adult",
        "ex",
        "boyfriend",
        "partner",
        "stepdad",
        "stepfather",
        "uncle",
        "brother",
        "cousin",
        "father",
        "dad",
        "landlord",
        "owner",
        "occupant",
        "associate",
        "associates",
        // A title names an adult ("Mr Latimer was convicted").
        "mr",
        "mrs",
        "ms",
    ],
);

// Word lists of the functions below, each with its bit (see [`WordList`]).
/// Words before a partner's age ("her boyfriend, who is 17").
const AGE_BEFORE: WordList = WordList::new(9, &["is", "was", "aged", "age", "now", "being"]);
/// Titles before an adult's name ("Mr Latimer", "DC Khan", "HHJ Prentice").
const TITLES: WordList = WordList::new(
    10,
    &[
        "mr", "mrs", "ms", "miss", "dr", "judge", "hhj", "dc", "ds", "di", "pc", "sgt", "insp",
        "cllr",
    ],
);
/// Verbs with which a main clause resumes after a relative clause set off by commas.
const RESUMING: WordList = WordList::new(
    11,
    &[
        "was", "were", "is", "are", "has", "had", "have", "went", "goes", "came", "comes", "got",
        "gets", "remains", "remained",
    ],
);
/// Words for a friend that name no one else on their own.
const MATES: WordList = WordList::new(12, &["mate", "mates"]);
/// Words before a friend or peer that make them the subject's ("her friend", "a school friend").
const WHOSE: WordList = WordList::new(
    13,
    &[
        "her", "his", "my", "their", "best", "school", "close", "closest", "a", "older", "younger",
    ],
);
/// Words that open a subordinate clause after a comma.
const SUBORDINATORS: WordList = WordList::new(
    14,
    &[
        "after", "before", "when", "whilst", "while", "until", "because", "since", "although",
        "where", "once",
    ],
);
/// Words after a comma that open a new clause.
const VERBS: WordList = WordList::new(
    15,
    &[
        "became",
        "become",
        "becomes",
        "was",
        "were",
        "is",
        "are",
        "has",
        "had",
        "have",
        "said",
        "says",
        "went",
        "goes",
        "told",
        "tells",
        "then",
        "later",
        "began",
        "begins",
        "asked",
        "asks",
        "started",
        "appeared",
        "seemed",
        "looked",
        "left",
        "came",
        "returned",
        "got",
        "gets",
        "made",
        "makes",
        "took",
        "takes",
        "gave",
        "gives",
        "refused",
        "agreed",
        "disclosed",
        "admitted",
        "cried",
        "ran",
        "walked",
        "spoke",
        "explained",
        "she",
        "he",
        "they",
        "we",
        "i",
        // A new phrase after a comma: "where he has no known links,
        // with £400 in cash and two phones".
        "with",
        "carrying",
        "holding",
        "wearing",
    ],
);
/// A parent's, before a partner or in-law ("mum's partner").
const PARENTS_OF: WordList = WordList::new(16, &["mum's", "dad's", "mother's", "father's"]);
/// Verbs that state what someone is ("the man is her dad").
const COPULA: WordList = WordList::new(17, &["is", "was", "be", "as", "being"]);
/// Words that make a statement of family a claim, a denial or a nickname.
const CLAIM: WordList = WordList::new(
    18,
    &[
        "said",
        "says",
        "stated",
        "states",
        "claimed",
        "claims",
        "claiming",
        "saying",
        "told",
        "tells",
        "gave",
        "believed",
        "thought",
        "alleged",
        "allegedly",
        "not",
        "never",
        "no",
        "if",
        "whether",
        "n't",
        "denied",
        "purported",
        "purporting",
        // A nickname: "an adult male known as 'Uncle'".
        "known",
        "called",
        "calls",
        "nicknamed",
        "named",
    ],
);
/// Words after a number that make it a date, a measure or a count, not an age.
const UNITS: WordList = WordList::new(
    19,
    &[
        "march",
        "april",
        "may",
        "june",
        "july",
        "january",
        "february",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "minutes",
        "mins",
        "min",
        "hours",
        "hrs",
        "hr",
        "seconds",
        "days",
        "weeks",
        "months",
        "pounds",
        "quid",
        "times",
        "miles",
        "km",
        "mph",
        "percent",
        "pence",
        "p",
        "kg",
        "x",
        "occasions",
        "wraps",
        "grams",
        "g",
        "people",
        "girls",
        "boys",
        "children",
        "men",
    ],
);
/// Nouns for the subject child.
const NOUNS: WordList = WordList::new(
    20,
    &[
        "yp", "child", "i", "girl", "girls", "boy", "boys", "children",
    ],
);
/// Determiners, numbers and adjectives between a preposition and a person.
const BETWEEN: WordList = WordList::new(
    21,
    &[
        "her", "his", "their", "a", "the", "an", "two", "three", "four", "several", "some",
        "older", "adult", "young", "unknown", "other", "many", "local", "known", "both",
    ],
);
/// Words for a girl as a record introduces its subject.
const FEMALE: WordList = WordList::new(
    22,
    &["girl", "daughter", "schoolgirl", "granddaughter", "niece"],
);
/// Words for a boy as a record introduces its subject.
const MALE: WordList = WordList::new(23, &["boy", "son", "schoolboy", "grandson", "nephew"]);
/// Words before a number that loosely make it an age ("then 11", "at 12").
const LOOSE_AGE_BEFORE: WordList = WordList::new(24, &["then", "at", "only"]);
/// Words before a school year ("Year 11").
const SCHOOL_YEAR: WordList = WordList::new(25, &["year", "yr", "y"]);
const AGED: WordList = WordList::new(26, &["aged", "age"]);
const OF: WordList = WordList::new(27, &["of"]);
const AGE: WordList = WordList::new(28, &["age"]);
/// Words after a number that make it an age ("12 y/o", "12 years old").
const YEARS_OLD: WordList = WordList::new(29, &["y/o", "yo", "yr", "yrs", "year", "years"]);
/// Words before "daughter", "girl"... that make them someone else's child.
const OWNERS_OF_A_CHILD: WordList =
    WordList::new(30, &["her", "his", "their", "with", "to", "and", "of"]);
const WHO_WHICH: WordList = WordList::new(31, &["who", "which"]);
const PARENTS_PARTNERS: WordList = WordList::new(32, &["partner", "brother-in-law"]);
const DUMMY_SUBJECTS: WordList = WordList::new(33, &["it", "this", "that", "there"]);
const SHE: WordList = WordList::new(34, &["she"]);
const HE: WordList = WordList::new(35, &["he"]);
const SHE_HE_THEY: WordList = WordList::new(36, &["she", "he", "they"]);
const AND: WordList = WordList::new(37, &["and"]);
const RESULT_POSITIVE: WordList =
    WordList::new(38, &["positive", "ve", "pos", "detected", "confirmed"]);
const CONTRASTS: WordList = WordList::new(39, &["but", "however", "although", "though", "whereas"]);
const WHO_THAT: WordList = WordList::new(40, &["who", "that"]);
const ADULT: WordList = WordList::new(41, &["adult"]);
const ALONGSIDE: WordList = WordList::new(42, &["with", "and", "alongside", "by"]);
const MR_MRS_MS: WordList = WordList::new(43, &["mr", "mrs", "ms"]);
const HE_HIM_HIS: WordList = WordList::new(44, &["he", "him", "his"]);
const SHE_HER: WordList = WordList::new(45, &["she", "her"]);
const NO_WORDS: WordList = WordList::new(46, &[]);
const AGAINST: WordList = WordList::new(47, &["against"]);
const CHILDREN_AS_OBJECTS: WordList = WordList::new(
    48,
    &[
        "her", "him", "them", "girls", "boys", "children", "child", "pupils", "victims", "girl",
        "boy",
    ],
);
const OBJECTS_OF_A_GIRL: WordList = WordList::new(49, &["her", "me", "us", "them"]);
const OBJECTS_OF_A_BOY: WordList = WordList::new(50, &["him", "me", "us", "them"]);
const OBJECTS_OF_EITHER: WordList = WordList::new(51, &["her", "him", "me", "us", "them"]);
const WITH_AND: WordList = WordList::new(52, &["with", "and"]);
const A_CHILD: WordList = WordList::new(53, &["girl", "boy", "child", "yp", "teenager"]);
/// Words between a child's age and a sex code ("15 y/o F").
const YEARS_OLD_SHORT: WordList = WordList::new(54, &["y/o", "yo", "yrs", "years", "yr"]);
/// "and" joining a second action that ends a negation's reach ("would not
/// say more and begged the teacher not to tell").
const JOINED_ACTIONS: WordList = WordList::new(
    55,
    &[
        "begged",
        "asked",
        "pleaded",
        "refused",
        "told",
        "said",
        "became",
        "cried",
        "ran",
        "left",
        "walked",
        "agreed",
        "admitted",
        "disclosed",
    ],
);
/// Friends who share what happens to the child. Parents and partners are
/// there for other reasons, and siblings reported together are all the
/// record's subject (bench/detect/corpus/README.md).
const COMPANIONS: WordList = WordList::new(56, &["mate", "mates", "cousin", "cousins"]);
/// Counts that follow a number which is not an age ("12 minutes late").
const COUNT_UNITS: WordList = WordList::new(
    57,
    &[
        "minutes", "mins", "hours", "hrs", "days", "weeks", "months", "years", "miles", "times",
        "pounds", "percent", "km", "metres", "am", "pm", "o'clock", "of",
    ],
);
/// Verbs before an age in running prose ("Child E was 12 when ...").
const PASSING_AGE_VERBS: WordList = WordList::new(58, &["was", "is", "were", "turned", "turns"]);
/// Words that deny the person after them ("no family or known friends").
const NO_ONE_BEFORE: WordList = WordList::new(59, &["no", "without", "nor"]);
/// Articles before a capitalised word that describes ("A Luton taxi
/// driver").
const ARTICLES: WordList = WordList::new(61, &["a", "an", "the"]);
/// "13yo male Kai": a child described by age and sex.
const MALE_FEMALE: WordList = WordList::new(62, &["male", "female"]);

/// Every list [`Text::word_is`] reads: their words are marked in the
/// lexicon with their bits.
const CONTEXT_WORD_LISTS: &[WordList] = &[
    PEER_NOUNS,
    PASSIVE,
    OBJECT_MARKERS,
    KIN_DESCRIBERS,
    RELATIVES,
    NOT_NAMES,
    QUANTIFIERS,
    ADULT_NOUNS,
    ACTORS,
    AGE_BEFORE,
    TITLES,
    RESUMING,
    MATES,
    WHOSE,
    SUBORDINATORS,
    VERBS,
    PARENTS_OF,
    COPULA,
    CLAIM,
    UNITS,
    NOUNS,
    BETWEEN,
    FEMALE,
    MALE,
    LOOSE_AGE_BEFORE,
    SCHOOL_YEAR,
    AGED,
    OF,
    AGE,
    YEARS_OLD,
    OWNERS_OF_A_CHILD,
    WHO_WHICH,
    PARENTS_PARTNERS,
    DUMMY_SUBJECTS,
    SHE,
    HE,
    SHE_HE_THEY,
    AND,
    RESULT_POSITIVE,
    CONTRASTS,
    WHO_THAT,
    ADULT,
    ALONGSIDE,
    MR_MRS_MS,
    HE_HIM_HIS,
    SHE_HER,
    NO_WORDS,
    AGAINST,
    CHILDREN_AS_OBJECTS,
    OBJECTS_OF_A_GIRL,
    OBJECTS_OF_A_BOY,
    OBJECTS_OF_EITHER,
    WITH_AND,
    A_CHILD,
    YEARS_OLD_SHORT,
    JOINED_ACTIONS,
    COMPANIONS,
    COUNT_UNITS,
    PASSING_AGE_VERBS,
    NO_ONE_BEFORE,
    PLACE_BEFORE,
    ARTICLES,
    MALE_FEMALE,
];

/// Which pronouns the narrative uses most for its subject.
/// How many she/her/herself and he/him/his/himself a narrative has.
fn pronoun_counts(toks: &[Tok], pronouns: &[u32; 7]) -> (usize, usize) {
    // (Counted without a branch per word: whether a word is a pronoun
    // cannot be foretold. The ids differ, and none is `NONE`.)
    let (mut f, mut m) = (0usize, 0usize);
    for t in toks {
        f += usize::from(
            pronouns[..3]
                .iter()
                .fold(false, |is, &p| is | (t.surf == p)),
        );
        m += usize::from(
            pronouns[3..]
                .iter()
                .fold(false, |is, &p| is | (t.surf == p)),
        );
    }
    (f, m)
}

/// Whether one sex's pronouns (`female`) outnumber the other's at least
/// three to one, and are at least three.
fn strongly((f, m): (usize, usize), female: bool) -> bool {
    let (mine, other) = if female { (f, m) } else { (m, f) };
    mine >= 3 && mine >= 3 * other
}

/// Which pronouns the counts say the narrative uses for its subject.
fn pronoun_majority((f, m): (usize, usize)) -> Option<bool> {
    if f > m && f >= 2 {
        Some(true)
    } else if m > f && m >= 2 {
        Some(false)
    } else {
        None
    }
}

impl<'a> Text<'a> {
    /// The written word of token `i`.
    fn word(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.text[t.start as usize..t.end as usize]
    }

    /// Whether token `i` is one of the words of `list`.
    #[inline]
    fn word_is(&self, i: usize, list: WordList) -> bool {
        let lists = self.toks[i].lists;
        if lists & WRITTEN_OTHERWISE != 0 {
            return self.written_as_one_of(i, list);
        }
        debug_assert_eq!(
            lists & list.bit != 0,
            self.written_as_one_of(i, list),
            "{:?} on the list {:?}",
            self.word(i),
            list.words
        );
        lists & list.bit != 0
    }

    /// Whether the written word of token `i` is one of the words of `list`,
    /// without regard to ASCII case.
    fn written_as_one_of(&self, i: usize, list: WordList) -> bool {
        let w = self.word(i);
        list.words.iter().any(|x| w.eq_ignore_ascii_case(x))
    }

    /// The tokens of sentence `s`.
    fn sentence_range(&self, s: u32) -> std::ops::Range<usize> {
        let lo = self.toks.partition_point(|t| t.sentence < s);
        let hi = self.toks.partition_point(|t| t.sentence <= s);
        lo..hi
    }

    /// Whether the text states an age under `limit`: "aged 12", "12 y/o",
    /// "12-year-old", "Shauna (12)", "(then 11)", "pregnant at 12".
    fn says_under(&self, limit: u8) -> bool {
        (0..self.toks.len()).any(|i| self.age_at(i, 4..limit, true).is_some())
    }

    /// The first child's age the text gives ("Nia (14)", "aged 12", "a
    /// 13-year-old"): records name their subject first.
    fn first_child_age(&self) -> Option<u8> {
        (0..self.toks.len()).find_map(|i| self.age_at(i, 4..18, false))
    }

    /// The age in `ages` that token `i` gives: a compact age ("14y",
    /// "15F"), or a number written as an age ("aged 12", "12-year-old",
    /// "Nia (14)"). `loosely` also takes a number after "then", "at" or
    /// "only", or with a bracket on one side.
    fn age_at(&self, i: usize, ages: std::ops::Range<u8>, loosely: bool) -> Option<u8> {
        // (An age opens with a digit, compact or not: most words are ruled
        // out on their first byte, read before the word is.)
        if !self.text.as_bytes()[self.toks[i].start as usize].is_ascii_digit() {
            return None;
        }
        if let Some(age) = compact_age(self.word(i)) {
            return ages.contains(&age).then_some(age);
        }
        let age = self.word(i).parse::<u8>().ok()?;
        if !ages.contains(&age) {
            return None;
        }
        let (open, close) = self.brackets(i);
        let written = self.age_marked(i)
            || (open && close)
            || (loosely
                && (open
                    || close
                    || (i > 0 && self.word_is(i - 1, LOOSE_AGE_BEFORE))
                    || self.age_in_passing(i)));
        written.then_some(age)
    }

    /// Whether the number at token `i` reads as an age in running prose:
    /// "Child E was 12 when she asked", "Roxanne, 12, asked", and not a
    /// count of something ("was 12 minutes late", "was 12 miles away").
    fn age_in_passing(&self, i: usize) -> bool {
        if i + 1 < self.toks.len() && self.word_is(i + 1, COUNT_UNITS) {
            return false;
        }
        let after_verb = i > 0 && self.word_is(i - 1, PASSING_AGE_VERBS);
        let set_off = self.comma_before(i) && i + 1 < self.toks.len() && self.comma_before(i + 1);
        after_verb || set_off
    }

    /// Spans (first token, end token) naming a partner at least three years
    /// older than a child of `age`: "her boyfriend, who is 17", "boyfriend
    /// (16)", "boyfriend identified as Tomasz, 16", "her boyfriend is in
    /// Year 11" (a school year is read as its youngest age).
    fn older_partners(&self, age: u8, partner_words: &[u32]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for j in 0..self.toks.len() {
            if !partner_words.contains(&self.toks[j].word) {
                continue;
            }
            let sentence = self.toks[j].sentence;
            let end = (j + 9).min(self.toks.len());
            for k in j + 1..end {
                if self.toks[k].sentence != sentence {
                    break;
                }
                let Ok(n) = self.word(k).parse::<u8>() else {
                    continue;
                };
                let school_year = self.word_is(k - 1, SCHOOL_YEAR) && (7..=13).contains(&n);
                let partner_age = if school_year {
                    n + 4
                } else {
                    let between =
                        &self.text[self.toks[k - 1].end as usize..self.toks[k].start as usize];
                    let (open, close) = self.brackets(k);
                    let written_as_age = self.age_marked(k)
                        || (open && close)
                        || between.contains(',')
                        || self.word_is(k - 1, AGE_BEFORE);
                    if !written_as_age || !(10..=99).contains(&n) {
                        continue;
                    }
                    n
                };
                if partner_age >= age.saturating_add(3) {
                    out.push((j, k + 1));
                }
                break;
            }
        }
        out
    }

    /// Whether the number at token `j` is written as an age: "aged 12",
    /// "at the age of 12", "12 years old", "12 y/o".
    fn age_marked(&self, j: usize) -> bool {
        (j > 0 && self.word_is(j - 1, AGED))
            || (j > 1 && self.word_is(j - 1, OF) && self.word_is(j - 2, AGE))
            || (j + 1 < self.toks.len() && self.word_is(j + 1, YEARS_OLD))
    }

    /// Whether token `j` has an opening bracket before it and a closing one
    /// after it: "(15)", "Shauna (12".
    fn brackets(&self, j: usize) -> (bool, bool) {
        let t = &self.toks[j];
        (
            self.text[..t.start as usize].trim_end().ends_with('('),
            self.text[t.end as usize..].trim_start().starts_with(')'),
        )
    }

    /// The subject's pronouns (counted once, when first needed).
    fn female(&self) -> Option<bool> {
        *self.female.get_or_init(|| {
            let counts = pronoun_counts(self.toks, self.pronouns);
            let pronouns = pronoun_majority(counts);
            match self.introduced_sex() {
                // A clear majority of pronouns the other way overrules the
                // introduction ("Tyler (15) lives with his aunt and her
                // daughter. He ... he ... his ...").
                Some(introduced)
                    if pronouns.is_some_and(|p| p != introduced)
                        && strongly(counts, !introduced) =>
                {
                    pronouns
                }
                Some(introduced) => Some(introduced),
                None => pronouns,
            }
        })
    }

    /// The subject's sex as the record introduces them in its first two
    /// sentences ("Child M, a British Bangladeshi girl", "her 13-year-old
    /// son", "A.B. (15F)", "15 y/o M"): records name their subject first,
    /// and a case review about a girl says "he" of her abuser more often
    /// than "she" of her.
    fn introduced_sex(&self) -> Option<bool> {
        let last_sentence = self.toks.first()?.sentence + 1;
        for (i, t) in self.toks.iter().enumerate() {
            if t.sentence > last_sentence {
                break;
            }
            // (A word for a child, a number or a letter alone may say it:
            // most words are passed over on their lists, first byte and
            // length, read before the word is.)
            let may_be_on_a_list = t.lists & (FEMALE.bit | MALE.bit | WRITTEN_OTHERWISE) != 0;
            let first = self.text.as_bytes()[t.start as usize];
            if !(may_be_on_a_list || first.is_ascii_digit()) && t.end - t.start > 1 {
                continue;
            }
            let (girl, boy) = (self.word_is(i, FEMALE), self.word_is(i, MALE));
            let w = self.word(i);
            // "her daughter", "with a girl": someone else's child.
            let someone_elses = || {
                i > 0
                    && (self.word_is(i - 1, OWNERS_OF_A_CHILD)
                        || self.word(i - 1).ends_with("'s")
                        || self.word(i - 1).ends_with('\u{2019}'))
            };
            if girl && !someone_elses() {
                return Some(true);
            }
            if boy && !someone_elses() {
                return Some(false);
            }
            // An age with a sex code: "15F", "(15 F)", "15 y/o F", "15yo M".
            let digits = w.bytes().take_while(u8::is_ascii_digit).count();
            let child_age = |text: &str| text.parse::<u8>().is_ok_and(|a| (1..18).contains(&a));
            let code = if digits > 0 && digits + 1 == w.len() && child_age(&w[..digits]) {
                Some(w.as_bytes()[digits])
            } else if w.len() == 1 && i > 0 {
                let before = self.word(i - 1);
                let after_age = child_age(before) || self.word_is(i - 1, YEARS_OLD_SHORT);
                after_age.then(|| w.as_bytes()[0])
            } else {
                None
            };
            match code {
                Some(b'F') => return Some(true),
                Some(b'M') => return Some(false),
                _ => {}
            }
        }
        None
    }

    /// The names the record gives to other people: a capitalised word
    /// right after someone else ("her friend Ellie", "his cousin Connor,
    /// 17", "mum's ex, Gary"), skipping a describing word or two.
    fn names_of_others(&self, triggers: &[(Trigger, usize, usize)]) -> Vec<usize> {
        let mut names = Vec::new();
        for &(kind, s, e) in triggers {
            if kind != Trigger::OtherPre {
                continue;
            }
            if self.child_described(s) {
                continue;
            }
            for j in e..(e + 3).min(self.toks.len()) {
                if self.toks[j].sentence != self.toks[e.saturating_sub(1)].sentence {
                    break;
                }
                let w = self.word(j);
                let capitalised = w.chars().next().is_some_and(char::is_uppercase)
                    && w.chars().skip(1).any(char::is_lowercase);
                if capitalised && !self.word_is(j, NOT_NAMES) {
                    names.push(j);
                    break;
                }
                if !self.word_is(j, KIN_DESCRIBERS) {
                    break;
                }
            }
        }
        // A person introduced with an adult's age ("Driver Lewis TRAVIS
        // (31)", "male: Gareth WINSTON, 46", "Callum Birtles (23)") is not
        // the child the record is about: their name, first and family, is
        // someone else's wherever it comes back ("TRAVIS arrested").
        let name_like = |j: usize| {
            let w = self.word(j);
            let mut chars = w.chars();
            w.len() > 1
                && chars.next().is_some_and(char::is_uppercase)
                && w.chars().all(char::is_alphabetic)
                && !self.word_is(j, NOT_NAMES)
        };
        let bytes = self.text.as_bytes();
        for j in 1..self.toks.len() {
            // (Most words are not numbers: checked on the first byte first.)
            if !bytes[self.toks[j].start as usize].is_ascii_digit()
                || !self.is_adult_age(j)
                || !name_like(j - 1)
            {
                continue;
            }
            let between = &self.text[self.toks[j - 1].end as usize..self.toks[j].start as usize];
            if !matches!(between.trim(), "(" | ",")
                || self.toks[j - 1].sentence != self.toks[j].sentence
            {
                continue;
            }
            // A name the record also gives with a child's age is a child's
            // ("gave her name as 'Lauren, 18' - later confirmed as Lauren
            // S, 15").
            let child_elsewhere = |name: &str| {
                (1..self.toks.len()).any(|k| {
                    self.word(k - 1) == name
                        && !self.is_adult_age(k)
                        && self
                            .word(k)
                            .parse::<u8>()
                            .is_ok_and(|a| (4..18).contains(&a))
                }) || (2..self.toks.len()).any(|k| {
                    self.word(k - 2) == name
                        && self
                            .word(k)
                            .parse::<u8>()
                            .is_ok_and(|a| (4..18).contains(&a))
                        && self.text[self.toks[k - 1].end as usize..self.toks[k].start as usize]
                            .contains([',', '('])
                })
            };
            if child_elsewhere(self.word(j - 1)) {
                continue;
            }
            names.push(j - 1);
            if j >= 2
                && name_like(j - 2)
                && self.toks[j - 2].sentence == self.toks[j].sentence
                && !child_elsewhere(self.word(j - 2))
            {
                names.push(j - 2);
            }
        }
        // A name after a title is an adult's ("Mr Latimer", "DC Khan",
        // "HHJ Prentice"), never the subject's; but not someone else
        // wherever it comes back, as a parent shares the child's family
        // name ("Mrs Begum called about Amira").
        // (The title first: one bit of the word before, where a name is
        // read character by character.)
        let titled: Vec<usize> = (1..self.toks.len())
            .filter(|&j| {
                self.word_is(j - 1, TITLES)
                    && self.toks[j - 1].sentence == self.toks[j].sentence
                    && name_like(j)
            })
            .collect();
        if names.is_empty() && titled.is_empty() {
            return names;
        }
        // The subject's name is never someone else's (found once, here).
        let subject = self.subject_name_among(&[names.as_slice(), &titled].concat());
        let _ = self.subject_name_cache.set(subject);
        if let Some(subject) = subject {
            names.retain(|&j| !self.word(j).eq_ignore_ascii_case(subject));
        }
        names
    }

    /// The subject's name, leaving out the names the record gives to others
    /// (at tokens `others`: "big sister Jordan (15)"): records name their
    /// subject first, most often with an age ("Nia (14)", "Nia, 14,"). The
    /// first capitalised name with an age; else the first one not opening
    /// a sentence ("On Friday Nia ..."); else the first one.
    fn subject_name_among(&self, others: &[usize]) -> Option<&'a str> {
        let bare = |w: &'a str| -> &'a str {
            w.strip_suffix("'s")
                .or_else(|| w.strip_suffix("\u{2019}s"))
                .unwrap_or(w)
        };
        let is_name = |j: usize| {
            // (Most words open in lower case: ruled out on their first
            // byte, before the suffix and the list. A word opens with a
            // letter or digit, so its bare form opens with the same one.)
            if self.text.as_bytes()[self.toks[j].start as usize].is_ascii_lowercase() {
                return false;
            }
            let w = bare(self.word(j));
            let mut chars = w.chars();
            chars.next().is_some_and(char::is_uppercase)
                && w.chars().count() > 1
                && chars.all(char::is_lowercase)
                && !self.word_is(j, NOT_NAMES)
        };
        let with_age = |j: usize| {
            j + 1 < self.toks.len()
                && self.word(j + 1).parse::<u8>().is_ok_and(|a| a < 18)
                && self.text[self.toks[j].end as usize..self.toks[j + 1].start as usize]
                    .contains(['(', ','])
        };
        let opens_sentence =
            |j: usize| j == 0 || self.toks[j - 1].sentence != self.toks[j].sentence;
        let other = |j: usize| {
            others
                .iter()
                .any(|&o| self.word(o).eq_ignore_ascii_case(bare(self.word(j))))
        };
        // One pass: the first name with an age ends it; the first not
        // opening a sentence and the first of all are kept until then.
        let (mut first, mut first_inside) = (None, None);
        for j in 0..self.toks.len() {
            if !is_name(j) || other(j) {
                continue;
            }
            if with_age(j) {
                return Some(bare(self.word(j)));
            }
            // "a man from Hemel Hempstead", "a taxi driver in Luton": a
            // place, not the child, when no name comes with an age.
            let run_start = (0..j)
                .rev()
                .take_while(|&k| is_name(k) && self.toks[k].sentence == self.toks[j].sentence)
                .last()
                .unwrap_or(j);
            if run_start > 0 && self.word_is(run_start - 1, PLACE_BEFORE) {
                continue;
            }
            // "A Luton taxi driver", "the Golden Grill takeaway": a
            // capitalised word after an article describes, it does not name.
            if run_start > 0 && self.word_is(run_start - 1, ARTICLES) {
                continue;
            }
            if first_inside.is_none() && !opens_sentence(j) {
                first_inside = Some(j);
            }
            first = first.or(Some(j));
        }
        first_inside.or(first).map(|j| bare(self.word(j)))
    }

    /// Whether a bracket between the end of a trigger (token `e`,
    /// exclusive) and token `to` keeps the trigger's scope from reaching
    /// `to`: one opened before the trigger closes between them ("Mum's
    /// partner (not present) has a conviction"), or one opens after other
    /// words and is still open at `to` ("he just hadn't told her (parents
    /// separated last spring)"; "not (yet) missing" still reaches).
    fn bracket_between(&self, e: usize, to: usize) -> bool {
        let (Some(last), Some(hit)) = (self.toks.get(e.wrapping_sub(1)), self.toks.get(to)) else {
            return false;
        };
        let between = &self.text[last.end as usize..hit.start as usize];
        let closes = between
            .find(')')
            .is_some_and(|close| !between[..close].contains('('));
        let opens = || {
            between.rfind('(').is_some_and(|open| {
                !between[open..].contains(')') && between[..open].chars().any(char::is_alphanumeric)
            })
        };
        closes || opens()
    }

    /// Whether the terminator at token `k` only opens an aside that the
    /// clause running to token `to` resumes after: "her sister, however,
    /// has ...", "his friend Kai, who is placed there too, was ...".
    fn aside(&self, k: usize, to: usize) -> bool {
        self.parenthetical(k) || self.enclosed_relative(k, to)
    }

    /// Whether the "who" or "which" at token `k` opens a relative clause
    /// set off by commas that closes before token `to`, where the main
    /// clause goes on with its verb: "his friend Kai, who is also placed
    /// there, was missing" is still about Kai.
    fn enclosed_relative(&self, k: usize, to: usize) -> bool {
        self.word_is(k, WHO_WHICH)
            && self.comma_before(k)
            && (k + 1..(to + 1).min(self.toks.len()))
                .any(|j| self.comma_before(j) && self.word_is(j, RESUMING))
    }

    /// Whether token `k` stands between commas on its own ("her sister,
    /// however, has not returned"): an aside, not a new clause.
    fn parenthetical(&self, k: usize) -> bool {
        k + 1 < self.toks.len() && self.comma_before(k) && self.comma_before(k + 1)
    }

    /// Whether the word after token `j` (a possessive "her", "his"...),
    /// past a describing word or two, is a relative or friend: "her older
    /// sister", "his best friend", "her mum's" are someone else, not the
    /// child as an object ("gave her money").
    fn relative_follows(&self, j: usize, sentence_end: usize) -> bool {
        (j + 1..(j + 4).min(sentence_end))
            .find(|&k| !self.word_is(k, KIN_DESCRIBERS))
            .is_some_and(|k| self.word_is(k, RELATIVES))
    }

    /// Whether a friend or peer of the subject ("her friend", "his best
    /// mate", "a school friend") is named earlier in the sentence of the
    /// hit at byte `at`, with no adult between them ("his friends, men in
    /// their thirties" are not peers), or the person the sentence names
    /// before it was introduced as one ("her friend Brooke").
    fn peer_before(&self, at: usize) -> bool {
        // The other-person peers, and "mate", which names no one else on
        // its own ("mate" is also how a record quotes a child's speech).
        let i = self.toks.partition_point(|t| (t.end as usize) <= at);
        let Some(tok) = self.toks.get(i) else {
            return false;
        };
        let range = self.sentence_range(tok.sentence);
        let peer_here = (range.start.max(1)..i).any(|j| {
            (self.word_is(j, PEER_NOUNS) || self.word_is(j, MATES))
                && self.word_is(j - 1, WHOSE)
                && !(j + 1..i).any(|k| self.word_is(k, ADULT_NOUNS) || self.is_adult_age(k))
                && !(j + 1 < i && self.word_is(j + 1, OF))
        });
        // A friend the record introduced by name in another sentence ("her
        // friend Brooke ... Brooke has been missing eight times").
        peer_here
            || (range.start..i)
                .rev()
                .find(|&j| self.is_other_name(j))
                .is_some_and(|j| {
                    let name = self.word(j);
                    (2..self.toks.len()).any(|k| {
                        self.word(k) == name
                            && (self.word_is(k - 1, PEER_NOUNS) || self.word_is(k - 1, MATES))
                            && self.word_is(k - 2, WHOSE)
                    })
                })
    }

    /// Whether the clause of the hit at byte `at` has for its subject the
    /// child together with someone else: the subject's name or pronoun
    /// joined by "and" to a friend, relative or another name ("Sophie and
    /// her friend Mia were", "Daniel and his mate Oisin (15) were both"),
    /// ("both girls were collected" is not: records about one of a group
    /// hold the group's events as the subject's).
    fn joint_subject(&self, at: usize) -> bool {
        // Friends who share what happens to the child. Parents and partners
        // are there for other reasons, and siblings reported together are
        // all the record's subject (bench/detect/corpus/README.md).
        let i = self.toks.partition_point(|t| (t.end as usize) <= at);
        let Some(tok) = self.toks.get(i) else {
            return false;
        };
        let range = self.sentence_range(tok.sentence);
        let start = range.start;
        // Only what leads into the hit's own clause counts.
        let clause_start = (start..i)
            .rev()
            .find(|&k| k > start && self.comma_before(k) && !self.word_is(k, AND))
            .unwrap_or(start);
        // (The "and" and the companion after it are looked for first:
        // most clauses have none, and the subject's name and pronouns are
        // then never worked out.)
        (clause_start + 1..i).any(|k| {
            self.word_is(k, AND)
                && (k + 1..(k + 5).min(i))
                    .find(|&n| !self.word_is(n, KIN_DESCRIBERS) && !self.word_is(n, WHOSE))
                    .is_some_and(|n| {
                        self.word_is(n, PEER_NOUNS)
                            || self.word_is(n, COMPANIONS)
                            || self.is_other_name(n)
                    })
                && (k.saturating_sub(2).max(clause_start)..k).any(|j| {
                    self.is_subject_name(j)
                        || ((self.word_is(j, SHE) || self.word_is(j, HE))
                            && self.is_subject_pronoun(j))
                })
        })
    }

    /// Whether the "used to" at token `s` is the passive of "use" ("was
    /// being used to transport drugs"), not a past habit ("used to go
    /// missing"). (Asked only of a history trigger before a hit, so the
    /// words are compared as written.)
    fn passive_used(&self, s: usize) -> bool {
        const PASSIVE: &[&str] = &["being", "been", "was", "were", "is", "are", "get", "got"];
        s > 0
            && self.word(s).eq_ignore_ascii_case("used")
            && PASSIVE
                .iter()
                .any(|p| self.word(s - 1).eq_ignore_ascii_case(p))
    }

    /// Whether the "male" or "female" at token `s` describes a child by age
    /// and sex ("13yo male Kai BROOKS", "15-year-old female, Jade"), not
    /// an adult male.
    fn child_described(&self, s: usize) -> bool {
        self.word_is(s, MALE_FEMALE)
            && (s.saturating_sub(4)..s).any(|k| self.age_at(k, 4..18, false).is_some())
    }

    /// The subject's name, when the record gives one.
    fn subject_name(&self) -> Option<&'a str> {
        *self
            .subject_name_cache
            .get_or_init(|| self.subject_name_among(&self.other_names))
    }

    /// Whether token `j` is the subject's name.
    fn is_subject_name(&self, j: usize) -> bool {
        self.subject_name()
            .is_some_and(|n| self.word(j).eq_ignore_ascii_case(n))
    }

    /// Whether token `j` is a name the record gives to someone other than
    /// the subject.
    fn is_other_name(&self, j: usize) -> bool {
        let w = self.word(j);
        self.other_names.iter().any(|&n| self.word(n) == w)
    }

    /// Whether tokens `from` to `to` stay in one clause about the same
    /// person: no clause ends between them, and the subject is not named
    /// again.
    fn same_clause(&self, triggers: &[(Trigger, usize, usize)], from: usize, to: usize) -> bool {
        !triggers
            .iter()
            .any(|&(t, s, _)| t == Trigger::Terminate && s >= from && s < to && !self.aside(s, to))
            && !self.subordinate_break(from, to)
            && !self.clause_break(from, to)
            && !(from..to).any(|k| self.is_subject_pronoun(k) || self.is_subject_name(k))
    }

    /// Whether a comma or semicolon stands between token `k` and the one
    /// before it.
    fn comma_before(&self, k: usize) -> bool {
        k > 0
            && self.text[self.toks[k - 1].end as usize..self.toks[k].start as usize]
                .contains([',', ';'])
    }

    /// Whether a subordinate clause starts after a comma between tokens
    /// `from` and `to` ("... no family or friends, after being missing for
    /// three days"): it is about the clause's own subject.
    fn subordinate_break(&self, from: usize, to: usize) -> bool {
        (from + 1..to.min(self.toks.len()))
            .any(|k| self.comma_before(k) && self.word_is(k, SUBORDINATORS))
    }

    /// Whether a new clause starts between tokens `from` and `to`: a comma
    /// or semicolon followed by a verb ("would not give their names,
    /// became tearful and begged ..."). A comma before a noun continues a
    /// list and keeps the scope ("no injuries, bruising or marks").
    fn clause_break(&self, from: usize, to: usize) -> bool {
        let verb_at = |k: usize| {
            let w = self.word(k);
            self.word_is(k, VERBS)
                || (w.len() > 4 && w.ends_with("ed") && w.bytes().all(|b| b.is_ascii_lowercase()))
        };
        let end = to.min(self.toks.len());
        (from + 1..end).any(|k| {
            let joined = (self.word_is(k, AND) || self.word_is(k, CONTRASTS)) && k + 1 < end;
            if !self.comma_before(k) {
                return joined && self.word_is(k + 1, JOINED_ACTIONS);
            }
            verb_at(k) || (joined && verb_at(k + 1))
        })
    }

    /// The byte where the record first states, as a fact, that the adult
    /// in question is family ("the registered keeper is the boy's uncle",
    /// "the man is her dad", "confirmed as the girl's father"): a lift or
    /// company reported before it is resolved, not an indicator. A claim
    /// ("stated one of the males was her uncle", "said he was his cousin")
    /// resolves nothing, nor does a denial or "it was her dad who ...".
    fn resolved_as_family(&self, family: &[u32]) -> Option<usize> {
        // (Most words are ruled out on their bit of the family words' ids,
        // without the list.)
        let family_bits = family.iter().fold(0u64, |bits, &w| bits | 1 << (w % 64));
        for i in 1..self.toks.len() {
            // (Only words of the two lengths are compared.)
            let t = &self.toks[i];
            let family = (family_bits & 1 << (t.word % 64) != 0 && family.contains(&t.word))
                || (matches!(t.end - t.start, 7 | 14)
                    && self.word_is(i, PARENTS_PARTNERS)
                    && self.word_is(i - 1, PARENTS_OF));
            if !family {
                continue;
            }
            let sentence = self.toks[i].sentence;
            let from = i.saturating_sub(8);
            let window = (from..i).filter(|&j| self.toks[j].sentence == sentence);
            let Some(copula) = window
                .clone()
                .filter(|&j| i - j <= 4 && self.word_is(j, COPULA))
                .last()
            else {
                continue;
            };
            if copula >= 1
                && self.toks[copula - 1].sentence == sentence
                && self.word_is(copula - 1, DUMMY_SUBJECTS)
            {
                continue;
            }
            if window.clone().any(|j| self.word_is(j, CLAIM)) {
                continue;
            }
            return Some(self.toks[i].end as usize);
        }
        None
    }

    /// The answer a form gives on the same line to the question a hit at
    /// byte `from` is part of: `Some(true)` yes, `Some(false)` no or not
    /// known, `None` when the line is no question with a short answer.
    fn form_answer(&self, from: usize) -> Option<bool> {
        let rest = self.text.get(from..)?;
        // The mark (`?` or `:`) on the same line, looked for only as far as
        // the question can reach: a few words at most, and no sentence
        // ended on the way ("MFH. Outcome: no further action"). (Most hits
        // are in prose with no mark: the search stops within a few words
        // instead of reading to the end of the line.)
        let mut words = 0;
        let mut in_word = false;
        let mut mark = None;
        let bytes = rest.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // (Bytes of ASCII read as they are, other characters decoded.)
            let (c, width) = if b < 0x80 {
                (char::from(b), 1)
            } else {
                let c = rest[i..].chars().next().unwrap_or(' ');
                (c, c.len_utf8())
            };
            match c {
                '\n' | '.' | ';' | '!' => return None,
                '?' | ':' => {
                    mark = Some(i);
                    break;
                }
                _ => {}
            }
            // (Words are counted without a branch on each character: whether
            // it is a space cannot be foretold.)
            let space = c.is_whitespace();
            words += usize::from(!space && !in_word);
            in_word = !space;
            if words > 8 {
                return None;
            }
            i += width;
        }
        let mark = mark?;
        let question = &rest[..mark];
        let line_after = rest[mark + 1..].split('\n').next().unwrap_or("");
        // A time is no answer ("found 23:10").
        if question.ends_with(|c: char| c.is_ascii_digit())
            && line_after.starts_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        let answer = line_after
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '?' | ':' | '-' | '|'));
        // (Compared without regard to ASCII case, as the lower-cased answer
        // would be, without copying the rest of the line.)
        let starts_with = |prefix: &str| {
            answer
                .as_bytes()
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
        };
        let first = answer
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';' | '(' | '-'))
            .next()
            .unwrap_or("");
        let first_is = |list: &[&str]| list.iter().any(|w| first.eq_ignore_ascii_case(w));
        const NO: &[&str] = &[
            "n", "no", "nil", "none", "never", "denies", "denied", "negative", "-ve", "n/a", "n/k",
            "nk", "unknown", "unsure", "[", "[ ]",
        ];
        if starts_with("no further") || starts_with("no action") {
            return None;
        }
        if starts_with("not known")
            || starts_with("not asked")
            || starts_with("[ ]")
            || first_is(NO)
        {
            return Some(false);
        }
        if first_is(&["y", "yes", "+ve", "positive", "[x]"]) || starts_with("[x]") {
            return Some(true);
        }
        None
    }

    /// A case review's present: the first year of the period it reviews
    /// ("the period under review (April 2019 to March 2021)", "between 2016
    /// and 2019, the review period"). Years before it are the child's
    /// history; the review's own events are current.
    fn review_period_start(&self) -> Option<i16> {
        *self
            .review_start_cache
            .get_or_init(|| self.find_review_period_start())
    }

    fn find_review_period_start(&self) -> Option<i16> {
        // Most records are no review: a substring search says so cheaply.
        if !(self.text.contains("eview") || self.text.contains("EVIEW")) {
            return None;
        }
        let n = self.toks.len();
        let sentence = (0..n).find_map(|i| {
            let at = |k: usize, w: &str| i + k < n && self.word(i + k).eq_ignore_ascii_case(w);
            ((at(0, "period") && at(1, "under") && at(2, "review"))
                || (at(0, "review") && at(1, "period"))
                || (at(0, "period") && at(1, "reviewed"))
                || (at(0, "reviewed") && at(1, "period")))
            .then_some(self.toks[i].sentence)
        })?;
        (0..n)
            .filter(|&i| self.toks[i].sentence == sentence)
            .filter_map(|i| {
                let w = self.word(i);
                (w.len() == 4).then(|| w.parse::<i16>().ok()).flatten()
            })
            .filter(|y| (1990..=2100).contains(y))
            .min()
    }

    /// Whether token `j` is an adult's age: a whole number from 18 to 99
    /// that is not money ("£50"), a measure ("40 minutes") or a count.
    fn is_adult_age(&self, j: usize) -> bool {
        let w = self.word(j);
        if !w.parse::<u8>().is_ok_and(|n| (18..=99).contains(&n)) {
            return false;
        }
        let start = self.toks[j].start as usize;
        if self.text[..start].ends_with(['£', '$', '€']) {
            return false;
        }
        let unit_follows = j + 1 < self.toks.len()
            && self.toks[j + 1].sentence == self.toks[j].sentence
            && self.word_is(j + 1, UNITS);
        if unit_follows || self.text[self.toks[j].end as usize..].starts_with('%') {
            return false;
        }
        // Written as an age: "(47)", "aged 47", "47-year-old", "47 y/o", "a
        // woman of 34", "Craig T, 24" — not a house number or a date.
        let (open, close) = self.brackets(j);
        let after_comma = self.text[..start].trim_end().ends_with(',')
            && j > 0
            && self
                .word(j - 1)
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
        // "a taxi driver, 58, who", "the man, 45,".
        let after_adult_noun = j > 0
            && self.text[..start].trim_end().ends_with(',')
            && (self.word_is(j - 1, ADULT_NOUNS) || self.word_is(j - 1, ACTORS));
        (open && close)
            || after_comma
            || after_adult_noun
            || self.age_marked(j)
            // "a woman of 34"
            || (j > 0 && self.word_is(j - 1, OF))
    }

    /// A pronoun or noun for the subject child (with the narrative's
    /// pronouns when known).
    fn is_subject_pronoun(&self, j: usize) -> bool {
        self.word_is(j, NOUNS)
            || match self.female() {
                Some(true) => self.word_is(j, SHE),
                Some(false) => self.word_is(j, HE),
                None => self.word_is(j, SHE_HE_THEY),
            }
    }

    /// Whether the person at token `s` is the object of a preposition
    /// ("with friends", "to her mum", "by two adult males", "after dad
    /// left"): a preposition up to three words before, with only
    /// determiners, numbers and adjectives between.
    fn after_preposition(&self, s: usize, sentence_start: usize) -> bool {
        for back in 1..=3 {
            let Some(j) = s.checked_sub(back) else {
                return false;
            };
            if j < sentence_start {
                return false;
            }
            if self.word_is(j, OBJECT_MARKERS) {
                // "five of the men", "one of them": a part of the group,
                // still the clause's subject.
                let partitive = self.word_is(j, OF)
                    && j > sentence_start
                    && (self.word_is(j - 1, QUANTIFIERS)
                        || self.word(j - 1).bytes().all(|b| b.is_ascii_digit()));
                // ", and the man was convicted": a new clause, whose subject
                // the person is.
                let new_clause = self.word_is(j, AND) && j > sentence_start && self.comma_before(j);
                return !partitive && !new_clause;
            }
            let w = self.word(j);
            if !(self.word_is(j, BETWEEN) || w.bytes().all(|b| b.is_ascii_digit())) {
                return false;
            }
        }
        false
    }

    fn context(
        &self,
        (triggers, owned_negations): (&[TriggerAt], &[(usize, usize)]),
        (first, end, gaps): (usize, usize, &[(usize, usize)]),
        year: Option<i16>,
        indicator: &str,
    ) -> Ctx {
        let mut ctx = Ctx::default();
        // A trigger in the few words a pattern skipped ("says she is not
        // sexually active") is inside the hit's own clause.
        let in_gap_of = |s: usize, e: usize, most: usize| {
            gaps.iter()
                .any(|&(gs, ge)| ge - gs <= most && s >= gs && e <= ge)
        };
        let in_gap = |s: usize, e: usize| in_gap_of(s, e, 4);
        // Hearsay and possibility words qualify the whole claim, however
        // long the gap they sit in ("her friend Iqra is said to have ...").
        let hedge_in_gap = |s: usize, e: usize| in_gap_of(s, e, 8);
        let sentence = self.toks[first].sentence;
        let range = self.sentence_range(sentence);
        // The triggers of this sentence (sorted by start).
        let lo = triggers.partition_point(|&(_, s, _)| s < range.start);
        let hi = triggers.partition_point(|&(_, s, _)| s < range.end);
        let triggers = &triggers[lo..hi];
        // A terminator between a trigger and the hit ends the trigger's scope.
        let terminated = |from: usize, to: usize| {
            triggers.iter().any(|&(t, s, _)| {
                t == Trigger::Terminate && s >= from && s < to && !self.aside(s, to)
            }) || self.subordinate_break(from, to)
        };
        // A negation or hedge also ends at a new clause after a comma
        // (the person a clause is about carries over appositives: "her
        // brother Jayce (7), subject of his own plan, has bruises").
        let scope_ended =
            |from: usize, to: usize| terminated(from, to) || self.clause_break(from, to);
        // A pseudo-trigger is not one for a hit inside it: "a man of about
        // 30, not known to police" keeps the man, but "Not known to police"
        // denies the hit "known to police".
        // A test result written with the hit ("chlamydia positive"): a
        // trailing "negative" is another test's.
        let result_positive = |k: usize| self.word_is(k, RESULT_POSITIVE);
        let affirmed =
            || result_positive(end - 1) || (end < self.toks.len() && result_positive(end));
        let pseudo = |s: usize, e: usize| {
            triggers.iter().any(|&(t, ps, pe)| {
                t == Trigger::Pseudo
                    && ps <= s
                    && pe >= e
                    && (pe <= first || ps >= end || in_gap(ps, pe))
            })
        };
        // A negation inside another phrase: its own, for a hit after that
        // phrase or one whose skipped words it sits in.
        let owned = |s: usize| {
            owned_negations
                .iter()
                .any(|&(os, phrase_end)| os == s && (phrase_end <= first || in_gap(s, s + 1)))
        };
        // A phrase that is itself a denial ("had not slept ... since
        // yesterday", "would not give names") is not denied by another
        // negation: the words it skips repeat its own ("and had not
        // eaten"), and one before it joins it ("could not or would not
        // give names").
        // (Worked out only when a negation reaches the hit: most hits have
        // none.)
        let self_denial = || {
            triggers.iter().any(|&(t, s, e)| {
                t == Trigger::NegatePre
                    && s >= first
                    && e <= end
                    && !gaps.iter().any(|&(gs, ge)| s < ge && e > gs)
            })
        };
        for &(t, s, e) in triggers {
            // Whether the trigger reaches the hit from before it or after
            // it, asked only of the kinds that read before or after.
            let (reads_before, reads_after) = match t {
                Trigger::NegatePre
                | Trigger::HedgePre
                | Trigger::HistoryPre
                | Trigger::OtherPre => (true, false),
                Trigger::NegatePost | Trigger::HedgePost | Trigger::HistoryPost => (false, true),
                _ => (false, false),
            };
            let before =
                reads_before && e <= first && first - e <= PRE_SCOPE && !terminated(e, first);
            let after = reads_after && s >= end && s - end <= POST_SCOPE && !terminated(end, s);
            // (Only negations and hedges ask whether a clause ended: the
            // scan of the words between is done for them alone.)
            // "Mum's partner (not present) has a conviction": a negation
            // or hedge inside brackets closed before the hit is the aside's.
            let scoped_before =
                || before && !scope_ended(e, first) && !self.bracket_between(e, first);
            let scoped_after = || after && !scope_ended(end, s);
            match t {
                // A closure is negated only right before it ("was not
                // closed"): "no missing episodes, and the case was closed"
                // still closed it.
                Trigger::NegatePre
                    if ((scoped_before() || in_gap(s, e)) && !self_denial())
                        && !pseudo(s, e)
                        && !owned(s)
                        && (indicator != "NA" || first.saturating_sub(e) <= 2) =>
                {
                    ctx.negated = true
                }
                // "chlamydia positive, HIV negative": a result written
                // right after the hit is its own.
                Trigger::NegatePost
                    if scoped_after() && !pseudo(s, e) && !affirmed() && !owned(s) =>
                {
                    ctx.negated = true
                }
                Trigger::HedgePre if (scoped_before() || hedge_in_gap(s, e)) && !pseudo(s, e) => {
                    ctx.hedged = true
                }
                Trigger::HedgePost if scoped_after() => ctx.hedged = true,
                Trigger::HedgeSentence
                    if e <= first
                        && !triggers.iter().any(|&(t2, s2, _)| {
                            t2 == Trigger::Terminate
                                && s2 >= e
                                && s2 < first
                                && self.word_is(s2, CONTRASTS)
                        }) =>
                {
                    ctx.hedged = true
                }
                // "was being used to transport drugs" is the passive of
                // "use", not a past habit.
                Trigger::HistoryPre if before && !self.passive_used(s) => ctx.historical = true,
                Trigger::HistoryPost if after => ctx.historical = true,
                // "her boyfriend (24) who deals drugs": a relative clause
                // right before the hit is about the person it follows.
                Trigger::OtherPre
                    if !before
                        && e <= first
                        && first >= 1
                        && self.word_is(first - 1, WHO_THAT)
                        // "foster carers, who report two missing episodes":
                        // the carers are the source.
                        && !triggers
                            .iter()
                            .any(|&(rt, rs, _)| rt == Trigger::Reporting && rs == first)
                        && first > e
                        && first - 1 - e <= 3
                        && !self.after_preposition(s, range.start)
                        && !terminated(e, first - 1) =>
                {
                    ctx.other = true;
                }
                Trigger::OtherPre if before => {
                    // "Mum says she..." names the source, not the experiencer.
                    // ("Her friend is said to have..." is passive: hearsay
                    // about the friend, who is not the source.)
                    // So does a speaker's label in minutes and logs
                    // ("Mother: slams doors, snaps if she asks").
                    let speaker_label = self.text[self.toks[e - 1].end as usize..]
                        .trim_start_matches([' ', '\t'])
                        .starts_with(':');
                    let reporting = speaker_label
                        || triggers.iter().any(|&(rt, rs, _)| {
                            rt == Trigger::Reporting
                                && rs >= e
                                && rs <= e + 2
                                // "her brother was (repeatedly) reported
                                // missing" is passive: about him, not by him.
                                && !(e..rs).any(|k| self.word_is(k, PASSIVE))
                        });
                    // "with friends", "to her mum", "after dad left": the
                    // other person is an object, not whom the clause is about.
                    let object = self.after_preposition(s, range.start);
                    // A pronoun for the subject between them takes the clause
                    // back: "mum says that she ...".
                    let back_to_subject =
                        (e..first).any(|j| self.is_subject_pronoun(j) || self.is_subject_name(j));
                    // What the adults around a child do (drive her, buy her
                    // things, keep her company, take her to a room) is the
                    // child's indicator: "the men have previous
                    // convictions", "a man in a car waits and she gets in".
                    let adult_around_child = e > s
                        && (self.word_is(e - 1, ADULT_NOUNS) || self.word_is(e - 1, ADULT))
                        && ADULT_EVIDENCE.contains(&indicator);
                    // "a city where he has no family or known friends, after
                    // being missing": friends denied are no one, and a
                    // subordinate clause after a comma is about the main
                    // clause's subject.
                    let no_one = || {
                        (s.saturating_sub(4).max(range.start)..s)
                            .any(|k| self.word_is(k, NO_ONE_BEFORE))
                            || self.child_described(s)
                    };
                    if !reporting
                        && !object
                        && !back_to_subject
                        && !adult_around_child
                        && !no_one()
                        && !self.subordinate_break(e, first)
                    {
                        ctx.other = true;
                    }
                }
                _ => {}
            }
        }
        // Someone the record named as another person ("her friend Ellie")
        // as the clause's subject before the hit: theirs.
        if !ctx.other && !self.other_names.is_empty() {
            // (Further back than other cues: a named person stays the
            // clause's subject through "is running drugs for a county line
            // and has been missing".)
            let from = first.saturating_sub(2 * PRE_SCOPE).max(range.start);
            for j in from..first {
                if self.is_other_name(j)
                    && !self.after_preposition(j, range.start)
                    && !terminated(j, first)
                    && !(j + 1..first).any(|k| self.is_subject_pronoun(k) || self.is_subject_name(k))
                    // "Her friend Jordan says Nia was collected": the source.
                    && !triggers
                        .iter()
                        .any(|&(t, s, _)| t == Trigger::Reporting && s > j && s < first)
                {
                    ctx.other = true;
                    break;
                }
            }
        }
        // "He" in a narrative about a girl (or "she" about a boy) as the
        // clause's subject before the hit, not the object of a preposition:
        // someone else's. (Asked only when no cue before has said so.)
        if !ctx.other
            && let Some(female) = self.female()
        {
            let other_pronoun = if female { HE } else { SHE };
            let from = first.saturating_sub(PRE_SCOPE).max(range.start);
            for j in from..first {
                if self.word_is(j, other_pronoun)
                    && !self.after_preposition(j, range.start)
                    && !terminated(j, first)
                    && !(j + 1..first).any(|k| self.is_subject_pronoun(k))
                {
                    ctx.other = true;
                    break;
                }
            }
        }
        // Offending by an adult named with their age just before it ("Mark
        // ELLISON (47), convicted 2009"; "a 25-year-old, who was later
        // jailed") or just after it ("arrest of Dariusz W (33)"), or by
        // the other-sex pronoun as its object ("mum wants him arrested"):
        // the adult's, not the child's.
        if !ctx.other && ACTOR_INDICATORS.contains(&indicator) {
            let from = first.saturating_sub(PRE_SCOPE).max(range.start);
            let adult_before = (from..first).any(|j| {
                self.is_adult_age(j)
                    && !(j + 1..first).any(|k| self.is_subject_pronoun(k))
                    // "Mum (42) reports Jade (15) was arrested": the source.
                    && !triggers
                        .iter()
                        .any(|&(t, s, _)| t == Trigger::Reporting && s > j && s < first)
            });
            let to = (end + 5).min(range.end);
            let adult_after = (end..to).any(|j| self.is_adult_age(j))
                && !(end..to).any(|k| self.word_is(k, ALONGSIDE));
            // "the sentencing of Mr Latimer", "arrest of Ms Reid".
            let titled_after =
                end + 1 < range.end && self.word_is(end, OF) && self.word_is(end + 1, MR_MRS_MS);
            let other_pronoun = match self.female() {
                Some(true) => HE_HIM_HIS,
                Some(false) => SHE_HER,
                None => NO_WORDS,
            };
            let object_pronoun = first >= 1
                && (first.saturating_sub(2).max(range.start)..first)
                    .any(|j| self.word_is(j, other_pronoun));
            // "convicted of offences against Owen and five other boys": the
            // children are whom the offences were against, not who offended.
            let to = (end + 5).min(range.end);
            let against_children = (end..to).any(|j| {
                self.word_is(j, AGAINST)
                    && (j + 1..(j + 4).min(range.end)).any(|k| {
                        let relative_follows = self.relative_follows(k, range.end);
                        (self.word_is(k, CHILDREN_AS_OBJECTS)
                            || self.word(k).chars().next().is_some_and(char::is_uppercase))
                            && !relative_follows
                    })
            });
            // "Jordan K arrested on suspicion of ...", "mum's ex, Gary, was
            // remanded", "two of the men who ran the flat were convicted":
            // the clause's actor is a person named or described as someone
            // other than the subject child, just before the hit.
            let actor_from = first.saturating_sub(7).max(range.start);
            let someone_else = (actor_from..first).rev().find_map(|j| {
                if self.is_subject_pronoun(j) || self.is_subject_name(j) {
                    return Some(false);
                }
                let capitalised = |k: usize| {
                    self.word(k).chars().next().is_some_and(char::is_uppercase)
                        && !self.word_is(k, NOT_NAMES)
                };
                let w = self.word(j);
                // The subject's own surname ("Kelsey Jones arrested").
                if j > range.start && self.is_subject_name(j - 1) {
                    return Some(false);
                }
                // A name opening the sentence needs a surname or initial
                // after it ("Jordan K arrested"), or it may be any word.
                let name = capitalised(j)
                    && w.chars().skip(1).any(char::is_lowercase)
                    && (j > range.start || (j + 1 < first && capitalised(j + 1)))
                    && self.subject_name().is_some();
                (name || self.word_is(j, ADULT_NOUNS) || self.word_is(j, ACTORS)).then_some(true)
            });
            // "A Luton taxi driver, 58, who gave a schoolgirl free rides
            // ... has been jailed": an adult described with an age opens
            // the sentence and no one else takes the clause before the hit.
            let head = range.start..(range.start + 6).min(first);
            let sentence_actor = head.clone().any(|j| {
                (self.word_is(j, ADULT_NOUNS) || self.word_is(j, ACTORS))
                    && (j.saturating_sub(3).max(range.start)..(j + 4).min(first))
                        .any(|k| self.is_adult_age(k))
            }) && !(range.start..first)
                .any(|k| self.is_subject_pronoun(k) || self.is_subject_name(k));
            if adult_before
                || adult_after
                || sentence_actor
                || titled_after
                || object_pronoun
                || against_children
                || someone_else == Some(true)
            {
                ctx.other = true;
            }
        }
        // The subject child as the object of the hit's clause ("men
        // picked her up", "gave him money"): the subject's.
        if ctx.other && !ACTOR_INDICATORS.contains(&indicator) {
            // With the narrative's pronouns unknown, either.
            // ("them" and "us" for the children of a record about several,
            // or in the child's own words: "the men give us vodka".)
            let objects = match self.female() {
                Some(true) => OBJECTS_OF_A_GIRL,
                Some(false) => OBJECTS_OF_A_BOY,
                None => OBJECTS_OF_EITHER,
            };
            let from = first.saturating_sub(PRE_SCOPE).max(range.start);
            let to = (end + 2).min(range.end);
            if (from..to).any(|j| self.word_is(j, objects) && !self.relative_follows(j, range.end))
            {
                ctx.other = false;
            }
        }
        // "... with a girl (of 13)" just after the hit: about the child.
        if ctx.other && !ACTOR_INDICATORS.contains(&indicator) {
            let to = (end + 4).min(range.end);
            if (end..to)
                .any(|j| self.word_is(j, WITH_AND) && (j + 1..to).any(|k| self.word_is(k, A_CHILD)))
            {
                ctx.other = false;
            }
        }
        // A year before the report's dates the hit to the past (a year
        // within six words of it).
        let near = first.saturating_sub(6).max(range.start)..(end + 7).min(range.end);
        for i in near {
            // (A year is four digits: most words are passed over on one
            // test of their length and first byte together, rarely true.)
            let t = &self.toks[i];
            let four_digits =
                (t.end - t.start == 4) & self.text.as_bytes()[t.start as usize].is_ascii_digit();
            if !four_digits {
                continue;
            }
            if let Ok(y) = self.word(i).parse::<i16>()
                && (1990..=2100).contains(&y)
            {
                // Without the report's date, a year written in the text
                // dates the event to the past: narratives give years for
                // history, not for what is happening now.
                if year.is_none_or(|ry| y < ry) {
                    ctx.year = Some(y);
                    ctx.historical = true;
                }
            }
        }
        // An age the sentence gives for the event ("when she was 8", "at
        // the age of 12", "(then 11)", "in Year 6") younger than the child
        // is now: the child's history.
        if !ctx.historical
            && let Some(then) = self.event_age(range.start, range.end)
            && self.first_child_age().is_some_and(|now| then < now)
        {
            ctx.historical = true;
        }
        ctx
    }

    /// The age the sentence of tokens `from` to `to` gives for its event:
    /// "when she was 8", "at the age of 12", "(then 11)", "then 11",
    /// "Aged 12, she ...", or a school year ("in Year 6", read as 10, the
    /// youngest age in it).
    fn event_age(&self, from: usize, to: usize) -> Option<u8> {
        (from..to).find_map(|i| {
            // (An age opens with a digit: most words are ruled out on their
            // first byte.)
            if !self.text.as_bytes()[self.toks[i].start as usize].is_ascii_digit() {
                return None;
            }
            let n = self.word(i).parse::<u8>().ok()?;
            if i + 1 < to && self.word_is(i + 1, COUNT_UNITS) {
                return None;
            }
            let before =
                |k: usize, w: &str| i >= k + from && self.word(i - k).eq_ignore_ascii_case(w);
            let when_was =
                before(1, "was") && i >= 3 + from && self.word(i - 3).eq_ignore_ascii_case("when");
            let at_the_age_of = before(1, "of") && before(2, "age") && before(3, "the");
            let then = before(1, "then");
            let aged_opening = before(1, "aged") && (i == from + 1 || self.comma_before(i - 1));
            let school_year = before(2, "in")
                && (before(1, "year") || before(1, "yr") || before(1, "y"))
                && (1..=13).contains(&n);
            if school_year {
                return Some(n + 4);
            }
            ((when_was || at_the_age_of || then || aged_opening) && (4..18).contains(&n))
                .then_some(n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detector() -> Detector {
        Detector::compile(&crate::load_rules(None).unwrap()).unwrap()
    }

    /// The word matcher finds exactly the matches a search from every word
    /// finds: every pattern at every token, overlapping, within a
    /// sentence, skipping words outside the vocabulary.
    #[test]
    fn the_word_matcher_finds_every_match_a_search_from_each_word_finds() {
        // A small deterministic generator (xorshift), so that failures
        // repeat.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..200 {
            let mut matcher = WordMatcher::new();
            let mut count = 0;
            let mut patterns: Vec<Vec<u32>> = Vec::new();
            for _ in 0..1 + next(12) {
                let seq: Vec<u32> = (0..1 + next(4)).map(|_| 1 + next(5) as u32).collect();
                let i = matcher.insert(&seq, &mut count);
                if i == patterns.len() {
                    patterns.push(seq);
                }
            }
            matcher.build().unwrap();
            // Words 0 (none) to 6 (beyond every pattern's), sentences of a
            // few words.
            let mut sentence = 0;
            let toks: Vec<Tok> = (0..60)
                .map(|i| {
                    if next(8) == 0 {
                        sentence += 1;
                    }
                    Tok {
                        start: i,
                        end: i + 1,
                        sentence,
                        word: next(7) as u32,
                        surf: NONE,
                        lists: 0,
                    }
                })
                .collect();
            let mut found = Vec::new();
            matcher.find(
                &toks,
                |t| t.word,
                |p, first, len| found.push((first, len, p)),
            );
            let mut expected = Vec::new();
            for first in 0..toks.len() {
                for (p, seq) in patterns.iter().enumerate() {
                    let Some(words) = toks.get(first..first + seq.len()) else {
                        continue;
                    };
                    if words.iter().zip(seq).all(|(t, &w)| t.word == w)
                        && words.iter().all(|t| t.sentence == toks[first].sentence)
                    {
                        expected.push((first, seq.len(), p));
                    }
                }
            }
            expected.sort_unstable();
            assert_eq!(found, expected, "patterns {patterns:?}");
        }
    }

    /// Whether `text` has a hit for `id` that is present (not negated).
    fn present(d: &Detector, text: &str, id: &str) -> bool {
        d.detect(text, None)
            .iter()
            .any(|h| h.indicator == id && h.present())
    }

    fn who(d: &Detector, text: &str, id: &str) -> Option<Experiencer> {
        d.detect(text, None)
            .into_iter()
            .find(|h| h.indicator == id && !h.negated)
            .map(|h| h.experiencer)
    }

    /// Each text has `id` present, for `whose`.
    fn assert_whose(d: &Detector, id: &str, whose: Experiencer, texts: &[&str]) {
        for text in texts {
            assert_eq!(who(d, text, id), Some(whose), "{text}");
        }
    }

    #[test]
    fn adults_as_the_clause_subject_are_someone_else() {
        let d = detector();
        assert_eq!(
            who(&d, "Three adult males were arrested at the address.", "M13"),
            Some(Experiencer::Other)
        );
        // ... but not as the object of a preposition.
        assert_eq!(
            who(
                &d,
                "She says she was collected from home by two adult males in the early hours. She would not say more.",
                "M1"
            ),
            Some(Experiencer::Subject)
        );
    }

    #[test]
    fn pronouns_of_the_narrative_tell_whose() {
        let d = detector();
        // A narrative about a girl: "he" is someone else...
        let text = "She was upset. She says he was arrested last week for assault.";
        assert_eq!(who(&d, text, "M13"), Some(Experiencer::Other));
        // ... and the subject as the object of his act is hers.
        let text = "She was seen by the nurse. She says the man raped her in his car.";
        assert_eq!(who(&d, text, "C2"), Some(Experiencer::Subject));
    }

    #[test]
    fn a_relative_clause_is_about_whom_it_follows() {
        let d = detector();
        let text = "She has a boyfriend (24) who deals drugs.";
        assert_eq!(who(&d, text, "M13"), Some(Experiencer::Other));
    }

    #[test]
    fn a_negation_in_the_words_a_pattern_skips_negates() {
        let d = detector();
        let hits = d.detect("She says she is not sexually active.", None);
        assert!(hits.iter().all(|h| h.indicator != "C2" || h.negated));
    }

    #[test]
    fn a_negation_inside_brackets_stays_there() {
        let d = detector();
        let hits = d.detect(
            "Tia (15). Mum's partner (not present) has a recent conviction for assaulting mum.",
            None,
        );
        assert!(hits.iter().any(|h| h.indicator == "M13" && !h.negated));
        // A bracket after the negation does not end it.
        let hits = d.detect("Tia (15). No concerns (as before) about older males.", None);
        assert!(hits.iter().all(|h| h.indicator != "H8" || h.negated));
    }

    #[test]
    fn a_negation_inside_another_phrase_is_that_phrases_own() {
        let d = detector();
        let present = |text: &str, id: &str| {
            d.detect(text, None)
                .iter()
                .any(|h| h.indicator == id && !h.negated)
        };
        assert!(present(
            "Found in a town where he had no connections, in the flat of a vulnerable adult.",
            "H5"
        ));
        assert!(present(
            "She was cold, had not slept and had not eaten since lunchtime the previous day.",
            "M14"
        ));
        // A phrase that ends with the negation reaches on.
        assert!(!present(
            "She had been due home at 2200 hrs and had not been reported missing.",
            "H1"
        ));
    }

    #[test]
    fn a_stranger_not_known_to_police_is_still_an_adult_but_the_record_is_denied() {
        let d = detector();
        let h8 = |text: &str| present(&d, text, "H8");
        assert!(!h8("Jade (14). Not known to police."));
        assert!(h8(
            "Jade (14) found with a man of about 30, not known to police."
        ));
        assert!(h8(
            "Jade (14) was seen with a man of about 30, not known to the family."
        ));
    }

    #[test]
    fn clinical_shorthand_is_read() {
        let d = detector();
        let found = |text: &str, id: &str| present(&d, text, id);
        assert!(found("UPT POSITIVE.", "H7"));
        assert!(found(
            "Full STI screen: chlamydia positive, HIV/syphilis negative.",
            "H7"
        ));
        assert!(!found("Pregnancy test negative.", "H7"));
        // A compact age makes a pregnancy a child's under 16.
        assert!(found(
            "14y F, UPT +ve, says the pregnancy is by Tyrone.",
            "M10"
        ));
        assert!(!found(
            "17y F, UPT +ve, says the pregnancy is by Tyrone.",
            "M10"
        ));
        assert_eq!(compact_age("15F"), Some(15));
        assert_eq!(compact_age("13yo"), Some(13));
        assert_eq!(compact_age("3rd"), None);
        assert_eq!(compact_age("2am"), None);
    }

    #[test]
    fn everyday_words_for_a_man_are_read_as_man() {
        let d = detector();
        assert!(present(
            &d,
            "Same girl, 15ish, in here most nights with different older blokes.",
            "H8"
        ));
    }

    #[test]
    fn night_times_are_their_own_class() {
        let d = detector();
        let late = d.detect("He came home at 02:00 smelling of alcohol.", None);
        assert!(late.iter().any(|h| h.indicator == "M1"));
        let day = d.detect("He came home at 14:00 smelling of alcohol.", None);
        assert!(!day.iter().any(|h| h.indicator == "M1"));
    }

    #[test]
    fn numbers_match_any_number_pattern() {
        let d = detector();
        let t = "He was missing for 24 hours.";
        assert!(d.detect(t, None).iter().any(|h| h.indicator == "H1"));
    }

    #[test]
    fn slips_of_the_keyboard_are_read_but_other_words_are_not() {
        assert!(typo_of("boyfreind", "boyfriend"));
        assert!(typo_of("collcted", "collected"));
        assert!(typo_of("misssing", "missing"));
        assert!(!typo_of("remind", "remand"));
        assert!(!typo_of("traffic", "traffick"));
        assert!(!typo_of("demand", "remand"));
        let d = detector();
        assert_eq!(who(&d, "Road traffic collision on the A56.", "H12"), None);
        assert!(who(&d, "She has an older boyfreind.", "H2").is_some());
    }

    #[test]
    fn offending_by_an_adult_named_with_their_age_is_theirs() {
        let d = detector();
        assert_eq!(
            who(
                &d,
                "Lacey (14) visits Mark ELLISON (47), convicted 2009.",
                "M13"
            ),
            Some(Experiencer::Other)
        );
        assert_eq!(
            who(&d, "Jade (15) was arrested for shoplifting.", "M13"),
            Some(Experiencer::Subject)
        );
        assert_eq!(
            who(
                &d,
                "Child M, a girl of 12, was groomed online. He was convicted in 2023.",
                "M13"
            ),
            Some(Experiencer::Other)
        );
        assert_whose(
            &d,
            "M13",
            Experiencer::Other,
            &[
                "Owen (13) gave a full account, and the man was convicted.",
                "Owen, a boy of 13. He was convicted of offences against Owen and five other boys.",
            ],
        );
    }

    #[test]
    fn a_relative_described_or_set_off_by_an_aside_is_someone_else() {
        let d = detector();
        assert_whose(
            &d,
            "H1",
            Experiencer::Other,
            &[
                "Keeley (14) is in care. Her older sister has not returned home since Tuesday.",
                "Keeley (14) is in care. Her sister, however, has not returned home.",
                "Amy (14). Her brother was repeatedly reported missing.",
                "Mia (14) said her best mate Sophie has been missing loads this year.",
                "Jordan (15) is in care. His friend Kai, who is also placed there, was missing the same night.",
            ],
        );
        // The child as the object is still the child.
        assert_whose(
            &d,
            "H1",
            Experiencer::Subject,
            &["Keeley (14). Men picked her up and she went missing."],
        );
    }

    #[test]
    fn the_parties_of_a_court_case_are_not_the_child() {
        let d = detector();
        assert_whose(
            &d,
            "M13",
            Experiencer::Other,
            &[
                "Kayla (14) was found at a flat. The appellant, who is 41, challenges a sentence for arranging child sex offences.",
                "Kayla (14) was found at a flat. The hearing for the sentencing of Mr Latimer was adjourned.",
                "Kayla (14) was found at a flat. Mr Latimer was convicted of two counts.",
                "Sentencing of Mr Latimer, convicted of two counts of sexual assault, adjourned.",
            ],
        );
    }

    #[test]
    fn someone_the_record_names_as_another_is_someone_else() {
        let d = detector();
        let text = "Mum reports that Nia's big sister Jordan (15) has been staying out. \
                    Jordan was collected from the house by a man in his thirties.";
        assert_eq!(who(&d, text, "H3"), Some(Experiencer::Other));
        let text = "Nathan (15). Nathan's close friend Kai (16) is running drugs for an \
                    Oldham-based county line and has been missing from home for three days.";
        assert_eq!(who(&d, text, "H1"), Some(Experiencer::Other));
        let text = "Arben (16) is anxious because his housemate Ervin (16) has been missing.";
        assert_eq!(who(&d, text, "H1"), Some(Experiencer::Other));
        // Carers who report are the source; a false adult age given for a
        // child the record later names with her own is not an adult's name.
        let text = "Poppy (14) is with foster carers, who report two overnight missing episodes.";
        assert_eq!(who(&d, text, "H1"), Some(Experiencer::Subject));
        let text = "Front passenger gave her name as Lauren, 18 - later confirmed as \
                    Lauren S, 15, reported missing from Ashwood children's home.";
        assert_eq!(who(&d, text, "H1"), Some(Experiencer::Subject));
        let text = "Nia (13) goes missing. \
                    Her friend Jordan says Nia was collected from school by a man in his thirties.";
        assert_eq!(who(&d, text, "H3"), Some(Experiencer::Subject));
        let text = "On Friday Nia (14) went to a party. Her friend Jordan went too. \
                    In the account Nia gave, Nia was collected from school by a man in his thirties.";
        assert_eq!(who(&d, text, "H3"), Some(Experiencer::Subject));
        let text =
            "Jade (15). Mum's partner was arrested and Jade was also arrested for shoplifting.";
        let hits = d.detect(text, None);
        assert!(
            hits.iter()
                .any(|h| h.indicator == "M13" && h.experiencer == Experiencer::Subject),
            "{hits:?}"
        );
    }

    #[test]
    fn offending_by_someone_named_or_described_just_before_it_is_theirs() {
        let d = detector();
        assert_whose(
            &d,
            "M13",
            Experiencer::Other,
            &[
                "Kelsey (14) went missing. Jordan K arrested on suspicion of rape of a child under 13.",
                "Tayla (14) says home is calmer since mum's ex, Gary, was remanded in September.",
                "Child S (14) was taken to the flat. Two of the men who ran it were convicted.",
                // Named with an adult's age earlier, by family name later.
                "Driver Lewis TRAVIS (31). Passenger Ruby HALL (15), reported missing. TRAVIS arrested.",
                "Reece (15) was in a car driven by Callum Birtles (23). Birtles was arrested for supply.",
            ],
        );
        assert_whose(
            &d,
            "M13",
            Experiencer::Subject,
            &[
                "Jade (15) was arrested for shoplifting.",
                "Kelsey (14) went missing. Kelsey Jones arrested for shoplifting on return.",
            ],
        );
    }

    #[test]
    fn what_adults_around_the_child_do_is_the_childs_indicator() {
        let d = detector();
        for (text, id) in [
            (
                "Leah (14) was in the car. Driver Darren F (26) and the men have previous convictions for supply.",
                "H8",
            ),
            (
                "Kelsey (14) waits at the end of the road. A man in a grey van picks her up.",
                "H3",
            ),
            (
                "Two girls aged 14 were at the hotel. Between midnight and 0200 five men were seen going up to the room.",
                "H5",
            ),
        ] {
            assert_eq!(who(&d, text, id), Some(Experiencer::Subject), "{text}");
        }
        // Another child is still someone else.
        assert_eq!(
            who(
                &d,
                "Maya (14) is upset. Her friend has an older boyfriend.",
                "H2"
            ),
            Some(Experiencer::Other)
        );
    }

    #[test]
    fn an_adults_age_written_out_is_an_adults_age() {
        let d = detector();
        assert_eq!(
            who(&d, "Mia (15) says her boyfriend is nineteen.", "H2"),
            Some(Experiencer::Subject)
        );
        assert_eq!(d.entry("twenty").word, d.numbers[1]);
    }

    #[test]
    fn a_partner_much_older_than_the_child_is_an_older_partner() {
        let d = detector();
        let h2 = |text: &str| present(&d, text, "H2");
        assert!(h2(
            "Y8 pupil, aged 12. Says her boyfriend is 16 and at sixth form."
        ));
        assert!(h2(
            "Summer (12) told the nurse her boyfriend is in Year 11."
        ));
        assert!(h2("Mia (13). Police: boyfriend identified as Tomasz, 16."));
        // A year or two apart is not.
        assert!(!h2("Jade (15) has a boyfriend who is 16."));
        // Nor a number that is not an age.
        assert!(!h2("Mia (13) has had the same boyfriend for 16 months."));
    }

    #[test]
    fn an_event_at_a_younger_age_is_history() {
        let d = detector();
        let hits = d.detect(
            "Holly (15) returned after 2 days. She was sexually abused by her uncle when she was 8.",
            None,
        );
        assert!(
            hits.iter().any(|h| h.indicator == "V2" && h.historical),
            "{hits:?}"
        );
        // The child's age now is not history.
        let hits = d.detect(
            "Holly (15) went missing when she was 15 and again last week.",
            None,
        );
        assert!(hits.iter().all(|h| !h.historical), "{hits:?}");
    }

    #[test]
    fn being_used_to_is_not_a_past_habit() {
        let d = detector();
        let hits = d.detect(
            "He was being used to transport drugs and had large amounts of cash.",
            None,
        );
        assert!(hits.iter().all(|h| !h.historical), "{hits:?}");
        let hits = d.detect("She used to go missing a lot.", None);
        assert!(
            hits.iter().any(|h| h.indicator == "H1" && h.historical),
            "{hits:?}"
        );
    }

    #[test]
    fn a_place_is_not_taken_for_the_childs_name() {
        let d = detector();
        assert_whose(
            &d,
            "M13",
            Experiencer::Other,
            &[
                "A 31-year-old man from Hemel Hempstead has been charged with offences against six girls.",
            ],
        );
        // An adult described with an age opens the sentence: the offence
        // at its end is theirs, however long the clause between.
        assert_whose(
            &d,
            "M13",
            Experiencer::Other,
            &[
                "A Luton taxi driver, 58, who gave a 15-year-old schoolgirl free rides and vapes in return for sexual activity has been jailed.",
            ],
        );
    }

    #[test]
    fn a_child_described_by_age_and_sex_is_not_an_adult_male() {
        let d = detector();
        assert_whose(
            &d,
            "M14",
            Experiencer::Subject,
            &[
                "MISPER. 13yo male Kai BROOKS. Kai located by BTP at Milton Keynes Central, no known links to area. Kai clean, fed and in new trainers.",
            ],
        );
    }

    #[test]
    fn friends_denied_or_a_subordinate_clause_leave_the_clause_the_childs() {
        let d = detector();
        assert_whose(
            &d,
            "H1",
            Experiencer::Subject,
            &[
                "Tyler was located in Plymouth, a city where he has no family or known friends, after being missing for three days.",
            ],
        );
    }

    #[test]
    fn an_age_in_running_prose_is_an_age_but_a_count_is_not() {
        let d = detector();
        for text in [
            "Child E was 12 when she asked the school nurse for the contraceptive pill.",
            "Roxanne, 12, asked for the morning-after pill.",
        ] {
            assert!(
                present(&d, text, "C1"),
                "{text}: {:?}",
                d.detect(text, None)
            );
        }
        assert!(!present(
            &d,
            "She was 12 minutes late and asked about condoms.",
            "C1"
        ));
    }

    #[test]
    fn a_denial_phrase_and_an_aside_in_brackets_keep_their_own_scope() {
        let d = detector();
        // The phrase is itself a denial; the repeated "had not" it skips
        // does not deny it.
        let text = "She had not slept and had not eaten since the day before.";
        assert!(present(&d, text, "M14"), "{:?}", d.detect(text, None));
        let text = "Could not or would not give any names.";
        assert!(present(&d, text, "H9"), "{:?}", d.detect(text, None));
        // A second action joined by "and" is out of a negation's reach.
        let text = "He had bruising he would not explain, and he refused to name anyone.";
        assert!(present(&d, text, "H9"), "{:?}", d.detect(text, None));
        // A stranger, not a denial.
        let text = "Mum says a car she does not recognise sits outside the house most nights.";
        assert!(present(&d, text, "M5"), "{:?}", d.detect(text, None));
        // "hadn't" denies what follows in its clause ...
        assert!(!present(&d, "He says he hadn't been drinking.", "M3"));
        // ... but not an aside opened in brackets after other words.
        let text = "He just hadn't told her where he was going (parents separated last spring).";
        assert!(present(&d, text, "V5"), "{:?}", d.detect(text, None));
    }

    #[test]
    fn the_child_and_a_friend_together_are_both_experiencers() {
        let d = detector();
        let text = "Sophie (14) and her school friend Mia (14) were reported missing on Friday.";
        let hits = d.detect(text, None);
        for whose in [Experiencer::Subject, Experiencer::Other] {
            assert!(
                hits.iter()
                    .any(|h| h.indicator == "H1" && h.experiencer == whose),
                "{whose:?}: {hits:?}"
            );
        }
        // Her mum with her is not another child going missing.
        let text =
            "Sophie (14) and her mum went to the station; Sophie was reported missing later.";
        assert!(
            !d.detect(text, None)
                .iter()
                .any(|h| h.indicator == "H1" && h.experiencer == Experiencer::Other)
        );
    }

    #[test]
    fn a_friend_introduced_by_name_and_shown_exploited_later_is_the_subjects_h10() {
        let d = detector();
        let text = "Shania (14) came in with her friend Brooke. Brooke has been reported missing eight times since September.";
        assert!(present(&d, text, "H10"), "{:?}", d.detect(text, None));
    }

    #[test]
    fn a_friend_shown_exploited_is_the_subjects_h10() {
        let d = detector();
        let text = "Ellie-May (14) is at risk. Her friend Kayla (15) has been exchanging sex for drugs with men at a flat on Dock St.";
        assert_eq!(who(&d, text, "C4"), Some(Experiencer::Other));
        assert_eq!(who(&d, text, "H10"), Some(Experiencer::Subject));
        // Adults called friends are not peers.
        let adults =
            "Jayden (15) came home late. His friends, men in their thirties, bought him food.";
        assert_eq!(who(&d, adults, "H10"), None);
    }

    /// Cases a review of the context heuristics found: each is the
    /// subject's own indicator.
    #[test]
    fn the_subjects_own_indicators_stay_the_subjects() {
        let d = detector();
        for (text, id) in [
            ("Jade (15) was arrested on Monday for shoplifting.", "M13"),
            (
                "Mum (42) reports Jade (15) was arrested for shoplifting.",
                "M13",
            ),
            ("Jade (15) was arrested at 23 Acacia Avenue.", "M13"),
            // A speaker's label in minutes is the source, not the actor.
            (
                "Reece (15). Mother: slams doors, snaps if she asks about his friends.",
                "M8",
            ),
            (
                "Tyler (15) lives with his aunt and her daughter. He was picked up by older men in cars.",
                "H3",
            ),
            (
                "Jade (15) was missing for 45m. She was picked up by older men in cars.",
                "H3",
            ),
            (
                "Zoe (14) gave a full account. The account describes being picked up by older men in cars.",
                "H3",
            ),
            (
                "Zoë (14) has been reported missing. In the account Zoë gave, Zoë was collected from school by a man in his thirties.",
                "H3",
            ),
        ] {
            assert_eq!(who(&d, text, id), Some(Experiencer::Subject), "{text}");
        }
        // A short log line is an entry of its own: the negation above it
        // does not reach it.
        assert_eq!(
            who(&d, "not at home\npicked up by older men in cars", "H3"),
            Some(Experiencer::Subject)
        );
    }

    #[test]
    fn unconfirmed_intelligence_hedges_the_whole_sentence() {
        let d = detector();
        let hit = |text: &str, id: &str| {
            d.detect(text, None)
                .into_iter()
                .find(|h| h.indicator == id && !h.negated)
        };
        let text = "Intelligence suggests Abbie R (14) has been visiting a flat on Carr St, where he gives her alcohol and a new phone.";
        assert!(hit(text, "H4").unwrap().hedged);
        let text = "It is thought he was driven between these towns by older men, but police found him there in a flat with older men.";
        assert!(hit(text, "H3").unwrap().hedged);
        assert!(!hit(text, "H5").unwrap().hedged);
    }

    #[test]
    fn a_reviews_own_period_is_its_present() {
        let d = detector();
        let text = "The period under review is April 2019 to March 2021. In 2017 she went missing twice. \
                    In June 2020 she was reported missing from her placement.";
        let hits = d.detect(text, None);
        let h1: Vec<bool> = hits
            .iter()
            .filter(|h| h.indicator == "H1")
            .map(|h| h.historical)
            .collect();
        assert_eq!(h1, vec![true, false], "{hits:?}");
        // Without a review period, a year the text writes dates the past.
        let h = d.detect("She went missing twice in 2019.", None);
        assert!(h.iter().any(|h| h.indicator == "H1" && h.historical));
    }

    #[test]
    fn a_form_answered_no_or_not_known_is_not_present() {
        let d = detector();
        let form = "Older boyfriend? N\nMissing episodes in last 3 months? Y - 4\n\
                    Unexplained gifts: not known\nSelf-harm: None\n\
                    Reason for referral: she is seeing a man of 24.";
        let hits = d.detect(form, None);
        let present = |id: &str| hits.iter().any(|h| h.indicator == id && !h.negated);
        assert!(
            !present("H2")
                || hits
                    .iter()
                    .any(|h| h.indicator == "H2" && h.sentence.contains("Reason"))
        );
        assert!(present("H1"));
        assert!(!present("H4"));
        assert!(!present("M4"));
        assert!(
            hits.iter()
                .any(|h| h.indicator == "H2" && h.negated && h.sentence.starts_with("Older"))
        );
    }

    #[test]
    fn every_word_list_has_a_bit_of_its_own() {
        let mut bits = 0u64;
        for list in CONTEXT_WORD_LISTS {
            assert_eq!(list.bit.count_ones(), 1, "{:?}", list.words);
            assert_eq!(bits & list.bit, 0, "{:?} shares its bit", list.words);
            bits |= list.bit;
            // (A word opening with a digit is read as a number, never
            // through the lexicon that carries the lists.)
            for word in list.words {
                assert!(!word.starts_with(|c: char| c.is_ascii_digit()), "{word}");
            }
        }
        assert_eq!(bits & WRITTEN_OTHERWISE, 0);
    }

    #[test]
    fn a_word_is_on_a_list_as_written() {
        let d = detector();
        // "mum's" is read as "mums", which is on the list of relatives,
        // but is not written as one of its words.
        for (text, relative) in [
            ("She was with her mums friend.", true),
            ("She was with her mum's friend.", false),
            ("She was with her MUMS friend.", true),
        ] {
            let mut buf = String::new();
            let mut toks = Vec::new();
            text::scan(text, &mut buf, |w| {
                let e = d.entry(w.lower);
                toks.push(Tok {
                    start: w.start as u32,
                    end: w.end as u32,
                    sentence: w.sentence as u32,
                    word: e.word,
                    surf: e.surf.into(),
                    lists: d.lists_of(&w, e),
                });
            });
            let t = Text {
                text,
                toks: &toks,
                female: std::cell::OnceCell::new(),
                pronouns: &d.pronouns,
                other_names: Vec::new(),
                subject_name_cache: std::cell::OnceCell::new(),
                review_start_cache: std::cell::OnceCell::new(),
            };
            assert_eq!(t.word_is(4, RELATIVES), relative, "{text}");
            assert!(t.word_is(0, NOT_NAMES), "{text}");
            assert!(t.word_is(0, SHE), "{text}");
            assert!(!t.word_is(1, SHE), "{text}");
        }
    }

    #[test]
    fn lexicon_reads_inflections_without_stemming() {
        let d = detector();
        // Short inflections are in the lexicon, and stem to its word.
        for form in ["taxis", "cars", "hotels", "drugs"] {
            let e = d.lexicon.get(form).expect(form);
            assert_eq!(e.word, d.word_of(form), "{form}");
        }
        // Longer words are read the same through the cache of words met.
        for form in ["boyfriends", "collected", "picking", "boyfreind"] {
            assert_ne!(d.entry(form).word, NONE, "{form}");
            assert_eq!(d.entry(form).word, d.word_of(form), "{form}");
        }
    }
}
