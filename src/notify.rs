//! Delivering the outbox: e-mail over SMTP and signed webhooks over HTTP,
//! at least once. An entry is marked delivered only after the receiver
//! accepted it, so a crash in between sends it again with the same
//! idempotency key (webhooks: the `Idempotency-Key` header and the body's
//! `idempotency_key`; e-mail: a `Message-ID` derived from it), which the
//! receiver uses to discard the repeat. Failures are retried with backoff.
//!
//! Configuration, from the environment: `SIGHTLINE_SMTP` (`host:port` of a
//! relay), `SIGHTLINE_SMTP_TLS` (`opportunistic`, the default: STARTTLS
//! when the relay offers it; `starttls`: required; `tls`: TLS from the
//! first byte, port 465; `none`), `SIGHTLINE_MAIL_FROM`,
//! `SIGHTLINE_WEBHOOK_SECRET` (the shared signing secret), and
//! `SIGHTLINE_TLS_CA` (a PEM file of the certificate authorities to trust
//! instead of the public ones, for an organisation's own relay and
//! receivers). Webhooks go over HTTPS when their address says so.

use std::time::Duration;

use anyhow::{Context, Result};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sightline_ledger::{Ledger, OutboxEntry};
use sightline_route::notify::{next_attempt, sign};

/// How mail reaches the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on the same host).
    None,
    /// STARTTLS when the relay offers it.
    Opportunistic,
    /// STARTTLS, or no delivery.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

pub struct Transport {
    pub smtp: Option<(String, u16)>,
    pub smtp_tls: SmtpTls,
    pub from: String,
    pub secret: Option<Vec<u8>>,
    /// Certificate authorities to trust instead of the public ones (PEM),
    /// and the same parsed for HTTPS.
    pub ca_pem: Option<Vec<u8>>,
    http_roots: Option<Vec<ureq::tls::Certificate<'static>>>,
}

impl Transport {
    pub fn from_env() -> Result<Transport> {
        let smtp = std::env::var("SIGHTLINE_SMTP").ok().and_then(|v| {
            let (host, port) = v.rsplit_once(':')?;
            Some((host.to_string(), port.parse().ok()?))
        });
        let smtp_tls = match std::env::var("SIGHTLINE_SMTP_TLS").as_deref() {
            Err(_) | Ok("") | Ok("opportunistic") => SmtpTls::Opportunistic,
            Ok("none") => SmtpTls::None,
            Ok("starttls") => SmtpTls::StartTls,
            Ok("tls") => SmtpTls::Tls,
            Ok(other) => anyhow::bail!(
                "SIGHTLINE_SMTP_TLS={other}: expected opportunistic, starttls, tls or none"
            ),
        };
        let ca_pem = match std::env::var_os("SIGHTLINE_TLS_CA") {
            Some(path) => Some(std::fs::read(&path).with_context(|| {
                format!("SIGHTLINE_TLS_CA: cannot read {}", path.to_string_lossy())
            })?),
            None => None,
        };
        let http_roots = ca_pem.as_deref().map(http_roots).transpose()?;
        Ok(Transport {
            smtp,
            smtp_tls,
            from: std::env::var("SIGHTLINE_MAIL_FROM")
                .unwrap_or_else(|_| "Sightline <sightline@localhost>".into()),
            secret: std::env::var("SIGHTLINE_WEBHOOK_SECRET")
                .ok()
                .map(String::into_bytes),
            ca_pem,
            http_roots,
        })
    }
}

/// The certificates of a PEM file, read once when the transport is set up:
/// a bad file is reported before anything is sent.
fn http_roots(pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        if let ureq::tls::PemItem::Certificate(c) = item.context("SIGHTLINE_TLS_CA")? {
            certs.push(c);
        }
    }
    anyhow::ensure!(!certs.is_empty(), "SIGHTLINE_TLS_CA holds no certificate");
    Ok(certs)
}

/// A `Message-ID` from an idempotency key: the same key, the same id.
pub fn message_id(key: &str) -> String {
    format!(
        "<{}@sightline.invalid>",
        hex::encode(&Sha256::digest(key.as_bytes())[..16])
    )
}

fn send_email(t: &Transport, e: &OutboxEntry) -> Result<(), String> {
    use lettre::{Message, SmtpTransport, Transport as _};
    let Some((host, port)) = &t.smtp else {
        return Err("no SMTP relay configured (set SIGHTLINE_SMTP=host:port)".into());
    };
    let n = &e.notification;
    let message = Message::builder()
        .from(
            t.from
                .parse()
                .map_err(|x| format!("SIGHTLINE_MAIL_FROM: {x}"))?,
        )
        .to(n.target.parse().map_err(|x| format!("{}: {x}", n.target))?)
        .subject(n.subject.clone())
        .message_id(Some(message_id(&n.idempotency_key)))
        .body(n.body.clone())
        .map_err(|x| x.to_string())?;
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    let parameters = || -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(host.clone());
        if let Some(pem) = &t.ca_pem {
            builder = builder.add_root_certificate(
                Certificate::from_pem(pem).map_err(|x| format!("SIGHTLINE_TLS_CA: {x}"))?,
            );
        }
        builder.build_rustls().map_err(|x| x.to_string())
    };
    let tls = match t.smtp_tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Opportunistic => Tls::Opportunistic(parameters()?),
        SmtpTls::StartTls => Tls::Required(parameters()?),
        SmtpTls::Tls => Tls::Wrapper(parameters()?),
    };
    let mailer = SmtpTransport::builder_dangerous(host.as_str())
        .port(*port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(10)))
        .build();
    mailer.send(&message).map(|_| ()).map_err(|x| x.to_string())
}

fn send_webhook(t: &Transport, e: &OutboxEntry, now: Timestamp) -> Result<(), String> {
    let Some(secret) = &t.secret else {
        return Err("no webhook signing secret (set SIGHTLINE_WEBHOOK_SECRET)".into());
    };
    let n = &e.notification;
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false);
    if let Some(roots) = &t.http_roots {
        config = config.tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(roots))
                .build(),
        );
    }
    let agent: ureq::Agent = config.build().into();
    let response = agent
        .post(&n.target)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", &n.idempotency_key)
        .header("Sightline-Signature", &sign(secret, now, &n.body))
        .send(n.body.as_str())
        .map_err(|x| x.to_string())?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("{} answered {status}", n.target))
    }
}

/// What a delivery run did.
#[derive(Debug, Default)]
pub struct Delivered {
    pub delivered: usize,
    pub failed: usize,
}

/// Delivers every entry due by `now`, recording each attempt.
pub fn deliver(
    ledger: &mut dyn Ledger,
    transport: &Transport,
    now: Timestamp,
) -> Result<Delivered> {
    let mut done = Delivered::default();
    loop {
        let due = ledger.outbox(Some(now), 256)?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for e in due {
            let result = match e.notification.channel.as_str() {
                "email" => send_email(transport, &e),
                "webhook" => send_webhook(transport, &e, now),
                other => Err(format!("unknown channel {other}")),
            };
            match result {
                Ok(()) => {
                    // Fault injection for the restart-safety test: die
                    // after the receiver has the message and before the
                    // outbox knows, the window at-least-once is about.
                    if std::env::var_os("SIGHTLINE_TEST_CRASH_AFTER_SEND").is_some() {
                        std::process::abort();
                    }
                    ledger.outbox_attempted(e.id, Timestamp::now(), Ok(()))?;
                    done.delivered += 1;
                    progressed = true;
                }
                Err(error) => {
                    tracing::warn!(
                        "notification {} to {}: {error}",
                        e.id,
                        e.notification.target
                    );
                    let next = next_attempt(now, e.attempts);
                    ledger.outbox_attempted(e.id, Timestamp::now(), Err((error, next)))?;
                    done.failed += 1;
                }
            }
        }
        // Entries that failed are due again only later.
        if !progressed {
            break;
        }
    }
    Ok(done)
}
