//! The model's fast receive path gives exactly what its precise reference
//! path gives on a simulated world's reports, as sent and damaged.

use sightline_model::{receive_bytes, receive_bytes_reference};
use sightline_sim::{SimConfig, simulate};

#[test]
fn simulated_reports_agree_on_both_receive_paths() {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig {
        seed: 11,
        children: 300,
        years: 2,
        ..SimConfig::default()
    };
    simulate(&config, dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("reports.jsonl")).unwrap();
    let now = jiff::Timestamp::now();
    let (mut checked, mut warned) = (0, 0);
    for (n, line) in text.lines().enumerate() {
        let mut variants = vec![line.as_bytes().to_vec()];
        // Damage some copies: cut short, a byte changed, a field's value
        // replaced by a number, a key repeated.
        let b = line.as_bytes();
        variants.push(b[..b.len() / (2 + n % 5)].to_vec());
        let mut flipped = b.to_vec();
        flipped[(n * 7919) % b.len()] = b'"';
        variants.push(flipped);
        variants.push(
            line.replacen("\"role\":\"", "\"role\":7,\"x\":\"", 1)
                .into_bytes(),
        );
        variants.push(
            line.replacen("\"birth_date\":\"", "\"birth_date\":\"3", 1)
                .into_bytes(),
        );
        variants.push(
            line.replacen("{\"ref\":", "{\"ref\":\"dup\",\"ref\":", 1)
                .into_bytes(),
        );
        for bytes in variants {
            let fast = receive_bytes(&bytes, now);
            let reference = receive_bytes_reference(&bytes, now);
            match (fast, reference) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.report, b.report);
                    assert_eq!(a.warnings, b.warnings);
                    assert_eq!(a.content_hash, b.content_hash);
                    warned += usize::from(!a.warnings.is_empty());
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a.reasons, b.reasons);
                    assert_eq!(a.key, b.key);
                }
                (a, b) => panic!(
                    "paths disagree on {}: {a:?} / {b:?}",
                    String::from_utf8_lossy(&bytes)
                ),
            }
            checked += 1;
        }
    }
    assert!(
        checked > 1000 && warned > 0,
        "{checked} checked, {warned} warned"
    );
}
