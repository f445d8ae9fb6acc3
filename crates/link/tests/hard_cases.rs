//! The hard cases of identity resolution, each with the outcome a
//! practitioner needs. The model is the default one (parameters of the order
//! the linker fits on the simulated town, rounded) so that these tests check
//! the comparisons, conflicts and clustering, not one fitting run.

use jiff::civil::{Date, date};
use sightline_link::record::{Birth, RecordedSex};
use sightline_link::{Assertion, LinkConfig, LinkRecord, Linker, Model, NameTable, Prepared};

/// The default model (no term frequencies), as a small store uses it.
fn model() -> Model {
    Model::prior()
}

fn linker() -> Linker {
    Linker::new(model(), NameTable::default_table(), LinkConfig::default())
}

struct P {
    given: &'static str,
    family: &'static str,
    birth: Option<Date>,
    age: Option<(u8, Date)>,
    sex: Option<RecordedSex>,
    address: Option<(&'static str, &'static str)>,
    phone: Option<&'static str>,
}

const NONE: P = P {
    given: "",
    family: "",
    birth: None,
    age: None,
    sex: None,
    address: None,
    phone: None,
};

fn record(p: P) -> LinkRecord {
    let mut r = LinkRecord::default();
    r.set_names(
        (!p.given.is_empty()).then_some(p.given),
        (!p.family.is_empty()).then_some(p.family),
    );
    r.birth = p.birth.map(|d| Birth {
        year: d.year(),
        month: Some(d.month()),
        day: Some(d.day()),
    });
    r.age = p.age;
    r.sex = p.sex;
    if let Some((text, postcode)) = p.address {
        r.add_address(Some(text), Some(postcode));
    }
    if let Some(phone) = p.phone {
        r.phones.push(phone.to_string());
    }
    r
}

const F: Option<RecordedSex> = Some(RecordedSex::Female);
const M: Option<RecordedSex> = Some(RecordedSex::Male);
const HOME: Option<(&str, &str)> = Some(("12 Mill Lane, Brookfield", "BK1 1AA"));

#[test]
fn twins_stay_two_children() {
    let mut l = linker();
    let twin = |given| P {
        given,
        family: "Jones",
        birth: Some(date(2010, 5, 5)),
        sex: F,
        address: HOME,
        ..NONE
    };
    let amy = l.add("a1".into(), record(twin("Amy")));
    let beth = l.add("b1".into(), record(twin("Beth")));
    assert_ne!(amy.person, beth.person, "twins merged");
    let amy_again = l.add("a2".into(), record(twin("Amy")));
    assert_eq!(amy_again.person, amy.person);
    let beth_again = l.add("b2".into(), record(twin("Bethany")));
    assert_eq!(
        beth_again.person, beth.person,
        "nickname of the second twin"
    );
}

#[test]
fn a_parent_and_child_with_the_same_name_stay_apart() {
    let mut l = linker();
    let father = l.add(
        "f".into(),
        record(P {
            given: "John",
            family: "Smith",
            birth: Some(date(1975, 2, 1)),
            sex: M,
            address: HOME,
            ..NONE
        }),
    );
    let son = l.add(
        "s".into(),
        record(P {
            given: "John",
            family: "Smith",
            birth: Some(date(2005, 6, 7)),
            sex: M,
            address: HOME,
            ..NONE
        }),
    );
    assert_ne!(father.person, son.person);
    // A later report gives only an age: 17 in 2022 is the son.
    let aged = l.add(
        "s2".into(),
        record(P {
            given: "John",
            family: "Smith",
            age: Some((17, date(2022, 9, 1))),
            sex: M,
            address: HOME,
            ..NONE
        }),
    );
    assert_eq!(aged.person, son.person);
}

#[test]
fn siblings_sharing_everything_but_given_name_and_birth_date_stay_apart() {
    let mut l = linker();
    let kyle = l.add(
        "k".into(),
        record(P {
            given: "Kyle",
            family: "Brown",
            birth: Some(date(2008, 1, 14)),
            sex: M,
            address: HOME,
            phone: Some("+447700900001"),
            ..NONE
        }),
    );
    let ryan = l.add(
        "r".into(),
        record(P {
            given: "Ryan",
            family: "Brown",
            birth: Some(date(2010, 3, 3)),
            sex: M,
            address: HOME,
            phone: Some("+447700900001"),
            ..NONE
        }),
    );
    assert_ne!(kyle.person, ryan.person);
}

#[test]
fn a_child_whose_family_name_changed_is_still_one_child() {
    let mut l = linker();
    let before = l.add(
        "1".into(),
        record(P {
            given: "Chloe",
            family: "Wilson",
            birth: Some(date(2009, 9, 21)),
            sex: F,
            address: HOME,
            ..NONE
        }),
    );
    let after = l.add(
        "2".into(),
        record(P {
            given: "Chloe",
            family: "Ahmed",
            birth: Some(date(2009, 9, 21)),
            sex: F,
            address: HOME,
            ..NONE
        }),
    );
    assert_eq!(before.person, after.person);
}

#[test]
fn an_adult_known_only_by_a_nickname_links_on_evidence_only() {
    let mut l = linker();
    let full = l.add(
        "full".into(),
        record(P {
            given: "Mohammed",
            family: "Khan",
            birth: Some(date(1990, 1, 1)),
            sex: M,
            phone: Some("+447700900123"),
            ..NONE
        }),
    );
    // "Mo" with the same phone: the same man.
    let with_phone = l.add(
        "mo1".into(),
        record(P {
            given: "Mo",
            sex: M,
            phone: Some("+447700900123"),
            ..NONE
        }),
    );
    assert_eq!(with_phone.person, full.person);
    // "Mo" and nothing else: not enough to say who he is.
    let bare = l.add(
        "mo2".into(),
        record(P {
            given: "Mo",
            sex: M,
            ..NONE
        }),
    );
    assert_ne!(bare.person, full.person);
}

#[test]
fn misspelt_names_and_a_swapped_birth_date_still_link() {
    let mut l = linker();
    let a = l.add(
        "1".into(),
        record(P {
            given: "Kayleigh",
            family: "Murphy",
            birth: Some(date(2008, 3, 4)),
            sex: F,
            address: HOME,
            ..NONE
        }),
    );
    let b = l.add(
        "2".into(),
        record(P {
            given: "Kaleigh",
            family: "Murphey",
            birth: Some(date(2008, 4, 3)),
            sex: F,
            ..NONE
        }),
    );
    assert_eq!(a.person, b.person);
}

#[test]
fn analysts_decisions_bind() {
    let mut l = linker();
    let same = |_: &'static str| P {
        given: "Amy",
        family: "Jones",
        birth: Some(date(2010, 5, 5)),
        sex: F,
        address: HOME,
        ..NONE
    };
    l.decide("x2", "x1", Assertion::Different);
    l.decide("y1", "x1", Assertion::Same);
    let x1 = l.add("x1".into(), record(same("")));
    let x2 = l.add("x2".into(), record(same("")));
    assert_ne!(
        x1.person, x2.person,
        "a 'different' decision overrides a perfect match"
    );
    let y1 = l.add(
        "y1".into(),
        record(P {
            given: "Zed",
            family: "Other",
            ..NONE
        }),
    );
    assert_eq!(
        y1.person, x1.person,
        "a 'same' decision overrides no evidence"
    );
    assert!(y1.by_decision);
}

/// Linking many records at once on all cores gives exactly what linking them
/// one by one gives.
#[test]
fn linking_in_parallel_chunks_equals_linking_one_by_one() {
    let given = [
        "Amy", "Amie", "Jack", "Jake", "Mohammed", "Muhammad", "Kayleigh", "Kaleigh",
    ];
    let family = ["Smith", "Smyth", "Khan", "Jones", "Murphy", "Murphey"];
    let mut state: u64 = 7;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let mut items = Vec::new();
    for i in 0..700 {
        let mut r = LinkRecord::default();
        r.set_names(
            Some(given[next(given.len())]),
            Some(family[next(family.len())]),
        );
        if next(4) > 0 {
            r.birth = Some(Birth {
                year: 2000 + next(12) as i16,
                month: Some(1 + next(12) as i8),
                day: Some(1 + next(28) as i8),
            });
        }
        if next(2) == 0 {
            r.add_address(Some("12 Mill Lane"), Some(["BK1 1AA", "BK1 1AB"][next(2)]));
        }
        r.sex = Some([RecordedSex::Female, RecordedSex::Male][next(2)]);
        items.push((format!("m{i}"), r));
    }
    let mut one_by_one = linker();
    let persons: Vec<u32> = items
        .iter()
        .map(|(id, r)| one_by_one.add(id.clone(), r.clone()).person)
        .collect();
    let cfg = LinkConfig {
        chunk: 64,
        ..LinkConfig::default()
    };
    let mut batched = Linker::new(model(), NameTable::default_table(), cfg.clone());
    let assignments = batched.add_all(items.clone());
    let batched_persons: Vec<u32> = assignments.iter().map(|a| a.person).collect();
    assert_eq!(persons, batched_persons);
    let finals = |l: &Linker| {
        (0..l.len() as u32)
            .map(|r| l.person_of(r))
            .collect::<Vec<_>>()
    };
    assert_eq!(finals(&one_by_one), finals(&batched));
    assert!(one_by_one.persons().count() < 700, "some records linked");

    // With the index built beforehand (as a fit builds it), the same again.
    let names = NameTable::default_table();
    let records: Vec<LinkRecord> = items.iter().map(|(_, r)| r.clone()).collect();
    let prepared = Prepared::new(&records, &names, &cfg);
    let mut ahead = Linker::new(model(), names, cfg);
    let assignments = ahead.add_all_prepared(items.clone(), prepared);
    let ahead_persons: Vec<u32> = assignments.iter().map(|a| a.person).collect();
    assert_eq!(persons, ahead_persons);
    assert_eq!(finals(&one_by_one), finals(&ahead));
    // And the index it ends with finds what one built a record at a time
    // finds.
    let probe = &items[17].1;
    assert_eq!(ahead.candidates(probe), one_by_one.candidates(probe));
    assert!(!ahead.candidates(probe).is_empty());
}

#[test]
fn a_record_without_a_birth_date_does_not_chain_two_namesakes() {
    let mut l = linker();
    let aisha = |birth, address, phone| P {
        given: "Aisha",
        family: "Iqbal",
        birth,
        sex: F,
        address,
        phone,
        ..NONE
    };
    let first = l.add(
        "a1".into(),
        record(aisha(Some(date(2007, 12, 14)), HOME, Some("+447700900001"))),
    );
    // A police record of her at home, with no birth date.
    let undated = l.add("a2".into(), record(aisha(None, HOME, None)));
    assert_eq!(undated.person, first.person);
    // Another girl of the same name, born eight months later, elsewhere:
    // the undated record would take her weakly; the first one says she is
    // someone else.
    let other = l.add(
        "b1".into(),
        record(aisha(
            Some(date(2008, 8, 23)),
            Some(("163 Union Street, Brookfield", "BK3 4SG")),
            Some("+447700900999"),
        )),
    );
    assert_ne!(other.person, first.person, "namesakes chained");
}

#[test]
fn a_slip_in_a_nickname_is_not_a_twin() {
    let mut l = linker();
    let rebecca = l.add(
        "r1".into(),
        record(P {
            given: "Rebecca",
            family: "Jones-Wilson",
            birth: Some(date(2001, 4, 11)),
            sex: F,
            address: HOME,
            ..NONE
        }),
    );
    // "Becca" mistyped.
    let slip = l.add(
        "r2".into(),
        record(P {
            given: "Behca",
            family: "Jones-Wilson",
            birth: Some(date(2001, 4, 11)),
            sex: F,
            address: HOME,
            ..NONE
        }),
    );
    assert_eq!(slip.person, rebecca.person);
}

#[test]
fn a_record_cannot_join_past_a_record_of_the_person_it_flatly_contradicts() {
    // A boy born in 1996 at one address; a record of "Bailey Andre" (names
    // the other way round, no birth date, another address) that joins him;
    // then a man born in 1963 at that other address, his names written the
    // same way round. Blocking brings the undated record, which he matches
    // on the name and the house, but not the boy's own record: that one
    // must still keep him out, as a man a generation older.
    let mut l = linker();
    let boy = l.add(
        "boy".into(),
        record(P {
            given: "Andre",
            family: "Bailey",
            birth: Some(date(1996, 9, 18)),
            sex: M,
            address: Some(("116 Canal Street, Riverton", "RV3 7AF")),
            ..NONE
        }),
    );
    let undated = l.add(
        "undated".into(),
        record(P {
            given: "Bailey",
            family: "Andre",
            sex: M,
            address: Some(("64 Bridge Street, Brookfield", "BK4 6JR")),
            ..NONE
        }),
    );
    assert_eq!(
        undated.person, boy.person,
        "the undated record joins the boy"
    );
    let man = record(P {
        given: "Bailey",
        family: "Winston",
        birth: Some(date(1963, 1, 24)),
        sex: M,
        address: Some(("64 Bridge Street, Brookfield", "BK4 6JR")),
        phone: Some("+447700987038"),
        ..NONE
    });
    assert!(
        !l.candidates(&man).contains(&boy.record),
        "blocking does not bring the boy's own record"
    );
    let man = l.add("man".into(), man);
    assert_ne!(l.person_of(man.record), l.person_of(boy.record));
}
