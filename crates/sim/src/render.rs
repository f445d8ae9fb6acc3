//! How each agency records what happened: the report shape, its habits and
//! errors in recording people, vehicles and places, and the ground truth of
//! every mention.

use jiff::civil::{Date, DateTime};
use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};

use crate::names;
use crate::world::{Person, World};
use crate::{Noise, Tally};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agency {
    Police,
    SocialCare,
    Health,
    Education,
    Voluntary,
    YouthJustice,
    Housing,
    Business,
}

impl Agency {
    pub fn wire(self) -> &'static str {
        match self {
            Agency::Police => "police",
            Agency::SocialCare => "social_care",
            Agency::Health => "health",
            Agency::Education => "education",
            Agency::Voluntary => "voluntary",
            Agency::YouthJustice => "youth_justice",
            Agency::Housing => "housing",
            Agency::Business => "other",
        }
    }

    pub fn system(self, la_tag: &str) -> String {
        let base = match self {
            Agency::Police => "NICHE",
            Agency::SocialCare => "LCS",
            Agency::Health => "EMIS",
            Agency::Education => "CPOMS",
            Agency::Voluntary => "RHI-SERVICE",
            Agency::YouthJustice => "CHILDVIEW",
            Agency::Housing => "NORTHGATE",
            Agency::Business => "PARTNER-PORTAL",
        };
        format!("{base}-{la_tag}")
    }

    /// Recording habits: how often each kind of error or omission happens,
    /// relative to the world's noise levels.
    fn habits(self) -> Habits {
        match self {
            Agency::Police => Habits {
                care: 1.3,
                dob: 0.8,
                nickname: 1.0,
                ids: &[],
                full_name: 0.15,
            },
            Agency::SocialCare => Habits {
                care: 0.6,
                dob: 0.95,
                nickname: 0.4,
                ids: &["local", "nhs_number"],
                full_name: 0.0,
            },
            Agency::Health => Habits {
                care: 0.5,
                dob: 0.98,
                nickname: 0.2,
                ids: &["nhs_number"],
                full_name: 0.05,
            },
            Agency::Education => Habits {
                care: 0.6,
                dob: 0.95,
                nickname: 1.5,
                ids: &["upn"],
                full_name: 0.0,
            },
            Agency::Voluntary => Habits {
                care: 1.5,
                dob: 0.5,
                nickname: 2.0,
                ids: &[],
                full_name: 0.2,
            },
            Agency::YouthJustice => Habits {
                care: 0.8,
                dob: 0.95,
                nickname: 0.5,
                ids: &["local"],
                full_name: 0.0,
            },
            Agency::Housing => Habits {
                care: 1.0,
                dob: 0.5,
                nickname: 0.5,
                ids: &[],
                full_name: 0.3,
            },
            Agency::Business => Habits {
                care: 2.0,
                dob: 0.0,
                nickname: 2.0,
                ids: &[],
                full_name: 0.8,
            },
        }
    }
}

struct Habits {
    /// Multiplier on error rates (1 = the world's noise levels).
    care: f64,
    /// Share of mentions with a birth date (otherwise an age, or nothing).
    dob: f64,
    nickname: f64,
    ids: &'static [&'static str],
    /// Share of names written as one string (`name.full`).
    full_name: f64,
}

/// How well the recorder knows the person: a child on the caseload, or an
/// adult seen once and described.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Well,
    Partly,
    Barely,
}

pub struct ReportBuilder {
    pub agency: Agency,
    pub la: usize,
    pub kind: &'static str,
    pub occurred: DateTime,
    pub recorded: DateTime,
    pub ended: Option<DateTime>,
    people: Vec<Value>,
    vehicles: Vec<Value>,
    phones: Vec<Value>,
    places: Vec<Value>,
    relations: Vec<Value>,
    pub narrative: String,
    codes: Vec<Value>,
    outcome: Option<Value>,
    grading: Option<Value>,
    truth_people: Vec<(String, String)>,
    truth_objects: Vec<(String, &'static str, String)>,
    next_ref: usize,
}

/// A finished report with its ground truth.
pub struct Rendered {
    pub recorded: DateTime,
    pub json: Value,
    /// (ref, person id) for every person mention.
    pub people: Vec<(String, String)>,
    /// (ref, kind, entity id) for vehicles, phones and places.
    pub objects: Vec<(String, &'static str, String)>,
    pub agency: &'static str,
    pub system: String,
    pub record_id: String,
}

fn iso(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

impl ReportBuilder {
    pub fn new(
        agency: Agency,
        la: usize,
        kind: &'static str,
        occurred: DateTime,
        recorded: DateTime,
    ) -> Self {
        ReportBuilder {
            agency,
            la,
            kind,
            occurred,
            recorded,
            ended: None,
            people: Vec::new(),
            vehicles: Vec::new(),
            phones: Vec::new(),
            places: Vec::new(),
            relations: Vec::new(),
            narrative: String::new(),
            codes: Vec::new(),
            outcome: None,
            grading: None,
            truth_people: Vec::new(),
            truth_objects: Vec::new(),
            next_ref: 1,
        }
    }

    fn new_ref(&mut self, prefix: char) -> String {
        let r = format!("{prefix}{}", self.next_ref);
        self.next_ref += 1;
        r
    }

    pub fn relate(&mut self, from: &str, to: &str, kind: &str) {
        self.relations
            .push(json!({"from": from, "to": to, "type": kind}));
    }

    pub fn code(&mut self, scheme: &str, code: &str) {
        self.codes.push(json!({"scheme": scheme, "code": code}));
    }

    pub fn outcome(&mut self, action: &str, text: &str) {
        self.outcome = Some(json!({"action": action, "text": text}));
    }

    pub fn grading(&mut self, source: &str, intelligence: &str) {
        self.grading =
            Some(json!({"source": source, "intelligence": intelligence, "handling": "P"}));
    }

    /// Adds a person as this agency would record them; returns the ref.
    #[allow(clippy::too_many_arguments)]
    pub fn person(
        &mut self,
        world: &World,
        index: usize,
        role: &str,
        known: Known,
        noise: &Noise,
        tally: &mut Tally,
        rng: &mut impl Rng,
    ) -> String {
        let p = &world.people[index];
        let on = self.occurred.date();
        let habits = self.agency.habits();
        let r = self.new_ref('p');
        let mut m = Map::new();
        m.insert("ref".into(), json!(r));
        m.insert("role".into(), json!(role));
        let rate = |base: f64| (base * habits.care).min(0.95);
        tally.mentions += 1;
        if p.child {
            tally.child_mentions += 1;
        }

        // Given name: nickname, spelling variant, typing error.
        let mut given = p.given.to_string();
        if (known != Known::Well || rng.random_bool((noise.nickname * habits.nickname).min(0.9)))
            && let Some(n) = names::nickname(p.given, rng)
        {
            given = n.to_string();
            tally.nickname += 1;
        }
        if rng.random_bool(rate(noise.variant))
            && let Some(v) = names::variant(&given, rng)
        {
            given = v.to_string();
            tally.variant += 1;
        }
        // Middle names are recorded by some agencies with the given name.
        if let Some(middle) = p.middle
            && given == p.given
            && rng.random_bool(0.35)
        {
            given = format!("{given} {middle}");
            tally.middle_name += 1;
        }
        let mut family = p.family_on(on).to_string();
        // A double-barrelled name is often cut to one part.
        if let Some((a, b)) = family.split_once('-')
            && rng.random_bool(0.5)
        {
            family = if rng.random_bool(0.5) {
                a.to_string()
            } else {
                b.to_string()
            };
            tally.partial_family += 1;
        }
        if p.name_change.is_some() && family != p.family {
            // Some agencies keep using the old name after a change.
            if rng.random_bool(0.3) {
                family = p.family.clone();
            } else {
                tally.changed_name += 1;
            }
        }
        if rng.random_bool(rate(noise.variant))
            && let Some(v) = names::variant(&family, rng)
        {
            family = v.to_string();
            tally.variant += 1;
        }
        // Given and family names swapped: common where naming conventions
        // differ from the form's.
        let swap_rate = match p.tradition {
            names::Tradition::SouthAsian | names::Tradition::African | names::Tradition::Other => {
                2.0
            }
            _ => 1.0,
        } * noise.name_swap;
        if rng.random_bool(rate(swap_rate)) {
            std::mem::swap(&mut given, &mut family);
            tally.swapped += 1;
        }
        if rng.random_bool(rate(noise.misspelling)) {
            if rng.random_bool(0.5) {
                given = names::misspell(&given, rng);
            } else {
                family = names::misspell(&family, rng);
            }
            tally.misspelt += 1;
        }
        match known {
            Known::Barely => {
                // An adult seen once: a first name, a street name, or a
                // description.
                let name = match (p.alias, rng.random_range(0..3)) {
                    (Some(alias), 0) => json!({"full": alias}),
                    (_, 1) => json!({"given": given}),
                    _ => {
                        json!({"full": format!("{given} {}", family.chars().next().unwrap_or('X'))})
                    }
                };
                m.insert("name".into(), name);
                if let Some(alias) = p.alias
                    && rng.random_bool(0.4)
                {
                    m.insert("aliases".into(), json!([alias]));
                }
                tally.partial_name += 1;
            }
            _ if rng.random_bool(habits.full_name) => {
                // Police systems often write the family name first.
                let full = if self.agency == Agency::Police && rng.random_bool(0.5) {
                    format!("{} {given}", family.to_uppercase())
                } else {
                    format!("{given} {family}")
                };
                m.insert("name".into(), json!({"full": full}));
            }
            _ => {
                m.insert("name".into(), json!({"given": given, "family": family}));
            }
        }

        // Birth date: as recorded, with the errors agencies make, or an age.
        let age = p.age_on(on);
        let dob_share = if known == Known::Barely {
            0.05
        } else {
            habits.dob
        };
        if rng.random_bool(dob_share.clamp(0.0, 1.0)) {
            let mut dob = p.dob.to_string();
            let (y, mo, d) = (p.dob.year(), p.dob.month(), p.dob.day());
            if d <= 12 && d != mo && rng.random_bool(rate(noise.dob_swap)) {
                dob = format!("{y:04}-{d:02}-{mo:02}");
                tally.dob_wrong += 1;
            } else if rng.random_bool(rate(noise.dob_typo)) {
                let wrong = match rng.random_range(0..3) {
                    0 => Date::new(y, mo, ((d + rng.random_range(1..=3)) % 28).max(1)),
                    1 => Date::new(y + if rng.random_bool(0.5) { 1 } else { -1 }, mo, d),
                    _ => Date::new(y, (mo % 12) + 1, d.min(28)),
                };
                if let Ok(w) = wrong {
                    dob = w.to_string();
                    tally.dob_wrong += 1;
                }
            }
            m.insert("birth_date".into(), json!(dob));
        } else if known != Known::Well || rng.random_bool(0.5) {
            // Estimated ages drift more for adults.
            let spread = if p.child { 1 } else { 4 };
            let estimate = (age + rng.random_range(-spread..=spread)).max(0);
            m.insert("age".into(), json!(estimate));
            tally.dob_missing += 1;
        } else {
            tally.dob_missing += 1;
        }
        m.insert(
            "sex".into(),
            json!(if p.female { "female" } else { "male" }),
        );

        // Address: current, or an old one the agency still holds.
        if known != Known::Barely
            && let Some(hh) = p.household.map(|h| &world.households[h])
        {
            let mut a = hh.address_on(on);
            if let Some(prev) = hh.previous_address(on)
                && rng.random_bool(rate(noise.old_address))
            {
                a = prev;
                tally.old_address += 1;
            }
            let address = &world.addresses[a];
            // Adults known only in part: often just the street they live on.
            let street_only = !p.child && known == Known::Partly && rng.random_bool(0.5);
            let text = if street_only {
                let street = address
                    .text
                    .rsplit(',')
                    .nth(1)
                    .unwrap_or(&address.text)
                    .trim();
                let street = street.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
                tally.street_only += 1;
                format!("{street}, {}", world.las[address.la].town)
            } else {
                address.text.clone()
            };
            let mut addr = json!({"text": text, "kind": "home"});
            if !street_only && rng.random_bool(0.9) {
                addr["postcode"] = json!(address.postcode);
            }
            m.insert("addresses".into(), json!([addr]));
        }
        if let Some(phone) = &p.phone
            && rng.random_bool(if p.child { 0.2 } else { 0.4 })
        {
            m.insert("phones".into(), json!([phone]));
        }
        let mut ids = Vec::new();
        if known == Known::Well {
            for scheme in habits.ids {
                match *scheme {
                    "nhs_number" if rng.random_bool(0.85) => ids.push(json!({"scheme": "nhs_number", "value": p.nhs})),
                    "upn" if rng.random_bool(0.9) => {
                        if let Some(upn) = &p.upn {
                            ids.push(json!({"scheme": "upn", "value": upn}));
                        }
                    }
                    "local" if rng.random_bool(0.9) => ids.push(json!({"scheme": "local", "value": format!("{}-{}", self.agency.system(""), &p.id[1..])})),
                    _ => {}
                }
            }
        }
        if !ids.is_empty() {
            m.insert("identifiers".into(), Value::Array(ids));
        }
        if p.child || rng.random_bool(0.3) {
            m.insert("ethnicity".into(), json!(p.tradition.ethnicity()));
        }
        self.people.push(Value::Object(m));
        self.truth_people.push((r.clone(), p.id.clone()));
        r
    }

    pub fn vehicle(
        &mut self,
        world: &World,
        car: usize,
        noise: &Noise,
        tally: &mut Tally,
        rng: &mut impl Rng,
    ) -> String {
        let c = &world.cars[car];
        let r = self.new_ref('v');
        let mut reg = c.registration.clone();
        if rng.random_bool(noise.partial_plate) {
            let keep = reg.len() - rng.random_range(1..=3);
            reg = reg.chars().take(keep).collect::<String>()
                + &"?".repeat(c.registration.len() - keep);
            tally.partial_plate += 1;
        } else if rng.random_bool(0.3) {
            reg = reg.replace(' ', "").to_lowercase();
        }
        let mut v = json!({"ref": r, "registration": reg, "colour": c.colour});
        if rng.random_bool(0.7) {
            v["make"] = json!(c.make);
        }
        self.vehicles.push(v);
        self.truth_objects
            .push((r.clone(), "vehicle", c.id.clone()));
        r
    }

    pub fn phone(&mut self, number: &str, rng: &mut impl Rng) -> String {
        let r = self.new_ref('t');
        let written = match rng.random_range(0..3) {
            0 => number.to_string(),
            1 => number.replace(' ', ""),
            _ => format!("+44 {}", number.trim_start_matches('0')),
        };
        self.phones.push(json!({"ref": r, "number": written}));
        self.truth_objects
            .push((r.clone(), "phone", number.replace(' ', "")));
        r
    }

    pub fn place(&mut self, world: &World, place: usize, rng: &mut impl Rng) -> String {
        let p = &world.places[place];
        let r = self.new_ref('l');
        let a = &world.addresses[p.address];
        let mut v =
            json!({"ref": r, "name": p.name, "category": p.category, "address": {"text": a.text}});
        if rng.random_bool(0.7) {
            v["address"]["postcode"] = json!(a.postcode);
        }
        self.places.push(v);
        self.truth_objects.push((r.clone(), "place", p.id.clone()));
        r
    }

    pub fn finish(self, world: &World, record_id: String, author: &str) -> Rendered {
        let la = &world.las[self.la];
        let system = self.agency.system(la.tag);
        let mut obj = Map::new();
        obj.insert("schema".into(), json!("sightline.report/1"));
        obj.insert(
            "source".into(),
            json!({"agency": self.agency.wire(), "system": system, "record_id": record_id, "version": 1}),
        );
        obj.insert("kind".into(), json!(self.kind));
        obj.insert("occurred_at".into(), json!(iso(self.occurred)));
        if let Some(e) = self.ended {
            obj.insert("ended_at".into(), json!(iso(e)));
        }
        obj.insert("recorded_at".into(), json!(iso(self.recorded)));
        obj.insert(
            "area".into(),
            json!({"police_force": la.police_force, "local_authority": la.code}),
        );
        obj.insert(
            "author".into(),
            json!({"name": author, "team": format!("{} {}", la.name, self.agency.wire())}),
        );
        obj.insert("people".into(), Value::Array(self.people));
        for (key, list) in [
            ("vehicles", self.vehicles),
            ("phones", self.phones),
            ("places", self.places),
            ("relations", self.relations),
            ("codes", self.codes),
        ] {
            if !list.is_empty() {
                obj.insert(key.into(), Value::Array(list));
            }
        }
        if !self.narrative.is_empty() {
            obj.insert("narrative".into(), json!(self.narrative));
        }
        if let Some(o) = self.outcome {
            obj.insert("outcome".into(), o);
        }
        if let Some(g) = self.grading {
            obj.insert("grading".into(), g);
        }
        Rendered {
            recorded: self.recorded,
            json: Value::Object(obj),
            people: self.truth_people,
            objects: self.truth_objects,
            agency: self.agency.wire(),
            system,
            record_id,
        }
    }
}

/// A person's name as a practitioner writes it in a narrative.
pub fn called(p: &Person, rng: &mut impl Rng) -> String {
    if rng.random_bool(0.2)
        && let Some(n) = names::nickname(p.given, rng)
    {
        return n.to_string();
    }
    p.given.to_string()
}

pub fn pronoun(p: &Person) -> (&'static str, &'static str) {
    if p.female {
        ("she", "her")
    } else {
        ("he", "his")
    }
}

/// One of several phrasings.
pub fn one<'a>(options: &[&'a str], rng: &mut impl Rng) -> &'a str {
    options.choose(rng).copied().unwrap_or("")
}

/// Capitalises the first letter of a sentence.
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
