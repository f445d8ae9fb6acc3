//! Times each step of receiving a JSON Lines file, single-threaded, with
//! the system allocator (the binary uses mimalloc):
//!   cargo run --release -p sightline-model --example receive_speed FILE
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: receive_speed FILE");
    let text = std::fs::read(&path).expect("read");
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let now = jiff::Timestamp::now();
    let n = lines.len() as f64;
    if std::env::var_os("RECEIVE_ONLY_CHECK").is_some() {
        // For profiling the checks alone: borrowed parse once, check 10 times.
        let objects: Vec<_> = lines
            .iter()
            .filter_map(|l| match sightline_model::parse_borrowed(l) {
                Some(sightline_model::Json::Object(o)) => Some(o),
                _ => None,
            })
            .collect();
        let t = Instant::now();
        for _ in 0..10 {
            for o in &objects {
                let _ = std::hint::black_box(sightline_model::check_object(o, now));
            }
        }
        println!(
            "check (borrowed)   {:8.2} µs/record",
            t.elapsed().as_secs_f64() / n / 10.0 * 1e6
        );
        return;
    }

    let t = Instant::now();
    let values: Vec<_> = lines
        .iter()
        .map(|l| serde_json::from_slice::<serde_json::Value>(l).unwrap())
        .collect();
    let plain = t.elapsed().as_secs_f64();
    drop(values);

    let t = Instant::now();
    let objects: Vec<_> = lines
        .iter()
        .map(|l| sightline_model::parse_object(l).unwrap())
        .collect();
    let strict = t.elapsed().as_secs_f64();

    let t = Instant::now();
    for o in &objects {
        let _ = sightline_model::check_report(o, now);
    }
    let check = t.elapsed().as_secs_f64();

    let t = Instant::now();
    for l in &lines {
        std::hint::black_box(sightline_model::parse_borrowed(l));
    }
    let borrowed_parse = t.elapsed().as_secs_f64();
    let borrowed: Vec<_> = lines
        .iter()
        .map(|l| match sightline_model::parse_borrowed(l) {
            Some(sightline_model::Json::Object(o)) => o,
            _ => panic!("not an object"),
        })
        .collect();

    let t = Instant::now();
    for o in &borrowed {
        let _ = sightline_model::check_object(o, now);
    }
    let borrowed_check = t.elapsed().as_secs_f64();
    drop(borrowed);

    let t = Instant::now();
    let mut bodies = Vec::with_capacity(objects.len());
    for o in objects {
        bodies.push(sightline_model::canonical_bytes(
            &serde_json::Value::Object(o),
        ));
    }
    let canon = t.elapsed().as_secs_f64();

    let t = Instant::now();
    for b in &bodies {
        use sha2::Digest;
        let _ = sha2::Sha256::digest(b);
    }
    let hash = t.elapsed().as_secs_f64();

    let t = Instant::now();
    for l in &lines {
        let _ = sightline_model::receive_bytes(l, now);
    }
    let all = t.elapsed().as_secs_f64();
    for (label, s) in [
        ("serde_json::Value", plain),
        ("strict parse", strict),
        ("check (map view)", check),
        ("borrowed parse", borrowed_parse),
        ("check (borrowed)", borrowed_check),
        ("canonical (CSV)", canon),
        ("sha256", hash),
        ("receive_bytes", all),
    ] {
        println!("{label:<18} {:8.2} µs/record", s / n * 1e6);
    }
}
