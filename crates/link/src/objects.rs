//! Vehicles, phones and places resolved to entities, so that network
//! analysis sees one car, not five spellings of it.
//!
//! - **Vehicles** by normalised registration (`ab12 cde` and `AB12CDE` are
//!   one car). A partial plate (`AB12C??`) joins the one full plate it can be,
//!   when there is exactly one; otherwise it stays an entity of its own, with
//!   the plates it could be as candidates.
//! - **Phones** by E.164 number.
//! - **Places** by postcode and name: within one postcode, names whose
//!   distinctive words mostly agree ("Kebab King" and "Kebab King Takeaway")
//!   are one place; without a postcode, the same distinctive words in the
//!   same local authority.
//!
//! Resolution is a pure function of all the mentions, so the projection can
//! be rebuilt and replayed like the person links.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
pub use sightline_model::ObjectKind;
use sightline_model::Report;
use sightline_normalise::{Registration, name_tokens};

use crate::mention::id_of;

/// What an object mention says that can identify it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectKey {
    Plate(Registration),
    Number(String),
    Place {
        words: BTreeSet<String>,
        postcode: Option<String>,
        area: Option<String>,
    },
    /// Nothing that identifies it (a vehicle described by colour only).
    Nothing,
}

/// One vehicle, phone or place mention of a report.
#[derive(Debug, Clone)]
pub struct ObjectMention {
    /// `AGENCY/SYSTEM/RECORD_ID/REF` (see [`crate::mention`]); for an entry
    /// without a ref, the ref is its kind and position (`vehicle#2`).
    pub id: String,
    pub kind: ObjectKind,
    pub key: ObjectKey,
    /// Display text: the plate, number or place name as written.
    pub label: String,
}

/// Words that say what kind of place it is, not which one.
const GENERIC: &[&str] = &[
    "the",
    "and",
    "of",
    "ltd",
    "limited",
    "takeaway",
    "take",
    "away",
    "hotel",
    "cafe",
    "shop",
    "store",
    "restaurant",
    "bar",
    "pub",
    "flat",
    "flats",
    "house",
    "park",
    "car",
    "centre",
    "center",
    "services",
    "taxis",
    "taxi",
    "cars",
    "co",
    "company",
    "uk",
];

fn place_words(name: &str) -> BTreeSet<String> {
    let tokens = name_tokens(name);
    let distinctive: BTreeSet<String> = tokens
        .iter()
        .filter(|t| !GENERIC.contains(&t.as_str()))
        .cloned()
        .collect();
    if distinctive.is_empty() {
        tokens.into_iter().collect()
    } else {
        distinctive
    }
}

/// The object mentions of a report.
pub fn objects_of(report: &Report) -> Vec<ObjectMention> {
    let key = report.source.key();
    let mut out = Vec::new();
    let id = |r: &Option<String>, kind: &str, n: usize| match r {
        Some(r) => id_of(&key, r),
        None => id_of(&key, &format!("{kind}#{}", n + 1)),
    };
    for (n, v) in report.vehicles.iter().enumerate() {
        let (k, label) = match &v.registration {
            Some(reg) => (ObjectKey::Plate(reg.clone()), reg.text.clone()),
            None => (
                ObjectKey::Nothing,
                v.description
                    .clone()
                    .or_else(|| v.registration_raw.clone())
                    .unwrap_or_default(),
            ),
        };
        out.push(ObjectMention {
            id: id(&v.ref_, "vehicle", n),
            kind: ObjectKind::Vehicle,
            key: k,
            label,
        });
    }
    for (n, p) in report.phones.iter().enumerate() {
        let (k, label) = match p.number.as_ref() {
            Some(ph) => match &ph.e164 {
                Some(e) => (ObjectKey::Number(e.clone()), e.clone()),
                None => (ObjectKey::Nothing, ph.raw.clone()),
            },
            None => (ObjectKey::Nothing, String::new()),
        };
        out.push(ObjectMention {
            id: id(&p.ref_, "phone", n),
            kind: ObjectKind::Phone,
            key: k,
            label,
        });
    }
    for (n, p) in report.places.iter().enumerate() {
        let name = p.name.clone().unwrap_or_default();
        let address_text = p.address.as_ref().and_then(|a| a.text.clone());
        let words = if name.trim().is_empty() {
            address_text.as_deref().map(place_words).unwrap_or_default()
        } else {
            place_words(&name)
        };
        let postcode = p
            .address
            .as_ref()
            .and_then(|a| a.postcode.as_ref())
            .map(|pc| pc.text.clone());
        let k = if words.is_empty() && postcode.is_none() {
            ObjectKey::Nothing
        } else {
            ObjectKey::Place {
                words,
                postcode,
                area: report.area.local_authority.clone(),
            }
        };
        out.push(ObjectMention {
            id: id(&p.ref_, "place", n),
            kind: ObjectKind::Place,
            key: k,
            label: if name.is_empty() {
                address_text.unwrap_or_default()
            } else {
                name
            },
        });
    }
    out
}

/// The entity each object mention was resolved to, and why.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectLink {
    pub mention: String,
    pub kind: ObjectKind,
    pub entity: String,
    pub reason: String,
}

fn place_similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let inter = a.intersection(b).count() as f64;
    let smaller = a.len().min(b.len()) as f64;
    if smaller == 0.0 { 0.0 } else { inter / smaller }
}

/// Places are grouped by postcode, or by local authority when there is none.
type PlaceGroup = (Option<String>, Option<String>);

/// Resolves all object mentions (in the order given) to entities.
pub fn resolve_objects(mentions: &[ObjectMention]) -> Vec<ObjectLink> {
    // Full plates known anywhere: partial plates are resolved against them.
    let full: BTreeSet<&str> = mentions
        .iter()
        .filter_map(|m| match &m.key {
            ObjectKey::Plate(r) if !r.partial => Some(r.text.as_str()),
            _ => None,
        })
        .collect();
    // Places: clusters per postcode (or per area when there is none).
    let mut places: BTreeMap<PlaceGroup, Vec<(BTreeSet<String>, String)>> = BTreeMap::new();
    let mut out = Vec::with_capacity(mentions.len());
    for m in mentions {
        let (entity, reason) = match &m.key {
            ObjectKey::Plate(r) if !r.partial => {
                (format!("V-{}", r.text), "registration".to_string())
            }
            ObjectKey::Plate(r) => {
                let could_be: Vec<&&str> = full
                    .iter()
                    .filter(|f| {
                        f.len() == r.text.len()
                            && f.bytes()
                                .zip(r.text.bytes())
                                .all(|(a, b)| b == b'?' || a == b)
                    })
                    .collect();
                match could_be.as_slice() {
                    [one] => (
                        format!("V-{one}"),
                        format!("partial plate {} matches only {one}", r.text),
                    ),
                    [] => (
                        format!("V-{}", r.text),
                        "partial plate, no known match".to_string(),
                    ),
                    many => (
                        format!("V-{}", r.text),
                        format!(
                            "partial plate {} could be any of {}",
                            r.text,
                            many.iter().map(|s| **s).collect::<Vec<_>>().join(", ")
                        ),
                    ),
                }
            }
            ObjectKey::Number(n) => (format!("T-{n}"), "number".to_string()),
            ObjectKey::Place {
                words,
                postcode,
                area,
            } => {
                let group_key = match postcode {
                    Some(pc) => (Some(pc.clone()), None),
                    None => (None, area.clone()),
                };
                let group = places.entry(group_key.clone()).or_default();
                let found = group
                    .iter()
                    .filter(|(w, _)| place_similarity(w, words) >= 0.5)
                    .max_by(|a, b| {
                        place_similarity(&a.0, words).total_cmp(&place_similarity(&b.0, words))
                    })
                    .map(|(_, e)| e.clone());
                match found {
                    Some(e) => (e, "same name at the same postcode or area".to_string()),
                    None => {
                        let mut label: Vec<&str> = words.iter().map(String::as_str).collect();
                        label.sort_unstable();
                        let e = format!(
                            "L-{}-{}",
                            group_key
                                .0
                                .or(group_key.1)
                                .unwrap_or_default()
                                .replace(' ', ""),
                            label.join("-")
                        );
                        group.push((words.clone(), e.clone()));
                        (e, "first mention of this place".to_string())
                    }
                }
            }
            ObjectKey::Nothing => (
                format!("X-{}", m.id),
                "nothing identifies it; kept on its own".to_string(),
            ),
        };
        out.push(ObjectLink {
            mention: m.id.clone(),
            kind: m.kind,
            entity,
            reason,
        });
    }
    // A place written without its postcode is the place with a postcode in
    // the same area and the same distinctive words, when there is exactly
    // one such place.
    let mut with_postcode: Vec<(&BTreeSet<String>, &Option<String>, String)> = Vec::new();
    for (m, link) in mentions.iter().zip(&out) {
        if let ObjectKey::Place {
            words,
            postcode: Some(_),
            area,
        } = &m.key
            && !with_postcode.iter().any(|(_, _, e)| *e == link.entity)
        {
            with_postcode.push((words, area, link.entity.clone()));
        }
    }
    for (m, link) in mentions.iter().zip(out.iter_mut()) {
        if let ObjectKey::Place {
            words,
            postcode: None,
            area,
        } = &m.key
        {
            let matches: Vec<&String> = with_postcode
                .iter()
                .filter(|(w, a, _)| *a == area && place_similarity(w, words) >= 0.5)
                .map(|(_, _, e)| e)
                .collect();
            if let [one] = matches.as_slice() {
                link.entity = (*one).clone();
                link.reason = "same name in the same area as a place with a postcode".to_string();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_normalise::normalise_registration;

    fn plate(id: &str, text: &str) -> ObjectMention {
        ObjectMention {
            id: id.into(),
            kind: ObjectKind::Vehicle,
            key: ObjectKey::Plate(normalise_registration(text).unwrap()),
            label: text.into(),
        }
    }

    fn place(id: &str, name: &str, postcode: Option<&str>) -> ObjectMention {
        ObjectMention {
            id: id.into(),
            kind: ObjectKind::Place,
            key: ObjectKey::Place {
                words: place_words(name),
                postcode: postcode.map(str::to_string),
                area: Some("E08000901".into()),
            },
            label: name.into(),
        }
    }

    #[test]
    fn plates_and_partial_plates() {
        let links = resolve_objects(&[
            plate("a", "AB12 CDE"),
            plate("b", "ab12cde"),
            plate("c", "AB12C??"),
            plate("d", "XY51 ABC"),
            plate("e", "XY51 ABD"),
            plate("f", "XY51AB?"),
        ]);
        let e: Vec<&str> = links.iter().map(|l| l.entity.as_str()).collect();
        assert_eq!(e[0], "V-AB12CDE");
        assert_eq!(e[1], "V-AB12CDE");
        assert_eq!(e[2], "V-AB12CDE", "{}", links[2].reason);
        assert_ne!(e[3], e[4]);
        assert_eq!(e[5], "V-XY51AB?");
        assert!(links[5].reason.contains("XY51ABC") && links[5].reason.contains("XY51ABD"));
    }

    #[test]
    fn places_by_postcode_and_distinctive_words() {
        let links = resolve_objects(&[
            place("a", "Kebab King", Some("RV1 2AB")),
            place("b", "Kebab King Takeaway", Some("RV1 2AB")),
            place("c", "Pizza Palace", Some("RV1 2AB")),
            place("d", "Kebab King", Some("RV9 9ZZ")),
            place("e", "The Pizza Palace", None),
            place("f", "pizza palace", None),
            place("g", "Kebab King", None),
            place("h", "Sunrise Flats", None),
            place("i", "sunrise", None),
        ]);
        let e: Vec<&str> = links.iter().map(|l| l.entity.as_str()).collect();
        assert_eq!(e[0], e[1]);
        assert_ne!(e[0], e[2]);
        assert_ne!(e[0], e[3], "same name, other postcode: another branch");
        assert_eq!(e[4], e[2], "without a postcode, the one place of that name");
        assert_eq!(e[5], e[2]);
        assert_ne!(e[6], e[0], "two Kebab Kings in the area: cannot tell which");
        assert_eq!(e[7], e[8]);
    }
}
