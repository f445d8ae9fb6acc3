//! The Fellegi–Sunter model: for each field and level, the probability of
//! that level among true matches (m) and among non-matches (u). A pair's
//! match weight is the sum of `log2(m/u)` over its non-null fields plus the
//! prior `log2(λ/(1-λ))`, where λ is the probability that two records drawn
//! at random are the same person; its probability is `2^w / (1 + 2^w)`.
//!
//! Nothing here needs labels: u comes from random pairs (almost all of which
//! are non-matches), m from expectation–maximisation over blocked pairs, and
//! λ from the expected number of matches among candidate pairs.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::compare::{Comparison, FIELD_COUNT, Field, Gamma, NULL};
use crate::fast::{FastMap, hash_str};
use crate::record::{LinkRecord, NamePart, family_hash};

/// m and u for each level of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldParams {
    pub m: Vec<f64>,
    pub u: Vec<f64>,
}

impl FieldParams {
    pub fn weight(&self, level: usize) -> f64 {
        (self.m[level] / self.u[level]).log2()
    }
}

/// Term frequencies of name values, for the adjustment of exact matches.
/// Ordered maps, so that a model serialises the same way every time (its
/// hash versions the linking projection).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TermFrequencies {
    pub given: BTreeMap<String, f64>,
    pub family: BTreeMap<String, f64>,
}

impl TermFrequencies {
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a LinkRecord>) -> Self {
        let mut given: BTreeMap<String, f64> = BTreeMap::new();
        let mut family: BTreeMap<String, f64> = BTreeMap::new();
        let (mut ng, mut nf) = (0.0, 0.0);
        for r in records {
            if let Some(g) = r.first_given() {
                *given.entry(g.text.clone()).or_default() += 1.0;
                ng += 1.0;
            }
            if !r.family.is_empty() {
                *family.entry(r.family_text()).or_default() += 1.0;
                nf += 1.0;
            }
        }
        for v in given.values_mut() {
            *v /= ng;
        }
        for v in family.values_mut() {
            *v /= nf;
        }
        TermFrequencies { given, family }
    }
}

/// Term frequencies keyed by name hashes, built on first use.
#[derive(Debug, Clone, Default)]
struct TfCache {
    given: FastMap<u64, f64>,
    family: FastMap<u64, f64>,
}

/// A fitted model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// Parameters in the order of [`Field::ALL`].
    pub fields: Vec<FieldParams>,
    /// Probability that two records drawn at random are the same person.
    pub lambda: f64,
    pub tf: TermFrequencies,
    /// Notes from fitting: fields whose estimates failed a plausibility check
    /// and fell back to the defaults, and similar.
    pub notes: Vec<String>,
    #[serde(skip)]
    tf_cache: OnceLock<TfCache>,
}

/// One field's contribution to a pair's weight.
#[derive(Debug, Clone, Serialize)]
pub struct FieldWeight {
    pub field: Field,
    /// `None` when the field was missing on one side.
    pub level: Option<usize>,
    pub weight: f64,
    /// The part of `weight` due to how common the value is.
    pub tf_adjustment: f64,
}

impl Model {
    /// The default model: used as it is for a store too small to fit one,
    /// to start EM, and as the fallback when an estimate is implausible.
    pub fn prior() -> Model {
        let fields = Field::ALL.iter().map(|f| default_params(*f)).collect();
        Model {
            fields,
            lambda: 0.0023,
            tf: TermFrequencies::default(),
            notes: Vec::new(),
            tf_cache: OnceLock::new(),
        }
    }

    pub fn params(&self, field: Field) -> &FieldParams {
        &self.fields[field.index()]
    }

    /// The prior weight `log2(λ/(1-λ))`.
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    /// Weights of each field for a compared pair.
    pub fn field_weights(&self, a: &LinkRecord, c: &Comparison) -> [FieldWeight; FIELD_COUNT] {
        Field::ALL.map(|field| {
            let level = c.gamma[field.index()];
            if level == NULL {
                return FieldWeight {
                    field,
                    level: None,
                    weight: 0.0,
                    tf_adjustment: 0.0,
                };
            }
            let level = level as usize;
            let p = self.params(field);
            let mut weight = self.level_weight(field, level);
            let mut tf_adjustment = 0.0;
            if level == 0 && field.term_frequency() && !c.swapped {
                tf_adjustment = self.tf_adjustment(field, a, p.u[0]);
                weight += tf_adjustment;
            }
            FieldWeight {
                field,
                level: Some(level),
                weight,
                tf_adjustment,
            }
        })
    }

    /// `log2(u / tf(value))`: positive for a rare name, negative for a
    /// common one. Bounded so that one field cannot decide a pair alone.
    fn tf_adjustment(&self, field: Field, a: &LinkRecord, u_exact: f64) -> f64 {
        let cache = self.tf_cache.get_or_init(|| TfCache {
            given: self
                .tf
                .given
                .iter()
                .map(|(k, v)| (hash_str(k), *v))
                .collect(),
            family: self
                .tf
                .family
                .iter()
                .map(|(k, v)| {
                    let parts: Vec<NamePart> = k.split(' ').map(NamePart::new).collect();
                    (family_hash(&parts), *v)
                })
                .collect(),
        });
        let freq = match field {
            Field::Given => a.first_given().and_then(|g| cache.given.get(&g.hash)),
            Field::Family => cache.family.get(&family_hash(&a.family)),
            _ => None,
        };
        match freq {
            Some(&f) if f > 0.0 => (u_exact / f).log2().clamp(-4.0, 4.0),
            _ => 0.0,
        }
    }

    /// Replaces the term frequencies (and forgets the cache built on them).
    pub fn set_term_frequencies(&mut self, tf: TermFrequencies) {
        self.tf = tf;
        self.tf_cache = OnceLock::new();
    }

    /// The weight of one field's level. Names written the other way round
    /// count no more than names written the same way: a swap is rare among
    /// random pairs, so its fitted weight can exceed that of exact
    /// agreement, and two namesakes written in either order would then look
    /// more alike than two written the same.
    fn level_weight(&self, field: Field, level: usize) -> f64 {
        let p = &self.fields[field.index()];
        let w = p.weight(level);
        if field == Field::Given && level == 2 {
            w.min(p.weight(0))
        } else {
            w
        }
    }

    /// The total match weight of a compared pair, prior included.
    pub fn weight(&self, a: &LinkRecord, c: &Comparison) -> f64 {
        let mut w = self.pattern_weight(&c.gamma);
        for (i, &level) in c.gamma.iter().enumerate() {
            let field = Field::ALL[i];
            if level == 0 && field.term_frequency() && !c.swapped {
                w += self.tf_adjustment(field, a, self.fields[i].u[0]);
            }
        }
        w
    }

    /// The match weight of a comparison pattern alone, prior included:
    /// [`Model::weight`] without the adjustment for how common a name is.
    pub fn pattern_weight(&self, gamma: &Gamma) -> f64 {
        self.prior_weight()
            + gamma
                .iter()
                .enumerate()
                .filter(|&(_, &level)| level != NULL)
                .map(|(i, &level)| self.level_weight(Field::ALL[i], level as usize))
                .sum::<f64>()
    }
}

pub fn probability(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// Default m and u of each field: what the linker uses when a store is too
/// small to fit a model, the start of EM, and the fallback for an
/// implausible estimate. They are of the order fitted on the simulated town
/// (`docs/linking.md`), rounded: most matches agree, most non-matches do not.
fn default_params(field: Field) -> FieldParams {
    let (m, u): (&[f64], &[f64]) = match field {
        Field::Given => (
            &[0.75, 0.125, 0.058, 0.0001, 0.034, 0.021, 0.001, 0.013],
            &[
                0.0056, 0.0042, 0.0002, 0.0006, 0.0006, 0.0038, 0.0001, 0.985,
            ],
        ),
        Field::Family => (
            &[0.9, 0.017, 0.058, 0.012, 0.003, 0.01],
            &[0.013, 0.0008, 0.0011, 0.0014, 0.0016, 0.982],
        ),
        Field::Birth => (
            &[
                0.77, 0.0096, 0.047, 0.001, 0.085, 0.07, 0.0055, 0.0093, 0.0023,
            ],
            &[
                0.0017, 0.0001, 0.0067, 0.0001, 0.0157, 0.033, 0.037, 0.586, 0.3186,
            ],
        ),
        Field::Sex => (&[0.999, 0.001], &[0.5, 0.5]),
        Field::Address => (
            &[0.85, 0.01, 0.0001, 0.005, 0.099, 0.0006, 0.0024, 0.05],
            &[
                0.0039, 0.00001, 0.0001, 0.0005, 0.0106, 0.0074, 0.055, 0.923,
            ],
        ),
        Field::Phone => (&[0.95, 0.05], &[0.0046, 0.9954]),
        Field::Identifier => (&[0.95, 0.001, 0.049], &[0.001, 0.6, 0.399]),
        Field::Alias => (&[0.2, 0.8], &[0.0008, 0.9992]),
    };
    let (mut m, mut u) = (m.to_vec(), u.to_vec());
    debug_assert_eq!(m.len(), field.level_count());
    normalise(&mut m);
    normalise(&mut u);
    FieldParams { m, u }
}

fn normalise(v: &mut [f64]) {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        for x in v.iter_mut() {
            *x /= total;
        }
    }
}

/// Counts of comparison vectors: EM works on distinct patterns, not pairs.
/// Ordered, so that EM's sums run in the same order on every run.
#[derive(Debug, Default, Clone)]
pub struct PatternCounts {
    pub counts: BTreeMap<Gamma, f64>,
}

impl PatternCounts {
    pub fn add(&mut self, gamma: Gamma) {
        self.add_times(gamma, 1.0);
    }

    /// Counts `times` pairs with this pattern.
    pub fn add_times(&mut self, gamma: Gamma, times: f64) {
        *self.counts.entry(gamma).or_default() += times;
    }

    pub fn total(&self) -> f64 {
        self.counts.values().sum()
    }
}

/// Smallest probability any level keeps: no level is impossible.
const FLOOR: f64 = 1e-5;

/// u from random pairs: the share of each level among them.
pub fn estimate_u(patterns: &PatternCounts) -> Vec<FieldParams> {
    Field::ALL
        .iter()
        .map(|&field| {
            let n = field.level_count();
            let mut counts = vec![0.0; n];
            for (gamma, c) in &patterns.counts {
                let l = gamma[field.index()];
                if l != NULL {
                    counts[l as usize] += c;
                }
            }
            // A field no pair had on both sides says nothing: keep the
            // defaults (and `combine_m` will keep its default m too).
            if counts.iter().sum::<f64>() == 0.0 {
                return default_params(field);
            }
            // Add-half smoothing: a level never seen among random pairs is
            // rare, not impossible.
            let mut u: Vec<f64> = counts.iter().map(|c| c + 0.5).collect();
            normalise(&mut u);
            FieldParams {
                m: default_params(field).m,
                u,
            }
        })
        .collect()
}

/// u again from the random pairs, each pattern counted by how likely it is
/// to be a non-match under the fitted model (m, u and λ). Random pairs
/// include true matches (about λ of them: one in a few thousand), and for
/// the rarest agreements ("the same house") they are most of the count, so
/// the plain share understates what such agreement is worth.
pub fn estimate_u_nonmatch(patterns: &PatternCounts, fitted: &Model) -> Vec<FieldParams> {
    let mut weighted = PatternCounts::default();
    for (gamma, &count) in &patterns.counts {
        let nonmatch = 1.0 - probability(fitted.pattern_weight(gamma));
        weighted.counts.insert(*gamma, count * nonmatch);
    }
    estimate_u(&weighted)
        .into_iter()
        .zip(&fitted.fields)
        .map(|(u, f)| FieldParams {
            m: f.m.clone(),
            u: u.u,
        })
        .collect()
}

/// One round of EM over the pairs of one blocking rule, with u fixed and the
/// fields the rule blocks on left out (they agree by construction, so the
/// pairs say nothing about them). Returns the estimated m for the other
/// fields and the share of matches among the pairs.
pub fn em_round(
    patterns: &PatternCounts,
    start: &[FieldParams],
    blocked: &[Field],
    iterations: usize,
) -> (Vec<Option<Vec<f64>>>, f64) {
    let active: Vec<Field> = Field::ALL
        .iter()
        .copied()
        .filter(|f| !blocked.contains(f))
        .collect();
    let mut m: Vec<Vec<f64>> = start.iter().map(|p| p.m.clone()).collect();
    let u: Vec<&Vec<f64>> = start.iter().map(|p| &p.u).collect();
    let mut lambda: f64 = 0.1;
    let total = patterns.total();
    if total == 0.0 {
        return (vec![None; FIELD_COUNT], 0.0);
    }
    for _ in 0..iterations {
        let mut m_counts: Vec<Vec<f64>> = Field::ALL
            .iter()
            .map(|f| vec![0.0; f.level_count()])
            .collect();
        let mut matches = 0.0;
        for (gamma, &count) in &patterns.counts {
            let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
            for f in &active {
                let l = gamma[f.index()];
                if l != NULL {
                    lm += m[f.index()][l as usize].ln();
                    lu += u[f.index()][l as usize].ln();
                }
            }
            let post = 1.0 / (1.0 + (lu - lm).exp());
            matches += post * count;
            for f in &active {
                let l = gamma[f.index()];
                if l != NULL {
                    m_counts[f.index()][l as usize] += post * count;
                }
            }
        }
        let new_lambda = (matches / total).clamp(1e-6, 1.0 - 1e-6);
        for f in &active {
            let counts = &m_counts[f.index()];
            if counts.iter().sum::<f64>() > 0.0 {
                let mut v: Vec<f64> = counts.iter().map(|c| c.max(0.0)).collect();
                normalise(&mut v);
                for x in v.iter_mut() {
                    *x = x.max(FLOOR);
                }
                normalise(&mut v);
                m[f.index()] = v;
            }
        }
        let converged = (new_lambda - lambda).abs() < 1e-7;
        lambda = new_lambda;
        if converged {
            break;
        }
    }
    let out = Field::ALL
        .iter()
        .map(|f| (!blocked.contains(f)).then(|| m[f.index()].clone()))
        .collect();
    (out, lambda)
}

/// Combines the m estimates of several EM rounds (each field averaged over
/// the rounds that estimated it) and checks them: a field whose estimated
/// agreement is not more likely among matches than among non-matches is
/// implausible, and keeps the default with a note.
/// Each round's estimate is weighted by its expected number of matches.
pub fn combine_m(
    rounds: &[(Vec<Option<Vec<f64>>>, f64)],
    u: &[FieldParams],
) -> (Vec<FieldParams>, Vec<String>) {
    let mut notes = Vec::new();
    let fields = Field::ALL
        .iter()
        .map(|&field| {
            let i = field.index();
            let estimates: Vec<(&Vec<f64>, f64)> = rounds
                .iter()
                .filter_map(|(r, matches)| r[i].as_ref().map(|m| (m, *matches)))
                .collect();
            let total: f64 = estimates.iter().map(|(_, w)| w).sum();
            let default = default_params(field);
            let unobserved = u[i] == default;
            let mut m = if unobserved {
                default.m.clone()
            } else if estimates.is_empty() || total <= 0.0 {
                notes.push(format!("{}: no round estimated m; defaults kept", field.name()));
                default.m.clone()
            } else {
                let mut v = vec![0.0; field.level_count()];
                for (e, w) in &estimates {
                    for (x, y) in v.iter_mut().zip(e.iter()) {
                        *x += y * w / total;
                    }
                }
                v
            };
            let last = m.len() - 1;
            // People move house and change numbers: however consistent a
            // training sample was, a match may disagree on these.
            let floor = changeable_floor(field);
            if m[last] < floor && !unobserved {
                notes.push(format!(
                    "{}: estimated share of matches that disagree ({:.4}) raised to {floor}",
                    field.name(),
                    m[last]
                ));
                let rest: f64 = m[..last].iter().sum();
                for x in m[..last].iter_mut() {
                    *x *= (1.0 - floor) / rest.max(f64::MIN_POSITIVE);
                }
                m[last] = floor;
            }
            if !unobserved && (m[0] <= u[i].u[0] || m[last] >= u[i].u[last]) {
                notes.push(format!(
                    "{}: estimated m implausible (agreement {:.3} vs {:.3} among non-matches); defaults kept",
                    field.name(),
                    m[0],
                    u[i].u[0]
                ));
                m = default.m.clone();
            }
            FieldParams {
                m,
                u: u[i].u.clone(),
            }
        })
        .collect();
    (fields, notes)
}

/// The least share of matches assumed to disagree on a field that changes
/// over a life (address, phone), whatever EM estimated.
fn changeable_floor(field: Field) -> f64 {
    match field {
        Field::Address | Field::Phone => 0.05,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_from_nonmatches_discounts_the_random_pairs_that_are_matches() {
        // 10,000 random pairs: 9,990 disagree on given name and birth date,
        // 10 (true matches) agree on both.
        let mut patterns = PatternCounts::default();
        let mut differ = [NULL; FIELD_COUNT];
        differ[Field::Given.index()] = crate::compare::level::GIVEN_DIFFERENT;
        differ[Field::Birth.index()] = crate::compare::level::BIRTH_DIFFERENT;
        let mut agree = [NULL; FIELD_COUNT];
        agree[Field::Given.index()] = 0;
        agree[Field::Birth.index()] = 0;
        patterns.counts.insert(differ, 9_990.0);
        patterns.counts.insert(agree, 10.0);
        let plain = estimate_u(&patterns);
        let fitted: Vec<FieldParams> = plain
            .iter()
            .zip(Field::ALL)
            .map(|(p, f)| FieldParams {
                m: default_params(f).m,
                u: p.u.clone(),
            })
            .collect();
        let mut model = Model::prior();
        model.fields = fitted.clone();
        model.lambda = 1e-3;
        let corrected = estimate_u_nonmatch(&patterns, &model);
        let g = Field::Given.index();
        assert!(
            corrected[g].u[0] < plain[g].u[0] / 5.0,
            "{} vs {}",
            corrected[g].u[0],
            plain[g].u[0]
        );
        // m is kept, and u stays a distribution.
        assert_eq!(corrected[g].m, fitted[g].m);
        assert!((corrected[g].u.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn em_recovers_m_on_a_two_class_mixture() {
        // Two fields of two levels each (we use given and sex slots). True
        // m = (0.9, 0.1), u = (0.1, 0.9) for both; 30% matches.
        let mut patterns = PatternCounts::default();
        let mut g = [NULL; FIELD_COUNT];
        let cases = [
            ((0, 0), 0.3 * 0.81 + 0.7 * 0.01),
            ((0, 1), 0.3 * 0.09 + 0.7 * 0.09),
            ((1, 0), 0.3 * 0.09 + 0.7 * 0.09),
            ((1, 1), 0.3 * 0.01 + 0.7 * 0.81),
        ];
        for ((a, b), share) in cases {
            g[Field::Phone.index()] = a;
            g[Field::Sex.index()] = b;
            patterns.counts.insert(g, share * 10000.0);
        }
        let mut start = Model::prior().fields;
        for f in [Field::Phone, Field::Sex] {
            start[f.index()] = FieldParams {
                m: vec![0.6, 0.4],
                u: vec![0.1, 0.9],
            };
        }
        let (m, lambda) = em_round(&patterns, &start, &[], 200);
        assert!((lambda - 0.3).abs() < 0.02, "{lambda}");
        let phone = m[Field::Phone.index()].as_ref().unwrap();
        assert!((phone[0] - 0.9).abs() < 0.02, "{phone:?}");
    }

    #[test]
    fn implausible_estimates_fall_back() {
        // u as if estimated from data (not the defaults, which mean the field
        // was never observed).
        let mut u = Model::prior().fields;
        u[Field::Sex.index()].u = vec![0.49, 0.51];
        let mut bad = vec![None; FIELD_COUNT];
        let mut m = vec![0.0; Field::Sex.level_count()];
        m[1] = 1.0;
        bad[Field::Sex.index()] = Some(m);
        let (fields, notes) = combine_m(&[(bad, 1.0)], &u);
        assert_eq!(fields[Field::Sex.index()].m, default_params(Field::Sex).m);
        assert!(notes.iter().any(|n| n.starts_with("sex")));
    }
}
