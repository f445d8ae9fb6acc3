//! Property tests: no normaliser panics on any input; a valid value written
//! in any of the usual ways normalises to one canonical form; and
//! normalising a normalised value gives it back unchanged.

use proptest::prelude::*;
use sightline_normalise::*;

/// Strings that look like identifiers as well as arbitrary Unicode.
fn inputs() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9 ?*/()+.-]{0,20}",
        "[A-Z]{1,2}[0-9]{1,2}[A-Z]? ?[0-9][A-Z]{2}",
        "(\\+44|0044|0)[ ]?[1-9][0-9 ]{8,11}",
        "[0-9]{3} ?[0-9]{3} ?[0-9]{4}",
        "[A-Z][0-9]{11}[0-9A-Z]",
        "[0-9]{2,4}/[0-9]{1,7}[A-Z]",
        "[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Z]",
        "[A-Z]{2}[0-9]{2} ?[A-Z?*_]{3}",
        "(Mr|Dr|Mrs)?\\.? ?\\PC{0,12}( Jr)?",
        "\\PC{0,12}",
        "[\\u{300}-\\u{36f}\\u{1f600}-\\u{1f64f}ßſıİ’ʼ]{0,8}",
    ]
}

/// Separators people put between the parts of an identifier.
fn sep() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", "  ", "-", " - "])
}

/// Upper, lower or as-is.
fn recase(s: &str, how: u8) -> String {
    match how % 3 {
        0 => s.to_ascii_lowercase(),
        1 => s.to_ascii_uppercase(),
        _ => s.to_string(),
    }
}

fn nhs_check(stem: &[u32]) -> Option<u32> {
    let sum: u32 = stem.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    }
}

/// A valid NHS number (ten digits).
fn nhs_number() -> impl Strategy<Value = String> {
    prop::collection::vec(0u32..10, 9).prop_filter_map("no check digit", |stem| {
        let check = nhs_check(&stem)?;
        let all_same = stem.iter().all(|&d| d == check);
        (!all_same).then(|| {
            stem.iter()
                .chain([&check])
                .map(|d| char::from_digit(*d, 10).unwrap())
                .collect()
        })
    })
}

const UPN_LETTERS: &str = "ABCDEFGHJKLMNPQRTUVWXYZ";

/// A valid UPN, permanent or temporary.
fn upn() -> impl Strategy<Value = String> {
    ("[0-9]{11}", "[0-9ABCDEFGHJKLMNPQRTUVWXYZ]").prop_map(|(digits, last)| {
        let rest = format!("{digits}{last}");
        let sum: usize = rest
            .chars()
            .zip(2..)
            .map(|(c, w)| {
                let v = c
                    .to_digit(10)
                    .map(|d| d as usize)
                    .unwrap_or_else(|| UPN_LETTERS.find(c).unwrap());
                v * w
            })
            .sum();
        let check = UPN_LETTERS.chars().nth(sum % 23).unwrap();
        format!("{check}{rest}")
    })
}

const PNC_LETTERS: &str = "ZABCDEFGHJKLMNPQRTUVWXY";

/// A valid PNC ID as (year, serial, check letter).
fn pnc() -> impl Strategy<Value = (u32, u32, char)> {
    (1941u32..=2040, 0u32..10_000_000).prop_map(|(year, serial)| {
        let n = u64::from(year % 100) * 10_000_000 + u64::from(serial);
        let check = PNC_LETTERS.chars().nth((n % 23) as usize).unwrap();
        (year, serial, check)
    })
}

/// A valid National Insurance number.
fn nino() -> impl Strategy<Value = String> {
    ("[ABCEGHJ-PRSTW-Z][ABCEGHJ-NPRSTW-Z]", "[0-9]{6}", "[A-D]")
        .prop_filter("unused or administrative prefix", |(p, _, _)| {
            ![
                "BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC", "PP", "PY",
                "PZ",
            ]
            .contains(&p.as_str())
        })
        .prop_map(|(p, d, s)| format!("{p}{d}{s}"))
}

/// A valid postcode as (outward, inward).
fn postcode() -> impl Strategy<Value = (String, String)> {
    let outward = prop_oneof![
        "[A-PR-UWYZ][0-9]",
        "[A-PR-UWYZ][0-9]{2}",
        "[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]",
        "[A-PR-UWYZ][A-HK-Y][0-9]",
        "[A-PR-UWYZ][A-HK-Y][0-9]{2}",
        "[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]",
    ];
    (outward, "[0-9][ABD-HJLNP-UW-Z]{2}")
}

/// A complete registration in one of the dated formats, and its format.
fn registration() -> impl Strategy<Value = (String, RegistrationFormat)> {
    prop_oneof![
        "[A-Z]{2}[0-9]{2}[A-Z]{3}".prop_map(|s| (s, RegistrationFormat::Current)),
        "[A-Z][0-9]{1,3}[A-Z]{3}".prop_map(|s| (s, RegistrationFormat::Prefix)),
        "[A-Z]{3}[0-9]{1,3}[A-Z]".prop_map(|s| (s, RegistrationFormat::Suffix)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn nothing_panics(s in inputs()) {
        let _ = normalise_postcode(&s);
        let _ = normalise_postcode_district(&s);
        let _ = normalise_nhs_number(&s);
        let _ = normalise_upn(&s);
        let _ = normalise_pnc_id(&s);
        let _ = normalise_ni_number(&s);
        let _ = normalise_registration(&s);
        let _ = normalise_phone(&s);
        let _ = fold_name(&s);
        let _ = name_tokens(&s);
        for scheme in ["nhs_number", "upn", "pnc_id", "ni_number", "local"] {
            let _ = normalise_identifier(scheme, &s);
        }
        if let (Ok(a), Ok(b)) = (normalise_registration(&s), normalise_registration("AB12C??")) {
            let _ = a.matches(&b);
        }
    }

    #[test]
    fn errors_are_one_line(s in inputs()) {
        let results = [
            normalise_postcode(&s).map(|p| p.text),
            normalise_postcode_district(&s),
            normalise_nhs_number(&s),
            normalise_upn(&s),
            normalise_pnc_id(&s),
            normalise_ni_number(&s),
            normalise_registration(&s).map(|r| r.text),
            normalise_phone(&s),
        ];
        for e in results.into_iter().filter_map(Result::err) {
            let message = e.to_string();
            prop_assert!(!message.contains('\n') && message.chars().count() < 250, "{}", message);
        }
    }

    #[test]
    fn normalising_is_idempotent(s in inputs()) {
        if let Ok(p) = normalise_postcode(&s) {
            prop_assert_eq!(normalise_postcode(&p.text).unwrap(), p.clone());
            prop_assert_eq!(normalise_postcode_district(&p.district).unwrap(), p.district.clone());
            prop_assert_eq!(normalise_postcode_district(&s).unwrap(), p.district);
        }
        if let Ok(d) = normalise_postcode_district(&s) {
            prop_assert_eq!(normalise_postcode_district(&d).unwrap(), d);
        }
        for f in [normalise_nhs_number, normalise_upn, normalise_pnc_id, normalise_ni_number, normalise_phone] {
            if let Ok(v) = f(&s) {
                prop_assert!(v.is_ascii());
                prop_assert_eq!(f(&v).unwrap(), v);
            }
        }
        if let Ok(r) = normalise_registration(&s) {
            prop_assert!(r.matches(&r));
            prop_assert_eq!(normalise_registration(&r.text).unwrap(), r);
        }
        let folded = fold_name(&s);
        prop_assert_eq!(fold_name(&folded), folded.clone());
        prop_assert_eq!(name_tokens(&s).join(" "), folded.clone());
        prop_assert!(folded.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' '));
    }

    #[test]
    fn nhs_numbers_in_any_layout(n in nhs_number(), a in sep(), b in sep()) {
        let written = format!(" {}{a}{}{b}{} ", &n[..3], &n[3..6], &n[6..]);
        prop_assert_eq!(normalise_nhs_number(&written).unwrap(), n.clone());
        prop_assert_eq!(normalise_nhs_number(&n).unwrap(), n.clone());
        prop_assert_eq!(normalise_identifier("nhs_number", &written), Some(Ok(n.clone())));
        // Any single changed digit fails.
        let last = n.chars().last().unwrap().to_digit(10).unwrap();
        let changed = format!("{}{}", &n[..9], (last + 1) % 10);
        prop_assert!(normalise_nhs_number(&changed).is_err());
    }

    #[test]
    fn upns_in_any_layout(u in upn(), how in any::<u8>(), a in sep()) {
        let written = format!("{}{a}{}", recase(&u[..5], how), recase(&u[5..], how / 3));
        prop_assert_eq!(normalise_upn(&written).unwrap(), u.clone());
        prop_assert_eq!(normalise_upn(&u).unwrap(), u.clone());
    }

    #[test]
    fn pnc_ids_in_any_layout((year, serial, check) in pnc(), lower in any::<bool>()) {
        let canonical = format!("{year}/{serial:07}{check}");
        let c = if lower { check.to_ascii_lowercase() } else { check };
        for written in [
            format!("{year}/{serial:07}{c}"),
            format!("{year}{serial:07}{c}"),
            format!("{:02}/{serial}{c}", year % 100),
            format!("{year} / {serial} {c}"),
        ] {
            prop_assert_eq!(normalise_pnc_id(&written).unwrap(), canonical.clone(), "{}", written);
        }
    }

    #[test]
    fn ni_numbers_in_any_layout(n in nino(), how in any::<u8>()) {
        let written = format!("{} {} {} {} {}", &n[..2], &n[2..4], &n[4..6], &n[6..8], &n[8..]);
        prop_assert_eq!(normalise_ni_number(&recase(&written, how)).unwrap(), n.clone());
        prop_assert_eq!(normalise_ni_number(&n).unwrap(), n.clone());
    }

    #[test]
    fn postcodes_in_any_layout((outward, inward) in postcode(), how in any::<u8>(), gap in "[ ]{0,3}") {
        let p = normalise_postcode(&recase(&format!("{outward}{gap}{inward}"), how)).unwrap();
        prop_assert_eq!(&p.text, &format!("{outward} {inward}"));
        prop_assert_eq!(&p.district, &outward);
        prop_assert!(outward.starts_with(&p.area) && !p.area.is_empty());
        prop_assert_eq!(&p.sector, &format!("{outward} {}", &inward[..1]));
        prop_assert_eq!(normalise_postcode_district(&recase(&outward, how)).unwrap(), outward);
    }

    #[test]
    fn uk_mobiles_in_any_layout(n in "7[0-9]{9}", how in 0usize..6) {
        let written = match how {
            0 => format!("0{} {}", &n[..4], &n[4..]),
            1 => format!("+44 {n}"),
            2 => format!("+44 (0){} {}", &n[..4], &n[4..]),
            3 => format!("0044 {n}"),
            4 => format!("44{n}"),
            _ => format!("0{}-{}-{} ext 12", &n[..4], &n[4..7], &n[7..]),
        };
        prop_assert_eq!(normalise_phone(&written).unwrap(), format!("+44{n}"), "{}", written);
    }

    #[test]
    fn registrations_and_partial_plates((plate, format) in registration(), how in any::<u8>(), hide in any::<u8>()) {
        let r = normalise_registration(&format!(" {} ", recase(&plate, how))).unwrap();
        prop_assert_eq!(&r.text, &plate);
        prop_assert_eq!(r.format, format);
        prop_assert!(!r.partial);
        // Hide one character: still accepted, partial, and matches the plate.
        let i = usize::from(hide) % plate.len();
        let mut hidden: Vec<char> = plate.chars().collect();
        hidden[i] = '*';
        let hidden: String = hidden.into_iter().collect();
        let p = normalise_registration(&hidden).unwrap();
        prop_assert!(p.partial);
        prop_assert!(p.matches(&r) && r.matches(&p));
        prop_assert_eq!(normalise_registration(&p.text).unwrap(), p);
    }
}

#[test]
fn valid_nhs_numbers_are_found_by_their_check_digit() {
    // Every nine-digit stem has at most one valid check digit.
    for stem in [943476591u64, 991200388, 999000001, 123456789] {
        let valid: Vec<String> = (0..10)
            .map(|d| format!("{stem:09}{d}"))
            .filter(|n| normalise_nhs_number(n).is_ok())
            .collect();
        assert!(valid.len() <= 1, "{valid:?}");
    }
}

#[test]
fn awkward_inputs_do_not_panic() {
    for s in [
        "Asunción",
        "😀",
        "👨‍👩‍👧‍👦 family",
        "ß",
        "ſ",
        "İ",
        "\u{0}",
        "\u{301}",
        "\u{feff}SW1A 1AA",
        "٠١٢٣٤٥٦٧٨٩",
        "ＳＷ１Ａ １ＡＡ",
        "2001/€",
        "€/€€",
        "+",
        "00",
        "(0)",
        "ext",
        "x1",
        "?",
        "*",
        "/",
        "",
    ] {
        let _ = normalise_postcode(s);
        let _ = normalise_postcode_district(s);
        let _ = normalise_nhs_number(s);
        let _ = normalise_upn(s);
        let _ = normalise_pnc_id(s);
        let _ = normalise_ni_number(s);
        let _ = normalise_registration(s);
        let _ = normalise_phone(s);
        assert!(fold_name(s).is_ascii());
    }
    assert_eq!(fold_name("Asunción"), "asuncion");
}
