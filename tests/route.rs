//! End-to-end tests of routing: the directory and routing table loaded into
//! the ledger, concerns routed (and the unrouted queue), each step with who,
//! when and why, sign-off by a second person, escalation by `tick` (once
//! each), reassignment, and reopening on new information. The story is
//! tests/fixtures/assess_story.jsonl; the teams and routes are the
//! simulated towns' (examples/).

mod common;

use serde_json::Value;

use common::{ROUTES, Sandbox, TEAMS, fails, json_lines, succeeds};

const STORE: &str = "s.db";

struct Env {
    sb: Sandbox,
}

impl Env {
    fn new() -> Env {
        let sb = Sandbox::new();
        sb.routed_story(STORE, TEAMS);
        Env { sb }
    }

    fn ok(&self, args: &[&str]) -> String {
        succeeds(self.sb.cmd(STORE), args)
    }

    fn fails(&self, args: &[&str]) -> String {
        fails(self.sb.cmd(STORE), args)
    }

    fn concerns(&self) -> Vec<Value> {
        json_lines(&self.ok(&["concerns", "--json"]))
    }

    fn concern_of(&self, name: &str) -> Value {
        self.concerns()
            .into_iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no concern for {name}"))
    }

    /// A school record of Kayleigh Smyth at a new home in the south team's
    /// area, run into the store.
    fn kayleigh_moves_south(&self, record_id: &str, at: &str, notified_by: &str) {
        let report = serde_json::json!({
            "schema": "sightline.report/1",
            "source": {"agency": "education", "system": "CPOMS", "record_id": record_id},
            "kind": "school_concern",
            "occurred_at": at,
            "recorded_at": at,
            "people": [{
                "ref": "p1", "role": "subject",
                "name": {"given": "Kayleigh", "family": "Smyth"},
                "birth_date": "1995-04-12", "sex": "female",
                "identifiers": [{"scheme": "nhs_number", "value": "9434765919"}],
                "addresses": [{"text": "4 Mill Lane, Riverton", "postcode": "RV2 3AB", "kind": "home"}]
            }],
            "narrative": format!("Change of address notified by {notified_by}.")
        });
        self.sb.write("moved.jsonl", &format!("{report}\n"));
        self.ok(&["run", "moved.jsonl"]);
    }

    fn concern_id(&self, name: &str) -> String {
        self.concern_of(name)["concern_id"]
            .as_str()
            .expect("a concern id")
            .to_string()
    }
}

#[test]
fn concerns_go_to_the_team_for_the_childs_home_and_placements_tell_both() {
    let env = Env::new();
    let kayleigh = env.concern_of("Kayleigh Smyth");
    assert_eq!(kayleigh["team"], "riverton-north");
    assert_eq!(kayleigh["status"], "routed");
    assert_eq!(env.concern_of("Chloe Barker")["team"], "brookfield-south");
    let amy = env.concern_of("Amy Walsh");
    assert_eq!(amy["team"], "riverton-south");
    assert_eq!(amy["notify"][0], "hallam-vale-north");
    // The export says the same.
    let export = env.ok(&["export", "concerns"]);
    assert!(export.contains(r#""status":"routed""#));
    assert!(export.contains(r#""team":"riverton-north""#));
    // A team's inbox.
    let inbox = env.ok(&["concerns", "--team", "brookfield-south"]);
    assert!(
        inbox.contains("Chloe Barker") && !inbox.contains("Kayleigh"),
        "{inbox}"
    );
}

#[test]
fn each_step_is_recorded_and_closing_at_critical_needs_a_second_person() {
    let env = Env::new();
    let id = env.concern_id("Kayleigh Smyth");
    let err = env.fails(&["--as", "brookfield.south.sw1", "concern", "ack", &id]);
    assert!(err.contains("not a member"), "{err}");
    let err = env.fails(&["concern", "ack", &id]);
    assert!(err.contains("--as"), "{err}");
    env.ok(&[
        "--as",
        "riverton.north.sw1",
        "concern",
        "ack",
        &id,
        "--note",
        "seen",
    ]);
    let err = env.fails(&[
        "--as",
        "riverton.north.sw1",
        "concern",
        "decide",
        &id,
        "--outcome",
        "maybe",
        "--reason",
        "x",
    ]);
    assert!(err.contains("not an outcome"), "{err}");
    env.ok(&[
        "--as",
        "riverton.north.sw1",
        "concern",
        "decide",
        &id,
        "--outcome",
        "no-further-action",
        "--reason",
        "spoke to family",
    ]);
    let err = env.fails(&["--as", "riverton.north.sw1", "concern", "close", &id]);
    assert!(err.contains("written reason"), "{err}");
    env.ok(&[
        "--as",
        "riverton.north.sw1",
        "concern",
        "close",
        &id,
        "--reason",
        "no risk found",
    ]);
    assert_eq!(env.concern_of("Kayleigh Smyth")["status"], "decided");
    let err = env.fails(&["--as", "riverton.north.sw1", "concern", "sign-off", &id]);
    assert!(err.contains("second, different person"), "{err}");
    env.ok(&["--as", "riverton.north.manager", "concern", "sign-off", &id]);
    assert_eq!(env.concern_of("Kayleigh Smyth")["status"], "closed");
    let shown = env.ok(&["concern", "show", &id]);
    for what in [
        "acknowledged: seen",
        "decided: no further action",
        "signed off",
    ] {
        assert!(shown.contains(what), "{what}: {shown}");
    }

    // New information about her reopens it, listing what is new.
    let late = r#"{"source":{"agency":"police","system":"NICHE","record_id":"M-099"},"kind":"missing_episode","recorded_at":"2008-05-02T08:00:00Z","people":[{"ref":"p1","role":"subject","name":{"given":"Kayleigh","family":"Smyth"},"birth_date":"1995-04-12","identifiers":[{"scheme":"nhs_number","value":"9434765919"}]}],"narrative":"Kayleigh missing overnight again, returned by an older male in a car."}"#;
    std::fs::write(env.sb.dir.path().join("late.jsonl"), format!("{late}\n")).unwrap();
    env.ok(&["ingest", "late.jsonl"]);
    assert_eq!(env.concern_of("Kayleigh Smyth")["status"], "routed");
    let shown = env.ok(&["concern", "show", &id]);
    assert!(
        shown.contains("reopened: new since the decision: police/NICHE/M-099"),
        "{shown}"
    );
}

#[test]
fn tick_escalates_overdue_steps_once_up_the_chain() {
    let env = Env::new();
    let first = env.ok(&["tick"]);
    assert!(
        first.contains("escalated to riverton.north.manager (level 1)"),
        "{first}"
    );
    assert!(first.contains("escalated to pat.lead"), "{first}");
    let again = env.ok(&["tick"]);
    assert!(again.starts_with("0 escalations recorded"), "{again}");
    let overdue = env.ok(&["concerns", "--overdue"]);
    assert!(overdue.contains("OVERDUE"), "{overdue}");
}

#[test]
fn tick_on_the_wall_clock_runs_the_clocks_to_now() {
    let env = Env::new();
    // Data time stops at the story's last report (2008); the machine's
    // clock is now, so every step still open is long overdue.
    let data_time = env.ok(&["--as-of", "2008-01-16T12:00:00Z", "tick"]);
    let wall = env.ok(&["tick", "--wall-clock"]);
    let today = jiff::Timestamp::now().to_string()[..10].to_string();
    assert!(wall.contains(&format!("(as of {today}")), "{wall}");
    let count = |out: &str| -> usize {
        out.lines()
            .find_map(|l| l.split_once(" escalations recorded"))
            .and_then(|(n, _)| n.parse().ok())
            .unwrap_or(0)
    };
    assert!(count(&wall) > count(&data_time), "{data_time}\n{wall}");
    let err = env.fails(&["--as-of", "2008-06-01", "tick", "--wall-clock"]);
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn reassignment_is_recorded_and_restarts_the_clock() {
    let env = Env::new();
    let id = env.concern_id("Amy Walsh");
    let err = env.fails(&[
        "--as",
        "riverton.south.sw1",
        "concern",
        "reassign",
        &id,
        "--team",
        "nowhere",
        "--reason",
        "x",
    ]);
    assert!(err.contains("no team `nowhere`"), "{err}");
    env.ok(&[
        "--as",
        "riverton.south.sw1",
        "concern",
        "reassign",
        &id,
        "--team",
        "hallam-vale-north",
        "--reason",
        "placed in Hallam Vale long term",
    ]);
    let amy = env.concern_of("Amy Walsh");
    assert_eq!(amy["team"], "hallam-vale-north");
    assert_eq!(amy["status"], "routed");
    assert!(
        env.ok(&["concern", "show", &id])
            .contains("reassigned from riverton-south to hallam-vale-north")
    );
}

#[test]
fn bad_directories_and_tables_are_refused_with_every_problem() {
    let env = Env::new();
    std::fs::write(
        env.sb.dir.path().join("bad.toml"),
        TEAMS.replace("agency = \"social_care\"", "agency = \"council\""),
    )
    .unwrap();
    let err = env.fails(&["teams", "check", "bad.toml"]);
    assert_eq!(
        err.matches("is not one of the report format's agencies")
            .count(),
        6,
        "{err}"
    );
    std::fs::write(
        env.sb.dir.path().join("badroutes.toml"),
        ROUTES.replace("team = \"riverton-north\"", "team = \"riverton-east\""),
    )
    .unwrap();
    let err = env.fails(&["routes", "check", "badroutes.toml"]);
    assert!(err.contains("no team `riverton-east`"), "{err}");
    let ok = env.ok(&["routes", "check", "routes.toml"]);
    assert!(ok.contains("valid"), "{ok}");
}

#[test]
fn a_concern_follows_the_child_to_a_new_home() {
    let env = Env::new();
    let id = env.concern_id("Kayleigh Smyth");
    assert_eq!(env.concern_of("Kayleigh Smyth")["team"], "riverton-north");
    // A year on, the school records her at a new home in the south team's
    // area.
    env.kayleigh_moves_south("S-900", "2009-06-01T10:00:00Z", "mother");
    let now = env.concern_of("Kayleigh Smyth");
    assert_eq!(now["team"], "riverton-south");
    assert_eq!(now["status"], "routed");
    let export = json_lines(&env.ok(&["export", "concerns"]));
    let exported = export
        .iter()
        .find(|c| c["concern_id"] == id.as_str())
        .expect("the concern in the export");
    assert_eq!(exported["team"], "riverton-south");
    assert_eq!(exported["routed_at"], "2009-06-01T10:00:00Z");
    let shown = env.ok(&["concern", "show", &id]);
    assert!(
        shown.contains("routed again from riverton-north to riverton-south"),
        "{shown}"
    );
    // It was routed on what the records said when it was raised: the
    // north team had it until the move.
    let raised = shown
        .find("routed to riverton-north: home address in postcode district RV1")
        .expect("routed to the north team when raised");
    let moved = shown.find("routed again").expect("moved");
    assert!(raised < moved, "{shown}");
}

#[test]
fn a_concern_follows_a_child_who_has_turned_18() {
    let env = Env::new();
    assert_eq!(env.concern_of("Kayleigh Smyth")["team"], "riverton-north");
    // Her open concern is still hers at 18: records of her then say where
    // she lives as much as those of her at 17.
    env.kayleigh_moves_south("S-901", "2013-06-01T10:00:00Z", "college");
    assert_eq!(env.concern_of("Kayleigh Smyth")["team"], "riverton-south");
}
