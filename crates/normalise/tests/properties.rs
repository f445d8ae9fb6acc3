//! Property tests: no normaliser panics on any input, and normalising a
//! normalised value gives it back unchanged.

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
        "[A-Z]{2}[0-9]{2} ?[A-Z?]{3}",
        "\\PC{0,12}",
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
        for scheme in ["nhs_number", "upn", "pnc_id", "ni_number", "local"] {
            let _ = normalise_identifier(scheme, &s);
        }
    }

    #[test]
    fn normalising_is_idempotent(s in inputs()) {
        if let Ok(p) = normalise_postcode(&s) {
            prop_assert_eq!(normalise_postcode(&p.text).unwrap(), p.clone());
            prop_assert_eq!(normalise_postcode_district(&p.district).unwrap(), p.district);
        }
        for f in [normalise_nhs_number, normalise_upn, normalise_pnc_id, normalise_ni_number, normalise_phone] {
            if let Ok(v) = f(&s) {
                prop_assert_eq!(f(&v).unwrap(), v);
            }
        }
        if let Ok(r) = normalise_registration(&s) {
            prop_assert_eq!(normalise_registration(&r.text).unwrap(), r);
        }
        let folded = fold_name(&s);
        prop_assert_eq!(fold_name(&folded), folded.clone());
        prop_assert!(folded.is_ascii());
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
