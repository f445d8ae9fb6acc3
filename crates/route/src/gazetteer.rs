//! Postcodes for addresses written without one. Agencies often record a
//! child's home as "23 Albert Road, Riverton" with no postcode; other
//! records of the same house (a sibling's, a parent's, the police's) give
//! it. Routing works from postcode districts, so a concern about a child
//! whose records all lack the postcode would otherwise wait in the
//! unrouted queue although the records say where the child lives.

use std::collections::HashMap;

/// Address texts seen with a postcode, and the postcode they were given.
#[derive(Debug, Default, Clone)]
pub struct Gazetteer {
    /// Folded address text -> postcode -> how many records gave it.
    seen: HashMap<String, HashMap<String, u32>>,
}

impl Gazetteer {
    pub fn new() -> Gazetteer {
        Gazetteer::default()
    }

    /// Records that an address was written with this postcode.
    pub fn add(&mut self, text: &str, postcode: &str) {
        let key = address_key(text);
        if key.is_empty() || postcode.trim().is_empty() {
            return;
        }
        *self
            .seen
            .entry(key)
            .or_default()
            .entry(postcode.to_string())
            .or_default() += 1;
    }

    /// The postcode the records give this address, when they agree: every
    /// other postcode given for it is a slip of that one (one character
    /// different, or two neighbours swapped) given less often. Two houses
    /// written alike in one town (the same number and street name in two
    /// postcodes) give none.
    pub fn postcode_of(&self, text: &str) -> Option<&str> {
        let given = self.seen.get(&address_key(text))?;
        let (best, best_count) = given
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        given
            .iter()
            .all(|(pc, n)| {
                pc == best || (n < best_count && sightline_normalise::one_keystroke_apart(pc, best))
            })
            .then_some(best.as_str())
    }
}

/// The address as compared: folded to lower-case ASCII words by the
/// project's name normaliser (apostrophes join: "St John's Road" is "st
/// johns road"). Only a house written the same way matches: the town is
/// part of it, so "23 Albert Road" in two towns stays apart.
fn address_key(text: &str) -> String {
    sightline_normalise::name_tokens(text).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_without_a_postcode_takes_the_one_other_records_give() {
        let mut g = Gazetteer::new();
        g.add("23 Albert Road, Riverton", "RV4 1GH");
        g.add("23 ALBERT ROAD,  RIVERTON", "RV4 1GH");
        assert_eq!(g.postcode_of("23 albert road riverton"), Some("RV4 1GH"));
        // Another town, another house.
        assert_eq!(g.postcode_of("23 Albert Road, Brookfield"), None);
        assert_eq!(g.postcode_of(""), None);
    }

    #[test]
    fn records_that_disagree_decide_nothing() {
        let mut g = Gazetteer::new();
        g.add("5 Mill Lane, Hallam", "HV1 2AB");
        g.add("5 Mill Lane, Hallam", "HV2 7QT");
        assert_eq!(g.postcode_of("5 Mill Lane, Hallam"), None);
        // Two houses written alike: most records do not make it one.
        g.add("5 Mill Lane, Hallam", "HV1 2AB");
        assert_eq!(g.postcode_of("5 Mill Lane, Hallam"), None);
        // A slip of the usual postcode does not stop it.
        g.add("8 Mill Lane, Hallam", "HV1 2AB");
        g.add("8 Mill Lane, Hallam", "HV1 2AB");
        g.add("8 Mill Lane, Hallam", "HV1 2BA");
        assert_eq!(g.postcode_of("8 Mill Lane, Hallam"), Some("HV1 2AB"));
    }
}
