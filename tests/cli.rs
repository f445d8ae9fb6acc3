//! End-to-end tests of the `sightline` binary: ingest, quarantine, stats and
//! demo, each against a fresh store in a temporary directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

struct Env {
    dir: TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("sightline").unwrap();
        cmd.env_remove("SIGHTLINE_STORE")
            .env_remove("SIGHTLINE_USER")
            .arg("--store")
            .arg(self.store())
            .current_dir(self.dir.path());
        cmd
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn ingest(&self, files: &[&Path]) -> (i32, String, String) {
        let out = self.cmd().arg("ingest").args(files).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn stats(&self) -> Value {
        let out = self.cmd().args(["stats", "--json"]).output().unwrap();
        ok(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn quarantine(&self) -> Vec<Value> {
        let out = self
            .cmd()
            .args(["quarantine", "list", "--all", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Asserts that a command succeeded, showing its standard error if not.
fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn report(record_id: &str) -> Value {
    json!({
        "schema": "sightline.report/1",
        "source": {"agency": "police", "system": "NICHE-T", "record_id": record_id, "version": 1},
        "kind": "missing_episode",
        "occurred_at": "2008-03-14T22:10:00Z",
        "recorded_at": "2008-03-15T09:02:00Z",
        "people": [{"ref": "p1", "role": "subject", "name": {"given": "Kayleigh", "family": "Smyth"},
                    "birth_date": "1995-04-12", "sex": "female"}],
        "narrative": "Returned at 03:00. Denies being hurt."
    })
}

fn line(v: &Value) -> String {
    format!("{}\n", serde_json::to_string(v).unwrap())
}

#[test]
fn ingest_accepts_good_reports_and_stats_counts_them() {
    let env = Env::new();
    let feed = env.write(
        "feed.jsonl",
        [line(&report("A")), line(&report("B"))].concat(),
    );
    let (code, stdout, _) = env.ingest(&[&feed]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("2 records: 2 accepted (0 with warnings)"),
        "{stdout}"
    );
    let out = env.cmd().arg("stats").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next() == Some("reports: 2"), "{text}");
    assert!(text.contains("missing_episode"), "{text}");
}

#[test]
fn ingesting_the_same_file_twice_changes_nothing() {
    let env = Env::new();
    let feed = env.write(
        "feed.jsonl",
        [line(&report("A")), line(&report("B"))].concat(),
    );
    env.ingest(&[&feed]);
    let (code, stdout, _) = env.ingest(&[&feed]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("0 accepted") && stdout.contains("2 duplicates"),
        "{stdout}"
    );
    let stats = env.stats();
    assert_eq!(stats["reports"], 2);
    assert_eq!(stats["versions"], 2);
}

#[test]
fn a_resend_with_keys_in_another_order_is_a_duplicate_not_a_conflict() {
    let env = Env::new();
    let original = line(&report("A"));
    let pretty = format!(
        "{}\n",
        serde_json::to_string_pretty(&report("A"))
            .unwrap()
            .replace('\n', " ")
    );
    let reordered = original
        .replacen(",\"schema\":\"sightline.report/1\"", "", 1)
        .replacen('{', "{\"schema\":\"sightline.report/1\",", 1);
    assert_ne!(original, reordered);
    let feed = env.write("f.jsonl", [original, pretty, reordered].concat());
    let (code, stdout, _) = env.ingest(&[&feed]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("1 accepted")
            && stdout.contains("2 duplicates")
            && stdout.contains("0 quarantined"),
        "{stdout}"
    );
}

#[test]
fn a_higher_version_supersedes_and_history_keeps_the_old_one() {
    let env = Env::new();
    let mut v2 = report("A");
    v2["source"]["version"] = json!(2);
    v2["narrative"] = json!("Corrected narrative.");
    let feed = env.write("feed.jsonl", [line(&v2), line(&report("A"))].concat());
    let (code, stdout, _) = env.ingest(&[&feed]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("1 older versions kept in history"),
        "{stdout}"
    );
    let stats = env.stats();
    assert_eq!(stats["reports"], 1);
    assert_eq!(stats["versions"], 2);
}

#[test]
fn a_conflicting_resend_is_quarantined_and_the_first_stands() {
    let env = Env::new();
    let mut changed = report("A");
    changed["narrative"] = json!("Different text, same version.");
    let feed = env.write("feed.jsonl", [line(&report("A")), line(&changed)].concat());
    let (code, stdout, stderr) = env.ingest(&[&feed]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("1 quarantined (1 conflicting re-sends)"),
        "{stdout}"
    );
    assert!(stderr.contains("feed.jsonl:2"), "{stderr}");
    let q = env.quarantine();
    assert_eq!(q.len(), 1);
    let reason = q[0]["reasons"][0]["message"].as_str().unwrap();
    assert!(reason.contains("conflicting re-send"), "{reason}");
    assert_eq!(env.stats()["reports"], 1);
}

#[test]
fn bad_records_never_stop_the_batch() {
    let env = Env::new();
    let mut bytes = Vec::new();
    bytes.extend(line(&report("GOOD-1")).into_bytes());
    // Malformed UTF-8 inside a string.
    bytes.extend(
        b"{\"source\":{\"agency\":\"police\",\"system\":\"S\",\"record_id\":\"\xff\xfe\"}}\n",
    );
    // Duplicate keys.
    bytes.extend(
        br#"{"source":{"agency":"police","system":"S","record_id":"D"},"kind":"crime","kind":"incident","recorded_at":"2008-01-01T00:00:00Z"}"#,
    );
    bytes.push(b'\n');
    // Missing required fields and a value outside an enumeration.
    bytes.extend(br#"{"source":{"agency":"polis","system":"S"},"kind":"incident"}"#);
    bytes.push(b'\n');
    bytes.extend(line(&report("GOOD-2")).into_bytes());
    // A truncated last line.
    bytes.extend(br#"{"source":{"agency":"police","system":"S","record_id":"T"},"kind":"inc"#);
    let feed = env.write("mixed.jsonl", &bytes);
    let (code, stdout, stderr) = env.ingest(&[&feed]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("6 records: 2 accepted") && stdout.contains("4 quarantined"),
        "{stdout}"
    );
    assert!(
        stderr.contains("mixed.jsonl:2") && stderr.contains("not valid UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.jsonl:3") && stderr.contains("duplicate key `kind`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("source.agency: `polis` is not one of"),
        "{stderr}"
    );
    assert!(
        stderr.contains("source.record_id: required field is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("recorded_at: required field is missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.jsonl:6") && stderr.contains("truncated"),
        "{stderr}"
    );

    // Nothing is lost: the quarantine keeps the exact raw bytes.
    let out = env
        .cmd()
        .args(["quarantine", "export", "--all"])
        .output()
        .unwrap();
    let exported: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported.len(), 4);
    let utf8 = exported.iter().find(|e| e["line"] == 2).unwrap();
    assert!(utf8["raw_text"].is_null());
    assert!(utf8["raw_hex"].as_str().unwrap().contains("fffe"));
}

#[test]
fn strict_mode_fails_when_anything_was_quarantined() {
    let env = Env::new();
    let feed = env.write("f.jsonl", format!("{}not json\n", line(&report("A"))));
    let out = env
        .cmd()
        .args(["ingest", "--strict"])
        .arg(&feed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let good = env.write("g.jsonl", line(&report("B")));
    let out = env
        .cmd()
        .args(["ingest", "--strict"])
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn empty_files_and_unreadable_files() {
    let env = Env::new();
    let empty = env.write("empty.jsonl", "");
    let (code, stdout, _) = env.ingest(&[&empty]);
    assert_eq!(code, 0);
    assert!(stdout.contains("0 records"), "{stdout}");
    let good = env.write("good.jsonl", line(&report("A")));
    let missing = env.dir.path().join("missing.jsonl");
    let (code, stdout, stderr) = env.ingest(&[&missing, &good]);
    assert_eq!(code, 1, "an unreadable file is a failure");
    assert!(stderr.contains("missing.jsonl"), "{stderr}");
    assert!(
        stdout.contains("good.jsonl: 1 records: 1 accepted"),
        "the other files still go in: {stdout}"
    );
}

#[test]
fn a_one_mebibyte_narrative_and_ten_thousand_people() {
    let env = Env::new();
    let mut long = report("LONG");
    long["narrative"] = json!("She was seen at the park. ".repeat(1024 * 1024 / 26));
    let mut crowd = report("CROWD");
    let people: Vec<Value> = (0..10_000)
        .map(|i| json!({"ref": format!("p{i}"), "role": if i == 0 {"subject"} else {"witness"}, "name": {"full": format!("Person {i}")}}))
        .collect();
    crowd["people"] = json!(people);
    let feed = env.write("big.jsonl", [line(&long), line(&crowd)].concat());
    let (code, stdout, stderr) = env.ingest(&[&feed]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2 records: 2 accepted (0 with warnings)"),
        "{stdout}"
    );
}

#[test]
fn impossible_birth_dates_are_warnings_not_rejections() {
    let env = Env::new();
    let mut a = report("A");
    a["people"][0]["birth_date"] = json!("31/02/2008");
    let mut b = report("B");
    b["people"][0]["birth_date"] = json!("2008-13-01");
    let feed = env.write("dates.jsonl", [line(&a), line(&b)].concat());
    let (code, stdout, _) = env.ingest(&[&feed]);
    assert_eq!(code, 0);
    assert!(stdout.contains("2 accepted (2 with warnings)"), "{stdout}");
    let stats = env.stats();
    assert_eq!(stats["reports_with_warnings"], 2);
    assert!(env.quarantine().is_empty());
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["ingest", "-"])
        .write_stdin(line(&report("STDIN")))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("-: 1 records: 1 accepted"));
}

#[test]
fn quarantine_show_and_replay_resolve_without_deleting() {
    let env = Env::new();
    let mut bad = report("FIXME");
    bad["kind"] = json!("Missing_Episode");
    let feed = env.write("bad.jsonl", line(&bad));
    env.ingest(&[&feed]);
    let q = env.quarantine();
    assert_eq!(q.len(), 1);
    let id = q[0]["id"].as_u64().unwrap().to_string();

    let out = env
        .cmd()
        .args(["quarantine", "show", &id])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bad.jsonl, line 1"), "{text}");
    assert!(text.contains("did you mean `missing_episode`?"), "{text}");
    assert!(
        text.contains("\"Missing_Episode\""),
        "the raw record is shown: {text}"
    );

    let fixed = env.write("fixed.jsonl", line(&report("FIXME")));
    // A replay is a human decision: it needs to know who.
    let out = env
        .cmd()
        .args(["quarantine", "replay", &id, "--file"])
        .arg(&fixed)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as USER"));

    let out = env
        .cmd()
        .args([
            "--as",
            "analyst.jones",
            "quarantine",
            "replay",
            &id,
            "--file",
        ])
        .arg(&fixed)
        .output()
        .unwrap();
    ok(&out);
    let q = env.quarantine();
    assert_eq!(q.len(), 1, "resolved, not deleted");
    assert_eq!(q[0]["status"], "resolved");
    assert_eq!(q[0]["resolved_by"], "analyst.jones");
    let stats = env.stats();
    assert_eq!(stats["reports"], 1);
    assert_eq!(stats["quarantine_open"], 0);
    assert_eq!(stats["decisions"], 1);

    // A second replay of a resolved entry is refused.
    let out = env
        .cmd()
        .args([
            "--as",
            "analyst.jones",
            "quarantine",
            "replay",
            &id,
            "--file",
        ])
        .arg(&fixed)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn csv_feed_with_a_mapping_file() {
    let env = Env::new();
    let csv = env.write(
        "school.csv",
        "Ref,First,Last,DOB,Entered,Notes\nC-1,Chloe,Walsh,03/02/1996,24/06/2008 08:45,Arrived late.\nC-2,Jess,Brown,31/02/1995,,Upset.\n",
    );
    let mapping = env.write(
        "school.toml",
        r#"
[constants]
agency = "education"
system = "CPOMS"
kind = "school_concern"
[columns]
record_id = "Ref"
given_name = "First"
family_name = "Last"
birth_date = "DOB"
recorded_at = "Entered"
narrative = "Notes"
[formats]
date = "%d/%m/%Y"
datetime = "%d/%m/%Y %H:%M"
"#,
    );
    let out = env
        .cmd()
        .arg("ingest")
        .arg("--mapping")
        .arg(&mapping)
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 records: 1 accepted") && stdout.contains("1 quarantined"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("school.csv:3") && stderr.contains("recorded_at"),
        "{stderr}"
    );
}

#[test]
fn as_of_counts_only_what_was_recorded_by_then() {
    let env = Env::new();
    let mut later = report("LATER");
    later["recorded_at"] = json!("2010-01-01T00:00:00Z");
    let feed = env.write("f.jsonl", [line(&report("EARLY")), line(&later)].concat());
    env.ingest(&[&feed]);
    let out = env
        .cmd()
        .args(["--as-of", "2009-01-01", "stats", "--json"])
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["reports"], 1);
    assert_eq!(env.stats()["reports"], 2);
}

#[test]
fn read_commands_never_create_a_store() {
    let env = Env::new();
    let out = env.cmd().arg("stats").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));
    assert!(!env.store().exists());
}

#[test]
fn demo_runs_by_itself_and_refuses_foreign_stores() {
    let out = Command::cargo_bin("sightline")
        .unwrap()
        .env_remove("SIGHTLINE_STORE")
        .arg("demo")
        .output()
        .unwrap();
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("reports: "), "{text}");
    assert!(text.contains("Quarantined"), "{text}");
    assert!(text.contains("person mentions -> "), "{text}");
    assert!(
        text.contains("total weight"),
        "the demo explains a link: {text}"
    );
    for shown in [
        "concerns (",
        "Band history:",
        "group 1:",
        "Children's Services",
        "escalations up the teams' chains",
    ] {
        assert!(text.contains(shown), "the demo shows {shown}: {text}");
    }

    let env = Env::new();
    let feed = env.write("f.jsonl", line(&report("A")));
    env.ingest(&[&feed]);
    let out = env.cmd().arg("demo").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not create"));

    // A store the demo made can be used again.
    let demo_store = env.dir.path().join("demo.db");
    for _ in 0..2 {
        let out = Command::cargo_bin("sightline")
            .unwrap()
            .arg("--store")
            .arg(&demo_store)
            .arg("demo")
            .output()
            .unwrap();
        ok(&out);
    }
}

#[test]
fn detect_text_json_is_one_object_per_hit_and_needs_no_store() {
    let env = Env::new();
    let out = env
        .cmd()
        .args([
            "detect",
            "--json",
            "--text",
            "Her friend has an older boyfriend. She denies being hurt.",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!env.store().exists(), "detect --text never creates a store");
    let text = String::from_utf8(out.stdout).unwrap();
    let hits: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(hits.len() >= 2, "{text}");
    for h in &hits {
        let keys: Vec<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "end",
                "experiencer",
                "hedged",
                "historical",
                "indicator",
                "negated",
                "rule",
                "sentence",
                "start",
                "tier"
            ]
        );
    }
    let h2 = hits.iter().find(|h| h["indicator"] == "H2").unwrap();
    assert_eq!(h2["experiencer"], "other");
    let (s, e) = (
        h2["start"].as_u64().unwrap() as usize,
        h2["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        &"Her friend has an older boyfriend. She denies being hurt."[s..e],
        "older boyfriend"
    );
    assert!(
        hits.iter()
            .any(|h| h["indicator"] == "H10" && h["experiencer"] == "subject")
    );

    let out = env
        .cmd()
        .args(["detect", "--json", "--text", "Attendance letter sent."])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn detect_over_the_store_is_incremental() {
    let env = Env::new();
    let feed = env.write("f.jsonl", line(&report("A")));
    env.ingest(&[&feed]);
    let out = env.cmd().arg("detect").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1 reports read from the start"), "{text}");
    assert!(text.contains("H1"), "{text}");
    let out = env.cmd().arg("detect").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("0 reports read since the last run"));
    let feed = env.write("g.jsonl", line(&report("B")));
    env.ingest(&[&feed]);
    let out = env.cmd().arg("detect").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 reports read since the last run"));
    // Any change of the rules detects everything again, even when the file
    // keeps the rule set's name and version.
    let extra = env.write(
        "extra.toml",
        "format = 1\nname = \"Sightline default exploitation indicators\"\nversion = \"1.2.0\"\n[[rules]]\nid = \"local-extra\"\nindicator = \"H5\"\nsource = \"local\"\nphrases = [\"the old mill\"]\n",
    );
    let out = env
        .cmd()
        .arg("detect")
        .arg("--rules")
        .arg(&extra)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("2 reports read from the start"), "{text}");
}

#[test]
fn rules_check_reports_precise_errors() {
    let env = Env::new();
    let bad = env.write(
        "bad.toml",
        "format = 1\nname = \"x\"\nversion = \"1\"\n[[rules]]\nid = \"r\"\nindicator = \"H99\"\nsource = \"s\"\nphrases = [\"(older\"]\n",
    );
    let out = env
        .cmd()
        .args(["rules", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: rules[0] (r), indicator: `H99`"),
        "{err}"
    );
    assert!(err.contains("phrases[0]"), "{err}");
    let good = env.write(
        "good.toml",
        "format = 1\nname = \"x\"\nversion = \"1\"\n[[rules]]\nid = \"h3-minicab\"\nindicator = \"H3\"\nsource = \"local protocol\"\nphrases = [\"minicab * (collected|picked up)\"]\nexamples = [{ text = \"A minicab collected her at 2am.\", expect = [\"H3\"] }]\n",
    );
    let out = env
        .cmd()
        .args(["rules", "check"])
        .arg(&good)
        .output()
        .unwrap();
    ok(&out);
    let out = env
        .cmd()
        .args(["rules", "test"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Pairwise F1 of an exported person-links CSV against a world's truth.
fn pairwise_f1(links_csv: &str, truth_csv: &Path) -> f64 {
    use std::collections::HashMap;
    let read = |text: &str| -> HashMap<String, String> {
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("agency,system,record_id,ref,person_id"),
            "header"
        );
        lines
            .map(|l| {
                let (mention, person) = l.rsplit_once(',').unwrap();
                (mention.to_string(), person.to_string())
            })
            .collect()
    };
    let pred = read(links_csv);
    let truth = read(&std::fs::read_to_string(truth_csv).unwrap());
    assert_eq!(pred.len(), truth.len(), "one row per person mention");
    let pairs = |n: usize| n * n.saturating_sub(1) / 2;
    let mut both: HashMap<(&str, &str), usize> = HashMap::new();
    let mut p: HashMap<&str, usize> = HashMap::new();
    let mut t: HashMap<&str, usize> = HashMap::new();
    for (m, person) in &pred {
        let true_person = truth.get(m).expect("mention in truth");
        *both.entry((person, true_person)).or_default() += 1;
        *p.entry(person).or_default() += 1;
        *t.entry(true_person).or_default() += 1;
    }
    let tp: usize = both.values().map(|&n| pairs(n)).sum();
    let precision = tp as f64 / p.values().map(|&n| pairs(n)).sum::<usize>() as f64;
    let recall = tp as f64 / t.values().map(|&n| pairs(n)).sum::<usize>() as f64;
    2.0 * precision * recall / (precision + recall)
}

#[test]
fn link_export_and_explain_a_simulated_town() {
    let env = Env::new();
    let world = env.dir.path().join("world");
    let out = env
        .cmd()
        .args([
            "simulate",
            "--seed",
            "7",
            "--children",
            "300",
            "--years",
            "2",
            "--out",
        ])
        .arg(&world)
        .output()
        .unwrap();
    ok(&out);
    let (code, _, stderr) = env.ingest(&[&world.join("reports.jsonl")]);
    assert_eq!(code, 0, "{stderr}");

    let out = env.cmd().args(["link", "--json"]).output().unwrap();
    ok(&out);
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["model_fitted"], true);
    assert!(summary["persons"].as_u64().unwrap() < summary["mentions"].as_u64().unwrap());

    let out = env.cmd().args(["export", "links"]).output().unwrap();
    assert!(out.status.success());
    let links = String::from_utf8(out.stdout).unwrap();
    let f1 = pairwise_f1(&links, &world.join("truth/mentions.csv"));
    assert!(f1 > 0.85, "pairwise F1 {f1}");

    // A second run uses the stored model and changes nothing.
    let out = env.cmd().args(["link", "--json"]).output().unwrap();
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["model_fitted"], false);
    assert_eq!(again["persons"], summary["persons"]);
    let out = env.cmd().args(["export", "links"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), links);
    // The export reads the current projection back; linking again (as of a
    // date after every report) gives the same file, row for row.
    let out = env
        .cmd()
        .args(["--as-of", "2100-01-01", "export", "links"])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), links);

    // Vehicles, phones and places: one row per object mention, resolved.
    let out = env.cmd().args(["export", "objects"]).output().unwrap();
    ok(&out);
    let objects = String::from_utf8(out.stdout).unwrap();
    let truth_objects = std::fs::read_to_string(world.join("truth/objects.csv")).unwrap();
    assert_eq!(
        objects.lines().count(),
        truth_objects.lines().count(),
        "{objects}"
    );
    assert!(objects.starts_with("agency,system,record_id,ref,kind,entity_id,reason\n"));

    // The chronology of the person with the most mentions: one entry per
    // report, in time order.
    let mut reports_of: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
        Default::default();
    for l in links.lines().skip(1) {
        let (mention, person) = l.rsplit_once(',').unwrap();
        let report = mention.rsplit_once(',').unwrap().0;
        reports_of.entry(person).or_default().insert(report);
    }
    let (busiest, reports) = reports_of
        .iter()
        .max_by_key(|(p, r)| (r.len(), *p))
        .unwrap();
    let out = env
        .cmd()
        .args(["chronology", busiest, "--json"])
        .output()
        .unwrap();
    ok(&out);
    let chronology: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = chronology["entries"].as_array().unwrap();
    assert_eq!(entries.len(), reports.len());
    let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order");
    let out = env.cmd().args(["chronology", busiest]).output().unwrap();
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(busiest));

    // Explain the person with the most mentions.
    let mut counts = std::collections::HashMap::new();
    for l in links.lines().skip(1) {
        *counts.entry(l.rsplit_once(',').unwrap().1).or_insert(0) += 1;
    }
    let (person, _) = counts.iter().max_by_key(|(p, n)| (**n, *p)).unwrap();
    let out = env
        .cmd()
        .args(["explain", "person", person])
        .output()
        .unwrap();
    ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("Person {person}")), "{text}");
    assert!(text.contains("total weight"), "{text}");
}

#[test]
fn analysts_decisions_bind_and_mention_ids_take_any_characters() {
    let env = Env::new();
    let mut a = report("RB/2019/0042");
    a["people"][0]["addresses"] = json!([{"text": "12 Mill Lane", "postcode": "BK1 1AA"}]);
    let mut b = a.clone();
    b["source"]["record_id"] = json!("RB 2019%43");
    let file = env.write("r.jsonl", line(&a) + &line(&b));
    assert_eq!(env.ingest(&[&file]).0, 0);
    let ma = "police/NICHE-T/RB%2F2019%2F0042/p1";
    let mb = "police/NICHE-T/RB%202019%2543/p1";
    let persons = |env: &Env| -> Vec<String> {
        let out = env.cmd().args(["export", "links"]).output().unwrap();
        ok(&out);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("police,NICHE-T,RB/2019/0042,p1,"), "{text}");
        text.lines()
            .skip(1)
            .map(|l| l.rsplit_once(',').unwrap().1.to_string())
            .collect()
    };
    let before = persons(&env);
    assert_eq!(before[0], before[1], "the same child twice");

    // Search finds her through a misspelling and a day-first, day/month
    // swapped birth date.
    let out = env
        .cmd()
        .args([
            "search",
            "--name",
            "Kayleigh Smith",
            "--birth-date",
            "04/12/1995",
            "--json",
        ])
        .output()
        .unwrap();
    ok(&out);
    let first: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["person_id"], json!(before[0]));
    assert!(first["probability"].as_f64().unwrap() > 0.5, "{first}");
    let out = env.cmd().args(["search"]).output().unwrap();
    assert!(!out.status.success(), "an empty search is an error");

    // A decision needs a user, a reason and real mentions.
    let out = env
        .cmd()
        .args(["decide", "different", ma, mb, "--reason", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as"));
    let out = env
        .cmd()
        .args([
            "--as",
            "analyst",
            "decide",
            "different",
            ma,
            "police/NICHE-T/nope/p1",
        ])
        .args(["--reason", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no person mention"));

    let out = env
        .cmd()
        .args(["--as", "analyst", "decide", "different", ma, mb])
        .args(["--reason", "school confirms two pupils"])
        .output()
        .unwrap();
    ok(&out);
    let after = persons(&env);
    assert_ne!(after[0], after[1], "the decision binds");
    let out = env.cmd().args(["decide", "list"]).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(
        list.contains("different")
            && list.contains("school confirms two pupils")
            && list.contains("analyst"),
        "{list}"
    );

    let out = env
        .cmd()
        .args(["explain", "pair", ma, mb])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("different people"), "{text}");
    assert!(text.contains("birth date"), "{text}");
}

#[test]
fn link_csv_deduplicates_a_file_with_a_mapping() {
    let env = Env::new();
    let mapping = env.write(
        "m.toml",
        "id = \"rid\"\ngiven = \"first\"\nfamily = \"last\"\nbirth_date = \"dob\"\nbirth_date_format = \"ymd\"\npostcode = \"pc\"\n",
    );
    let mut rows = String::from("rid,first,last,dob,pc\n");
    rows.push_str("a1,Kayleigh,Smyth,19950412,BK1 1AA\n");
    rows.push_str("a2,Kaleigh,Smyth,19950412,BK1 1AA\n");
    rows.push_str("b1,Jordan,Okafor,19930101,RV2 5DH\n");
    let file = env.write("people.csv", rows);
    let pairs = env.dir.path().join("pairs.csv");
    let clusters = env.dir.path().join("clusters.csv");
    // `sightline link-csv --mapping MAPPING people.csv ARGS...`
    let link_csv = |mapping: &std::path::Path, args: &[&str]| {
        env.cmd()
            .arg("link-csv")
            .arg("--mapping")
            .arg(mapping)
            .arg(&file)
            .args(args)
            .output()
            .unwrap()
    };
    let out = link_csv(
        &mapping,
        &[
            "--out-pairs",
            pairs.to_str().unwrap(),
            "--out-clusters",
            clusters.to_str().unwrap(),
        ],
    );
    ok(&out);
    let pairs = std::fs::read_to_string(pairs).unwrap();
    let lines: Vec<&str> = pairs.lines().collect();
    assert_eq!(lines[0], "id_l,id_r,match_probability");
    assert_eq!(lines.len(), 2, "{pairs}");
    assert!(lines[1].starts_with("a1,a2,"), "{pairs}");
    assert_eq!(
        std::fs::read_to_string(clusters).unwrap().lines().count(),
        4
    );

    // --explain prints the pair's comparison field by field.
    let out = link_csv(
        &mapping,
        &[
            "--out-pairs",
            "p2.csv",
            "--explain",
            "a1",
            "a2",
            "--explain",
            "a1",
            "b1",
        ],
    );
    ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("birth date   the same date"), "{text}");
    assert!(text.contains("resolved: the same person"), "{text}");
    assert!(text.contains("resolved: different persons"), "{text}");
    let out = link_csv(
        &mapping,
        &["--out-pairs", "p3.csv", "--explain", "a1", "zz"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no record `zz`"));
    let unknown = env.write("u.toml", "id = \"rid\"\nextra_blocking = [\"street\"]\n");
    let out = link_csv(&unknown, &["--out-pairs", "p4.csv"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("extra_blocking"));

    let bad = env.write("bad.toml", "id = \"rid\"\ngiven_name = \"first\"\n");
    let out = link_csv(&bad, &["--out-pairs", "x.csv"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("given_name"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Output piped into a reader that stops early (`| head`) ends the command
/// quietly, as Unix tools do: no panic about a closed pipe.
#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("sightline");
    let mut child = std::process::Command::new(bin)
        .args(["rules", "show"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up, as `head -1` does.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}
