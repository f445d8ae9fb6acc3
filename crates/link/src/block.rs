//! Blocking: which pairs are worth comparing. Each record gets a handful of
//! keys (birth date, phonetic names, phone, identifier, postcode...); two
//! records are candidates when they share a key. An inverted index from key
//! to records makes finding the candidates of a new record a few hash
//! lookups, so linking grows near-linearly and one new mention links in
//! microseconds.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::fast::FastMap;
use crate::names::NameTable;
use crate::record::LinkRecord;

/// The blocking rules, each a kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Full birth date, day and month in either order.
    BirthDate,
    /// Phonetic codes of first given and family name, in either order.
    NameSounds,
    /// First given name (or its nickname group) and a birth year.
    GivenYear,
    /// Family name and a birth year.
    FamilyYear,
    Phone,
    Identifier,
    /// Full postcode and the initial of the first given name.
    PostcodeInitial,
    /// A folded full name or alias.
    WholeName,
    /// First given name's sound and street.
    GivenStreet,
    /// A family name and a full postcode or a house: a household, which
    /// finds a person whose given name and birth date were both written
    /// differently (a new nickname, a date from another system).
    FamilyPlace,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::BirthDate,
        Rule::NameSounds,
        Rule::GivenYear,
        Rule::FamilyYear,
        Rule::Phone,
        Rule::Identifier,
        Rule::PostcodeInitial,
        Rule::WholeName,
        Rule::GivenStreet,
        Rule::FamilyPlace,
    ];
}

impl Rule {
    /// The share of the index's cap a key of this rule may bring: a shared
    /// phone or identifier is worth following far back; a family name in a
    /// birth year ("smith", 2005) is not.
    fn cap_share(self) -> f64 {
        match self {
            Rule::Phone | Rule::Identifier => 1.0,
            Rule::BirthDate | Rule::NameSounds | Rule::WholeName => 0.5,
            Rule::PostcodeInitial | Rule::GivenStreet | Rule::FamilyPlace => 0.25,
            Rule::GivenYear | Rule::FamilyYear => 0.15,
        }
    }

    /// The rule a key belongs to.
    pub fn of_key(key: u64) -> Rule {
        Rule::ALL[((key >> 60) as usize).min(Rule::ALL.len() - 1)]
    }
}

/// A key: the hash of its parts, with the rule in the top four bits.
fn key(rule: Rule, parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    rule.hash(&mut h);
    parts.hash(&mut h);
    let index = Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0) as u64;
    (h.finish() & !(0xF << 60)) | (index << 60)
}

/// The blocking keys of a record, deduplicated.
pub fn keys(r: &LinkRecord, names: &NameTable, household: bool) -> Vec<u64> {
    let mut out = Vec::with_capacity(16);
    if let Some(b) = r.birth
        && let (Some(m), Some(d)) = (b.month, b.day)
    {
        // With the initial of either name, whichever field it was written
        // in: one birth date is shared by dozens of people in a town, one
        // birth date and initial by few.
        let initials = [r.first_given(), r.family.first()]
            .into_iter()
            .flatten()
            .filter_map(|p| p.text.bytes().next());
        let mut any = false;
        for initial in initials {
            out.push(key(Rule::BirthDate, (b.year, m.min(d), m.max(d), initial)));
            any = true;
        }
        if !any {
            out.push(key(Rule::BirthDate, (b.year, m.min(d), m.max(d))));
        }
        // And with the postcode: as few share a birth date and a postcode,
        // and it finds a person whose names were both mistyped or replaced.
        for pc in &r.postcodes {
            out.push(key(
                Rule::BirthDate,
                (b.year, m.min(d), m.max(d), pc.as_str()),
            ));
        }
        // And with the house number, which survives a misspelt street and
        // a mistyped postcode.
        for number in r.addresses.iter().filter_map(|a| a.split_once(' ')) {
            out.push(key(
                Rule::BirthDate,
                (b.year, m.min(d), m.max(d), number.0, 'h'),
            ));
        }
    }
    let given = r.first_given();
    let family_code = r.family.first().map(|p| p.code.as_str()).unwrap_or("");
    if let Some(g) = given
        && !g.code.is_empty()
        && !family_code.is_empty()
    {
        let (x, y) = if g.code.as_str() <= family_code {
            (g.code.as_str(), family_code)
        } else {
            (family_code, g.code.as_str())
        };
        out.push(key(Rule::NameSounds, (x, y)));
    }
    let years: Vec<i16> = match r.birth_years() {
        Some((lo, hi)) if hi - lo <= 2 => (lo..=hi).collect(),
        _ => Vec::new(),
    };
    for &y in &years {
        if let Some(g) = given
            && g.text.len() > 1
        {
            let groups = names.groups_of(g);
            if groups.is_empty() {
                out.push(key(Rule::GivenYear, (g.text.as_str(), y)));
            }
            for group in groups {
                out.push(key(Rule::GivenYear, (*group, y)));
            }
            out.push(key(Rule::GivenYear, (g.code.as_str(), y, 'c')));
        }
        for part in &r.family {
            if part.text.len() > 1 {
                out.push(key(Rule::FamilyYear, (part.text.as_str(), y)));
            }
        }
        // "Campbell J": a word and an initial may be the family name
        // first, so the word is looked up as a family name too.
        if let (Some(g), [initial]) = (given, r.family.as_slice())
            && initial.text.len() == 1
            && g.text.len() > 1
        {
            out.push(key(Rule::FamilyYear, (g.text.as_str(), y)));
        }
    }
    for p in &r.phones {
        out.push(key(Rule::Phone, p));
    }
    for id in &r.identifiers {
        out.push(key(Rule::Identifier, id));
    }
    let initial = given.and_then(|g| g.text.bytes().next());
    for pc in &r.postcodes {
        out.push(key(Rule::PostcodeInitial, (pc, initial)));
    }
    let full = r.full_name();
    if !full.is_empty() {
        out.push(key(Rule::WholeName, &full));
    }
    for a in &r.aliases {
        out.push(key(Rule::WholeName, a));
    }
    if let Some(g) = given {
        for s in &r.streets {
            out.push(key(Rule::GivenStreet, (g.code.as_str(), s)));
        }
    }
    // Off by default: in safeguarding records a different given name and
    // birth date in the same household is a sibling far more often than a
    // re-keyed record (on the simulated towns this key lowered precision);
    // data whose errors replace whole fields (FEBRL) needs it.
    for part in r.family.iter().filter(|p| household && p.text.len() > 1) {
        for place in r.postcodes.iter().chain(&r.addresses) {
            out.push(key(Rule::FamilyPlace, (part.text.as_str(), place)));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Key → records, with a cap per key: a key shared by thousands of records
/// (a common name in a common year) finds only the most recent ones, as many
/// as its rule's share of `cap`.
#[derive(Debug, Default, Clone)]
pub struct BlockIndex {
    postings: FastMap<u64, Vec<u32>>,
    pub cap: usize,
}

impl BlockIndex {
    pub fn new(cap: usize) -> Self {
        BlockIndex {
            postings: FastMap::default(),
            cap,
        }
    }

    /// Room for this many more records' keys without rehashing: a record
    /// brings about 11 keys, of which about 3 no earlier record had (on the
    /// simulated towns).
    pub fn reserve(&mut self, records: usize) {
        self.postings.reserve(records * 3);
    }

    pub fn insert(&mut self, record: u32, keys: &[u64]) {
        for k in keys {
            self.postings.entry(*k).or_default().push(record);
        }
    }

    /// Candidates for a record with these keys, deduplicated, ascending.
    pub fn candidates(&self, keys: &[u64], out: &mut Vec<u32>) {
        self.candidates_before(keys, u32::MAX, out);
    }

    /// [`BlockIndex::candidates`] as the index stood before record
    /// `before` was added, in an index that holds records in the order they
    /// were added (record numbers ascending in every list): the same list
    /// an index built one record at a time gives at that point.
    pub fn candidates_before(&self, keys: &[u64], before: u32, out: &mut Vec<u32>) {
        out.clear();
        for k in keys {
            if let Some(list) = self.postings.get(k) {
                let end = list.partition_point(|&r| r < before);
                let start = end.saturating_sub(self.cap_of(*k));
                out.extend_from_slice(&list[start..end]);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// How many of a key's most recent records it brings.
    fn cap_of(&self, key: u64) -> usize {
        ((self.cap as f64 * Rule::of_key(key).cap_share()) as usize).max(1)
    }

    /// How many records a key brings (after its cap).
    pub fn brought(&self, key: u64) -> usize {
        self.postings
            .get(&key)
            .map_or(0, |l| l.len().min(self.cap_of(key)))
    }

    pub fn len(&self) -> usize {
        self.postings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.postings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Birth;

    fn person(given: &str, family: &str, year: i16, month: i8, day: i8) -> LinkRecord {
        let mut r = LinkRecord::default();
        r.set_names(Some(given), Some(family));
        r.birth = Some(Birth {
            year,
            month: Some(month),
            day: Some(day),
        });
        r.add_address(Some("20 Kingsmill Street, Ulverstone"), Some("BK4 6AB"));
        r
    }

    fn shared(a: &[u64], b: &[u64]) -> Vec<Rule> {
        a.iter()
            .filter(|k| b.contains(k))
            .map(|k| Rule::of_key(*k))
            .collect()
    }

    #[test]
    fn the_household_key_finds_a_record_with_both_name_and_birth_rewritten() {
        let names = NameTable::default_table();
        let a = person("Noah", "Cadman", 1990, 1, 19);
        let b = person("Adan", "Cadman", 1984, 5, 25);
        assert!(
            shared(&keys(&a, &names, false), &keys(&b, &names, false)).is_empty(),
            "without the household key nothing brings them together"
        );
        let with = shared(&keys(&a, &names, true), &keys(&b, &names, true));
        assert!(
            !with.is_empty() && with.iter().all(|r| *r == Rule::FamilyPlace),
            "{with:?}"
        );
        // Another family at the same house shares no household key.
        let other = person("Adan", "Whiteley", 1984, 5, 25);
        assert!(
            !shared(&keys(&a, &names, true), &keys(&other, &names, true))
                .contains(&Rule::FamilyPlace)
        );
    }

    #[test]
    fn a_family_name_written_first_before_an_initial_finds_the_person() {
        let names = NameTable::default_table();
        let jada = person("Jada", "Campbell", 1998, 2, 25);
        let mut note = LinkRecord::default();
        note.set_full_name("Campbell J");
        note.age = Some((12, jiff::civil::date(2010, 8, 10)));
        let with = shared(&keys(&note, &names, false), &keys(&jada, &names, false));
        assert_eq!(with, [Rule::FamilyYear]);
    }

    #[test]
    fn a_key_carries_its_rule() {
        for rule in Rule::ALL {
            assert_eq!(Rule::of_key(key(rule, "x")), rule);
        }
    }
}
