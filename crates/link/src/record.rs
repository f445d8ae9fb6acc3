//! The form a person mention is compared in: names folded and split, phonetic
//! codes, birth date or stated age, postcodes, address keys, phones and
//! checked identifiers. Built once per mention, so that comparing two
//! records does no parsing and (almost) no allocation.

use jiff::civil::Date;
use rphonetic::{DoubleMetaphone, Encoder};
use sightline_normalise::name_tokens;

/// A birth date as recorded: year always, month and day when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Birth {
    pub year: i16,
    pub month: Option<i8>,
    pub day: Option<i8>,
}

impl Birth {
    pub fn is_full(&self) -> bool {
        self.month.is_some() && self.day.is_some()
    }
}

/// Sex as recorded, when it is evidence (male or female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordedSex {
    Female,
    Male,
}

/// One name part with its precomputed phonetic code and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePart {
    pub text: String,
    /// Double Metaphone primary code (empty when the part has no letters).
    pub code: String,
    /// [`crate::fast::hash_str`] of `text`: equal texts have equal hashes.
    pub hash: u64,
    /// [`crate::fast::hash_str`] of `code`, so that codes are compared
    /// without comparing strings on the hot path.
    pub code_hash: u64,
    /// Whether `text` is ASCII (names are folded to it): string
    /// similarity can then work on bytes.
    pub ascii: bool,
}

impl NamePart {
    pub fn new(text: &str) -> NamePart {
        let code = phonetic(text);
        NamePart {
            text: text.to_string(),
            code_hash: crate::fast::hash_str(&code),
            code,
            hash: crate::fast::hash_str(text),
            ascii: text.is_ascii(),
        }
    }

    /// The same text (hash first, so that most unequal parts are told
    /// apart without comparing strings).
    pub fn same(&self, other: &NamePart) -> bool {
        self.hash == other.hash && self.text == other.text
    }

    /// The same phonetic code (not empty).
    pub fn sounds_like(&self, other: &NamePart) -> bool {
        !self.code.is_empty() && self.code_hash == other.code_hash && self.code == other.code
    }
}

/// The hash of a whole family name (its parts in order), as term
/// frequencies are keyed.
pub fn family_hash(parts: &[NamePart]) -> u64 {
    parts
        .iter()
        .fold(0, |acc, p| crate::fast::combine(acc, p.hash))
}

/// Double Metaphone primary code of a folded (ASCII) name part.
pub fn phonetic(folded: &str) -> String {
    if !folded.bytes().any(|b| b.is_ascii_alphabetic()) || !folded.is_ascii() {
        return String::new();
    }
    let encoder = DoubleMetaphone::default();
    encoder.encode(folded).trim().to_string()
}

/// A person mention prepared for comparison.
#[derive(Debug, Clone, Default)]
pub struct LinkRecord {
    /// Given names in order: the first is the name the person is called by
    /// in this record; later ones are middle names.
    pub given: Vec<NamePart>,
    /// Family name parts (a double-barrelled name has two).
    pub family: Vec<NamePart>,
    /// Other names the person is known by, folded (`"big m"`).
    pub aliases: Vec<String>,
    pub birth: Option<Birth>,
    /// A stated age and the date it was true on.
    pub age: Option<(u8, Date)>,
    pub sex: Option<RecordedSex>,
    /// Full postcodes, normalised (`BK2 2HR`).
    pub postcodes: Vec<String>,
    /// House number and street, folded (`45 kings road`), where the address
    /// text gives them.
    pub addresses: Vec<String>,
    /// Street names alone, folded (`kings road`).
    pub streets: Vec<String>,
    /// Phone numbers in E.164.
    pub phones: Vec<String>,
    /// Checked identifiers as `(scheme, value)`; only valid ones.
    pub identifiers: Vec<(String, String)>,
    /// Whether the person was a child (under 18) at the event, when that can
    /// be told.
    pub child: Option<bool>,
    /// The date of the event the mention belongs to.
    pub event_date: Option<Date>,
    /// Hashes of the address fields above, kept in step by
    /// [`LinkRecord::add_address`] so that comparing addresses compares
    /// numbers, not strings.
    pub(crate) address_hashes: AddressHashes,
}

/// Hashes of a record's postcodes (whole, sector, district), houses and
/// streets.
#[derive(Debug, Clone, Default)]
pub(crate) struct AddressHashes {
    pub postcode: Vec<u64>,
    pub sector: Vec<u64>,
    pub district: Vec<u64>,
    pub house: Vec<u64>,
    pub street: Vec<u64>,
}

impl LinkRecord {
    /// The first given name (the one the person is called by here).
    pub fn first_given(&self) -> Option<&NamePart> {
        self.given.first()
    }

    /// A hash of everything comparisons read: two records with the same
    /// content hash score the same against any record, so a person's
    /// identical mentions are compared once.
    pub fn content_hash(&self) -> u64 {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut h = DefaultHasher::new();
        for p in self.given.iter().chain(&self.family) {
            p.text.hash(&mut h);
            0u8.hash(&mut h);
        }
        self.given.len().hash(&mut h);
        self.aliases.hash(&mut h);
        self.birth.hash(&mut h);
        self.age.hash(&mut h);
        self.sex.hash(&mut h);
        self.postcodes.hash(&mut h);
        self.addresses.hash(&mut h);
        self.streets.hash(&mut h);
        self.phones.hash(&mut h);
        self.identifiers.hash(&mut h);
        h.finish()
    }

    /// The full family name, parts joined by a space.
    pub fn family_text(&self) -> String {
        let parts: Vec<&str> = self.family.iter().map(|p| p.text.as_str()).collect();
        parts.join(" ")
    }

    /// Given and family names as one folded string (`"ellie murphy"`).
    pub fn full_name(&self) -> String {
        let parts: Vec<&str> = self
            .given
            .iter()
            .chain(self.family.iter())
            .map(|p| p.text.as_str())
            .collect();
        parts.join(" ")
    }

    /// The range of birth years this record allows: exact from a birth date,
    /// two years from a stated age.
    pub fn birth_years(&self) -> Option<(i16, i16)> {
        if let Some(b) = self.birth {
            return Some((b.year, b.year));
        }
        let (age, on) = self.age?;
        let latest = on.year() - i16::from(age);
        Some((latest - 1, latest))
    }

    /// Sets the names from separate given and family fields.
    pub fn set_names(&mut self, given: Option<&str>, family: Option<&str>) {
        if let Some(g) = given {
            self.given = name_tokens(g).iter().map(|t| NamePart::new(t)).collect();
        }
        if let Some(f) = family {
            self.family = name_tokens(f).iter().map(|t| NamePart::new(t)).collect();
        }
    }

    /// Sets the names from one full-name string. A word written wholly in
    /// capitals among others that are not (`"MURPHY Ellie"`) is the family
    /// name, as police systems write it; otherwise the last word is the
    /// family name and the rest are given names. A comma (`"Murphy, Ellie"`)
    /// puts the family name first.
    pub fn set_full_name(&mut self, full: &str) {
        let words: Vec<&str> = full.split_whitespace().collect();
        let is_caps =
            |w: &str| w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase);
        let caps = words.iter().filter(|w| is_caps(w)).count();
        if caps > 0
            && caps < words.len()
            && words.iter().any(|w| w.chars().count() > 1 && is_caps(w))
        {
            let family: Vec<&str> = words.iter().copied().filter(|w| is_caps(w)).collect();
            let given: Vec<&str> = words.iter().copied().filter(|w| !is_caps(w)).collect();
            self.set_names(Some(&given.join(" ")), Some(&family.join(" ")));
            return;
        }
        if let Some((family, given)) = full.split_once(',') {
            self.set_names(Some(given), Some(family));
            return;
        }
        let tokens = name_tokens(full);
        match tokens.len() {
            0 => {}
            1 => self.given = vec![NamePart::new(&tokens[0])],
            n => {
                self.given = tokens[..n - 1].iter().map(|t| NamePart::new(t)).collect();
                self.family = vec![NamePart::new(&tokens[n - 1])];
            }
        }
    }

    /// Adds an address: its postcode and, from the text, the house number
    /// and street.
    pub fn add_address(&mut self, text: Option<&str>, postcode: Option<&str>) {
        use crate::fast::hash_str;
        if let Some(pc) = postcode
            && !self.postcodes.iter().any(|p| p == pc)
        {
            self.postcodes.push(pc.to_string());
            let h = &mut self.address_hashes;
            h.postcode.push(hash_str(pc));
            // `BK2 2HR`: district `BK2`, sector `BK2 2`.
            if let Some((outward, inward)) = pc.split_once(' ') {
                h.district.push(hash_str(outward));
                let sector = pc
                    .get(..outward.len() + 1 + inward.len().min(1))
                    .unwrap_or(pc);
                h.sector.push(hash_str(sector));
            }
        }
        let Some(text) = text else { return };
        // The first comma-separated part that contains letters is the
        // street line ("Flat 2, 45 Kings Road, Brookfield").
        for part in text.split(',') {
            let tokens = name_tokens(part);
            if tokens.is_empty() {
                continue;
            }
            let number = tokens
                .iter()
                .position(|t| t.bytes().any(|b| b.is_ascii_digit()));
            let street: Vec<&str> = tokens
                .iter()
                .filter(|t| !t.bytes().any(|b| b.is_ascii_digit()))
                .map(String::as_str)
                .filter(|t| !matches!(*t, "flat" | "apartment" | "apt" | "unit" | "room"))
                .collect();
            if street.is_empty() {
                continue;
            }
            let street = street.join(" ");
            if let Some(i) = number {
                let key = format!("{} {street}", tokens[i]);
                if !self.addresses.contains(&key) {
                    self.address_hashes.house.push(hash_str(&key));
                    self.addresses.push(key);
                }
            }
            if !self.streets.contains(&street) {
                self.address_hashes.street.push(hash_str(&street));
                self.streets.push(street);
            }
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(parts: &[NamePart]) -> Vec<&str> {
        parts.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn full_names_are_split_the_way_agencies_write_them() {
        let mut r = LinkRecord::default();
        r.set_full_name("MURPHY Ellie Mae");
        assert_eq!(texts(&r.given), ["ellie", "mae"]);
        assert_eq!(texts(&r.family), ["murphy"]);

        let mut r = LinkRecord::default();
        r.set_full_name("Ellie Mae Murphy");
        assert_eq!(texts(&r.given), ["ellie", "mae"]);
        assert_eq!(texts(&r.family), ["murphy"]);

        let mut r = LinkRecord::default();
        r.set_full_name("Murphy, Ellie");
        assert_eq!(texts(&r.given), ["ellie"]);
        assert_eq!(texts(&r.family), ["murphy"]);

        // All capitals is no signal when every word is in capitals.
        let mut r = LinkRecord::default();
        r.set_full_name("ELLIE MURPHY");
        assert_eq!(texts(&r.given), ["ellie"]);
        assert_eq!(texts(&r.family), ["murphy"]);

        // An initial in capitals is not a family name.
        let mut r = LinkRecord::default();
        r.set_full_name("Dan K");
        assert_eq!(texts(&r.given), ["dan"]);
        assert_eq!(texts(&r.family), ["k"]);

        let mut r = LinkRecord::default();
        r.set_full_name("Ellie");
        assert_eq!(texts(&r.given), ["ellie"]);
        assert!(r.family.is_empty());
    }

    #[test]
    fn addresses_give_number_and_street() {
        let mut r = LinkRecord::default();
        r.add_address(Some("Flat 2, 45 Kings Road, Brookfield"), Some("BK2 2HR"));
        r.add_address(Some("Kings Road, Brookfield"), None);
        assert_eq!(r.postcodes, ["BK2 2HR"]);
        assert_eq!(r.addresses, ["45 kings road"]);
        assert_eq!(r.streets, ["kings road"]);
    }

    #[test]
    fn phonetic_codes_are_safe_on_any_input() {
        assert_eq!(phonetic("smith"), phonetic("smyth"));
        assert_eq!(phonetic(""), "");
        assert_eq!(phonetic("123"), "");
        assert_eq!(phonetic("asunción"), "");
    }
}
