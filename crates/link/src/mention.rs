//! Person mentions of reports: their ids and their [`LinkRecord`]s.
//!
//! A mention id names one person entry of one report:
//! `AGENCY/SYSTEM/RECORD_ID/REF`, each part percent-encoded so that any
//! character can appear in a system, record id or ref (`/` is `%2F`, `%` is
//! `%25`, control characters and spaces are encoded too). Example:
//! `police/NICHE/RB%2F2019%2F0042/p1`.

use sightline_model::{PersonMention, Report, ReportKey, Sex};

use crate::record::{Birth, LinkRecord, RecordedSex};

/// Encodes one part of a mention id.
pub fn encode_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | '/' => out.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_control() || c == ' ' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Decodes one part; `None` when a `%` escape is malformed or the bytes are
/// not UTF-8.
pub fn decode_part(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The id of a person mention.
pub fn mention_id(agency: &str, system: &str, record_id: &str, person_ref: &str) -> String {
    format!(
        "{}/{}/{}/{}",
        encode_part(agency),
        encode_part(system),
        encode_part(record_id),
        encode_part(person_ref)
    )
}

/// Splits a mention id into agency, system, record id and ref.
pub fn parse_mention_id(id: &str) -> Option<[String; 4]> {
    let parts: Vec<&str> = id.split('/').collect();
    let [a, s, r, p] = parts.as_slice() else {
        return None;
    };
    let out = [
        decode_part(a)?,
        decode_part(s)?,
        decode_part(r)?,
        decode_part(p)?,
    ];
    if out.iter().any(String::is_empty) {
        return None;
    }
    Some(out)
}

pub fn id_of(key: &ReportKey, person_ref: &str) -> String {
    mention_id(key.agency.as_str(), &key.system, &key.record_id, person_ref)
}

/// The comparison form of one person mention of a report.
pub fn record_of(report: &Report, p: &PersonMention) -> LinkRecord {
    let mut r = LinkRecord::default();
    let event = report.event_time().uk_date;
    r.event_date = Some(event);
    match (&p.name.given, &p.name.family, &p.name.full) {
        (None, None, Some(full)) => r.set_full_name(full),
        (g, f, _) => r.set_names(g.as_deref(), f.as_deref()),
    }
    r.aliases = p
        .aliases
        .iter()
        .map(|a| sightline_normalise::fold_name(a))
        .filter(|a| !a.is_empty())
        .collect();
    r.birth = p.birth_date.map(|d| Birth {
        year: d.year,
        month: d.month,
        day: d.day,
    });
    r.age = p.age.map(|a| (a, event));
    r.sex = match p.sex {
        Some(Sex::Female) => Some(RecordedSex::Female),
        Some(Sex::Male) => Some(RecordedSex::Male),
        _ => None,
    };
    for a in &p.addresses {
        r.add_address(
            a.text.as_deref(),
            a.postcode.as_ref().map(|pc| pc.text.as_str()),
        );
    }
    for ph in &p.phones {
        if let Some(e) = &ph.e164
            && !r.phones.contains(e)
        {
            r.phones.push(e.clone());
        }
    }
    for id in &p.identifiers {
        if let Some(v) = &id.value {
            // Local identifiers are only comparable within their system.
            let scheme = if id.scheme == "local" {
                format!("local:{}", report.source.system)
            } else {
                id.scheme.clone()
            };
            r.identifiers.push((scheme, v.clone()));
        }
    }
    r.child = match (r.birth_years(), p.age) {
        (_, Some(a)) => Some(a < 18),
        (Some((_, hi)), None) => {
            let age = event.year() - hi;
            (age >= 19 || age <= 16).then_some(age <= 16)
        }
        _ => None,
    };
    r
}

/// Every person mention of a report with its id.
pub fn records_of(report: &Report) -> Vec<(String, LinkRecord)> {
    let key = report.source.key();
    report
        .people
        .iter()
        .map(|p| (id_of(&key, &p.ref_), record_of(report, p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_round_trip_with_awkward_characters() {
        let id = mention_id("police", "NICHE", "RB/2019/0042", "p 1%");
        assert_eq!(id, "police/NICHE/RB%2F2019%2F0042/p%201%25");
        assert_eq!(
            parse_mention_id(&id).unwrap(),
            ["police", "NICHE", "RB/2019/0042", "p 1%"].map(String::from)
        );
        assert!(parse_mention_id("police/NICHE/x").is_none());
        assert!(parse_mention_id("police/NICHE/x/%zz").is_none());
    }

    proptest! {
        #[test]
        fn any_parts_round_trip(a in "[a-z]{1,8}", s in "\\PC{1,12}", r in "\\PC{1,20}", p in "\\PC{1,6}") {
            let id = mention_id(&a, &s, &r, &p);
            prop_assert_eq!(parse_mention_id(&id), Some([a, s, r, p]));
        }
    }
}
