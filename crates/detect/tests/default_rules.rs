//! The default rule set loads, covers the whole catalogue, and every rule's
//! examples pass.

use sightline_detect::{Detector, Experiencer, load_rules, run_examples};

/// The default rules, compiled.
fn detector() -> Detector {
    Detector::compile(&load_rules(None).unwrap()).unwrap()
}

#[test]
fn default_rules_cover_the_catalogue_and_pass_their_examples() {
    let file = load_rules(None).unwrap_or_else(|e| panic!("{e:?}"));
    let ids: Vec<&str> = file.indicators.iter().map(|i| i.id.as_str()).collect();
    for tier in ["C", "H", "M", "V"] {
        let n = match tier {
            "C" => 4,
            "H" => 13,
            "M" => 14,
            _ => 10,
        };
        for i in 1..=n {
            let id = format!("{tier}{i}");
            assert!(ids.contains(&id.as_str()), "{id} missing");
            assert!(
                file.rules.iter().any(|r| r.indicator == id),
                "no rule for {id}"
            );
        }
    }
    for id in ["NA", "VB"] {
        assert!(
            file.rules.iter().any(|r| r.indicator == id),
            "no rule for {id}"
        );
    }
    assert!(file.rules.iter().all(|r| !r.source.is_empty()));
    let detector = Detector::compile(&file).unwrap();
    let (count, failures) = run_examples(&file, &detector);
    assert!(count >= 45, "{count} examples");
    let text: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {:?}: {}", f.rule, f.text, f.problem))
        .collect();
    assert!(failures.is_empty(), "{}", text.join("\n"));
}

#[test]
fn context_flags() {
    let file = load_rules(None).unwrap();
    let d = Detector::compile(&file).unwrap();
    let hit = |text: &str, id: &str| d.detect(text, None).into_iter().find(|h| h.indicator == id);
    let h = hit("She has an older boyfriend.", "H2").unwrap();
    assert!(!h.negated && !h.hedged && h.experiencer == Experiencer::Subject);
    assert_eq!(
        &"She has an older boyfriend."[h.start.unwrap()..h.end.unwrap()],
        "older boyfriend"
    );
    assert!(
        hit("She denies having an older boyfriend.", "H2")
            .unwrap()
            .negated
    );
    assert!(hit("No concerns about older males.", "H8").unwrap().negated);
    assert!(
        hit("Mother worries she may be seeing an older man.", "H2")
            .unwrap()
            .hedged
    );
    assert_eq!(
        hit("Mother worries she may be seeing an older man.", "H2")
            .unwrap()
            .experiencer,
        Experiencer::Subject
    );
    assert!(
        hit("She went missing twice in 2019.", "H1")
            .unwrap()
            .historical
    );
    let friend = d.detect("Her friend has an older boyfriend.", None);
    assert!(
        friend
            .iter()
            .any(|h| h.indicator == "H2" && h.experiencer == Experiencer::Other)
    );
    assert!(
        friend
            .iter()
            .any(|h| h.indicator == "H10" && h.experiencer == Experiencer::Subject)
    );
    assert!(
        hit("Mother's partner was arrested.", "M13")
            .unwrap()
            .experiencer
            == Experiencer::Other
    );
    // Spelling tolerance.
    assert!(hit("She has an older boyfreind.", "H2").is_some());
}

#[test]
fn a_lift_resolved_as_family_is_not_an_indicator_but_a_claim_is_no_resolution() {
    let d = detector();
    let h3 = |text: &str| {
        d.detect(text, None)
            .into_iter()
            .find(|h| h.indicator == "H3" && h.experiencer == Experiencer::Subject)
    };
    let lift = "Caller saw a girl of 14 getting into a car with an older man outside the shop.";
    assert!(!h3(lift).expect("a lift from an older man").negated);
    let resolved = format!("{lift} Checked: the registered keeper is her uncle. No concerns.");
    assert!(h3(&resolved).unwrap().negated, "resolved as family");
    for unresolved in [
        format!("{lift} He said he was her uncle but gave no name."),
        format!("{lift} It was her dad who rang us."),
        format!("{lift} The man was not her uncle."),
    ] {
        assert!(!h3(&unresolved).unwrap().negated, "{unresolved}");
    }
}

#[test]
fn a_stranger_not_known_to_the_family_is_no_denial() {
    let d = detector();
    let h8 = d
        .detect(
            "On 12/11 she was with a man estimated at 30, not known to the family.",
            None,
        )
        .into_iter()
        .find(|h| h.indicator == "H8")
        .expect("company of an unknown adult");
    assert!(!h8.negated);
}

#[test]
fn a_phone_at_night_is_not_out_late() {
    let d = detector();
    let m1 = |text: &str| {
        d.detect(text, None)
            .iter()
            .any(|h| h.indicator == "M1" && !h.negated)
    };
    assert!(m1("Seen in the town centre late at night."));
    assert!(!m1("Mum says he is on his phone until the early hours."));
    assert!(!m1(
        "Neighbours report men visiting the flat late at night."
    ));
}

#[test]
fn never_panics_on_odd_text() {
    let d = detector();
    for t in [
        "",
        " ",
        "...",
        "é",
        "😀 missing 😀",
        "a\u{0}b",
        "no",
        "MFH.....",
        &"missing ".repeat(10_000),
    ] {
        let _ = d.detect(t, None);
    }
}
