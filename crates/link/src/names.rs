//! Given-name equivalence: nicknames, diminutives and spelling or
//! transliteration variants (`data/given_names.txt`, extendable).

use sightline_normalise::fold_name;

use crate::fast::{FastMap, hash_str};
use crate::record::NamePart;

const DEFAULT_TABLE: &str = include_str!("../data/given_names.txt");

/// Which groups each folded given name belongs to.
#[derive(Debug, Clone, Default)]
pub struct NameTable {
    /// Groups of each name, keyed by the hash of the folded name.
    groups: FastMap<u64, Vec<u32>>,
    /// The folded names of each group.
    members: Vec<Vec<String>>,
    count: u32,
}

impl NameTable {
    /// The table shipped with Sightline.
    pub fn default_table() -> NameTable {
        let mut t = NameTable::default();
        t.extend(DEFAULT_TABLE);
        t
    }

    /// Adds groups from text: one group a line, names separated by spaces,
    /// `#` starting a comment.
    pub fn extend(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let names: Vec<String> = line
                .split_whitespace()
                .map(fold_name)
                .filter(|n| !n.is_empty())
                .collect();
            if names.len() < 2 {
                continue;
            }
            let group = self.count;
            self.count += 1;
            self.members.push(names.clone());
            for n in names {
                let entry = self.groups.entry(hash_str(&n)).or_default();
                if !entry.contains(&group) {
                    entry.push(group);
                }
            }
        }
    }

    /// Whether two folded given names are known to be used for the same
    /// person.
    pub fn equivalent(&self, a: &str, b: &str) -> bool {
        a == b || self.share_group(hash_str(a), hash_str(b))
    }

    /// [`NameTable::equivalent`] on prepared name parts (no string hashing).
    pub fn equivalent_parts(&self, a: &NamePart, b: &NamePart) -> bool {
        a.same(b) || self.share_group(a.hash, b.hash)
    }

    fn share_group(&self, a: u64, b: u64) -> bool {
        match (self.groups.get(&a), self.groups.get(&b)) {
            (Some(ga), Some(gb)) => ga.iter().any(|g| gb.contains(g)),
            _ => false,
        }
    }

    /// Whether one name is a known name and the other, which the table
    /// does not know, is a one-keystroke slip of a variant of it: `behca`
    /// for `rebecca` through `becca`. Slips keep the first letter and the
    /// length within one, which keeps this cheap on the pairs where given
    /// names differ.
    pub fn slip_of_variant(&self, a: &NamePart, b: &NamePart) -> bool {
        let check = |known: &NamePart, other: &NamePart| {
            let (Some(groups), false) = (
                self.groups.get(&known.hash),
                self.groups.contains_key(&other.hash),
            ) else {
                return false;
            };
            let first = other.text.as_bytes().first();
            groups.iter().any(|&g| {
                self.members[g as usize].iter().any(|m| {
                    m.len() >= 4
                        && m.len().abs_diff(other.text.len()) <= 1
                        && m.as_bytes().first() == first
                        && strsim::osa_distance(m, &other.text) == 1
                })
            })
        };
        a.text.len() >= 4 && b.text.len() >= 4 && (check(a, b) || check(b, a))
    }

    /// The groups of a name (for blocking: names in one group share a key).
    pub fn groups_of(&self, name: &NamePart) -> &[u32] {
        self.groups
            .get(&name.hash)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_of_a_known_variant_is_recognised() {
        let t = NameTable::default_table();
        let p = |s: &str| NamePart::new(s);
        // `behca` is `becca` mistyped, and Becca is Rebecca.
        assert!(t.slip_of_variant(&p("rebecca"), &p("behca")));
        assert!(t.slip_of_variant(&p("behca"), &p("rebecca")));
        // Two names the table knows are equivalent or not on its word.
        assert!(!t.slip_of_variant(&p("rebecca"), &p("bella")));
        // A different name is not a slip.
        assert!(!t.slip_of_variant(&p("rebecca"), &p("jessica")));
    }

    #[test]
    fn nicknames_and_variants() {
        let t = NameTable::default_table();
        assert!(t.equivalent("elizabeth", "beth"));
        assert!(t.equivalent("beth", "liz"));
        assert!(t.equivalent("muhammad", "mohammed"));
        assert!(t.equivalent("alex", "alexander"));
        assert!(t.equivalent("alex", "alexandra"));
        assert!(!t.equivalent("alexander", "alexandra"));
        assert!(!t.equivalent("ellie", "emma"));
        assert!(t.equivalent("zz", "zz"));
        assert!(t.len() > 150);
    }
}
