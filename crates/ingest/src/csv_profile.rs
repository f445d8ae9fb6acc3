//! The flat CSV profile: one subject per row, translated into exactly the
//! report model. A mapping file (TOML) lets an agency's own export headers,
//! fixed values, value codes and date formats be used as they are. See
//! `docs/csv-profile.md`.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use sightline_model::Problem;

use crate::{IngestError, Origin, Payload, RawRecord};

/// The profile's fields, in documentation order: (name, what it fills).
pub const PROFILE_FIELDS: &[(&str, &str)] = &[
    ("agency", "source.agency"),
    ("system", "source.system"),
    ("record_id", "source.record_id"),
    ("version", "source.version"),
    ("kind", "kind"),
    ("occurred_at", "occurred_at"),
    ("ended_at", "ended_at"),
    ("recorded_at", "recorded_at"),
    ("police_force", "area.police_force"),
    ("local_authority", "area.local_authority"),
    ("author_name", "author.name"),
    ("author_role", "author.role"),
    ("author_team", "author.team"),
    ("role", "people[0].role (default `subject`)"),
    ("given_name", "people[0].name.given"),
    ("family_name", "people[0].name.family"),
    ("full_name", "people[0].name.full"),
    ("aliases", "people[0].aliases (list)"),
    ("birth_date", "people[0].birth_date"),
    ("age", "people[0].age"),
    ("sex", "people[0].sex"),
    ("address", "people[0].addresses[0].text"),
    ("postcode", "people[0].addresses[0].postcode"),
    (
        "address_kind",
        "people[0].addresses[0].kind (default `home`)",
    ),
    ("phones", "people[0].phones (list)"),
    ("nhs_number", "people[0].identifiers (scheme nhs_number)"),
    ("upn", "people[0].identifiers (scheme upn)"),
    ("pnc_id", "people[0].identifiers (scheme pnc_id)"),
    ("ni_number", "people[0].identifiers (scheme ni_number)"),
    ("local_id", "people[0].identifiers (scheme local)"),
    ("ethnicity", "people[0].ethnicity"),
    ("nationality", "people[0].nationality"),
    ("language", "people[0].language"),
    ("description", "people[0].description"),
    ("narrative", "narrative"),
    ("codes", "codes (list of scheme:code)"),
    ("outcome_action", "outcome.action"),
    ("outcome_text", "outcome.text"),
    ("outcome_at", "outcome.at"),
    ("outcome_by", "outcome.by"),
];

const DATE_FIELDS: &[&str] = &["birth_date"];
const TIME_FIELDS: &[&str] = &["occurred_at", "ended_at", "recorded_at", "outcome_at"];

/// A column mapping, as written in a mapping file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvMapping {
    /// Profile field → the header of the column that holds it.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Profile field → a value for every row (e.g. `agency = "education"`).
    #[serde(default)]
    pub constants: BTreeMap<String, String>,
    /// Profile field → (value as exported → value in the format).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub formats: Formats,
    /// CSV delimiter, one character (default `,`).
    #[serde(default)]
    pub delimiter: Option<char>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    /// strftime format of date columns (e.g. `%d/%m/%Y`); ISO when absent.
    pub date: Option<String>,
    /// strftime format of date-time columns (e.g. `%d/%m/%Y %H:%M`).
    pub datetime: Option<String>,
    /// Separator inside list columns (aliases, phones, codes).
    #[serde(default = "default_list_separator")]
    pub list_separator: String,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            date: None,
            datetime: None,
            list_separator: default_list_separator(),
        }
    }
}

fn default_list_separator() -> String {
    ";".to_string()
}

impl CsvMapping {
    /// Reads and checks a mapping file's text. `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<CsvMapping, IngestError> {
        let mapping: CsvMapping = toml::from_str(text).map_err(|e| IngestError::Mapping {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        let known = |f: &str| PROFILE_FIELDS.iter().any(|(name, _)| *name == f);
        let sections = [
            ("columns", mapping.columns.keys().collect::<Vec<_>>()),
            ("constants", mapping.constants.keys().collect()),
            ("values", mapping.values.keys().collect()),
        ];
        for (section, fields) in sections {
            for field in fields {
                if !known(field) {
                    return Err(IngestError::Mapping {
                        path: path.to_string(),
                        message: format!(
                            "[{section}] names `{field}`, which is not a field of the CSV profile (see docs/csv-profile.md)"
                        ),
                    });
                }
            }
        }
        if mapping.formats.list_separator.is_empty() {
            return Err(IngestError::Mapping {
                path: path.to_string(),
                message: "[formats] list_separator must not be empty".into(),
            });
        }
        if let Some(d) = mapping.delimiter
            && !d.is_ascii()
        {
            return Err(IngestError::Mapping {
                path: path.to_string(),
                message: format!("delimiter `{d}` must be a single ASCII character"),
            });
        }
        Ok(mapping)
    }
}

pub struct CsvFramer<R> {
    reader: csv::Reader<R>,
    source: String,
    mapping: CsvMapping,
    headers: Vec<String>,
    /// Profile field → column index.
    columns: BTreeMap<&'static str, usize>,
    /// Columns not mapped to a profile field: kept as extensions.
    extra: Vec<usize>,
    header_line: Vec<u8>,
    done: bool,
}

impl<R: Read> CsvFramer<R> {
    /// Reads the header row and resolves the mapping against it.
    pub fn new(
        input: R,
        source: impl Into<String>,
        mapping: CsvMapping,
    ) -> Result<Self, IngestError> {
        let source = source.into();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .delimiter(mapping.delimiter.map_or(b',', |c| c as u8))
            .from_reader(input);
        let header_record = reader.byte_headers().map_err(|e| IngestError::Csv {
            source_name: source.clone(),
            message: e.to_string(),
        })?;
        let header_record = header_record.clone();
        let mut headers = Vec::new();
        for (i, h) in header_record.iter().enumerate() {
            let text = std::str::from_utf8(h).map_err(|_| IngestError::Csv {
                source_name: source.clone(),
                message: format!("header of column {} is not valid UTF-8", i + 1),
            })?;
            let text = text.trim_start_matches('\u{feff}').trim().to_string();
            headers.push(text);
        }
        let mut columns = BTreeMap::new();
        for (field, _) in PROFILE_FIELDS {
            let header = mapping
                .columns
                .get(*field)
                .map(String::as_str)
                .unwrap_or(field);
            match headers.iter().position(|h| h == header) {
                Some(i) => {
                    columns.insert(*field, i);
                }
                None if mapping.columns.contains_key(*field) => {
                    return Err(IngestError::Csv {
                        source_name: source,
                        message: format!(
                            "the mapping puts `{field}` in column \"{header}\", but the header row has no such column (it has: {})",
                            headers.join(", ")
                        ),
                    });
                }
                None => {}
            }
        }
        let extra = (0..headers.len())
            .filter(|i| !columns.values().any(|c| c == i) && !headers[*i].is_empty())
            .collect();
        let header_line = write_row(&header_record, mapping.delimiter);
        Ok(CsvFramer {
            reader,
            source,
            mapping,
            headers,
            columns,
            extra,
            header_line,
            done: false,
        })
    }

    fn build(&self, record: &csv::ByteRecord) -> Result<Map<String, Value>, Vec<Problem>> {
        let mut problems = Vec::new();
        if record.len() != self.headers.len() {
            problems.push(Problem {
                field: String::new(),
                message: format!(
                    "row has {} fields but the header has {}",
                    record.len(),
                    self.headers.len()
                ),
            });
            return Err(problems);
        }
        let mut fields: BTreeMap<&str, String> = BTreeMap::new();
        for (field, _) in PROFILE_FIELDS {
            let value = match self.columns.get(field) {
                Some(&i) => match std::str::from_utf8(record.get(i).unwrap_or_default()) {
                    Ok(s) => s.trim().to_string(),
                    Err(e) => {
                        problems.push(Problem {
                            field: format!("column \"{}\"", self.headers[i]),
                            message: format!(
                                "not valid UTF-8: invalid byte sequence at byte {}",
                                e.valid_up_to()
                            ),
                        });
                        continue;
                    }
                },
                None => match self.mapping.constants.get(*field) {
                    Some(c) => c.clone(),
                    None => continue,
                },
            };
            if value.is_empty() {
                continue;
            }
            let value = self
                .mapping
                .values
                .get(*field)
                .and_then(|codes| codes.get(&value))
                .cloned()
                .unwrap_or(value);
            fields.insert(field, value);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for field in DATE_FIELDS {
            if let (Some(fmt), Some(v)) = (&self.mapping.formats.date, fields.get_mut(field))
                && let Ok(d) = jiff::civil::Date::strptime(fmt, v.as_str())
            {
                *v = d.to_string();
            }
        }
        for field in TIME_FIELDS {
            let Some(v) = fields.get_mut(field) else {
                continue;
            };
            if let Some(fmt) = &self.mapping.formats.datetime
                && let Ok(dt) = jiff::civil::DateTime::strptime(fmt, v.as_str())
            {
                *v = dt.to_string();
            } else if let Some(fmt) = &self.mapping.formats.date
                && let Ok(d) = jiff::civil::Date::strptime(fmt, v.as_str())
            {
                *v = d.to_string();
            }
        }
        let mut extensions = Map::new();
        for &i in &self.extra {
            if let Ok(s) = std::str::from_utf8(record.get(i).unwrap_or_default())
                && !s.trim().is_empty()
            {
                extensions.insert(self.headers[i].clone(), Value::String(s.trim().to_string()));
            }
        }
        Ok(self.to_report(&fields, extensions))
    }

    fn to_report(
        &self,
        f: &BTreeMap<&str, String>,
        extensions: Map<String, Value>,
    ) -> Map<String, Value> {
        let sep = self.mapping.formats.list_separator.as_str();
        let get = |k: &str| f.get(k).cloned();
        let list = |k: &str| -> Vec<String> {
            f.get(k)
                .map(|v| {
                    v.split(sep)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut obj = Map::new();
        obj.insert("schema".into(), json!(sightline_model::SCHEMA));
        let mut source = Map::new();
        put(&mut source, "agency", get("agency"));
        put(&mut source, "system", get("system"));
        put(&mut source, "record_id", get("record_id"));
        if let Some(v) = get("version") {
            // A version column is a number; keep the text if it is not one,
            // so the check reports it.
            source.insert(
                "version".into(),
                v.parse::<u64>().map_or(Value::String(v), |n| json!(n)),
            );
        }
        obj.insert("source".into(), Value::Object(source));
        put(&mut obj, "kind", get("kind"));
        put(&mut obj, "occurred_at", get("occurred_at"));
        put(&mut obj, "ended_at", get("ended_at"));
        put(&mut obj, "recorded_at", get("recorded_at"));
        let mut area = Map::new();
        put(&mut area, "police_force", get("police_force"));
        put(&mut area, "local_authority", get("local_authority"));
        put_object(&mut obj, "area", area);
        let mut author = Map::new();
        put(&mut author, "name", get("author_name"));
        put(&mut author, "role", get("author_role"));
        put(&mut author, "team", get("author_team"));
        put_object(&mut obj, "author", author);

        let mut person = Map::new();
        person.insert("ref".into(), json!("p1"));
        person.insert(
            "role".into(),
            json!(get("role").unwrap_or_else(|| "subject".into())),
        );
        let mut name = Map::new();
        put(&mut name, "given", get("given_name"));
        put(&mut name, "family", get("family_name"));
        put(&mut name, "full", get("full_name"));
        put_object(&mut person, "name", name);
        let aliases = list("aliases");
        if !aliases.is_empty() {
            person.insert("aliases".into(), json!(aliases));
        }
        put(&mut person, "birth_date", get("birth_date"));
        if let Some(age) = get("age") {
            person.insert(
                "age".into(),
                age.parse::<u64>().map_or(Value::String(age), |n| json!(n)),
            );
        }
        put(&mut person, "sex", get("sex"));
        if f.contains_key("address") || f.contains_key("postcode") {
            let mut address = Map::new();
            put(&mut address, "text", get("address"));
            put(&mut address, "postcode", get("postcode"));
            address.insert(
                "kind".into(),
                json!(get("address_kind").unwrap_or_else(|| "home".into())),
            );
            person.insert("addresses".into(), json!([address]));
        }
        let phones = list("phones");
        if !phones.is_empty() {
            person.insert("phones".into(), json!(phones));
        }
        let identifiers: Vec<Value> = [
            ("nhs_number", "nhs_number"),
            ("upn", "upn"),
            ("pnc_id", "pnc_id"),
            ("ni_number", "ni_number"),
            ("local_id", "local"),
        ]
        .iter()
        .filter_map(|(field, scheme)| get(field).map(|v| json!({"scheme": scheme, "value": v})))
        .collect();
        if !identifiers.is_empty() {
            person.insert("identifiers".into(), json!(identifiers));
        }
        for key in ["ethnicity", "nationality", "language", "description"] {
            put(&mut person, key, get(key));
        }
        obj.insert("people".into(), json!([person]));

        put(&mut obj, "narrative", get("narrative"));
        let codes: Vec<Value> = list("codes")
            .into_iter()
            .map(|c| match c.split_once(':') {
                Some((scheme, code)) => json!({"scheme": scheme.trim(), "code": code.trim()}),
                None => json!({"scheme": "local", "code": c}),
            })
            .collect();
        if !codes.is_empty() {
            obj.insert("codes".into(), json!(codes));
        }
        let mut outcome = Map::new();
        put(&mut outcome, "action", get("outcome_action"));
        put(&mut outcome, "text", get("outcome_text"));
        put(&mut outcome, "at", get("outcome_at"));
        put(&mut outcome, "by", get("outcome_by"));
        put_object(&mut obj, "outcome", outcome);
        if !extensions.is_empty() {
            obj.insert("extensions".into(), json!({ "csv": extensions }));
        }
        obj
    }
}

fn put(obj: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        obj.insert(key.to_string(), Value::String(v));
    }
}

fn put_object(obj: &mut Map<String, Value>, key: &str, inner: Map<String, Value>) {
    if !inner.is_empty() {
        obj.insert(key.to_string(), Value::Object(inner));
    }
}

/// One row as CSV bytes (with the newline), for the quarantine.
fn write_row(record: &csv::ByteRecord, delimiter: Option<char>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter.map_or(b',', |c| c as u8))
        .flexible(true)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_byte_record(record);
    writer.into_inner().unwrap_or_default()
}

impl<R: Read> Iterator for CsvFramer<R> {
    type Item = Result<RawRecord, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = csv::ByteRecord::new();
        while !self.done {
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue;
                    }
                    let line = record.position().map_or(0, |p| p.line());
                    // The quarantine keeps the header with the row, so the
                    // entry is a CSV file of its own that can be corrected
                    // and replayed with the same mapping.
                    let mut raw = self.header_line.clone();
                    raw.extend(write_row(&record, self.mapping.delimiter));
                    let object = self.build(&record);
                    return Some(Ok(RawRecord {
                        origin: Origin {
                            source: self.source.clone(),
                            line,
                        },
                        payload: Payload::Built { raw, object },
                    }));
                }
                Err(e) => {
                    // An I/O error ends the file, and after a CSV syntax
                    // error we cannot resynchronise safely either.
                    self.done = true;
                    return Some(Err(IngestError::Csv {
                        source_name: self.source.clone(),
                        message: e.to_string(),
                    }));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(csv: &str, mapping: &str) -> Vec<RawRecord> {
        let mapping = CsvMapping::parse(mapping, "m.toml").unwrap();
        CsvFramer::new(csv.as_bytes(), "feed.csv", mapping)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn object(r: &RawRecord) -> &Map<String, Value> {
        match &r.payload {
            Payload::Built { object: Ok(o), .. } => o,
            other => panic!("expected a built object, got {other:?}"),
        }
    }

    #[test]
    fn profile_headers_without_mapping() {
        let csv = "agency,system,record_id,kind,recorded_at,given_name,family_name,birth_date,phones\n\
                   police,NICHE,INC-1,incident,2008-03-15T09:02:00Z,Kayleigh,Smyth,1995-04-12,07700 900123;07700 900124\n";
        let r = rows(csv, "");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].origin.line, 2);
        let o = object(&r[0]);
        assert_eq!(o["source"]["record_id"], "INC-1");
        assert_eq!(o["people"][0]["name"]["given"], "Kayleigh");
        assert_eq!(o["people"][0]["role"], "subject");
        assert_eq!(o["people"][0]["phones"][1], "07700 900124");
    }

    #[test]
    fn mapping_with_own_headers_constants_values_and_dates() {
        let mapping = r#"
            [columns]
            record_id = "Case Ref"
            kind = "Type"
            recorded_at = "Entered"
            given_name = "Forename"
            family_name = "Surname"
            birth_date = "DOB"
            [constants]
            agency = "education"
            system = "SIMS-NORTH"
            [values.kind]
            "Welfare concern" = "school_concern"
            [formats]
            date = "%d/%m/%Y"
            datetime = "%d/%m/%Y %H:%M"
        "#;
        let csv = "Case Ref,Type,Entered,Forename,Surname,DOB,Year Group\n\
                   C-9,Welfare concern,15/03/2008 09:02,Kayleigh,Smyth,12/04/1995,Y8\n";
        let r = rows(csv, mapping);
        let o = object(&r[0]);
        assert_eq!(o["source"]["agency"], "education");
        assert_eq!(o["kind"], "school_concern");
        assert_eq!(o["recorded_at"], "2008-03-15T09:02:00");
        assert_eq!(o["people"][0]["birth_date"], "1995-04-12");
        assert_eq!(o["extensions"]["csv"]["Year Group"], "Y8");
        let accepted = sightline_model::receive_object(o.clone(), jiff::Timestamp::now()).unwrap();
        assert_eq!(accepted.report.kind, sightline_model::Kind::SchoolConcern);
    }

    #[test]
    fn bad_rows_are_records_with_problems() {
        let csv: &[u8] = b"agency,system,record_id\npolice,NICHE\npolice,NICHE,\xff\n";
        let mapping = CsvMapping::parse("", "m").unwrap();
        let records: Vec<_> = CsvFramer::new(csv, "f.csv", mapping)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(records.len(), 2);
        for r in &records {
            match &r.payload {
                Payload::Built {
                    raw,
                    object: Err(p),
                } => {
                    assert!(raw.starts_with(b"agency,system,record_id\n"));
                    assert!(!p.is_empty());
                }
                other => panic!("expected problems, got {other:?}"),
            }
        }
    }

    #[test]
    fn mapping_errors_are_precise() {
        let err = CsvMapping::parse("[columns]\nbirthday = \"DOB\"\n", "m.toml").unwrap_err();
        assert!(err.to_string().contains("`birthday`"), "{err}");
        let err = CsvMapping::parse("[colums]\n", "m.toml").unwrap_err();
        assert!(err.to_string().starts_with("m.toml:"), "{err}");
        let mapping = CsvMapping::parse("[columns]\nrecord_id = \"Ref\"\n", "m").unwrap();
        let err = CsvFramer::new(&b"Id,Kind\n"[..], "f.csv", mapping)
            .err()
            .unwrap();
        assert!(err.to_string().contains("\"Ref\""), "{err}");
    }
}
