//! Property tests: detection never panics, and every span it reports is a
//! valid slice of the text inside its sentence.

use proptest::prelude::*;
use sightline_detect::{Detector, load_rules};

fn detector() -> &'static Detector {
    use std::sync::OnceLock;
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| Detector::compile(&load_rules(None).unwrap()).unwrap())
}

fn texts() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "she",
        "he",
        "missing",
        "MFH",
        "older",
        "boyfriend",
        "not",
        "denies",
        "her",
        "friend",
        "car",
        "taxi",
        "hotel",
        "new",
        "phone",
        "2019",
        "aged",
        "12",
        "22:30",
        "y/o",
        "mum",
        "says",
        "may",
        "but",
        ".",
        ",",
        ";",
        "\n",
        "Zoë",
        "😀",
        "NFA",
        "streetwise",
        "(",
        ")",
        "'",
        "-",
        "boyfreind",
        "of",
        "in",
        "with",
    ]);
    prop_oneof![
        any::<String>(),
        prop::collection::vec(words, 0..60).prop_map(|w| w.join(" ")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn spans_are_valid(text in texts()) {
        for hit in detector().detect(&text, None) {
            let (Some(s), Some(e)) = (hit.start, hit.end) else { continue };
            prop_assert!(s < e && e <= text.len());
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            prop_assert!(hit.sentence.contains(text[s..e].trim()), "{:?} not in {:?}", &text[s..e], hit.sentence);
        }
    }
}
