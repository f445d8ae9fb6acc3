//! The format's *Validation* rules: what is rejected, what is accepted with
//! warnings. One pass over the received JSON collects every problem (not just
//! the first), so a sender can fix a record in one go.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sightline_normalise as norm;

use crate::json::{Json, Object};
use crate::time::{DateForm, ParsedTime, PartialDate, PartialDateError, TimePrecision, parse_time};
use crate::types::*;

/// The schema tag this version of the format carries.
pub const SCHEMA: &str = "sightline.report/1";

/// Largest narrative the format promises to carry; longer ones are kept whole
/// but flagged.
pub const MAX_NARRATIVE_BYTES: usize = 1024 * 1024;

/// One thing wrong with a record: the field (a path such as
/// `people[1].birth_date`) and what was expected, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// An accepted report and the doubtful values it carried.
#[derive(Debug, Clone)]
pub struct Checked {
    pub report: Report,
    pub warnings: Vec<Problem>,
}

/// Checks one received report against the format. `received_at` is when
/// Sightline received it, for the future-time check on `recorded_at`.
///
/// Returns the reasons for rejection when the record must be quarantined.
pub fn check_report(
    obj: &Map<String, Value>,
    received_at: Timestamp,
) -> Result<Checked, Vec<Problem>> {
    check_object(&Object::from_map(obj), received_at)
}

/// [`check_report`] on a borrowed parse ([`crate::json::parse_borrowed`]).
pub fn check_object(obj: &Object<'_>, received_at: Timestamp) -> Result<Checked, Vec<Problem>> {
    let mut c = Checker::default();
    let report = c.report(obj, received_at);
    match report {
        Some(report) if c.rejects.is_empty() => Ok(Checked {
            report,
            warnings: c.warnings,
        }),
        _ => Err(c.rejects),
    }
}

/// The identity fields as far as they can be read, for filing a rejected
/// record in the quarantine (any may be missing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LooseKey {
    pub agency: Option<String>,
    pub system: Option<String>,
    pub record_id: Option<String>,
    pub version: Option<u64>,
}

pub fn loose_key(obj: &Map<String, Value>) -> LooseKey {
    loose_key_of(&Object::from_map(obj))
}

/// [`loose_key`] on a borrowed parse.
pub fn loose_key_of(obj: &Object<'_>) -> LooseKey {
    let source = obj.get("source").and_then(Json::as_object);
    let text = |k: &str| {
        source
            .and_then(|s| s.get(k))
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    LooseKey {
        agency: text("agency"),
        system: text("system"),
        record_id: text("record_id"),
        version: source.and_then(|s| s.get("version")).and_then(Json::as_u64),
    }
}

#[derive(Default)]
struct Checker {
    rejects: Vec<Problem>,
    warnings: Vec<Problem>,
}

/// Where a value sits in the report (`people[1].birth_date`). Built on the
/// stack as the checker descends and rendered only when there is a problem
/// to report, so that checking a clean record allocates nothing for paths.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    /// An item of an array field: `people[2]`.
    KeyIndex(&'a str, usize),
}

static ROOT: Path<'static> = Path {
    parent: None,
    segment: Segment::Root,
};

impl<'a> Path<'a> {
    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    fn key_index(&'a self, key: &'a str, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::KeyIndex(key, index),
        }
    }
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        let dot = matches!(self.parent, Some(p) if !matches!(p.segment, Segment::Root));
        let dot = if dot { "." } else { "" };
        match self.segment {
            Segment::Root => Ok(()),
            Segment::Key(k) => write!(f, "{dot}{k}"),
            Segment::KeyIndex(k, i) => write!(f, "{dot}{k}[{i}]"),
        }
    }
}

fn shown(value: &Json<'_>) -> String {
    let text = match value {
        Json::String(s) => format!("\"{s}\""),
        // As serde_json writes it (object keys sorted).
        other => other.to_value().to_string(),
    };
    if text.len() > 60 {
        let mut end = 57;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &text[..end])
    } else {
        text
    }
}

fn list<T: std::fmt::Display>(values: &[T]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A hint when a value differs from a known one only by case or separators.
fn suggestion<T: Copy + std::fmt::Display>(text: &str, all: &[T]) -> String {
    let folded: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    all.iter()
        .find(|v| v.to_string().to_lowercase() == folded)
        .map(|v| format!(" (did you mean `{v}`?)"))
        .unwrap_or_default()
}

impl Checker {
    fn reject(&mut self, field: impl std::fmt::Display, message: impl Into<String>) {
        self.rejects.push(Problem {
            field: field.to_string(),
            message: message.into(),
        });
    }

    fn warn(&mut self, field: impl std::fmt::Display, message: impl Into<String>) {
        self.warnings.push(Problem {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// A required non-empty string.
    fn required_str(&mut self, obj: &Object<'_>, key: &str, path: &Path<'_>) -> Option<String> {
        self.required_text(obj, key, path).map(str::to_string)
    }

    /// [`Self::required_str`] borrowed from the record, for values that are
    /// read (an enumeration, a time) rather than kept.
    fn required_text<'a>(
        &mut self,
        obj: &'a Object<'_>,
        key: &str,
        path: &Path<'_>,
    ) -> Option<&'a str> {
        let field = path.key(key);
        match obj.get(key) {
            None | Some(Json::Null) => {
                self.reject(field, "required field is missing");
                None
            }
            Some(Json::String(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    self.reject(field, "required field is empty");
                    None
                } else {
                    Some(s)
                }
            }
            Some(other) => {
                self.reject(
                    field,
                    format!("expected a string, found {}", other.kind_name()),
                );
                None
            }
        }
    }

    /// An optional string: absent, null and blank are all `None`; another
    /// type is a warning.
    fn optional_str(&mut self, obj: &Object<'_>, key: &str, path: &Path<'_>) -> Option<String> {
        self.optional_text(obj, key, path).map(str::to_string)
    }

    /// [`Self::optional_str`] borrowed from the record.
    fn optional_text<'a>(
        &mut self,
        obj: &'a Object<'_>,
        key: &str,
        path: &Path<'_>,
    ) -> Option<&'a str> {
        match obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.trim()).filter(|s| !s.is_empty()),
            Some(other) => {
                self.warn(
                    path.key(key),
                    format!("expected a string, found {}; ignored", other.kind_name()),
                );
                None
            }
        }
    }

    /// A required value from a closed vocabulary: anything else rejects.
    fn required_enum<T: Copy + std::fmt::Display>(
        &mut self,
        obj: &Object<'_>,
        key: &str,
        path: &Path<'_>,
        parse: fn(&str) -> Option<T>,
        all: &[T],
    ) -> Option<T> {
        let text = self.required_text(obj, key, path)?;
        let parsed = parse(text);
        if parsed.is_none() {
            self.reject(
                path.key(key),
                format!(
                    "`{text}` is not one of {}{}",
                    list(all),
                    suggestion(text, all)
                ),
            );
        }
        parsed
    }

    /// An optional value from a vocabulary: anything else is a warning and
    /// is not used.
    fn optional_enum<T: Copy + std::fmt::Display>(
        &mut self,
        obj: &Object<'_>,
        key: &str,
        path: &Path<'_>,
        parse: fn(&str) -> Option<T>,
        all: &[T],
    ) -> Option<T> {
        let text = self.optional_text(obj, key, path)?;
        let parsed = parse(text);
        if parsed.is_none() {
            self.warn(
                path.key(key),
                format!(
                    "`{text}` is not one of {}{}; ignored",
                    list(all),
                    suggestion(text, all)
                ),
            );
        }
        parsed
    }

    fn optional_object<'a>(
        &mut self,
        obj: &'a Object<'a>,
        key: &str,
        path: &Path<'_>,
    ) -> Option<&'a Object<'a>> {
        match obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::Object(m)) => Some(m),
            Some(other) => {
                self.warn(
                    path.key(key),
                    format!("expected an object, found {}; ignored", other.kind_name()),
                );
                None
            }
        }
    }

    fn optional_array<'a>(
        &mut self,
        obj: &'a Object<'a>,
        key: &str,
        path: &Path<'_>,
    ) -> &'a [Json<'a>] {
        match obj.get(key) {
            None | Some(Json::Null) => &[],
            Some(Json::Array(items)) => items,
            Some(other) => {
                self.warn(
                    path.key(key),
                    format!("expected an array, found {}; ignored", other.kind_name()),
                );
                &[]
            }
        }
    }

    /// Items of an optional array that are objects, with their paths;
    /// others are warnings.
    fn objects<'a>(
        &mut self,
        obj: &'a Object<'a>,
        key: &'a str,
        path: &'a Path<'a>,
    ) -> Vec<(Path<'a>, &'a Object<'a>)> {
        let mut out = Vec::new();
        for (i, item) in self.optional_array(obj, key, path).iter().enumerate() {
            let item_path = path.key_index(key, i);
            match item {
                Json::Object(m) => out.push((item_path, m)),
                other => self.warn(
                    item_path,
                    format!("expected an object, found {}; ignored", other.kind_name()),
                ),
            }
        }
        out
    }

    fn optional_time(
        &mut self,
        obj: &Object<'_>,
        key: &str,
        path: &Path<'_>,
    ) -> Option<ParsedTime> {
        let text = self.optional_text(obj, key, path)?;
        let parsed = parse_time(text);
        if parsed.is_none() {
            self.warn(
                path.key(key),
                format!("`{text}` is not a date (YYYY-MM-DD) or an RFC 3339 date-time; ignored"),
            );
        }
        parsed
    }

    fn report(&mut self, obj: &Object<'_>, received_at: Timestamp) -> Option<Report> {
        if let Some(schema) = self.optional_text(obj, "schema", &ROOT)
            && schema != SCHEMA
        {
            self.warn(
                "schema",
                format!("`{schema}` is not `{SCHEMA}`; read as `{SCHEMA}`"),
            );
        }

        let source = self.source(obj);
        let kind = self.required_enum(obj, "kind", &ROOT, Kind::parse, Kind::ALL);
        let recorded_at = self.recorded_at(obj, received_at);
        let occurred_at = self.optional_time(obj, "occurred_at", &ROOT);
        let ended_at = self.optional_time(obj, "ended_at", &ROOT);
        if let (Some(start), Some(end)) = (occurred_at, ended_at)
            && end.instant < start.instant
            && end.precision != TimePrecision::Date
        {
            self.warn("ended_at", "is before `occurred_at`; kept as recorded");
        }

        let area = self
            .optional_object(obj, "area", &ROOT)
            .map(|m| Area {
                police_force: self.optional_str(m, "police_force", &ROOT.key("area")),
                local_authority: self.optional_str(m, "local_authority", &ROOT.key("area")),
            })
            .unwrap_or_default();
        let author = self
            .optional_object(obj, "author", &ROOT)
            .map(|m| Author {
                name: self.optional_str(m, "name", &ROOT.key("author")),
                role: self.optional_str(m, "role", &ROOT.key("author")),
                team: self.optional_str(m, "team", &ROOT.key("author")),
            })
            .unwrap_or_default();

        let event_date = occurred_at.or(recorded_at).map(|t| t.uk_date);
        let recorded_date = recorded_at.map(|t| t.uk_date);

        let mut refs = RefSet::default();
        let people = self
            .objects(obj, "people", &ROOT)
            .into_iter()
            .filter_map(|(path, m)| self.person(m, &path, event_date, recorded_date, &mut refs))
            .collect();
        let vehicles = self
            .objects(obj, "vehicles", &ROOT)
            .into_iter()
            .map(|(path, m)| self.vehicle(m, &path, &mut refs))
            .collect();
        let phones = self
            .objects(obj, "phones", &ROOT)
            .into_iter()
            .map(|(path, m)| PhoneMention {
                ref_: self.mention_ref(m, &path, &mut refs),
                number: self
                    .optional_str(m, "number", &path)
                    .map(|raw| self.phone(&raw, &path.key("number"))),
            })
            .collect();
        let places = self
            .objects(obj, "places", &ROOT)
            .into_iter()
            .map(|(path, m)| PlaceMention {
                ref_: self.mention_ref(m, &path, &mut refs),
                name: self.optional_str(m, "name", &path),
                category: self.optional_str(m, "category", &path),
                address: self
                    .optional_object(m, "address", &path)
                    .map(|a| self.address(a, &path.key("address"), false)),
            })
            .collect();
        let relations = self.relations(obj, &refs);

        let narrative = self.optional_str(obj, "narrative", &ROOT);
        if let Some(text) = &narrative
            && text.len() > MAX_NARRATIVE_BYTES
        {
            self.warn(
                "narrative",
                format!(
                    "is {} bytes, over the format's 1 MiB; kept whole",
                    text.len()
                ),
            );
        }
        let codes = self
            .objects(obj, "codes", &ROOT)
            .into_iter()
            .filter_map(|(path, m)| {
                let scheme = self.optional_str(m, "scheme", &path);
                let code = self.optional_str(m, "code", &path);
                match (scheme, code) {
                    (Some(scheme), Some(code)) => Some(Code { scheme, code }),
                    _ => {
                        self.warn(path, "a code needs both `scheme` and `code`; ignored");
                        None
                    }
                }
            })
            .collect();
        let outcome = self
            .optional_object(obj, "outcome", &ROOT)
            .map(|m| Outcome {
                action: self.optional_enum(
                    m,
                    "action",
                    &ROOT.key("outcome"),
                    Action::parse,
                    Action::ALL,
                ),
                text: self.optional_str(m, "text", &ROOT.key("outcome")),
                at: self.optional_time(m, "at", &ROOT.key("outcome")),
                by: self.optional_str(m, "by", &ROOT.key("outcome")),
            });
        let grading = self.grading(obj, kind);

        Some(Report {
            source: source?,
            kind: kind?,
            occurred_at,
            ended_at,
            recorded_at: recorded_at?,
            area,
            author,
            people,
            vehicles,
            phones,
            places,
            relations,
            narrative,
            codes,
            outcome,
            grading,
        })
    }

    fn source(&mut self, obj: &Object<'_>) -> Option<Source> {
        let source = match obj.get("source") {
            Some(Json::Object(m)) => m,
            None | Some(Json::Null) => {
                self.reject("source", "required field is missing");
                return None;
            }
            Some(other) => {
                self.reject(
                    "source",
                    format!("expected an object, found {}", other.kind_name()),
                );
                return None;
            }
        };
        let agency = self.required_enum(
            source,
            "agency",
            &ROOT.key("source"),
            Agency::parse,
            Agency::ALL,
        );
        let system = self.required_str(source, "system", &ROOT.key("source"));
        let record_id = self.required_str(source, "record_id", &ROOT.key("source"));
        let version = match source.get("version") {
            None | Some(Json::Null) => Some(1),
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(u32::MAX) => Some(n as u32),
                _ => {
                    self.reject(
                        "source.version",
                        format!("expected a whole number of at least 1, found {}", shown(v)),
                    );
                    None
                }
            },
        };
        Some(Source {
            agency: agency?,
            system: system?,
            record_id: record_id?,
            version: version?,
        })
    }

    fn recorded_at(&mut self, obj: &Object<'_>, received_at: Timestamp) -> Option<ParsedTime> {
        let text = self.required_text(obj, "recorded_at", &ROOT)?;
        let Some(parsed) = parse_time(text) else {
            self.reject(
                "recorded_at",
                format!("`{text}` is not a valid RFC 3339 date-time (e.g. 2008-03-15T09:02:00Z)"),
            );
            return None;
        };
        if parsed.precision == TimePrecision::Date {
            self.warn(
                "recorded_at",
                format!("`{text}` has no time of day; read as 00:00 UK time"),
            );
        }
        if parsed.instant > received_at + SignedDuration::from_hours(24) {
            self.warn(
                "recorded_at",
                format!("`{text}` is in the future of the time it was received"),
            );
        }
        Some(parsed)
    }

    fn mention_ref(
        &mut self,
        m: &Object<'_>,
        path: &Path<'_>,
        refs: &mut RefSet,
    ) -> Option<String> {
        let r = self.optional_str(m, "ref", path)?;
        refs.insert(self, &r, path);
        Some(r)
    }

    fn person(
        &mut self,
        m: &Object<'_>,
        path: &Path<'_>,
        event_date: Option<jiff::civil::Date>,
        recorded_date: Option<jiff::civil::Date>,
        refs: &mut RefSet,
    ) -> Option<PersonMention> {
        let ref_ = self.required_str(m, "ref", path);
        if let Some(r) = &ref_ {
            refs.insert(self, r, path);
        }
        let role = self.required_enum(m, "role", path, Role::parse, Role::ALL);
        let name = self
            .optional_object(m, "name", path)
            .map(|n| {
                let p = path.key("name");
                Name {
                    given: self.optional_str(n, "given", &p),
                    family: self.optional_str(n, "family", &p),
                    full: self.optional_str(n, "full", &p),
                }
            })
            .unwrap_or_default();
        let aliases = self.strings(m, "aliases", path);
        let birth_date = self.birth_date(m, path, recorded_date);
        let age = self.age(m, path);
        let sex = self.optional_enum(m, "sex", path, Sex::parse, Sex::ALL);
        let addresses = self
            .objects(m, "addresses", path)
            .into_iter()
            .map(|(p, a)| self.address(a, &p, true))
            .collect();
        let phones = self
            .strings_with_paths(m, "phones", path)
            .into_iter()
            .map(|(p, raw)| self.phone(raw, &p))
            .collect();
        let identifiers = self
            .objects(m, "identifiers", path)
            .into_iter()
            .filter_map(|(p, i)| self.identifier(i, &p))
            .collect();
        if let (Some(born), Some(age), Some(on)) = (birth_date, age, event_date)
            && let Some(implied) = born.age_on(on)
            && (implied - i32::from(age)).abs() > 2
        {
            self.warn(
                path.key("age"),
                format!("{age} does not agree with birth date {born} (age {implied} at the event); both kept"),
            );
        }
        Some(PersonMention {
            ref_: ref_?,
            role: role?,
            name,
            aliases,
            birth_date,
            age,
            sex,
            addresses,
            phones,
            identifiers,
            description: self.optional_str(m, "description", path),
            ethnicity: self.optional_str(m, "ethnicity", path),
            nationality: self.optional_str(m, "nationality", path),
            language: self.optional_str(m, "language", path),
        })
    }

    fn birth_date(
        &mut self,
        m: &Object<'_>,
        path: &Path<'_>,
        recorded_date: Option<jiff::civil::Date>,
    ) -> Option<PartialDate> {
        let field = path.key("birth_date");
        let text = self.optional_text(m, "birth_date", path)?;
        let (date, form) = match PartialDate::parse(text) {
            Ok(parsed) => parsed,
            Err(PartialDateError::NotADate) => {
                self.warn(field, format!("`{text}` is not a real date; not used"));
                return None;
            }
            Err(PartialDateError::Format) => {
                self.warn(
                    field,
                    format!(
                        "`{text}` is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY; not used"
                    ),
                );
                return None;
            }
        };
        if form == DateForm::DayFirst {
            self.warn(
                field,
                format!("`{text}` is not in the form YYYY-MM-DD; read day first as {date}"),
            );
        }
        if let Some(on) = recorded_date {
            if date.earliest() > on {
                self.warn(
                    field,
                    format!("{date} is after the report was recorded ({on}); not used"),
                );
                return None;
            }
            if date.age_on(on).is_some_and(|age| age > 120) {
                self.warn(
                    field,
                    format!("{date} would make the person over 120; not used"),
                );
                return None;
            }
        }
        Some(date)
    }

    fn age(&mut self, m: &Object<'_>, path: &Path<'_>) -> Option<u8> {
        let v = m.get("age")?;
        if v.is_null() {
            return None;
        }
        let whole = v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        });
        match whole {
            Some(n) if n <= 120 => Some(n as u8),
            _ => {
                self.warn(
                    path.key("age"),
                    format!(
                        "expected a whole number of years from 0 to 120, found {}; not used",
                        shown(v)
                    ),
                );
                None
            }
        }
    }

    fn strings_with_paths<'a>(
        &mut self,
        m: &'a Object<'a>,
        key: &'a str,
        path: &'a Path<'a>,
    ) -> Vec<(Path<'a>, &'a str)> {
        let mut out = Vec::new();
        for (i, item) in self.optional_array(m, key, path).iter().enumerate() {
            let item_path = path.key_index(key, i);
            match item {
                Json::String(s) => {
                    let s = s.trim();
                    if !s.is_empty() {
                        out.push((item_path, s));
                    }
                }
                other => self.warn(
                    item_path,
                    format!("expected a string, found {}; ignored", other.kind_name()),
                ),
            }
        }
        out
    }

    fn strings(&mut self, m: &Object<'_>, key: &str, path: &Path<'_>) -> Vec<String> {
        self.strings_with_paths(m, key, path)
            .into_iter()
            .map(|(_, s)| s.to_string())
            .collect()
    }

    fn address(&mut self, a: &Object<'_>, path: &Path<'_>, with_kind: bool) -> Address {
        let postcode_raw = self.optional_str(a, "postcode", path);
        let postcode =
            postcode_raw
                .as_deref()
                .and_then(|raw| match norm::normalise_postcode(raw) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        self.warn(path.key("postcode"), format!("{e}; not used"));
                        None
                    }
                });
        Address {
            text: self.optional_str(a, "text", path),
            postcode_raw,
            postcode,
            kind: if with_kind {
                self.optional_enum(a, "kind", path, AddressKind::parse, AddressKind::ALL)
            } else {
                None
            },
        }
    }

    fn phone(&mut self, raw: &str, path: &Path<'_>) -> Phone {
        let e164 = match norm::normalise_phone(raw) {
            Ok(n) => Some(n),
            Err(e) => {
                self.warn(path, format!("{e}; not used"));
                None
            }
        };
        Phone {
            raw: raw.to_string(),
            e164,
        }
    }

    fn identifier(&mut self, i: &Object<'_>, path: &Path<'_>) -> Option<Identifier> {
        let scheme = self.optional_str(i, "scheme", path);
        let raw = self.optional_str(i, "value", path);
        let (Some(scheme), Some(raw)) = (scheme, raw) else {
            self.warn(
                path,
                "an identifier needs both `scheme` and `value`; ignored",
            );
            return None;
        };
        let value = match norm::normalise_identifier(&scheme, &raw) {
            None => Some(raw.clone()),
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                self.warn(path.key("value"), format!("{e}; not used"));
                None
            }
        };
        Some(Identifier { scheme, raw, value })
    }

    fn vehicle(&mut self, m: &Object<'_>, path: &Path<'_>, refs: &mut RefSet) -> VehicleMention {
        let registration_raw = self.optional_str(m, "registration", path);
        let registration =
            registration_raw
                .as_deref()
                .and_then(|raw| match norm::normalise_registration(raw) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        self.warn(path.key("registration"), format!("{e}; not used"));
                        None
                    }
                });
        VehicleMention {
            ref_: self.mention_ref(m, path, refs),
            registration_raw,
            registration,
            make: self.optional_str(m, "make", path),
            model: self.optional_str(m, "model", path),
            colour: self.optional_str(m, "colour", path),
            description: self.optional_str(m, "description", path),
        }
    }

    fn relations(&mut self, obj: &Object<'_>, refs: &RefSet) -> Vec<Relation> {
        let mut out = Vec::new();
        for (path, m) in self.objects(obj, "relations", &ROOT) {
            let from = self.optional_str(m, "from", &path);
            let to = self.optional_str(m, "to", &path);
            let kind = self.optional_str(m, "type", &path);
            let mut usable = true;
            for (end, value) in [("from", &from), ("to", &to)] {
                match value {
                    None => {
                        self.warn(path.key(end), "is missing; relation not used");
                        usable = false;
                    }
                    Some(r) if !refs.contains(r) => {
                        self.warn(
                            path.key(end),
                            format!("names `{r}`, which no mention in this report has; relation not used"),
                        );
                        usable = false;
                    }
                    Some(_) => {}
                }
            }
            let kind = match kind {
                None => {
                    self.warn(path.key("type"), "is missing; relation not used");
                    usable = false;
                    None
                }
                Some(k) => Some(match KnownRelation::parse(&k) {
                    Some(known) => RelationType::Known(known),
                    None => {
                        self.warn(
                            path.key("type"),
                            format!(
                                "`{k}` is not a known relation type ({}){}; kept as an unrecognised link",
                                list(KnownRelation::ALL),
                                suggestion(&k, KnownRelation::ALL)
                            ),
                        );
                        RelationType::Unrecognised(k)
                    }
                }),
            };
            if let (true, Some(from), Some(to), Some(kind)) = (usable, from, to, kind) {
                out.push(Relation { from, to, kind });
            }
        }
        out
    }

    fn grading(&mut self, obj: &Object<'_>, kind: Option<Kind>) -> Option<Grading> {
        let Some(m) = self.optional_object(obj, "grading", &ROOT) else {
            if kind == Some(Kind::Intelligence) {
                self.warn(
                    ROOT.key("grading"),
                    "an intelligence report should carry a 3x5x2 grading",
                );
            }
            return None;
        };
        // Source grades are digits; accept them as numbers too.
        let source = match m.get("source") {
            Some(Json::Number(n)) => {
                let text = n.to_string();
                let parsed = SourceGrade::parse(&text);
                if parsed.is_none() {
                    self.warn(
                        "grading.source",
                        format!("`{text}` is not one of {}; ignored", list(SourceGrade::ALL)),
                    );
                }
                parsed
            }
            _ => self.optional_enum(
                m,
                "source",
                &ROOT.key("grading"),
                SourceGrade::parse,
                SourceGrade::ALL,
            ),
        };
        Some(Grading {
            source,
            intelligence: self.optional_enum(
                m,
                "intelligence",
                &ROOT.key("grading"),
                IntelligenceGrade::parse,
                IntelligenceGrade::ALL,
            ),
            handling: self.optional_enum(
                m,
                "handling",
                &ROOT.key("grading"),
                HandlingCode::parse,
                HandlingCode::ALL,
            ),
            conditions: self.optional_str(m, "conditions", &ROOT.key("grading")),
        })
    }
}

/// Refs share one namespace in a report: relations may join any two mentions.
/// A report has a handful, so they are scanned; past [`RefSet::SCAN`] they
/// are hashed, so that a report with thousands stays linear.
#[derive(Default)]
struct RefSet {
    few: Vec<String>,
    many: HashSet<String>,
}

impl RefSet {
    const SCAN: usize = 32;

    fn insert(&mut self, c: &mut Checker, r: &str, path: &Path<'_>) {
        let new = if self.many.is_empty() {
            let new = !self.few.iter().any(|s| s == r);
            if new {
                self.few.push(r.to_string());
                if self.few.len() > Self::SCAN {
                    self.many.extend(self.few.drain(..));
                }
            }
            new
        } else {
            self.many.insert(r.to_string())
        };
        if !new {
            c.reject(
                path.key("ref"),
                format!("`{r}` is used by another mention in this report; refs must be unique"),
            );
        }
    }

    fn contains(&self, r: &str) -> bool {
        if self.many.is_empty() {
            self.few.iter().any(|s| s == r)
        } else {
            self.many.contains(r)
        }
    }
}
