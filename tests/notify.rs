//! Notifications against real local receivers: an SMTP server and an HTTP
//! server (plain or HTTPS) on loopback ports, speaking the protocols. Checks delivery on
//! both channels, signatures, that a second tick sends nothing new, retry
//! after a receiver error, and restart safety: a process killed after the
//! receiver got a message and before the outbox recorded it sends it again
//! on restart with the same idempotency key, and no concern is lost or
//! duplicated.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

mod common;

use assert_cmd::Command;

use common::{Sandbox, TEAMS, succeeds};
const SECRET: &str = "test-secret";

#[derive(Default)]
struct Received {
    mails: Vec<String>,
    /// The mails that arrived over TLS (after STARTTLS).
    secure_mails: Vec<String>,
    hooks: Vec<(Vec<(String, String)>, String)>,
}

/// A minimal SMTP server: enough of RFC 5321 for a client to hand over a
/// message, and, with `starttls`, RFC 3207: it offers STARTTLS and, when
/// the client asks, goes on over TLS (`tests/fixtures/tls`).
fn smtp_server(received: Arc<Mutex<Received>>, starttls: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = starttls.then(tls_config);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let received = received.clone();
            let config = config.clone();
            std::thread::spawn(move || {
                let mut plain = stream;
                let _ = plain.write_all(b"220 localhost ESMTP test\r\n");
                let upgrade = smtp_session(&mut plain, &received, config.is_some(), false);
                if let (true, Some(config)) = (upgrade, config)
                    && let Ok(conn) = rustls::ServerConnection::new(config)
                {
                    let mut tls = rustls::StreamOwned::new(conn, plain);
                    smtp_session(&mut tls, &received, false, true);
                }
            });
        }
    });
    port
}

/// One SMTP conversation on `stream`; true when the client asked to go on
/// over TLS (the caller then wraps the connection and talks again).
fn smtp_session(
    stream: &mut (impl Read + Write),
    received: &Arc<Mutex<Received>>,
    offer_starttls: bool,
    secure: bool,
) -> bool {
    let mut line = Vec::new();
    let mut data: Option<String> = None;
    let mut byte = [0u8; 1];
    loop {
        line.clear();
        while !line.ends_with(b"\n") {
            match stream.read(&mut byte) {
                Ok(1) => line.push(byte[0]),
                _ => return false,
            }
        }
        let text = String::from_utf8_lossy(&line).into_owned();
        if let Some(body) = data.as_mut() {
            if text == ".\r\n" {
                let mail = std::mem::take(body);
                let mut r = received.lock().unwrap();
                if secure {
                    r.secure_mails.push(mail.clone());
                }
                r.mails.push(mail);
                data = None;
                let _ = stream.write_all(b"250 2.0.0 queued\r\n");
            } else {
                body.push_str(&text);
            }
            continue;
        }
        let verb = text.trim_end().to_ascii_uppercase();
        let reply: &[u8] = match verb.get(..4).unwrap_or("") {
            "EHLO" if offer_starttls => b"250-localhost\r\n250 STARTTLS\r\n",
            "EHLO" | "HELO" => b"250 localhost\r\n",
            "STAR" if offer_starttls && verb == "STARTTLS" => {
                let _ = stream.write_all(b"220 2.0.0 ready to start TLS\r\n");
                let _ = stream.flush();
                return true;
            }
            "DATA" => {
                data = Some(String::new());
                b"354 end with .\r\n"
            }
            "QUIT" => {
                let _ = stream.write_all(b"221 bye\r\n");
                return false;
            }
            _ => b"250 OK\r\n",
        };
        let _ = stream.write_all(reply);
        let _ = stream.flush();
    }
}

/// One HTTP exchange on `stream`: the request's headers (lower-cased
/// names) and body; answers `status`.
fn exchange(stream: &mut (impl Read + Write), status: &str) -> (Vec<(String, String)>, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = stream.read_exact(&mut body);
    let _ = stream.write_all(
        format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    let _ = stream.flush();
    (headers, String::from_utf8_lossy(&body).into_owned())
}

/// The test receiver's TLS configuration: `tests/fixtures/tls`.
fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
    let chain = CertificateDer::pem_file_iter(format!("{dir}/localhost.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/localhost.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap(),
    )
}

/// A minimal HTTP server (HTTPS with `tls`); answers 500 to the first
/// `fail_first` requests, 200 after.
fn http_server(received: Arc<Mutex<Received>>, fail_first: usize, tls: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = tls.then(tls_config);
    std::thread::spawn(move || {
        let mut served = 0;
        for stream in listener.incoming().flatten() {
            served += 1;
            let status = if served <= fail_first {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let (headers, body) = match &config {
                Some(config) => {
                    let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                        continue;
                    };
                    let mut tls = rustls::StreamOwned::new(conn, stream);
                    exchange(&mut tls, status)
                }
                None => {
                    let mut plain = stream;
                    exchange(&mut plain, status)
                }
            };
            // A client that refused the certificate sent nothing.
            if served > fail_first && !headers.is_empty() {
                received.lock().unwrap().hooks.push((headers, body));
            }
        }
    });
    port
}

const STORE: &str = "s.db";

struct Env {
    sb: Sandbox,
    smtp: u16,
}

impl Env {
    fn new(received: &Arc<Mutex<Received>>, fail_first: usize) -> Env {
        Env::with(received, fail_first, false)
    }

    /// With the webhook receiver speaking HTTPS (`tls`) or plain HTTP.
    fn with(received: &Arc<Mutex<Received>>, fail_first: usize, tls: bool) -> Env {
        let sb = Sandbox::new();
        let smtp = smtp_server(received.clone(), false);
        let http = http_server(received.clone(), fail_first, tls);
        let url = if tls {
            format!("https://localhost:{http}/hook")
        } else {
            format!("http://127.0.0.1:{http}/hook")
        };
        let teams = TEAMS.replace(
            "email = \"riverton-north@children.example.org\"",
            &format!("email = \"riverton-north@children.example.org\"\nwebhook = \"{url}\""),
        );
        sb.routed_story(STORE, &teams);
        Env { sb, smtp }
    }

    /// With the local receivers configured, and the crash after sending
    /// injected or not.
    fn cmd(&self, crash: bool) -> Command {
        let mut cmd = self.sb.cmd(STORE);
        cmd.env("SIGHTLINE_SMTP", format!("127.0.0.1:{}", self.smtp))
            .env("SIGHTLINE_WEBHOOK_SECRET", SECRET);
        if crash {
            cmd.env("SIGHTLINE_TEST_CRASH_AFTER_SEND", "1");
        } else {
            cmd.env_remove("SIGHTLINE_TEST_CRASH_AFTER_SEND");
        }
        cmd
    }

    fn ok(&self, args: &[&str], crash: bool) -> String {
        succeeds(self.cmd(crash), args)
    }
}

/// The webhook's signature verifies with the shared secret.
fn assert_signed(headers: &[(String, String)], body: &str) {
    let sig = &headers
        .iter()
        .find(|(k, _)| k == "sightline-signature")
        .expect("a signature header")
        .1;
    assert!(
        sightline_route::notify::verify(SECRET.as_bytes(), sig, body),
        "{sig}"
    );
}

fn keys(r: &Received) -> Vec<String> {
    r.hooks
        .iter()
        .filter_map(|(h, _)| {
            h.iter()
                .find(|(k, _)| k == "idempotency-key")
                .map(|(_, v)| v.clone())
        })
        .collect()
}

#[test]
fn mail_and_signed_webhooks_are_delivered_once_per_event() {
    let received = Arc::new(Mutex::new(Received::default()));
    let env = Env::new(&received, 0);
    let out = env.ok(&["tick"], false);
    assert!(out.contains("delivered, 0 failed"), "{out}");
    {
        let r = received.lock().unwrap();
        assert!(
            r.mails
                .iter()
                .any(|m| m.contains("riverton-north@children.example.org")
                    && m.contains("Message-ID: <")),
            "{:?}",
            r.mails
        );
        assert!(
            r.mails
                .iter()
                .any(|m| m.contains("Unrouted") || m.contains("New concern"))
        );
        assert!(!r.hooks.is_empty());
        for (headers, body) in &r.hooks {
            assert_signed(headers, body);
            let json: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(
                json["idempotency_key"].as_str().unwrap(),
                headers
                    .iter()
                    .find(|(k, _)| k == "idempotency-key")
                    .unwrap()
                    .1
            );
        }
    }
    let (mails, hooks) = {
        let r = received.lock().unwrap();
        (r.mails.len(), r.hooks.len())
    };
    let again = env.ok(&["tick"], false);
    assert!(
        again.contains("0 notifications queued; 0 delivered"),
        "{again}"
    );
    let r = received.lock().unwrap();
    assert_eq!((r.mails.len(), r.hooks.len()), (mails, hooks));
}

#[test]
fn webhooks_go_over_https_to_a_receiver_the_ca_file_vouches_for() {
    // A certificate no trusted authority signed: nothing is accepted, and
    // the outbox keeps the messages for a retry.
    let refused = Arc::new(Mutex::new(Received::default()));
    let env = Env::with(&refused, 0, true);
    let out = env.ok(&["tick"], false);
    assert!(!out.contains(" 0 failed"), "{out}");
    assert!(refused.lock().unwrap().hooks.is_empty());
    // With the organisation's authority trusted, they go through, signed.
    let received = Arc::new(Mutex::new(Received::default()));
    let env = Env::with(&received, 0, true);
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem");
    let mut cmd = env.cmd(false);
    cmd.env("SIGHTLINE_TLS_CA", ca);
    let out = succeeds(cmd, &["tick"]);
    assert!(out.contains("delivered, 0 failed"), "{out}");
    let r = received.lock().unwrap();
    assert!(!r.hooks.is_empty(), "{out}");
    for (headers, body) in &r.hooks {
        assert_signed(headers, body);
    }
}

#[test]
fn required_starttls_refuses_a_relay_that_does_not_offer_it() {
    let received = Arc::new(Mutex::new(Received::default()));
    let env = Env::new(&received, 0);
    let mut cmd = env.cmd(false);
    cmd.env("SIGHTLINE_SMTP_TLS", "starttls");
    let out = succeeds(cmd, &["tick"]);
    assert!(!out.contains(" 0 failed"), "{out}");
    assert!(received.lock().unwrap().mails.is_empty());
    // (Opportunistic STARTTLS, the default, sends in the clear to such a
    // relay: every other test here does.)
}

#[test]
fn mail_goes_over_starttls_to_a_relay_that_offers_it() {
    let received = Arc::new(Mutex::new(Received::default()));
    let env = Env::new(&received, 0);
    // The same story, its mail to a relay speaking STARTTLS with the test
    // authority's certificate for localhost.
    let relay = smtp_server(received.clone(), true);
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls/ca.pem");
    let mut cmd = env.cmd(false);
    cmd.env("SIGHTLINE_SMTP", format!("localhost:{relay}"))
        .env("SIGHTLINE_SMTP_TLS", "starttls")
        .env("SIGHTLINE_TLS_CA", ca);
    let out = succeeds(cmd, &["tick"]);
    let r = received.lock().unwrap();
    assert!(!r.secure_mails.is_empty(), "{out}");
    assert_eq!(r.secure_mails.len(), r.mails.len(), "every mail over TLS");
    assert!(
        r.secure_mails
            .iter()
            .any(|m| m.contains("Idempotency-Key") || m.contains("Message-ID"))
    );
}

#[test]
fn a_receiver_error_is_retried_later_with_the_same_key() {
    let received = Arc::new(Mutex::new(Received::default()));
    let env = Env::new(&received, 1);
    let out = env.ok(&["tick"], false);
    assert!(out.contains("1 failed"), "{out}");
    let waiting = env.ok(&["outbox"], false);
    assert!(waiting.contains("1 attempts, next"), "{waiting}");
    assert!(waiting.contains("500"), "{waiting}");
}

#[test]
fn a_crash_after_sending_resends_with_the_same_key_and_loses_nothing() {
    let received = Arc::new(Mutex::new(Received::default()));
    let env = Env::new(&received, 0);
    let concerns_before = env.ok(&["export", "concerns"], false);
    // Dies right after the first message is accepted, before the outbox
    // records it.
    let out = env.cmd(true).arg("tick").output().unwrap();
    assert!(!out.status.success(), "the fault injection should abort");
    let first: Vec<String> = {
        let r = received.lock().unwrap();
        r.mails.iter().cloned().chain(keys(&r)).collect()
    };
    assert_eq!(
        first.len(),
        1,
        "exactly one message got out before the crash"
    );
    // Restart: everything is delivered, the first message again with its
    // key (the receiver can discard it).
    let out = env.ok(&["tick"], false);
    assert!(out.contains("0 failed"), "{out}");
    let r = received.lock().unwrap();
    let hook_keys = keys(&r);
    let mut unique = hook_keys.clone();
    unique.sort();
    unique.dedup();
    let mail_ids: Vec<&str> = r
        .mails
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("Message-ID:")))
        .collect();
    let mut unique_mail = mail_ids.clone();
    unique_mail.sort();
    unique_mail.dedup();
    assert_eq!(
        hook_keys.len() + mail_ids.len(),
        unique.len() + unique_mail.len() + 1,
        "one message was sent twice, with the same key"
    );
    drop(r);
    // No concern lost or duplicated; nothing left waiting.
    let concerns_after = env.ok(&["export", "concerns"], false);
    assert_eq!(
        concerns_before.lines().count(),
        concerns_after.lines().count()
    );
    assert!(env.ok(&["outbox"], false).trim().is_empty());
}
