//! Comparison of two records, field by field, into levels: the comparison
//! vector (γ) of Fellegi–Sunter. Level 0 is always the strongest agreement;
//! the last level of a field is its plain disagreement. A field with no data
//! on either side is *null* and carries no evidence either way.

use crate::names::NameTable;
use crate::record::{Birth, LinkRecord, NamePart};

/// The fields compared, in the order of the comparison vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Given,
    Family,
    Birth,
    Sex,
    Address,
    Phone,
    Identifier,
    Alias,
}

pub const FIELD_COUNT: usize = 8;

impl Field {
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::Given,
        Field::Family,
        Field::Birth,
        Field::Sex,
        Field::Address,
        Field::Phone,
        Field::Identifier,
        Field::Alias,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Given => "given name",
            Field::Family => "family name",
            Field::Birth => "birth date",
            Field::Sex => "sex",
            Field::Address => "address",
            Field::Phone => "phone",
            Field::Identifier => "identifier",
            Field::Alias => "alias",
        }
    }

    /// The id used in configuration and JSON (`given`, `birth`...).
    pub fn id(self) -> &'static str {
        match self {
            Field::Given => "given",
            Field::Family => "family",
            Field::Birth => "birth",
            Field::Sex => "sex",
            Field::Address => "address",
            Field::Phone => "phone",
            Field::Identifier => "identifier",
            Field::Alias => "alias",
        }
    }

    /// The levels of this field, strongest agreement first, in plain words.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::Given => &[
                "the same",
                "a nickname or spelling variant of each other",
                "swapped with the family name",
                "one is the other's middle name",
                "spelt almost the same",
                "sound alike or spelt similarly",
                "only an initial, which agrees",
                "different",
            ],
            Field::Family => &[
                "the same",
                "share one part of a double-barrelled name",
                "spelt almost the same",
                "sound alike or spelt similarly",
                "only an initial, which agrees",
                "different",
            ],
            Field::Birth => &[
                "the same date",
                "day and month swapped",
                "one part (day, month or year) differs",
                "agree as far as both are known",
                "consistent with the stated age",
                "within 3 years of the stated age",
                "4 to 10 years from the stated age",
                "different dates, within 10 years",
                "more than 10 years apart",
            ],
            Field::Sex => &["the same", "different"],
            Field::Address => &[
                "the same house",
                "the same house, the street or postcode written a little differently",
                "the same postcode",
                "postcodes one character apart",
                "the same street",
                "the same postcode sector",
                "the same postcode district",
                "different",
            ],
            Field::Phone => &["a number in common", "no number in common"],
            Field::Identifier => &[
                "an identifier in common",
                "conflicting checked identifiers",
                "different identifiers of a scheme with no check",
            ],
            Field::Alias => &["an alias matches a name", "no alias matches"],
        }
    }

    pub fn level_count(self) -> usize {
        self.levels().len()
    }

    /// Whether level 0 of this field is adjusted for how common the value
    /// is (a shared rare surname counts for more than "Smith").
    pub fn term_frequency(self) -> bool {
        matches!(self, Field::Given | Field::Family)
    }
}

/// Level constants used by the rules that read comparison vectors.
pub mod level {
    pub const GIVEN_DIFFERENT: i8 = 7;
    pub const FAMILY_EXACT: i8 = 0;
    pub const BIRTH_EXACT: i8 = 0;
    pub const BIRTH_DIFFERENT: i8 = 7;
    pub const BIRTH_FAR: i8 = 8;
    pub const IDENTIFIER_CONFLICT: i8 = 1;
}

/// A comparison vector: one level per field, `-1` for null.
pub type Gamma = [i8; FIELD_COUNT];

pub const NULL: i8 = -1;

/// The comparison of two records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    pub gamma: Gamma,
    /// Whether the names were compared with given and family swapped on one
    /// side.
    pub swapped: bool,
}

/// Strong identifier schemes: two different valid values mean two people.
pub const STRONG_SCHEMES: &[&str] = &["nhs_number", "upn", "ni_number", "pnc_id"];

pub fn compare(a: &LinkRecord, b: &LinkRecord, names: &NameTable) -> Comparison {
    let mut gamma = [NULL; FIELD_COUNT];
    let (given, family, swapped) = name_levels(a, b, names);
    gamma[Field::Given.index()] = given;
    gamma[Field::Family.index()] = family;
    gamma[Field::Birth.index()] = birth_level(a, b);
    gamma[Field::Sex.index()] = match (a.sex, b.sex) {
        (Some(x), Some(y)) => i8::from(x != y),
        _ => NULL,
    };
    gamma[Field::Address.index()] = address_level(a, b);
    gamma[Field::Phone.index()] = if a.phones.is_empty() || b.phones.is_empty() {
        NULL
    } else {
        i8::from(!a.phones.iter().any(|p| b.phones.contains(p)))
    };
    gamma[Field::Identifier.index()] = identifier_level(a, b);
    gamma[Field::Alias.index()] = alias_level(a, b);
    Comparison { gamma, swapped }
}

/// The given and family name levels, and whether they were read swapped.
fn name_levels(a: &LinkRecord, b: &LinkRecord, names: &NameTable) -> (i8, i8, bool) {
    let direct_given = given_level(&a.given, &b.given, names);
    let direct_family = family_level(&a.family, &b.family);
    // Given and family written the other way round on one side: only when
    // that explains both names better than the direct reading. Symmetric,
    // so that a pair scores the same whichever record comes first.
    // The swap needs one of the two to agree exactly: checked first, by
    // hashes, so that most pairs skip the second comparison.
    let (Some(ag), Some(bg), Some(af), Some(bf)) = (
        a.given.first(),
        b.given.first(),
        a.family.first(),
        b.family.first(),
    ) else {
        return (direct_given, direct_family, false);
    };
    if direct_given > 1 && (ag.same(bf) || af.same(bg)) {
        // Each cross pair compared as family names: a's family with b's
        // given names, a's given names with b's family.
        let x = family_level(&a.family, &b.given);
        let y = family_level(&a.given, &b.family);
        let direct = if direct_family == NULL {
            9
        } else {
            direct_family
        };
        let worse = x.max(y);
        // Level 4 is an initial that agrees: "Campbell J" is how business
        // and police notes write Jada Campbell.
        if (x == 0 || y == 0) && (0..=4).contains(&worse) && worse < direct {
            return (2, worse, true);
        }
    }
    (direct_given, direct_family, false)
}

/// Only the levels that decide a hard conflict (identifier, birth date,
/// and the names when the birth dates make them matter); the other fields
/// are null. Much cheaper than [`compare`] for checking whether two
/// persons may merge.
pub fn conflict_levels(a: &LinkRecord, b: &LinkRecord, names: &NameTable) -> Comparison {
    let mut gamma = [NULL; FIELD_COUNT];
    gamma[Field::Identifier.index()] = identifier_level(a, b);
    let birth = birth_level(a, b);
    gamma[Field::Birth.index()] = birth;
    let mut swapped = false;
    if gamma[Field::Identifier.index()] != 0 && matches!(birth, 0 | 1 | level::BIRTH_DIFFERENT) {
        let (given, family, s) = name_levels(a, b, names);
        gamma[Field::Given.index()] = given;
        gamma[Field::Family.index()] = family;
        swapped = s;
    }
    Comparison { gamma, swapped }
}

fn similar(a: &NamePart, b: &NamePart) -> (f64, bool) {
    (name_jaro_winkler(a, b), a.sounds_like(b))
}

/// Jaro–Winkler of two name parts when it is at least `cutoff`, else 0.
fn name_jaro_winkler(a: &NamePart, b: &NamePart) -> f64 {
    jaro_winkler_at_least(&a.text, &b.text, NAME_SIMILAR)
}

/// The lowest Jaro–Winkler any comparison level asks about ("sound alike or
/// spelt similarly").
const NAME_SIMILAR: f64 = 0.85;

/// Jaro–Winkler similarity (prefix weight 0.1, up to four letters) when it
/// is at least `cutoff`, else 0: the levels only ask whether it reaches a
/// band, and a known cutoff lets `rapidfuzz`'s bit-parallel Jaro stop early
/// on the many pairs that are plainly different. On bytes for ASCII names
/// (names are folded to ASCII).
fn jaro_winkler_at_least(a: &str, b: &str, cutoff: f64) -> f64 {
    use rapidfuzz::distance::jaro_winkler::{Args, normalized_similarity_with_args};
    let args = Args::default().score_cutoff(cutoff);
    let sim = if a.is_ascii() && b.is_ascii() {
        normalized_similarity_with_args(a.bytes(), b.bytes(), &args)
    } else {
        normalized_similarity_with_args(a.chars(), b.chars(), &args)
    };
    sim.unwrap_or(0.0)
}

fn is_initial(p: &NamePart) -> bool {
    p.text.len() == 1
}

fn given_level(a: &[NamePart], b: &[NamePart], names: &NameTable) -> i8 {
    let (Some(fa), Some(fb)) = (a.first(), b.first()) else {
        return NULL;
    };
    if fa.same(fb) {
        return 0;
    }
    if is_initial(fa) || is_initial(fb) {
        return if fa.text.as_bytes()[0] == fb.text.as_bytes()[0] {
            6
        } else {
            7
        };
    }
    if names.equivalent_parts(fa, fb) || short_form(&fa.text, &fb.text) {
        return 1;
    }
    // Level 2 (swapped) is decided by the caller.
    let middle = a.iter().skip(1).any(|p| p.same(fb) && !is_initial(p))
        || b.iter().skip(1).any(|p| p.same(fa) && !is_initial(p));
    if middle {
        return 3;
    }
    let (jw, sounds) = similar(fa, fb);
    if jw >= 0.92 || names.slip_of_variant(fa, fb) {
        4
    } else if sounds || jw >= 0.85 {
        5
    } else {
        7
    }
}

/// A shortened name: the first three or more letters of the other
/// (`rob`/`robert`, `clo`/`chloe` is not, `nad`/`nadia` is).
fn short_form(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.len() >= 3 && long.len() > short.len() && long.starts_with(short)
}

fn family_level(a: &[NamePart], b: &[NamePart]) -> i8 {
    if a.is_empty() || b.is_empty() {
        return NULL;
    }
    if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y)) {
        return 0;
    }
    let initial_only = (a.len() == 1 && is_initial(&a[0])) || (b.len() == 1 && is_initial(&b[0]));
    if initial_only {
        return if a[0].text.as_bytes()[0] == b[0].text.as_bytes()[0] {
            4
        } else {
            5
        };
    }
    if a.iter()
        .any(|x| !is_initial(x) && b.iter().any(|y| x.same(y)))
    {
        return 1;
    }
    let jw = if a.len() == 1 && b.len() == 1 {
        jaro_winkler_at_least(&a[0].text, &b[0].text, NAME_SIMILAR)
    } else {
        let joined_a: String = a.iter().map(|p| p.text.as_str()).collect();
        let joined_b: String = b.iter().map(|p| p.text.as_str()).collect();
        jaro_winkler_at_least(&joined_a, &joined_b, NAME_SIMILAR)
    };
    let sounds = a.iter().any(|x| b.iter().any(|y| x.sounds_like(y)));
    if jw >= 0.92 {
        2
    } else if sounds || jw >= 0.85 {
        3
    } else {
        5
    }
}

fn birth_level(a: &LinkRecord, b: &LinkRecord) -> i8 {
    if let (Some(x), Some(y)) = (a.birth, b.birth) {
        if x == y && x.is_full() {
            return 0;
        }
        if x.is_full() && y.is_full() {
            if x.year == y.year && x.month == y.day && x.day == y.month {
                return 1;
            }
            let differing = u8::from(x.year != y.year)
                + u8::from(x.month != y.month)
                + u8::from(x.day != y.day);
            if differing == 1 && (x.year == y.year || year_typo(x.year, y.year)) {
                return 2;
            }
        } else if partial_agree(x, y) {
            return 3;
        }
    }
    let (Some((lo_a, hi_a)), Some((lo_b, hi_b))) = (a.birth_years(), b.birth_years()) else {
        return NULL;
    };
    let gap = if hi_a < lo_b {
        lo_b - hi_a
    } else if hi_b < lo_a {
        lo_a - hi_b
    } else {
        0
    };
    let from_age = a.birth.is_none() || b.birth.is_none();
    match gap {
        _ if gap > 10 => 8,
        _ if !from_age => 7,
        0 => 4,
        1..=3 => 5,
        _ => 6,
    }
}

/// Years a slip of the keyboard apart: one year, or one digit different.
fn year_typo(a: i16, b: i16) -> bool {
    let (sa, sb) = (a.to_string(), b.to_string());
    (a - b).abs() == 1
        || (sa.len() == sb.len() && sa.bytes().zip(sb.bytes()).filter(|(x, y)| x != y).count() == 1)
}

/// Two birth dates, at least one partial, agreeing on every part both have.
fn partial_agree(x: Birth, y: Birth) -> bool {
    x.year == y.year
        && (x.month.is_none() || y.month.is_none() || x.month == y.month)
        && (x.day.is_none() || y.day.is_none() || x.day == y.day)
}

fn address_level(a: &LinkRecord, b: &LinkRecord) -> i8 {
    let (ha, hb) = (&a.address_hashes, &b.address_hashes);
    let has = |r: &LinkRecord| !r.postcodes.is_empty() || !r.streets.is_empty();
    if !has(a) || !has(b) {
        return NULL;
    }
    let shared = |x: &[u64], y: &[u64]| x.iter().any(|h| y.contains(h));
    let same_postcode = shared(&ha.postcode, &hb.postcode);
    let same_house = shared(&ha.house, &hb.house);
    let one_without_postcode = a.postcodes.is_empty() || b.postcodes.is_empty();
    if same_house && (same_postcode || one_without_postcode) {
        return 0;
    }
    let postcode_typo = !same_postcode
        && a.postcodes.iter().any(|p| {
            b.postcodes
                .iter()
                .any(|q| sightline_normalise::one_keystroke_apart(p, q))
        });
    let close_postcode = same_postcode || postcode_typo || one_without_postcode;
    // The same house with a mistyped postcode, or a misspelt street in the
    // same (or almost the same) postcode.
    if (same_house && postcode_typo)
        || (!same_house
            && close_postcode
            && a.addresses
                .iter()
                .any(|x| b.addresses.iter().any(|y| same_house_misspelt(x, y))))
    {
        return 1;
    }
    if same_postcode {
        return 2;
    }
    if postcode_typo {
        return 3;
    }
    let same_district = shared(&ha.district, &hb.district);
    let same_street = shared(&ha.street, &hb.street);
    if same_street && (same_district || one_without_postcode) {
        return 4;
    }
    if shared(&ha.sector, &hb.sector) {
        5
    } else if same_district {
        6
    } else if one_without_postcode && (a.addresses.is_empty() || b.addresses.is_empty()) {
        // Streets differ, one side has no postcode and one no house
        // number ("Kings Road", "Brookfield"): too little to call.
        NULL
    } else {
        7
    }
}

/// `45 kings road` and `45 kings raod`: the same house number and a street
/// spelt almost the same.
fn same_house_misspelt(x: &str, y: &str) -> bool {
    match (x.split_once(' '), y.split_once(' ')) {
        (Some((nx, sx)), Some((ny, sy))) => {
            nx == ny && sx != sy && jaro_winkler_at_least(sx, sy, 0.9) >= 0.9
        }
        _ => false,
    }
}

fn identifier_level(a: &LinkRecord, b: &LinkRecord) -> i8 {
    if a.identifiers.is_empty() || b.identifiers.is_empty() {
        return NULL;
    }
    if a.identifiers.iter().any(|x| b.identifiers.contains(x)) {
        return 0;
    }
    let same_scheme = |strong: bool| {
        a.identifiers.iter().any(|(scheme, _)| {
            STRONG_SCHEMES.contains(&scheme.as_str()) == strong
                && b.identifiers.iter().any(|(s, _)| s == scheme)
        })
    };
    if same_scheme(true) {
        1
    } else if same_scheme(false) {
        // A local or unchecked number that differs is evidence against, but
        // may be a typing error or a second record in one system.
        2
    } else {
        NULL
    }
}

fn alias_level(a: &LinkRecord, b: &LinkRecord) -> i8 {
    if a.aliases.is_empty() && b.aliases.is_empty() {
        return NULL;
    }
    let names_of = |r: &LinkRecord| -> Vec<String> {
        let mut v = vec![r.full_name()];
        if let Some(g) = r.first_given() {
            v.push(g.text.clone());
        }
        v
    };
    let (na, nb) = (names_of(a), names_of(b));
    let hit = a
        .aliases
        .iter()
        .any(|x| nb.contains(x) || b.aliases.contains(x))
        || b.aliases.iter().any(|x| na.contains(x));
    i8::from(!hit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordedSex;

    fn person(given: &str, family: &str, birth: Option<(i16, i8, i8)>) -> LinkRecord {
        let mut r = LinkRecord::default();
        r.set_names(Some(given), Some(family));
        r.birth = birth.map(|(y, m, d)| Birth {
            year: y,
            month: Some(m),
            day: Some(d),
        });
        r
    }

    fn gamma(a: &LinkRecord, b: &LinkRecord) -> Gamma {
        compare(a, b, &NameTable::default_table()).gamma
    }

    #[test]
    fn names() {
        let a = person("Elizabeth", "O'Neill-Smyth", Some((2008, 3, 21)));
        let g = gamma(&a, &person("Beth", "Smyth", None));
        assert_eq!(g[Field::Given.index()], 1);
        assert_eq!(g[Field::Family.index()], 1);
        assert_eq!(g[Field::Birth.index()], NULL);
        let g = gamma(&a, &person("Elizabth", "ONeil Smyth", None));
        assert_eq!(g[Field::Given.index()], 4);
        let g = gamma(&a, &person("E", "Jones", None));
        assert_eq!(g[Field::Given.index()], 6);
        assert_eq!(g[Field::Family.index()], 5);
        let g = gamma(
            &person("Ellie Mae", "Murphy", None),
            &person("Mae", "Murphy", None),
        );
        assert_eq!(g[Field::Given.index()], 3);
    }

    #[test]
    fn swapped_names() {
        let a = person("Hussain", "Amir", None);
        let b = person("Amir", "Hussain", None);
        let c = compare(&a, &b, &NameTable::default_table());
        assert!(c.swapped);
        assert_eq!(c.gamma[Field::Given.index()], 2);
        assert_eq!(c.gamma[Field::Family.index()], 0);
        // Swapped with a misspelling on one side.
        let a = person("Hamza Bilal", "Qureshi", None);
        let b = person("Kureshi", "Hamza Bilal", None);
        let c = compare(&a, &b, &NameTable::default_table());
        assert!(c.swapped);
        assert_eq!(c.gamma[Field::Given.index()], 2);
        assert!(c.gamma[Field::Family.index()] > 0);
        // "Campbell J": the family name first, then the given initial.
        let mut a = LinkRecord::default();
        a.set_full_name("Campbell J");
        let b = person("Jada", "Campbell", None);
        let c = compare(&a, &b, &NameTable::default_table());
        assert!(c.swapped);
        assert_eq!(c.gamma[Field::Given.index()], 2);
        assert_eq!(c.gamma[Field::Family.index()], 4);
        // An initial that does not agree is no swap.
        let b = person("Kayla", "Campbell", None);
        let c = compare(&a, &b, &NameTable::default_table());
        assert!(!c.swapped);
    }

    /// A pair compares the same whichever record comes first: the linker
    /// scores a new record against an old one, and an explanation may put
    /// them the other way round.
    #[test]
    fn comparison_is_symmetric() {
        use proptest::prelude::*;
        // Names drawn from a few similar and swappable ones, so that
        // variants, slips and swaps all come up.
        const NAMES: &[&str] = &[
            "alison",
            "hearn",
            "heatn",
            "amir",
            "hussain",
            "hamza bilal",
            "qureshi",
            "kureshi",
            "becca",
            "rebecca",
            "behca",
            "jo",
            "joanne",
            "e",
            "smyth",
            "smith",
            "o'neill-smyth",
        ];
        let name = || proptest::sample::select(NAMES);
        let birth = || proptest::option::of((2000i16..2003, 1i8..3, 1i8..3));
        let place = || {
            proptest::option::of(proptest::sample::select(
                &[
                    ("4 macdonnell street", "BK1 1AA"),
                    ("4 macdonell street", "BK1 1AB"),
                    ("12 mill lane", "BK2 2HR"),
                ][..],
            ))
        };
        let record = move || {
            (name(), name(), birth(), place()).prop_map(|(g, f, b, p)| {
                let mut r = person(g, f, b);
                if let Some((text, postcode)) = p {
                    r.add_address(Some(text), Some(postcode));
                }
                r
            })
        };
        let names = NameTable::default_table();
        proptest!(ProptestConfig::with_cases(2000), |(a in record(), b in record())| {
            let ab = compare(&a, &b, &names);
            let ba = compare(&b, &a, &names);
            prop_assert_eq!(ab.gamma, ba.gamma, "{:?} / {:?}", a.full_name(), b.full_name());
            prop_assert_eq!(ab.swapped, ba.swapped);
        });
    }

    #[test]
    fn birth_dates() {
        let a = person("A", "B", Some((2008, 3, 11)));
        let level =
            |b: Option<(i16, i8, i8)>| gamma(&a, &person("A", "B", b))[Field::Birth.index()];
        assert_eq!(level(Some((2008, 3, 11))), 0);
        assert_eq!(level(Some((2008, 11, 3))), 1);
        assert_eq!(level(Some((2009, 3, 11))), 2);
        assert_eq!(level(Some((2008, 3, 12))), 2);
        assert_eq!(level(Some((2010, 5, 1))), 7);
        assert_eq!(level(Some((2002, 5, 1))), 7);
        assert_eq!(level(Some((2018, 3, 11))), 2, "a one-digit slip");
        assert_eq!(level(Some((1975, 3, 11))), 8, "a parent's birthday");
        assert_eq!(level(Some((1975, 4, 11))), 8);
        let mut partial = person("A", "B", None);
        partial.birth = Some(Birth {
            year: 2008,
            month: Some(3),
            day: None,
        });
        assert_eq!(gamma(&a, &partial)[Field::Birth.index()], 3);
        let mut aged = person("A", "B", None);
        aged.age = Some((14, jiff::civil::date(2022, 6, 1)));
        assert_eq!(gamma(&a, &aged)[Field::Birth.index()], 4);
        aged.age = Some((16, jiff::civil::date(2022, 6, 1)));
        assert_eq!(gamma(&a, &aged)[Field::Birth.index()], 5);
        aged.age = Some((20, jiff::civil::date(2022, 6, 1)));
        assert_eq!(gamma(&a, &aged)[Field::Birth.index()], 6);
        aged.age = Some((40, jiff::civil::date(2022, 6, 1)));
        assert_eq!(gamma(&a, &aged)[Field::Birth.index()], 8);
    }

    #[test]
    fn addresses_phones_identifiers() {
        let mut a = person("A", "B", None);
        let mut b = person("A", "B", None);
        assert_eq!(gamma(&a, &b)[Field::Address.index()], NULL);
        a.add_address(Some("45 Kings Road, Brookfield"), Some("BK2 2HR"));
        b.add_address(Some("45 Kings Road"), Some("BK2 2HR"));
        assert_eq!(gamma(&a, &b)[Field::Address.index()], 0);
        let mut c = person("A", "B", None);
        c.add_address(Some("3 Mill Lane"), Some("BK2 2QT"));
        assert_eq!(gamma(&a, &c)[Field::Address.index()], 5);
        let mut d = person("A", "B", None);
        d.add_address(Some("Kings Road, Brookfield"), None);
        assert_eq!(gamma(&a, &d)[Field::Address.index()], 4);
        let mut typo = person("A", "B", None);
        typo.add_address(Some("45 Kings Raod"), Some("BK2 2RH"));
        assert_eq!(gamma(&a, &typo)[Field::Address.index()], 1);
        let mut moved = person("A", "B", None);
        moved.add_address(Some("7 Elm Street"), Some("BK2 2RH"));
        assert_eq!(gamma(&a, &moved)[Field::Address.index()], 3);
        // The same house with the postcode mistyped.
        let mut postcode_slip = person("A", "B", None);
        postcode_slip.add_address(Some("45 Kings Road"), Some("BK2 2RH"));
        assert_eq!(gamma(&a, &postcode_slip)[Field::Address.index()], 1);
        // Another house, written without a postcode, is another address;
        // a street or town alone is too little to call.
        let mut elsewhere = person("A", "B", None);
        elsewhere.add_address(Some("Flat 4, 64 Bridge Street, Brookfield"), None);
        assert_eq!(gamma(&a, &elsewhere)[Field::Address.index()], 7);
        let mut street_only = person("A", "B", None);
        street_only.add_address(Some("Bridge Street, Brookfield"), None);
        assert_eq!(gamma(&a, &street_only)[Field::Address.index()], NULL);
        let mut same_unposted = person("A", "B", None);
        same_unposted.add_address(Some("45 Kings Road"), None);
        assert_eq!(gamma(&a, &same_unposted)[Field::Address.index()], 0);

        a.identifiers
            .push(("nhs_number".into(), "9434765919".into()));
        b.identifiers
            .push(("nhs_number".into(), "9434765870".into()));
        assert_eq!(gamma(&a, &b)[Field::Identifier.index()], 1);
        b.identifiers
            .push(("nhs_number".into(), "9434765919".into()));
        assert_eq!(gamma(&a, &b)[Field::Identifier.index()], 0);
        let mut e = person("A", "B", None);
        e.identifiers.push(("local".into(), "x-1".into()));
        assert_eq!(gamma(&a, &e)[Field::Identifier.index()], NULL);
        let mut f = person("A", "B", None);
        f.identifiers.push(("local".into(), "x-2".into()));
        assert_eq!(
            gamma(&e, &f)[Field::Identifier.index()],
            2,
            "unchecked scheme differs"
        );

        a.sex = Some(RecordedSex::Female);
        b.sex = Some(RecordedSex::Male);
        assert_eq!(gamma(&a, &b)[Field::Sex.index()], 1);
        a.phones.push("+447700900123".into());
        assert_eq!(gamma(&a, &b)[Field::Phone.index()], NULL);
        b.phones.push("+447700900123".into());
        assert_eq!(gamma(&a, &b)[Field::Phone.index()], 0);
    }

    #[test]
    fn conflict_levels_decide_hard_conflicts_as_compare_does() {
        let names = NameTable::default_table();
        let people = [
            person("Amy", "Jones", Some((2010, 5, 5))),
            person("Beth", "Jones", Some((2010, 5, 5))),
            person("Jones", "Amy", Some((2010, 5, 5))),
            person("Amy", "Jones", Some((1980, 5, 5))),
            person("Kyle", "Jones", Some((2012, 1, 9))),
            person("Amy", "Jones", None),
        ];
        for a in &people {
            for b in &people {
                let full = compare(a, b, &names);
                let quick = conflict_levels(a, b, &names);
                assert_eq!(
                    crate::hard_conflict(&full),
                    crate::hard_conflict(&quick),
                    "{:?} vs {:?}",
                    a.full_name(),
                    b.full_name()
                );
            }
        }
    }

    #[test]
    fn aliases() {
        let mut a = LinkRecord::default();
        a.set_full_name("Big M");
        let mut b = person("Mohammed", "Khan", None);
        b.aliases.push("big m".into());
        assert_eq!(gamma(&a, &b)[Field::Alias.index()], 0);
        let c = person("Sam", "Jones", None);
        assert_eq!(gamma(&a, &c)[Field::Alias.index()], NULL);
        assert_eq!(gamma(&b, &c)[Field::Alias.index()], 1);
    }
}
